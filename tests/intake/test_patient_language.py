"""The patient's language (intake.language): chosen from their record at hand-over, changed
by the switch on every screen without losing answers; stored answers, alerts and audit
entries stay language-independent; questionnaires without a pack in the patient's language
are left out and said so."""

import copy
import json
from datetime import date

import pytest
from django.urls import reverse

from audit.models import AuditEvent
from intake.models import Intake, IntakeConsent, RedFlagAlert
from intake.services import instrument_pack_load, intake_link_create
from tests.factories import hand_over_tablet
from tests.intake.answers import HAPPY

pytestmark = pytest.mark.django_db

SUBMISSION = {"submission_id": "6f0a8c9e-2d1b-4a57-9d7e-0c3b1f2a4e55"}


@pytest.fixture
def spanish_patient(patient):
    from patients.models import Patient

    Patient.objects.filter(pk=patient.pk).update(
        date_of_birth=date(1985, 4, 12), preferred_language="es"
    )
    patient.refresh_from_db()
    return patient


@pytest.fixture
def kiosk_es(front_desk_client, front_desk, spanish_patient):
    front_desk_client.post(reverse("intake:start", args=[spanish_patient.public_id]))
    intake = Intake.objects.get(patient=spanish_patient)
    hand_over_tablet(front_desk_client, intake=intake, by=front_desk)
    front_desk_client.intake = intake
    return front_desk_client


def _fill(client, steps):
    for step in steps:
        response = client.post(reverse("kiosk:step", args=[step]), {**HAPPY[step], "nav": "next"})
        assert response.status_code == 302, (step, response.content.decode()[:2000])


def _spanish_pack(code="keele_sbst_9") -> bytes:
    """A synthetic Spanish pack: the shipped English STarT Back's structure with placeholder
    text (no validated Spanish wording ships in this repository)."""
    from intake.instruments import shipped_document

    doc = json.loads(shipped_document(code, "en"))
    doc["language"] = "es"
    doc["version"] = "9-item-es-test"
    for item in doc["items"]:
        item["text"] = f"Texto de prueba {item['id']}"
        for option in item["options"]:
            option["text"] = f"Opción {option['id']}"
    return json.dumps(doc).encode()


def test_the_tablet_opens_in_the_patients_preferred_language(kiosk_es):
    assert Intake.objects.get(pk=kiosk_es.intake.pk).language == "es"
    page = kiosk_es.get(reverse("kiosk:step", args=["about"]))
    html = page.content.decode()
    assert '<html lang="es">' in html
    # The switch names the other language in that language.
    assert 'data-testid="language-en"' in html and ">English<" in html


def test_a_patient_without_a_catalogue_gets_english(front_desk_client, front_desk, patient):
    from patients.models import Patient

    Patient.objects.filter(pk=patient.pk).update(preferred_language="pl")
    front_desk_client.post(reverse("intake:start", args=[patient.public_id]))
    intake = Intake.objects.get(patient=patient)
    hand_over_tablet(front_desk_client, intake=intake, by=front_desk)
    assert Intake.objects.get(pk=intake.pk).language == "en"
    html = front_desk_client.get(reverse("kiosk:step", args=["about"])).content.decode()
    assert '<html lang="en-gb">' in html and 'data-testid="language-es"' in html


def test_the_switch_keeps_what_is_on_the_screen_and_audits_the_change(kiosk_es):
    _fill(kiosk_es, ["about", "consent", "where", "feels"])
    half = {"onset_date": "2026-10-01", "mechanism": "lift", "switch_language": "en"}
    response = kiosk_es.post(reverse("kiosk:step", args=["when"]), half)
    assert response.status_code == 302
    assert response.url == reverse("kiosk:step", args=["when"])
    intake = Intake.objects.get(pk=kiosk_es.intake.pk)
    assert intake.language == "en"
    assert intake.drafts["when"]["onset_date"] == ["2026-10-01"]
    assert intake.drafts["when"]["mechanism"] == ["lift"]
    html = kiosk_es.get(response.url).content.decode()
    assert '<html lang="en-gb">' in html
    assert 'value="2026-10-01"' in html  # the date typed before the switch is still there
    event = AuditEvent.objects.filter(patient=intake.patient, summary__contains="language").last()
    assert event.summary == "The patient changed the form's language to English"
    assert event.actor_name == "Patient (tablet)"
    assert event.details == {"from": "es", "to": "en"}


