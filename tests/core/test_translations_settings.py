"""Clinic settings, Translations: per-language consent wording, versioned, and the record
that a medical translator and a clinician reviewed the product translation."""

from datetime import date, timedelta

import pytest
from django.urls import reverse

from audit.models import AuditEvent
from core.languages import PRODUCT_TRANSLATION_VERSIONS, review_outstanding
from core.models import Clinic, ClinicWording, TranslationApproval

pytestmark = pytest.mark.django_db

URL = "core:translations"


def _wording(**changes) -> dict:
    data = {
        "language": "es",
        "form": "wording",
        "wording-es-consent_version": "product-default-1-es",
        "wording-es-consent_text": Clinic.objects.current().wording("es").consent_text,
        "wording-es-privacy_notice": Clinic.objects.current().wording("es").privacy_notice,
    }
    return {**data, **changes}


def _approval(**changes) -> dict:
    data = {
        "language": "es",
        "form": "approval",
        "approval-es-translator": "Lucía Ortega, certified medical translator",
        "approval-es-clinician": "Dr Sam Reed, PT",
        "approval-es-approved_on": "2026-12-01",
        "approval-es-notes": "Red-flag items read back with two patients.",
    }
    return {**data, **changes}


def test_it_is_for_administrators_only(therapist_client, front_desk_client):
    assert therapist_client.get(reverse(URL)).status_code == 403
    assert front_desk_client.get(reverse(URL)).status_code == 403
    assert therapist_client.post(reverse(URL), _approval()).status_code == 403
    assert not TranslationApproval.objects.exists()


def test_spanish_shows_as_not_yet_reviewed_until_a_review_is_recorded(admin_client_):
    page = admin_client_.get(reverse(URL)).content.decode()
    assert 'data-testid="translation-unreviewed"' in page
    assert "to be reviewed by a qualified medical translator and a clinician" in page
    assert review_outstanding("es")

    response = admin_client_.post(reverse(URL), _approval())
    assert response.status_code == 302
    approval = TranslationApproval.objects.get()
    assert approval.version == PRODUCT_TRANSLATION_VERSIONS["es"]
    assert approval.approved_on == date(2026, 12, 1)
    assert not review_outstanding("es")
    event = AuditEvent.objects.filter(summary__startswith="Recorded the review").get()
    assert event.details["version"] == approval.version
    page = admin_client_.get(reverse(URL)).content.decode()
    assert 'data-testid="translation-unreviewed"' not in page
    assert "Lucía Ortega" in page


def test_a_review_covers_only_its_version(admin_client_, administrator):
    TranslationApproval.objects.create(
        language="es",
        version="es-2020.01-1",
        translator="T",
        clinician="C",
        approved_on=date(2020, 1, 2),
        recorded_by=administrator,
    )
    assert review_outstanding("es")


def test_a_review_needs_names_and_a_date_not_in_the_future(admin_client_):
    future = (date.today() + timedelta(days=3)).isoformat()
    response = admin_client_.post(
        reverse(URL), _approval(**{"approval-es-translator": "", "approval-es-approved_on": future})
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "This field is required." in page
    assert "cannot be in the future" in page
    # What was typed is still there.
    assert "Dr Sam Reed, PT" in page
    assert not TranslationApproval.objects.exists()


def test_changing_the_spanish_wording_needs_a_new_version(admin_client_):
    text = "Consiento la evaluación y el tratamiento en esta clínica."
    response = admin_client_.post(reverse(URL), _wording(**{"wording-es-consent_text": text}))
    assert "give it a new version" in response.content.decode()
    assert not ClinicWording.objects.exists()
    response = admin_client_.post(
        reverse(URL),
        _wording(**{"wording-es-consent_text": text, "wording-es-consent_version": "es-2026-12"}),
    )
    assert response.status_code == 302
    wording = Clinic.objects.current().wording("es")
    assert (wording.consent_version, wording.consent_text) == ("es-2026-12", text)
    assert not wording.is_product_default
    assert AuditEvent.objects.filter(summary__contains="wording in Spanish").exists()
    # English is the clinic's own fields, untouched.
    assert Clinic.objects.current().wording("en").consent_version == "product-default-1"


def test_an_unknown_form_saves_nothing(admin_client_):
    response = admin_client_.post(reverse(URL), {"language": "fr", "form": "approval"})
    assert response.status_code == 302
    assert not TranslationApproval.objects.exists()
