"""An urgent finding forces a decision before signing (issue 21 point 1, safety).

Before: with Babinski up-going and its alert not dispositioned, the sign panel said
"Everything needed is recorded" and the evaluation signed, with "Referral: None".
"""

import pytest
from django.urls import reverse

from evaluations.models import Evaluation
from intake.models import RedFlagAlert
from tests.evaluations.helpers import L5_NEURO, post_section
from tests.evaluations.test_views import _complete, _plan
from tests.factories import TEST_PASSWORD

pytestmark = pytest.mark.django_db

UMN = {**L5_NEURO, "babinski_L": "EXTENSOR"}


def _sign(client, evaluation):
    return client.post(
        reverse("evaluations:sign", args=[evaluation.public_id]), {"password": TEST_PASSWORD}
    )


def _acknowledge(client, alert, outcome, note="Phoned the GP: seen this afternoon."):
    response = client.post(
        reverse("intake:alert", args=[alert.public_id]), {"outcome": outcome, "action_note": note}
    )
    assert response.status_code == 302


def _signed(evaluation) -> bool:
    return Evaluation.objects.get(pk=evaluation.pk).is_signed


@pytest.fixture
def with_umn_sign(therapist_client, evaluation):
    _complete(therapist_client, evaluation)
    post_section(therapist_client, evaluation, "neuro", UMN)
    return RedFlagAlert.objects.get(evaluation=evaluation)


def test_signing_is_refused_while_the_alert_is_not_dispositioned(
    therapist_client,
    evaluation,
    with_umn_sign,
):
    page = therapist_client.get(reverse("evaluations:detail", args=[evaluation.public_id]))
    html = page.content.decode()
    assert "Everything needed is recorded" not in html
    assert "The neuro exam raised an urgent alert" in html
    response = _sign(therapist_client, evaluation)
    assert "Record what was done on the alert page before signing" in response.content.decode()
    assert not _signed(evaluation)


def test_an_urgent_disposition_needs_an_urgent_referral_in_the_plan(
    therapist_client,
    evaluation,
    with_umn_sign,
):
    _acknowledge(therapist_client, with_umn_sign, "urgent_referral")
    refused = _sign(therapist_client, evaluation).content.decode()
    assert "record an urgent (same-day) referral in the plan of care" in refused
    routine = {
        **_plan(),
        "referral": "on",
        "referral_to": "physician",
        "referral_urgency": "routine",
        "referral_reason": "Upgoing plantar on the left.",
    }
    post_section(therapist_client, evaluation, "plan", routine)
    assert "record an urgent" in _sign(therapist_client, evaluation).content.decode()
    assert not _signed(evaluation)
    post_section(therapist_client, evaluation, "plan", {**routine, "referral_urgency": "urgent"})
    assert _sign(therapist_client, evaluation).status_code == 302
    assert _signed(evaluation)


def test_an_emergency_disposition_needs_an_emergency_referral(
    therapist_client,
    evaluation,
    with_umn_sign,
):
    _acknowledge(therapist_client, with_umn_sign, "emergency_referral")
    urgent = {
        **_plan(),
        "referral": "on",
        "referral_to": "physician",
        "referral_urgency": "urgent",
        "referral_reason": "Upgoing plantar.",
    }
    post_section(therapist_client, evaluation, "plan", urgent)
    assert "record an emergency referral" in _sign(therapist_client, evaluation).content.decode()
    post_section(therapist_client, evaluation, "plan", {**urgent, "referral_urgency": "emergency"})
    assert _sign(therapist_client, evaluation).status_code == 302


def test_a_false_positive_with_its_reasoning_signs_without_a_referral(
    therapist_client,
    evaluation,
    with_umn_sign,
):
    _acknowledge(
        therapist_client,
        with_umn_sign,
        "false_positive",
        "Re-tested: flexor both sides; mis-keyed.",
    )
    assert _sign(therapist_client, evaluation).status_code == 302
    assert _signed(evaluation)


def test_a_referral_needs_its_urgency(therapist_client, evaluation):
    response = post_section(
        therapist_client,
        evaluation,
        "plan",
        {**_plan(), "referral": "on", "referral_to": "physician", "referral_reason": "Foot drop."},
    )
    assert "Say how urgent the referral is." in response.content.decode()


def test_the_referral_box_no_longer_says_conservative_care_is_not_working(
    therapist_client,
    evaluation,
):
    page = therapist_client.get(reverse("evaluations:detail", args=[evaluation.public_id]))
    html = page.content.decode()
    assert "conservative care is not working" not in html
    assert "Emergency: hospital within hours" in html and "Urgent: seen the same day" in html


def test_the_alert_page_shows_an_exam_finding_as_a_finding(therapist_client, with_umn_sign):
    page = therapist_client.get(reverse("intake:alert", args=[with_umn_sign.public_id]))
    html = page.content.decode()
    assert "What the examination found" in html
    assert "What the patient reported" not in html
    assert "Upper motor neuron sign" in html
    assert "urgent (same-day) medical referral" in html