def test_the_switch_on_a_page_without_a_form_comes_back_to_it(kiosk_es):
    response = kiosk_es.post(
        reverse("kiosk:language"), {"language": "en", "next": reverse("kiosk:resume")}
    )
    assert response.url == reverse("kiosk:resume")
    assert Intake.objects.get(pk=kiosk_es.intake.pk).language == "en"
    # Never a way off the patient's pages.
    response = kiosk_es.post(reverse("kiosk:language"), {"language": "es", "next": "/patients/"})
    assert response.url == reverse("kiosk:resume")
    response = kiosk_es.post(
        reverse("kiosk:language"), {"language": "es", "next": "https://evil.example/kiosk/"}
    )
    assert response.url == reverse("kiosk:resume")


def test_an_unknown_language_falls_back_to_english(kiosk_es):
    kiosk_es.post(reverse("kiosk:language"), {"language": "xx", "next": reverse("kiosk:resume")})
    assert Intake.objects.get(pk=kiosk_es.intake.pk).language == "en"


def test_answers_are_the_same_codes_in_either_language(kiosk_es, front_desk_client):
    _fill(kiosk_es, ["about", "consent", "where", "feels", "when", "pain", "history", "redflags"])
    spanish = Intake.objects.get(pk=kiosk_es.intake.pk)
    for step in ("where", "feels", "when", "pain", "history", "redflags"):
        assert spanish.answers[step] == _english_answers(step)[step], step


def _english_answers(step):
    from intake import steps as steps_mod
    from intake.forms import StepContext
    from tests.factories import PatientFactory

    patient = PatientFactory(date_of_birth=date(1985, 4, 12))
    form_class = steps_mod.step_by_key()[step].form_class
    form = form_class(copy.deepcopy(HAPPY[step]), context=StepContext(patient=patient))
    assert form.is_valid(), form.errors
    return {step: form.answers()}


def test_a_cauda_equina_answer_in_spanish_reaches_staff_in_english(kiosk_es):
    _fill(kiosk_es, ["about", "consent", "where", "feels", "when", "pain", "history"])
    answers = {**HAPPY["redflags"], "CES-3": "yes"}
    response = kiosk_es.post(reverse("kiosk:autosave", args=["redflags"]), answers)
    assert response.headers.get("HX-Redirect") == reverse("kiosk:stop")
    intake = Intake.objects.get(pk=kiosk_es.intake.pk)
    assert intake.status == Intake.Status.STOPPED
    alert = RedFlagAlert.objects.get(intake=intake)
    assert alert.level == "EMERGENCY"
    stop = kiosk_es.get(reverse("kiosk:stop"))
    assert '<html lang="es">' in stop.content.decode()
    # What was stored is in English, whatever the patient read.
    summaries = list(
        AuditEvent.objects.filter(patient=intake.patient).values_list("summary", flat=True)
    )
    assert any("Stopped" in s or "stopped" in s for s in summaries), summaries


def test_startback_is_left_out_in_spanish_without_a_spanish_pack(kiosk_es):
    steps = [s for s in HAPPY if s != "startback"]
    assert kiosk_es.get(reverse("kiosk:step", args=["startback"])).status_code == 404
    _fill(kiosk_es, steps)
    assert kiosk_es.post(reverse("kiosk:submit"), SUBMISSION).url == reverse("kiosk:done")
    intake = Intake.objects.get(pk=kiosk_es.intake.pk)
    assert intake.language == "es"
    assert intake.scores["startback"] == {
        "status": "not_in_language",
        "instrument": "keele_sbst_9",
        "language": "es",
    }
    # The ODI is not licensed in any language here: that is what its row says.
    assert intake.scores["odi"]["status"] == "not_licensed"
    from intake.questionnaires import staff_score_rows

    rows = {r.measure: r.unavailable for r in staff_score_rows(intake.scores)}
    assert "Not available in Spanish on this installation" in rows.values()


