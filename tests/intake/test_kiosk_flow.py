"""The patient's tablet, end to end through Django's test client."""

import json

import pytest
from django.urls import reverse

from audit.models import AuditEvent
from intake.models import Intake, IntakeConsent, RedFlagAlert
from intake.services import instrument_pack_load
from tests.intake.answers import HAPPY, blank_signature_data_url, odi_pack_document

pytestmark = pytest.mark.django_db


@pytest.fixture
def kiosk(front_desk_client, front_desk, patient):
    """The front desk starts an intake and hands one of the clinic's tablets over: the
    same client is now the patient's tablet. The patient is 41, so age raises no flag."""
    from datetime import date

    from patients.models import Patient
    from tests.factories import hand_over_tablet

    Patient.objects.filter(pk=patient.pk).update(date_of_birth=date(1985, 4, 12))
    response = front_desk_client.post(reverse("intake:start", args=[patient.public_id]))
    intake = Intake.objects.get(patient=patient)
    assert response.url == reverse("intake:handover", args=[intake.public_id])
    hand_over_tablet(front_desk_client, intake=intake, by=front_desk)
    front_desk_client.intake = intake
    return front_desk_client


def _fill(client, steps):
    for step in steps:
        response = client.post(reverse("kiosk:step", args=[step]), {**HAPPY[step], "nav": "next"})
        assert response.status_code == 302, (step, response.content.decode()[:3000])


def test_it_walks_the_whole_intake_and_stores_scores_triage_and_pattern(kiosk, patient):
    assert kiosk.get(reverse("kiosk:resume")).url == reverse("kiosk:step", args=["about"])
    _fill(kiosk, HAPPY)
    review = kiosk.get(reverse("kiosk:step", args=["review"]))
    assert review.status_code == 200
    assert "Walking the dog" in review.content.decode()
    response = kiosk.post(
        reverse("kiosk:submit"), {"submission_id": "6f0a8c9e-2d1b-4a57-9d7e-0c3b1f2a4e55"}
    )
    assert response.url == reverse("kiosk:done")

    intake = Intake.objects.get(pk=kiosk.intake.pk)
    assert intake.status == Intake.Status.SUBMITTED
    assert intake.red_flag_level == "NONE"
    assert intake.triage["ruleset_version"] == "2026.12-1"
    assert intake.scores["startback"]["risk_group"] == "high"  # distress 4 of 5
    assert intake.scores["startback"]["algorithm_version"] == "startback-1.0"
    assert intake.scores["psfs"]["mean"] == 4.0
    assert intake.scores["nprs"]["leg"]["worst_24h"] == 8
    assert intake.scores["odi"] == {"status": "not_licensed", "instrument": "odi_v2_1a"}
    assert intake.pattern["pattern"] == "radicular"
    assert "Pain or symptoms below the knee" in intake.pattern["radicular_features"]
    consent = IntakeConsent.objects.get(intake=intake)
    assert consent.signed_name == "Ana Núñez"
    assert bytes(consent.signature_png).startswith(b"\x89PNG")
    patient.refresh_from_db()
    assert patient.phone == "+44 7700 900456"
    assert AuditEvent.objects.filter(
        action=AuditEvent.Action.SUBMIT, patient=patient, actor_name="Patient (tablet)"
    ).exists()


def test_a_second_submit_changes_nothing(kiosk):
    _fill(kiosk, HAPPY)
    data = {"submission_id": "6f0a8c9e-2d1b-4a57-9d7e-0c3b1f2a4e55"}
    kiosk.post(reverse("kiosk:submit"), data)
    first = Intake.objects.get(pk=kiosk.intake.pk)
    response = kiosk.post(reverse("kiosk:submit"), data)
    assert response.url == reverse("kiosk:done")
    again = Intake.objects.get(pk=kiosk.intake.pk)
    assert again.submitted_at == first.submitted_at
    assert AuditEvent.objects.filter(action=AuditEvent.Action.SUBMIT).count() == 1


