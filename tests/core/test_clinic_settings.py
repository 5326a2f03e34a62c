"""Clinic settings: the consent wording the tablet shows is the clinic's, versioned."""

import pytest
from django.urls import reverse

from core.models import Clinic

pytestmark = pytest.mark.django_db


def _form(clinic: Clinic, **changes) -> dict:
    data = {
        "name": clinic.name,
        "paper_size": clinic.paper_size,
        "consent_version": clinic.consent_version,
        "consent_text": clinic.consent_text,
        "privacy_notice": clinic.privacy_notice,
    }
    return {**data, **changes}


def test_changing_the_consent_wording_needs_a_new_version(admin_client_):
    clinic = Clinic.objects.current()
    url = reverse("core:clinic-settings")
    response = admin_client_.post(url, _form(clinic, consent_text="Our own consent wording."))
    assert "give it a new version" in response.content.decode()
    assert Clinic.objects.current().consent_text != "Our own consent wording."
    response = admin_client_.post(
        url, _form(clinic, consent_text="Our own consent wording.", consent_version="2026-11")
    )
    assert response.status_code == 302
    clinic = Clinic.objects.current()
    assert (clinic.consent_version, clinic.consent_text) == ("2026-11", "Our own consent wording.")


def test_a_signed_consent_keeps_the_wording_it_was_given_under(front_desk_client, patient):
    from intake.models import Intake
    from intake.services import _save_signature

    intake = Intake.objects.create(patient=patient)
    _save_signature(intake, "Ana", b"\x89PNG", at=intake.started_at)
    Clinic.objects.filter(pk=1).update(consent_text="New wording", consent_version="v2")
    consent = intake.consent
    consent.refresh_from_db()
    assert consent.consent_version == "product-default-1"
    assert consent.consent_text != "New wording"