def test_a_clinic_loaded_spanish_pack_is_asked(kiosk_es):
    instrument_pack_load(raw=_spanish_pack())
    # Reached once the earlier screens are answered.
    _fill(kiosk_es, ["about", "consent", "where", "feels", "when", "pain", "history", "redflags"])
    page = kiosk_es.get(reverse("kiosk:step", args=["startback"]))
    assert page.status_code == 200
    assert "Texto de prueba sbst_1" in page.content.decode()
    _fill(kiosk_es, ["startback", "psfs"])
    kiosk_es.post(reverse("kiosk:submit"), SUBMISSION)
    intake = Intake.objects.get(pk=kiosk_es.intake.pk)
    assert intake.scores["startback"]["risk_group"] == "high"


def test_consent_signed_in_spanish_keeps_its_language_version_and_wording(kiosk_es):
    _fill(kiosk_es, ["about", "consent"])
    consent = IntakeConsent.objects.get(intake=kiosk_es.intake)
    assert consent.language == "es"
    assert consent.consent_version == "product-default-1-es"
    assert consent.consent_text.startswith("Acepto que los fisioterapeutas")
    # The answer the review screen and the staff summary show names the same version.
    answers = Intake.objects.get(pk=kiosk_es.intake.pk).answers["consent"]
    assert answers["consent_version"] == "product-default-1-es"


def test_a_clinics_own_spanish_wording_is_what_is_signed(kiosk_es, administrator):
    from core.translations import clinic_wording_save

    clinic_wording_save(
        language="es",
        consent_version="clinica-es-3",
        consent_text="Texto de consentimiento de la clínica.",
        privacy_notice="Aviso de privacidad de la clínica.",
        by=administrator,
    )
    _fill(kiosk_es, ["about"])
    page = kiosk_es.get(reverse("kiosk:step", args=["consent"]))
    assert "Texto de consentimiento de la clínica." in page.content.decode()
    _fill(kiosk_es, ["consent"])
    consent = IntakeConsent.objects.get(intake=kiosk_es.intake)
    assert (consent.language, consent.consent_version) == ("es", "clinica-es-3")
    assert consent.privacy_text == "Aviso de privacidad de la clínica."


def test_a_link_opens_in_the_patients_language_and_the_choice_on_it_carries_on(
    client, front_desk, spanish_patient
):
    from intake.services import intake_start

    intake = intake_start(patient=spanish_patient, by=front_desk)
    _access, token = intake_link_create(intake=intake, by=front_desk)
    url = reverse("kiosk:link", args=[token])
    assert '<html lang="es">' in client.get(url).content.decode()
    # Switched on the link page: the date typed so far stays.
    page = client.post(url, {"date_of_birth": "1985-04-12", "switch_language": "en"})
    assert page.status_code == 200
    html = page.content.decode()
    assert '<html lang="en-gb">' in html and 'value="1985-04-12"' in html
    response = client.post(url, {"date_of_birth": "1985-04-12"})
    assert response.url == reverse("kiosk:resume")
    assert Intake.objects.get(pk=intake.pk).language == "en"


def test_staff_read_a_spanish_intake_in_english_with_the_review_notice(
    kiosk_es, therapist_client, therapist
):
    steps = [s for s in HAPPY if s != "startback"]
    _fill(kiosk_es, steps)
    kiosk_es.post(reverse("kiosk:submit"), SUBMISSION)
    intake = Intake.objects.get(pk=kiosk_es.intake.pk)
    html = therapist_client.get(reverse("intake:detail", args=[intake.public_id])).content.decode()
    assert '<html lang="en-gb">' in html
    assert "Answered in Spanish." in html
    assert "Product translation: to be reviewed by a qualified medical translator" in html
    assert "Not available in Spanish on this installation" in html

    from core.models import TranslationApproval

    TranslationApproval.objects.create(
        language="es",
        version="es-2026.12-1",
        translator="T. Traductora (ATA certified)",
        clinician="C. Clinician PT",
        approved_on=date(2026, 12, 1),
        recorded_by=therapist,
    )
    html = therapist_client.get(reverse("intake:detail", args=[intake.public_id])).content.decode()
    assert "Answered in Spanish." in html
    assert "Product translation: to be reviewed" not in html
