"""No input may produce a 500: what PostgreSQL cannot store (NUL, lone surrogates) is
dropped from every name and value a request carries, in one place
(core.text.StorableInputMiddleware). Security test, issue 20 point 3: before, a NUL in a
field *name* of an invalid evaluation section post, and a NUL in the consent's signed
name with a valid signature, each gave a 500 (DataError on PostgreSQL)."""

from urllib.parse import quote

import pytest
from django.test import RequestFactory
from django.urls import reverse

from core.text import StorableInputMiddleware, storable
from evaluations import services as evaluation_services
from intake.models import Intake, IntakeConsent
from tests.evaluations.helpers import INTAKE_ANSWERS, section_url
from tests.factories import IntakeFactory, hand_over_tablet
from tests.intake.answers import HAPPY

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "key", ["outcomes", "movements", "neurodynamic", "neuro", "classification", "plan"]
)
def test_a_nul_in_a_field_name_of_an_invalid_section_post_is_not_a_500(
    therapist_client, therapist, patient, key
):
    IntakeFactory(patient=patient, answers=INTAKE_ANSWERS)
    evaluation = evaluation_services.evaluation_start(patient=patient, kind="initial", by=therapist)
    body = f"version={evaluation.section_versions.get(key, 0)}&autosave=1&%00name=x"
    response = therapist_client.post(
        section_url(evaluation, key),
        body,
        content_type="application/x-www-form-urlencoded",
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code < 500
    evaluation.refresh_from_db()
    assert "\x00" not in str(evaluation.drafts)
    if key == "outcomes":  # the section where this gave a 500: the draft kept the name
        assert evaluation.drafts[key]["name"] == ["x"]


def test_a_nul_in_the_signed_name_with_a_valid_signature_is_not_a_500(
    front_desk_client, front_desk, patient
):
    intake = IntakeFactory(
        patient=patient,
        status=Intake.Status.IN_PROGRESS,
        submitted_at=None,
        started_by=front_desk,
    )
    hand_over_tablet(front_desk_client, intake=intake, by=front_desk)
    front_desk_client.post(reverse("kiosk:step", args=["about"]), {**HAPPY["about"], "nav": "next"})
    consent = {**HAPPY["consent"], "signed_name": "Ana\x00 Núñez", "nav": "next"}
    response = front_desk_client.post(reverse("kiosk:step", args=["consent"]), consent)
    assert response.status_code == 302
    assert IntakeConsent.objects.get(intake=intake).signed_name == "Ana Núñez"


def test_invalid_utf8_and_nul_in_a_query_string_and_a_cookie_are_dropped(front_desk_client):
    front_desk_client.cookies["extra"] = "a\x00b"
    response = front_desk_client.get(
        reverse("intake:queue") + "?show=" + quote("all\x00") + "&%00day=%ff%fe"
    )
    assert response.status_code == 200


def test_the_middleware_cleans_names_values_and_merges_what_a_nul_split():
    request = RequestFactory().post("/", {"name": ["a\x00b"], "\x00name": ["c"], "ok": ["d"]})
    seen = {}

    def view(req):
        seen.update({k: req.POST.getlist(k) for k in req.POST})
        return None

    StorableInputMiddleware(view)(request)
    assert seen == {"name": ["ab", "c"], "ok": ["d"]}


def test_clean_input_is_passed_on_untouched():
    request = RequestFactory().post("/", {"name": "Ana Núñez"})
    post = request.POST
    StorableInputMiddleware(lambda req: None)(request)
    assert request.POST is post


@pytest.mark.parametrize(
    ("raw", "kept"),
    [("a\x00b", "ab"), ("\ud800x", "x"), ("Núñez", "Núñez"), ("\x00", ""), ("😀", "😀")],
)
def test_storable_drops_only_what_postgresql_cannot_hold(raw, kept):
    assert storable(raw) == kept