def test_a_submitted_intake_cannot_be_changed_from_the_tablet(kiosk):
    _fill(kiosk, HAPPY)
    kiosk.post(reverse("kiosk:submit"), {"submission_id": "6f0a8c9e-2d1b-4a57-9d7e-0c3b1f2a4e55"})
    before = Intake.objects.get(pk=kiosk.intake.pk).answers
    response = kiosk.post(
        reverse("kiosk:step", args=["pain"]), {**HAPPY["pain"], "nprs_leg_now": "0", "nav": "next"}
    )
    assert response.url == reverse("kiosk:resume")
    response = kiosk.post(reverse("kiosk:autosave", args=["pain"]), {"nprs_leg_now": "0"})
    assert response["HX-Redirect"] == reverse("kiosk:resume")
    assert Intake.objects.get(pk=kiosk.intake.pk).answers == before


def test_it_keeps_what_was_typed_and_explains_errors_next_to_the_field(kiosk):
    _fill(kiosk, ["about", "consent", "where", "feels"])
    response = kiosk.post(
        reverse("kiosk:step", args=["when"]),
        {**HAPPY["when"], "onset_date": "2099-01-01", "mechanism": "", "nav": "next"},
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "The date cannot be in the future." in page
    assert "Please choose an answer." in page
    assert 'value="2099-01-01"' in page  # kept, not wiped
    # And after a reload the draft is still there.
    page = kiosk.get(reverse("kiosk:step", args=["when"])).content.decode()
    assert 'value="2099-01-01"' in page


def test_autosave_keeps_answers_for_a_reload(kiosk):
    _fill(kiosk, ["about", "consent", "where", "feels", "when"])
    response = kiosk.post(reverse("kiosk:autosave", args=["pain"]), {"nprs_back_now": "7"})
    assert response.status_code == 200 and "Saved at" in response.content.decode()
    assert kiosk.get(reverse("kiosk:resume")).url == reverse("kiosk:step", args=["pain"])
    page = kiosk.get(reverse("kiosk:step", args=["pain"])).content.decode()
    import re

    assert re.search(r"<input[^>]*id=\"id_nprs_back_now_7\"[^>]*checked>", page)
    intake = Intake.objects.get(pk=kiosk.intake.pk)
    assert "pain.nprs_back_now" in intake.answered_at


def test_it_will_not_skip_ahead_of_unanswered_screens(kiosk):
    response = kiosk.get(reverse("kiosk:step", args=["redflags"]))
    assert response.url == reverse("kiosk:step", args=["about"])


def test_a_blank_signature_is_refused(kiosk):
    _fill(kiosk, ["about"])
    response = kiosk.post(
        reverse("kiosk:step", args=["consent"]),
        {**HAPPY["consent"], "signature": blank_signature_data_url(), "nav": "next"},
    )
    assert "The signature box is empty" in response.content.decode()
    response = kiosk.post(
        reverse("kiosk:step", args=["consent"]),
        {**HAPPY["consent"], "signature": "data:image/png;base64,!!!", "nav": "next"},
    )
    assert "could not be read" in response.content.decode()


@pytest.mark.parametrize(
    "step, data",
    [
        ("redflags", {"CES-3": "yes"}),
        ("redflags", {"CES-2": "unsure"}),  # Unsure counts as yes
        ("where", {"chart_calf_shin_l": ["pain"], "chart_calf_shin_r": ["pain"]}),  # both legs
        ("where", {"chart_saddle": ["numbness"]}),
    ],
)
def test_a_cauda_equina_answer_stops_the_intake_and_raises_an_alert(kiosk, step, data):
    steps = list(HAPPY)[: list(HAPPY).index(step)]
    _fill(kiosk, steps)
    response = kiosk.post(reverse("kiosk:autosave", args=[step]), data)
    assert response["HX-Redirect"] == reverse("kiosk:stop")
    intake = Intake.objects.get(pk=kiosk.intake.pk)
    assert intake.status == Intake.Status.STOPPED
    assert intake.red_flag_level == "EMERGENCY"
    alert = RedFlagAlert.objects.get(intake=intake)
    assert alert.ces and alert.acknowledged_at is None
    assert AuditEvent.objects.filter(
        action=AuditEvent.Action.ALERT, patient=intake.patient
    ).exists()
    page = kiosk.get(reverse("kiosk:stop")).content.decode()
    assert "Please speak to a member of staff now" in page
    # Every further screen leads back to the calm message.
    assert kiosk.get(reverse("kiosk:step", args=["about"])).url == reverse("kiosk:resume")
    assert kiosk.get(reverse("kiosk:resume")).url == reverse("kiosk:stop")


def test_kiosk_mode_reaches_no_staff_page_and_no_other_patient(kiosk):
    from tests.factories import PatientFactory

    other = PatientFactory()
    for url in (
        reverse("core:home"),
        reverse("patients:list"),
        reverse("patients:detail", args=[other.public_id]),
        reverse("intake:queue"),
        reverse("accounts:login"),
        "/django-admin/",
    ):
        response = kiosk.get(url)
        assert response.status_code == 302 and response.url == reverse("kiosk:resume"), url


def test_staff_unlock_needs_a_password_or_pin(kiosk, front_desk):
    response = kiosk.post(reverse("kiosk:exit"), {"username": "frontdesk", "secret": "wrong"})
    assert "did not match" in response.content.decode()
    assert kiosk.get(reverse("core:home")).url == reverse("kiosk:resume")
    front_desk.set_kiosk_pin("2468")
    front_desk.save()
    response = kiosk.post(reverse("kiosk:exit"), {"username": "frontdesk", "secret": "2468"})
    assert response.url == reverse("intake:detail", args=[kiosk.intake.public_id])
    assert kiosk.get(reverse("core:home")).status_code == 200


def test_unlock_pauses_after_repeated_failures(kiosk, front_desk):
    from tests.factories import TEST_PASSWORD

    for _ in range(5):
        kiosk.post(reverse("kiosk:exit"), {"username": "frontdesk", "secret": "wrong"})
    response = kiosk.post(reverse("kiosk:exit"), {"username": "frontdesk", "secret": TEST_PASSWORD})
    assert response.status_code == 200 and "Too many attempts" in response.content.decode()
    assert kiosk.get(reverse("core:home")).url == reverse("kiosk:resume")


def test_without_an_intake_the_kiosk_pages_say_so(client):
    response = client.get(reverse("kiosk:step", args=["about"]))
    assert response.status_code == 403
    assert "No form is open on this device" in response.content.decode()


def test_the_odi_screen_appears_once_a_licensed_pack_is_loaded(kiosk):
    instrument_pack_load(raw=json.dumps(odi_pack_document()).encode())
    _fill(kiosk, HAPPY)
    page = kiosk.get(reverse("kiosk:step", args=["odi"])).content.decode()
    assert "Placeholder statement 3" in page
    data = {f"odi_{n}": f"s{n}_2" for n in range(1, 10)}  # section 10 left out
    response = kiosk.post(reverse("kiosk:step", args=["odi"]), {**data, "nav": "next"})
    assert response.url == reverse("kiosk:step", args=["review"])
    kiosk.post(reverse("kiosk:submit"), {"submission_id": "6f0a8c9e-2d1b-4a57-9d7e-0c3b1f2a4e55"})
    odi = Intake.objects.get(pk=kiosk.intake.pk).scores["odi"]
    assert odi["status"] == "prorated"
    assert odi["percentage"] == 40.0  # 18 of 45
    assert odi["missing_sections"] == ["odi_10"]


def test_a_nul_character_in_a_typed_answer_is_dropped_not_a_500(kiosk):
    """PostgreSQL cannot store NUL; the draft keeps the rest of what was typed."""
    _fill(kiosk, ["about", "consent", "where", "feels", "when", "pain"])
    response = kiosk.post(
        reverse("kiosk:autosave", args=["history"]), {"medications": "ibupro\x00fen"}
    )
    assert response.status_code == 200
    intake = Intake.objects.get(pk=kiosk.intake.pk)
    assert "\x00" not in str(intake.drafts)
