import statistics
import time

import pytest
from django.contrib.staticfiles import finders

from evaluations.models import Evaluation
from reports import pdf as pdf_mod
from reports.docs import evaluation as doc
from reports.pdf import render_document, render_html
from tests.reports.test_evaluation_pdf import _visits, clinic, physio  # noqa: F401

pytestmark = pytest.mark.django_db


def _median(fn, n=10):
    for _ in range(2):
        fn()
    times = []
    for _ in range(n):
        t = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t) * 1000)
    return statistics.median(times), min(times)


def test_bench(clinic, patient, physio):
    import weasyprint

    visits = _visits(patient, physio, count=3)
    css = "\n".join(
        open(finders.find(n), encoding="utf-8").read() for n in pdf_mod._stylesheet_names()
    )
    sheets = [weasyprint.CSS(string=css + "@page { size: A4; }")]
    for kind, ev in (("evaluation", visits[0]), ("evaluation", visits[-1]), ("progress", visits[-1])):
        def ours():
            subject = doc.load_evaluation(ev.public_id)
            return render_document(kind, subject, clinic=clinic)

        subject = doc.load_evaluation(ev.public_id)
        html = render_html(kind, subject, clinic=clinic)

        def plain():
            return weasyprint.HTML(string=html).write_pdf(stylesheets=sheets)

        def context_only():
            s = doc.load_evaluation(ev.public_id)
            return render_html(kind, s, clinic=clinic)

        pages = ours().pages
        o, omin = _median(ours)
        p, pmin = _median(plain)
        c, _ = _median(context_only)
        print(f"\n{kind} {ev.kind}: pages {pages}, ours median {o:.0f} ms (min {omin:.0f}), plain weasyprint {p:.0f} ms (min {pmin:.0f}), load+context+template {c:.1f} ms, ratio {o / p:.2f}, html {len(html)} bytes")
