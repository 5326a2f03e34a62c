"""The evaluation pages: start, sections, drafts, conflicts, signing, addenda, roles."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEvent
from evaluations import services
from evaluations.models import Evaluation
from intake.models import Intake
from tests.evaluations.helpers import (
    CLASSIFICATION,
    L5_MOVEMENTS,
    L5_NEURO,
    L5_NEURODYNAMIC,
    OUTCOMES,
    PLAN,
    post_section,
)
from tests.factories import IntakeFactory

pytestmark = pytest.mark.django_db

INTAKE_ANSWERS = {
    "pain": {
        "nprs_back_now": 4,
        "nprs_back_best_24h": 2,
        "nprs_back_worst_24h": 6,
        "nprs_leg_now": 8,
        "nprs_leg_best_24h": 5,
        "nprs_leg_worst_24h": 9,
    },
    "where": {"chart": {"calf_shin_l": ["pain", "pins_needles"], "buttock_l": ["pain"]}},
    "feels": {"qualities": ["shooting"], "follows_path": "path", "leg_vs_back": "leg_worse"},
    "psfs": {"activities": [{"id": "a1", "name": "Walking the dog", "score": 3}]},
}


@pytest.fixture
def intake(patient):
    return IntakeFactory(
        patient=patient,
        status=Intake.Status.SUBMITTED,
        answers=INTAKE_ANSWERS,
        scores={"psfs": {"mean": 3.0}},
        submitted_at=timezone.now() - timedelta(days=3),
    )


@pytest.fixture
def evaluation(therapist, patient, intake):
    return services.evaluation_start(patient=patient, kind="initial", by=therapist)


def _outcomes():
    return {**OUTCOMES, "visit_date": timezone.localdate().isoformat(), "psfs_a1": "4"}


def _plan():
    later = (timezone.localdate() + timedelta(days=42)).isoformat()
    return {**PLAN, "goal_1_by": later, "reeval_date": later}


def _complete(client, evaluation):
    for key, data in (
        ("outcomes", _outcomes()),
        ("movements", L5_MOVEMENTS),
        ("neurodynamic", L5_NEURODYNAMIC),
        ("neuro", L5_NEURO),
        ("classification", CLASSIFICATION),
        ("plan", _plan()),
    ):
        response = post_section(client, evaluation, key, data)
        assert response.status_code == 200, (key, response.content.decode()[:2000])
        assert "Saved at" in response.content.decode(), key
    evaluation.refresh_from_db()
    return evaluation


def test_a_therapist_starts_an_evaluation_on_the_latest_submitted_intake(
    therapist_client, patient, intake
):
    response = therapist_client.post(
        reverse("evaluations:start", args=[patient.public_id]), {"kind": "initial"}
    )
    evaluation = Evaluation.objects.get(patient=patient)
    assert response.url == reverse("evaluations:detail", args=[evaluation.public_id])
    assert evaluation.intake == intake and evaluation.status == "draft"
    page = therapist_client.get(response.url).content.decode()
    assert "Intake summary" in page and "Walking the dog" in page
    assert "calf" in page.lower()
    assert AuditEvent.objects.filter(action="create", object_id=str(evaluation.public_id)).exists()


def test_every_section_saves_and_the_findings_are_shown_back(therapist_client, evaluation):
    evaluation = _complete(therapist_client, evaluation)
    rows = {r["movement_code"]: r for r in evaluation.content["movements"]["rows"]}
    assert set(rows) == {"EIL", "FIS"} and rows["EIL"]["order"] == 1
    f = evaluation.findings
    assert f["movements"]["directional_preference"] == "EXTENSION"
    assert "EIL" in f["movements"]["centralised_tests"]
    assert "FIS" in f["movements"]["peripheralised_tests"]
    assert f["neurodynamic"]["angle_comparisons"][0]["difference_deg"] == 40
    assert f["neuro"]["suggested_levels"][0]["roots"] == ["L5"]
    assert f["classification"]["category"] == "RADICULOPATHY_PAINFUL"
    page = therapist_client.get(reverse("evaluations:detail", args=[evaluation.public_id]))
    html = page.content.decode()
    assert 'data-testid="directional-preference">Extension' in html
    assert "40°" in html and "table-warning" in html
    assert "Suggested level, left: <strong>L5</strong>" in html
    assert "Sign the evaluation" in html and 'data-testid="sign-problems"' not in html
