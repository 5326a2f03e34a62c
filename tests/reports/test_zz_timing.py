import statistics, time
import pytest
from weasyprint import HTML, CSS
from core.models import Clinic
from reports import pdf as pipeline
from reports.documents import DOCUMENTS
from tests.reports.test_handout_pdf import evaluation_for
from tests.reports.test_intake_pdf import submitted_intake

pytestmark = pytest.mark.django_db

def _t(fn, n=10):
    fn()
    times = []
    for _ in range(n):
        t = time.perf_counter(); fn(); times.append((time.perf_counter() - t) * 1000)
    return statistics.median(times), min(times)

def test_timing(patient):
    clinic = Clinic.objects.current()
    css = "".join(open(f"static/reports/{n}").read() for n in ["print.css"])
    for kind, subj in [("intake_summary", submitted_intake(patient)), ("handout", evaluation_for(patient))]:
        subj = DOCUMENTS[kind].load(subj.public_id)
        html = pipeline.render_html(kind, subj, clinic=clinic)
        r = pipeline.render_document(kind, subj, clinic=clinic)
        full = _t(lambda: pipeline.render_document(kind, subj, clinic=clinic))
        h2p = _t(lambda: pipeline.html_to_pdf(html, paper_size="A4"))
        plain = _t(lambda: HTML(string=html).write_pdf())
        styled_html = html.replace("</head>", f"<style>{css}</style></head>")
        plain_styled = _t(lambda: HTML(string=styled_html).write_pdf())
        rh = _t(lambda: pipeline.render_html(kind, subj, clinic=clinic))
        print(f"\n{kind}: pages={r.pages} render_document={full[0]:.1f} (min {full[1]:.1f}) html_to_pdf={h2p[0]:.1f} render_html={rh[0]:.1f} plain_unstyled={plain[0]:.1f} plain_inline_css={plain_styled[0]:.1f}")
