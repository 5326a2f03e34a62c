import pytest
from core.models import Clinic
from reports import pdf as pipeline
from reports.documents import DOCUMENTS
from tests.reports.test_intake_pdf import submitted_intake
from tests.factories import PatientFactory
from datetime import date
pytestmark = pytest.mark.django_db
def test_dump():
    p = PatientFactory(date_of_birth=date(1950,1,1))
    subj = DOCUMENTS["intake_summary"].load(submitted_intake(p).public_id)
    open("/tmp/intake.html","w").write(pipeline.render_html("intake_summary", subj, clinic=Clinic.objects.current()))
