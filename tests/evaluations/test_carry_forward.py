"""A re-evaluation carries forward: beside each empty input, the last signed evaluation of
the episode's value; one tap copies it, and the save's audit entry says it was copied."""

import pytest
from django.urls import reverse

from audit.models import AuditEvent
from care.demo import demo_discharge
from evaluations import services
from tests.evaluations.helpers import post_section
from tests.evaluations.test_views import _complete
from tests.factories import TEST_PASSWORD

pytestmark = pytest.mark.django_db


@pytest.fixture
def signed_initial(therapist_client, therapist, evaluation):
    _complete(therapist_client, evaluation)
    services.evaluation_sign(evaluation=evaluation, by=therapist, password=TEST_PASSWORD)
    evaluation.refresh_from_db()
    return evaluation


def _page(client, evaluation) -> str:
    response = client.get(reverse("evaluations:detail", args=[evaluation.public_id]))
    assert response.status_code == 200
    return response.content.decode()


def test_a_re_evaluation_shows_the_last_signed_values_beside_empty_inputs(
    therapist_client, therapist, patient, signed_initial
):
    again = services.evaluation_start(patient=patient, kind="reevaluation", by=therapist)
    html = _page(therapist_client, again)
    # The grade, the angle, the classification and the goal, each as the therapist reads it.
    assert 'data-carry-name="myo_GREAT_TOE_EXTENSION_L"' in html
    assert "last: 3/5" in html
    assert "last: 40°" in html
    assert "last: radiculopathy with radicular pain" in html
    assert "last: Leg pain 3/10 or less" in html
    assert 'data-carry-all="f-neuro"' in html and 'data-testid="carry-neuro"' in html
    # Not this visit's date.
    assert 'data-carry-name="outcomes-visit_date"' not in html


def test_an_initial_evaluation_or_a_signed_one_carries_nothing(
    therapist_client, therapist, patient, signed_initial
):
    assert "data-carry-for" not in _page(therapist_client, signed_initial)
    draft_initial = services.evaluation_start(patient=patient, kind="initial", by=therapist)
    assert "data-carry-for" not in _page(therapist_client, draft_initial)


def test_nothing_is_carried_from_an_earlier_episode(
    therapist_client, therapist, patient, signed_initial
):
    demo_discharge(signed_initial.episode, on=signed_initial.visit_date, reason="goals_met")
    fresh = services.evaluation_start(patient=patient, kind="reevaluation", by=therapist)
    assert fresh.episode_id != signed_initial.episode_id
    assert "data-carry-for" not in _page(therapist_client, fresh)


def test_copied_values_are_saved_as_recorded_and_audited_as_copied(
    therapist_client, therapist, patient, signed_initial
):
    again = services.evaluation_start(patient=patient, kind="reevaluation", by=therapist)
    response = post_section(
        therapist_client,
        again,
        "neuro",
        {
            "myo_GREAT_TOE_EXTENSION_L": "3",
            "myo_GREAT_TOE_EXTENSION_R": "5",
            # One name the form does not have: not recorded as copied.
            "copied": "myo_GREAT_TOE_EXTENSION_L,myo_GREAT_TOE_EXTENSION_R,not_a_field",
        },
    )
    assert response.status_code == 200
    again.refresh_from_db()
    assert (
        again.content["neuro"]["myo_GREAT_TOE_EXTENSION_L"] == 3
        or str(again.content["neuro"]["myo_GREAT_TOE_EXTENSION_L"]) == "3"
    )
    entry = AuditEvent.objects.filter(object_id=str(again.public_id), action="update").latest("pk")
    assert entry.details["copied"] == ["myo_GREAT_TOE_EXTENSION_L", "myo_GREAT_TOE_EXTENSION_R"]
    assert entry.details["copied_from"] == str(signed_initial.public_id)
    assert "2 copied from" in entry.summary
    # A value typed afresh is not "copied".
    post_section(therapist_client, again, "neuro", {"myo_GREAT_TOE_EXTENSION_L": "4"})
    latest = AuditEvent.objects.filter(object_id=str(again.public_id), action="update").latest("pk")
    assert "copied" not in latest.details


def test_each_goal_is_judged_at_the_re_evaluation_and_the_progress_report_says_so(
    therapist_client, therapist, patient, signed_initial
):
    from reports.docs.evaluation import load_evaluation
    from reports.docs.progress import progress_context
    from tests.evaluations.test_views import _plan

    again = services.evaluation_start(patient=patient, kind="reevaluation", by=therapist)
    assert 'name="goal_1_outcome"' in _page(therapist_client, again)
    assert 'name="goal_1_outcome"' not in _page(therapist_client, signed_initial)
    response = post_section(
        therapist_client, again, "plan", {**_plan(), "goal_1_outcome": "partly_met"}
    )
    assert response.status_code == 200
    again.refresh_from_db()
    assert again.content["plan"]["goals"][0]["outcome"] == "partly_met"
    context = progress_context(load_evaluation(again.public_id), None)
    (goal,) = context["goals"]
    assert goal["judged"] == "Partly met"


def test_the_progress_report_prints_initial_to_now_for_angles_myotomes_and_distal_symptom(
    therapist_client, therapist, patient, signed_initial
):
    from reports.docs.evaluation import load_evaluation
    from reports.docs.progress import progress_context
    from tests.evaluations.helpers import L5_NEURO, L5_NEURODYNAMIC, nd

    again = services.evaluation_start(patient=patient, kind="reevaluation", by=therapist)
    post_section(
        therapist_client,
        again,
        "neurodynamic",
        {**L5_NEURODYNAMIC, **nd("SLR", "L", onset_angle_deg="65")},
    )
    post_section(therapist_client, again, "neuro", {**L5_NEURO, "myo_GREAT_TOE_EXTENSION_L": "4"})
    context = progress_context(load_evaluation(again.public_id), None)
    trend = context["trend"]
    assert context["trend_from"] == signed_initial
    slr = next(a for a in trend["angles"] if a["label"].endswith("left"))
    assert (slr["before"], slr["after"], slr["changed"]) == ("40°", "65°", True)
    (toe,) = [n for n in trend["neuro"] if "left" in n["label"]]
    assert (toe["before"], toe["after"]) == ("3/5", "4/5") and "L5" in toe["label"]
