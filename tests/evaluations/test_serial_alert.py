"""Serial neuro surveillance on save: a neuro exam worse than the episode's previous signed
one raises the staff alert by itself, once per distinct set of changes."""

import pytest

from care.demo import demo_discharge
from evaluations import services
from intake.models import RedFlagAlert
from tests.evaluations.helpers import L5_NEURO, post_section
from tests.evaluations.test_views import _complete
from tests.factories import TEST_PASSWORD

pytestmark = pytest.mark.django_db


@pytest.fixture
def signed_initial(therapist_client, therapist, evaluation):
    _complete(therapist_client, evaluation)
    services.evaluation_sign(evaluation=evaluation, by=therapist, password=TEST_PASSWORD)
    evaluation.refresh_from_db()
    return evaluation


def _serial_alerts(evaluation):
    return [
        a
        for a in RedFlagAlert.objects.filter(evaluation=evaluation)
        if any(i.startswith("SERIAL:") for i in a.items)
    ]


def test_a_weaker_myotome_raises_the_alert_without_the_progressive_tick(
    therapist_client, therapist, patient, signed_initial
):
    again = services.evaluation_start(patient=patient, kind="reevaluation", by=therapist)
    weaker = {**L5_NEURO, "myo_GREAT_TOE_EXTENSION_R": "3"}  # right was 5/5
    response = post_section(therapist_client, again, "neuro", weaker)
    assert response.status_code == 200
    assert response["HX-Trigger"] == "alerts-changed"
    (alert,) = _serial_alerts(again)
    assert alert.level == "URGENT" and not alert.ces
    assert "right 5/5 → 3/5 since" in alert.summary
    assert signed_initial.visit_date.strftime("%d %b %Y").lstrip("0") in alert.summary
    # Saving the same exam again raises nothing new; a further change does.
    post_section(therapist_client, again, "neuro", {**weaker, "notes": "Rechecked."})
    assert len(_serial_alerts(again)) == 1
    post_section(therapist_client, again, "neuro", {**weaker, "reflex_ACHILLES_L": "0"})
    assert len(_serial_alerts(again)) == 2
    # An open alert blocks signing until someone records what was done.
    assert any("alert" in p.lower() for p in services.sign_problems(again))


def test_the_same_or_a_better_exam_raises_nothing(
    therapist_client, therapist, patient, signed_initial
):
    again = services.evaluation_start(patient=patient, kind="reevaluation", by=therapist)
    better = {**L5_NEURO, "myo_GREAT_TOE_EXTENSION_L": "4"}  # left was 3/5
    post_section(therapist_client, again, "neuro", better)
    assert _serial_alerts(again) == []


def test_newly_reduced_saddle_sensation_is_an_emergency(
    therapist_client, therapist, patient, signed_initial
):
    initial = {**L5_NEURO, "saddle": "NORMAL"}
    # The signed exam recorded normal saddle sensation (an addendum would not change the
    # record): record it on a fresh episode's pair instead.
    demo_discharge(signed_initial.episode, on=signed_initial.visit_date, reason="goals_met")
    first = services.evaluation_start(patient=patient, kind="initial", by=therapist)
    _complete(therapist_client, first)
    post_section(therapist_client, first, "neuro", initial)
    services.evaluation_sign(evaluation=first, by=therapist, password=TEST_PASSWORD)
    again = services.evaluation_start(patient=patient, kind="reevaluation", by=therapist)
    post_section(therapist_client, again, "neuro", {**initial, "saddle": "REDUCED"})
    emergencies = [a for a in _serial_alerts(again) if a.level == "EMERGENCY"]
    assert emergencies and emergencies[0].ces


def test_an_exam_in_a_new_episode_is_not_compared_with_the_last_course_of_care(
    therapist_client, therapist, patient, signed_initial
):
    demo_discharge(signed_initial.episode, on=signed_initial.visit_date, reason="goals_met")
    fresh = services.evaluation_start(patient=patient, kind="initial", by=therapist)
    post_section(therapist_client, fresh, "neuro", {**L5_NEURO, "myo_GREAT_TOE_EXTENSION_R": "3"})
    assert _serial_alerts(fresh) == []


def test_the_neuro_findings_show_the_comparison_and_that_its_rules_await_a_clinician(
    therapist_client, therapist, patient, signed_initial
):
    from django.urls import reverse

    again = services.evaluation_start(patient=patient, kind="reevaluation", by=therapist)
    response = post_section(
        therapist_client, again, "neuro", {**L5_NEURO, "myo_GREAT_TOE_EXTENSION_R": "3"}
    )
    assert 'data-testid="neuro-serial"' in response.content.decode()
    page = therapist_client.get(reverse("evaluations:detail", args=[again.public_id]))
    html = page.content.decode()
    assert 'data-testid="neuro-serial"' in html and "5/5 → 3/5" in html
    assert "a clinician must approve" in html
    # The initial evaluation has nothing before it to compare with.
    first = therapist_client.get(reverse("evaluations:detail", args=[signed_initial.public_id]))
    assert 'data-testid="neuro-serial"' not in first.content.decode()
