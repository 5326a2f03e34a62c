import re
import statistics
import time

import pytest
from django.contrib.staticfiles import finders

from reports import pdf as pdf_mod
from reports.docs import evaluation as doc
from reports.pdf import render_html
from tests.reports.test_evaluation_pdf import _visits, clinic, physio  # noqa: F401

pytestmark = pytest.mark.django_db


def _median(fn, n=8):
    fn()
    times = []
    for _ in range(n):
        t = time.process_time()
        fn()
        times.append((time.process_time() - t) * 1000)
    return statistics.median(times)


def test_bench(clinic, patient, physio):
    import logging
    import weasyprint

    logging.getLogger("weasyprint").setLevel(logging.WARNING)
    logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)
    (ev,) = _visits(patient, physio, count=1)
    css = "\n".join(
        open(finders.find(n), encoding="utf-8").read() for n in pdf_mod._stylesheet_names()
    )
    sheets = [weasyprint.CSS(string=css + "@page { size: A4; }")]
    html = render_html("evaluation", doc.load_evaluation(ev.public_id), clinic=clinic)
    variants = {"full": html, "no tables": re.sub(r"<table.*?</table>", "", html, flags=re.S)}
    for m in re.finditer(r"<section[^>]*>.*?</section>", html, flags=re.S):
        title = re.search(r"<h2[^>]*>(.*?)</h2>", m.group(0))
        variants["without " + (title.group(1) if title else m.group(0)[:30])] = html.replace(m.group(0), "")
    for name, h in variants.items():
        extra = {
            "cols as table-cells": [weasyprint.CSS(string=".ev-cols{display:table;width:100%}.ev-col{display:table-cell;vertical-align:top}")],
            "fixed layout tables": [weasyprint.CSS(string="table.grid{table-layout:fixed}")],
        }.get(name, [])
        doc_ = weasyprint.HTML(string=h).render(stylesheets=sheets + extra)
        m = _median(lambda: weasyprint.HTML(string=h).write_pdf(stylesheets=sheets + extra))
        r = _median(lambda: weasyprint.HTML(string=h).render(stylesheets=sheets + extra))
        print(f"\n{name}: pages {len(doc_.pages)}, write_pdf {m:.0f} ms, render only {r:.0f} ms")
