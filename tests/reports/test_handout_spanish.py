"""The patient handout in the patient's language (issue 19): a Spanish-speaking patient's
sheet is in Spanish (headings, warning signs, exercises from the plan's values, dates, the
page numbers, the draft mark), says its Spanish is a product translation to be reviewed,
and prints the therapist's own words as typed; the clinician's documents stay English
whatever language they are rendered from."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone, translation

from core.models import Clinic
from evaluations.plan_catalog import BY_CODE, Kind
from reports.docs.handout import HOME_ITEMS, handout_language
from reports.docs.handout_exercises import CHOICE_WORDS, LEFT_OUT
from reports.documents import DOCUMENTS
from reports.pdf import render_document, render_html
from tests.factories import PatientFactory
from tests.reports.pdftext import pdf_pages_text, pdf_text, save_page_images
from tests.reports.test_handout_pdf import evaluation_for

pytestmark = pytest.mark.django_db

MONTHS = [
    "enero",
    "febrero",
    "marzo",
    "abril",
    "mayo",
    "junio",
    "julio",
    "agosto",
    "septiembre",
    "octubre",
    "noviembre",
    "diciembre",
]
ENGLISH_HEADINGS = (
    "Your home exercise plan",
    "Warning signs: go to hospital now",
    "Your exercises",
    "Your plan",
    "What is causing your pain",
    "Why staying active helps",
    "Call us the same day if",
    "Questions?",
    "Handout text:",
    "Page 1 of",
    "Generated",
    "born",
)


def spanish_date(on) -> str:
    return f"{on.day} de {MONTHS[on.month - 1]} de {on.year}"


@pytest.fixture
def clinic(db):
    clinic = Clinic.objects.current()
    clinic.name = "Riverside Physiotherapy"
    clinic.phone = "+44 20 7946 0000"
    clinic.save()
    return clinic


@pytest.fixture
def spanish_patient(db):
    return PatientFactory(given_name="Lucía", family_name="Peña", preferred_language="es")


def _handout(evaluation, clinic):
    subject = DOCUMENTS["handout"].load(evaluation.public_id)
    return render_document("handout", subject, clinic=clinic)


def test_a_spanish_speaking_patient_gets_the_handout_in_spanish(clinic, spanish_patient):
    evaluation = evaluation_for(spanish_patient, vignette="L5")
    rendered = _handout(evaluation, clinic)
    save_page_images(rendered.pdf, "handout-es")
    pages = pdf_pages_text(rendered.pdf)
    text = " ".join(pages)

    for heading in (
        "Su plan de ejercicios para hacer en casa",
        "Señales de alarma: vaya al hospital ahora",
        "Sus ejercicios",
        "Su plan",
        "Qué le causa el dolor",
        "Por qué ayuda seguir en movimiento",
        "Llámenos el mismo día si",
        "¿Preguntas?",
    ):
        assert heading in text, heading
    for heading in ENGLISH_HEADINGS:
        assert heading not in text, heading
    # The warning signs and what to do, in Spanish.
    assert "Problemas nuevos para orinar" in text
    assert "síndrome de la cola de caballo" in text
    assert "Vaya de inmediato al servicio de urgencias de un hospital" in text
    # The cause, for a nerve root problem.
    assert "un nervio irritado en la parte baja de la espalda" in text and "ciática" in text
    # Dates in Spanish words: the visit, the patient's date of birth, the goals.
    assert f"el {spanish_date(evaluation.visit_date)}" in text
    assert f"fecha de nacimiento: {spanish_date(spanish_patient.date_of_birth)}" in text
    assert re.search(r", para el \d{1,2} de [a-z]+ de \d{4}", text)
    # The exercises, built from the plan's values in Spanish.
    assert (
        "Ejercicio de movimiento repetido Inclinándose hacia atrás, boca abajo, 10 veces, "
        "6 veces al día"
    ) in text
    assert (
        "Ejercicio de deslizamiento del nervio Deslizamiento suave, nervio ciático, boca "
        "arriba, 2 series de 10 repeticiones, lado izquierdo"
    ) in text
    assert "Visitas: 2 por semana durante 6 semanas." in text
    # What the therapist typed, as typed.
    assert "Prone press-ups 10 x every two to three hours" in text
    assert "Pain 2/10 or less on most days" in text
    # Header and footer of every page.
    for number, page in enumerate(pages, start=1):
        assert f"Página {number} de {len(pages)}" in page
        assert f"N.º de historia clínica {spanish_patient.mrn}" in page
    assert "Plan firmado por Priya Shah" in text
    assert "Llame a Riverside Physiotherapy al +44 20 7946 0000." in text
    # Its text version, and that the Spanish is a product translation to be reviewed.
    assert "Texto de la hoja:" in text and "versión handout-text-2026.12-2" in text
    assert "traducción del producto" in text and "traductor médico calificado" in text


def test_the_pdf_says_its_language(clinic, spanish_patient, patient):
    spanish = DOCUMENTS["handout"].load(evaluation_for(spanish_patient).public_id)
    assert '<html lang="es">' in render_html("handout", spanish, clinic=clinic)
    english = DOCUMENTS["handout"].load(evaluation_for(patient).public_id)
    html = render_html("handout", english, clinic=clinic)
    assert '<html lang="en">' in html and "<style>" not in html


def test_an_unsigned_spanish_plan_says_borrador_on_every_page(clinic, spanish_patient):
    pages = pdf_pages_text(_handout(evaluation_for(spanish_patient, sign=False), clinic).pdf)
    assert all("BORRADOR" in page and "DRAFT" not in page for page in pages)
    assert "Borrador sin firmar: no es un documento final" in pages[0]


def test_a_referral_is_in_spanish_with_the_reason_as_typed(clinic, spanish_patient):
    evaluation = evaluation_for(
        spanish_patient,
        referral=True,
        referral_to="spinal_surgeon",
        referral_urgency="emergency",
        referral_reason="Weakness of the big toe getting worse.",
    )
    text = pdf_text(_handout(evaluation, clinic).pdf)
    assert "Su fisioterapeuta le envía a ver a un cirujano de columna" in text
    assert "Vaya ahora mismo, hoy, al servicio de urgencias de un hospital." in text
    assert "Motivo: Weakness of the big toe getting worse." in text
    assert "Es normal sentir algo de dolor" not in text


def test_numbers_and_goals_set_as_numbers_follow_the_language(clinic, spanish_patient):
    evaluation = evaluation_for(spanish_patient)
    plan = evaluation.content["plan"]
    plan["items"].append(
        {
            "code": "aquatic_exercise",
            "values": {"pool_temperature": 33.5, "depth": "waist", "minutes": 30},
        }
    )
    by = (timezone.localdate() + timedelta(days=30)).isoformat()
    plan["goals"] = [
        {"measure": "leg_pain", "comparator": "at_most", "value": 2.5, "target": "", "by": by}
    ]
    evaluation.save()
    text = pdf_text(_handout(evaluation, clinic).pdf)
    assert "En la piscina Ejercicio en una piscina de agua tibia Agua tibia a 33,5 °C" in text
    assert "agua hasta la cintura, 30 minutos" in text
    assert "Dolor de pierna (0 es sin dolor, 10 es el peor dolor): como máximo 2,5" in text


def test_the_language_follows_the_patient_and_is_in_the_version(spanish_patient):
    evaluation = evaluation_for(spanish_patient)
    kind = DOCUMENTS["handout"]
    spanish = kind.version(evaluation)
    assert handout_language(evaluation) == "es"
    evaluation.patient.preferred_language = "en"
    assert handout_language(evaluation) == "en"
    assert kind.version(evaluation) != spanish
    evaluation.patient.preferred_language = "es-mx"  # a variant: served by its language
    assert handout_language(evaluation) == "es"
    evaluation.patient.preferred_language = "pl"  # no catalogue: English
    assert handout_language(evaluation) == "en"


def test_clinician_documents_stay_english_whatever_the_active_language(clinic, patient):
    evaluation = evaluation_for(patient)
    with translation.override("es"):
        report = render_document(
            "evaluation", DOCUMENTS["evaluation"].load(evaluation.public_id), clinic=clinic
        )
        handout = _handout(evaluation, clinic)
    for rendered in (report, handout):
        text = pdf_text(rendered.pdf)
        assert "Page 1 of" in text and "Página" not in text
        assert f"MRN {patient.mrn}" in text and "historia clínica" not in text
    assert "Warning signs: go to hospital now" in pdf_text(handout.pdf)


def test_every_home_exercise_choice_has_words_in_spanish():
    for code in HOME_ITEMS:
        for param in BY_CODE[code].params:
            if param.kind is not Kind.CHOICE or param.name in LEFT_OUT:
                continue
            for value, _label in param.choices:
                word = CHOICE_WORDS.get((param.name, value))
                assert word is not None, (code, param.name, value)
                with translation.override("es"):
                    spanish = str(word)
                assert spanish != str(word), (code, param.name, value)  # translated
