"""The patient's kiosk and link pages in Spanish (issue 19), and in English as before.

The pages are rendered in a language set with translation.override, as the patient's
language mechanism (intake.language) sets it for a request: these tests are about the
wording of the pages, not about how the language is chosen. They need the compiled
catalogue (scripts/messages.sh compile).
"""

from importlib import import_module
from types import SimpleNamespace

import pytest
from django.conf import settings as django_settings
from django.contrib.auth.models import AnonymousUser
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.utils import translation

from core.models import Clinic
from intake import kiosk_views, link_limits, link_views

pytestmark = pytest.mark.django_db

CLINIC_PHONE = "+44 20 7946 0000"
EMERGENCY = "999"


@pytest.fixture
def clinic():
    clinic = Clinic.objects.current()
    clinic.phone = CLINIC_PHONE
    clinic.emergency_number = EMERGENCY
    clinic.save()
    return clinic


def _render(template, language, *, kind="link", **context):
    """The page as the patient's device gets it, in `language`."""
    request = RequestFactory().get("/kiosk/")
    request.user = AnonymousUser()
    request.session = import_module(django_settings.SESSION_ENGINE).SessionStore()
    request.kiosk = {"kind": kind}
    with translation.override(language):
        return render_to_string(template, context, request=request)


def _phones(clinic):
    return kiosk_views._phones(clinic)


def test_the_stop_screen_on_the_tablet_is_in_spanish(clinic):
    page = _render("intake/kiosk/stop.html", "es", kind="kiosk", mode="kiosk", **_phones(clinic))
    assert "Por favor, hable ahora con alguien del personal" in page
    assert "Por favor, lleve esta tableta a la recepción ahora." in page
    assert "Sus respuestas hasta ahora están guardadas." in page
    assert "front desk" not in page


def test_the_stop_screen_on_a_phone_is_in_spanish_with_the_clinics_numbers(clinic):
    page = _render("intake/kiosk/stop.html", "es", mode="link", **_phones(clinic))
    assert "Busque ayuda médica ahora" in page
    assert "Vaya ahora a urgencias del hospital más cercano." in page
    assert "Llame a la clínica:" in page
    assert "Si no puede ir a un hospital ni hablar con la clínica" in page
    assert "No espere a que la clínica le llame." in page
    # The numbers are the clinic's data, the same in every language.
    assert 'href="tel:+442079460000"' in page and CLINIC_PHONE in page
    assert 'href="tel:999"' in page
    assert "Please get medical help now" not in page


def test_the_stop_screen_in_english_is_unchanged(clinic):
    page = _render("intake/kiosk/stop.html", "en", mode="link", **_phones(clinic))
    assert "Please get medical help now" in page
    assert "Please go to your nearest hospital emergency department now." in page
    assert "If you cannot get to a hospital or reach the clinic, call the emergency number:" in (
        page
    )
    assert "Do not wait for the clinic to contact you." in page
    clinic.phone = ""
    page = _render("intake/kiosk/stop.html", "en", mode="link", **_phones(clinic))
    assert "If you cannot get to a hospital, call the emergency number:" in page


def test_the_link_page_and_its_form_are_in_spanish(clinic):
    with translation.override("es"):
        form = link_views.LinkForm({"date_of_birth": ""})
        assert form.errors["date_of_birth"] == ["Por favor, escriba su fecha de nacimiento."]
    page = _render("intake/kiosk/link.html", "es", form=form, is_packet=False)
    assert "Su formulario antes de la consulta" in page
    assert "Para mantener su información privada, por favor confirme su fecha de nacimiento." in (
        page
    )
    assert "Su fecha de nacimiento" in page
    assert "Empezar" in page
    packet = _render("intake/kiosk/link.html", "es", form=link_views.LinkForm(), is_packet=True)
    assert "¿Cómo se encuentra?" in packet


def test_the_link_page_in_english_is_unchanged(clinic):
    page = _render("intake/kiosk/link.html", "en", form=link_views.LinkForm(), is_packet=False)
    assert "Your form before your visit" in page
    assert "To keep your information private, please confirm your date of birth." in page
    assert "Your date of birth" in page and ">Start</button>" in page


def test_a_refused_link_says_why_in_spanish(clinic):
    page = _render("intake/kiosk/link_refused.html", "es", reason="ended", **_phones(clinic))
    assert "Este enlace ya venció o ya se usó" in page
    assert f"Llamar al {CLINIC_PHONE}" in page


