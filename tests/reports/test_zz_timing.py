import logging, statistics, time
import pytest
from weasyprint import HTML
from core.models import Clinic
from reports import pdf as pipeline
from reports.documents import DOCUMENTS
from tests.reports.test_handout_pdf import evaluation_for
from tests.reports.test_intake_pdf import submitted_intake

pytestmark = pytest.mark.django_db

def _t(fn, n=15):
    fn(); fn()
    xs = []
    for _ in range(n):
        t = time.perf_counter(); fn(); xs.append((time.perf_counter() - t) * 1000)
    return statistics.median(xs), min(xs)

def test_timing(patient):
    logging.getLogger("weasyprint").setLevel(logging.WARNING)
    clinic = Clinic.objects.current()
    for kind, subj in [("intake_summary", submitted_intake(patient)), ("handout", evaluation_for(patient))]:
        subj = DOCUMENTS[kind].load(subj.public_id)
        html = pipeline.render_html(kind, subj, clinic=clinic)
        r = pipeline.render_document(kind, subj, clinic=clinic)
        full = _t(lambda: pipeline.render_document(kind, subj, clinic=clinic))
        plain = _t(lambda: HTML(string=html).write_pdf())
        print(f"\n{kind}: pages={r.pages} size={len(r.pdf)//1024}KB render_document median={full[0]:.1f} min={full[1]:.1f}; plain unstyled median={plain[0]:.1f} min={plain[1]:.1f}")