def test_the_done_page_is_in_spanish(clinic):
    intake = SimpleNamespace(is_packet=False)
    page = _render("intake/kiosk/done.html", "es", intake=intake, mode="link", clinic=clinic)
    assert "Gracias" in page
    assert "Sus respuestas se enviaron a la clínica." in page
    assert "Ya puede cerrar esta página." in page
    packet = _render(
        "intake/kiosk/done.html", "es", intake=SimpleNamespace(is_packet=True), mode="link"
    )
    assert "vaya de inmediato a urgencias de un hospital" in packet


def test_the_done_page_in_english_is_unchanged(clinic):
    page = _render(
        "intake/kiosk/done.html", "en", intake=SimpleNamespace(is_packet=False), mode="kiosk"
    )
    assert "Your answers have been sent to the clinic." in page
    assert "Please hand the tablet back to the front desk." in page


def test_the_session_ended_page_is_in_spanish(clinic):
    ended = SimpleNamespace(reason="expired", kind="link")
    page = _render("intake/kiosk/session_ended.html", "es", ended=ended, **_phones(clinic))
    assert "Este formulario está cerrado" in page
    assert "El enlace ya venció." in page
    assert "Sus respuestas hasta ahora están guardadas." in page
    assert "Para continuar, por favor llame a la clínica y pida un enlace nuevo." in page


def test_the_session_ended_page_in_english_is_unchanged(clinic):
    ended = SimpleNamespace(reason="idle", kind="kiosk")
    page = _render(
        "intake/kiosk/session_ended.html", "en", ended=ended, idle_minutes=15, **_phones(clinic)
    )
    assert "This form is closed" in page
    assert "It closed after 15 minutes without use, to keep your answers private." in page
    assert "Please hand the tablet to the front desk." in page


def test_a_screen_gives_its_script_the_words_in_spanish(clinic):
    """static/js/intake.js has no catalogue: the screen carries its failure lines."""
    step = SimpleNamespace(key="odi", title="", intro="", template="intake/kiosk/steps/odi.html")
    context = {"step": step, "index": 2, "total": 9, "previous": "about", "form": None}
    page = _render("intake/kiosk/step.html", "es", kind="kiosk", clinic=clinic, **context)
    assert "Paso 2 de 9" in page
    assert 'data-msg-offline="No se guardó: no hay conexión.' in page
    assert 'data-msg-error="No se guardó: algo salió mal.' in page
    assert "Sus respuestas se guardan a medida que avanza." in page
    assert ">Siguiente</button>" in page and ">Atrás</button>" in page
    english = _render("intake/kiosk/step.html", "en", kind="kiosk", clinic=clinic, **context)
    assert "Step 2 of 9" in english
    assert 'data-msg-offline="Not saved: no connection.' in english
    assert ">Next</button>" in english and ">Back</button>" in english


def test_the_body_chart_marks_the_sides_in_spanish():
    page = _render("intake/kiosk/_body_chart_svg.html", "es")
    assert "Toque donde lo siente y luego elija qué siente." in page
    assert ">D</text>" in page and ">I</text>" in page and ">R</text>" not in page
    assert ">R</text>" in _render("intake/kiosk/_body_chart_svg.html", "en")


def test_the_paused_link_answer_is_in_the_patients_language(clinic, settings):
    settings.LINK_GUESS_MINUTES = 10
    with translation.override("es"):
        response = link_limits.paused_response()
    assert response.status_code == 429 and response["Retry-After"] == "600"
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert response.content.decode().startswith(
        "Se probaron demasiados enlaces que no funcionan desde esta conexión.\n"
    )
    with translation.override("en"):
        english = link_limits.paused_response().content.decode()
    assert english == (
        "Too many links that do not work were tried from this connection.\n"
        f"Please wait 10 minutes and try your link again, or call the clinic on {CLINIC_PHONE}.\n"
    )


def test_the_staff_unlock_is_in_spanish_for_the_patient_holding_the_tablet(clinic):
    tablet = SimpleNamespace(name="Tablet 1")
    with translation.override("es"):
        form = kiosk_views.UnlockForm()
        assert str(form.fields["username"].label) == "Usuario del personal"
    page = _render("intake/kiosk/exit.html", "es", kind="kiosk", form=form, tablet=tablet)
    assert "Si usted es paciente, toque “Volver a mi formulario”." in page
    assert "Volver a mi formulario" in page
