"""The language of the patient's screens (core.languages): chosen from the patient's record
when the form is handed over, changed by the patient with the switch on every screen.

What the patient reads follows it; what is stored never does. Answers are codes, and every
write the patient's requests make (answers, alerts, audit entries) runs in the staff
language, so nothing translated reaches the record (`in_staff_language`).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import translation

from audit.models import AuditEvent
from audit.services import audit_patient_record
from core.languages import (
    TRANSLATION_REVIEW_NOTICE,
    english_name,
    locale_for,
    patient_language,
    review_outstanding,
)
from intake.models import Intake

# Before a link is opened there is no intake in the session: the patient's choice on the
# link page is kept here, and becomes the form's language when the link opens.
SESSION_KEY = "patient_language"
# Who the audit trail says did what the patient's device did (intake.services uses it too).
PATIENT_ACTOR = "Patient (tablet)"


def for_handover(intake: Intake) -> None:
    """Take the patient's preferred language for a form nobody has answered yet (a later
    hand-over of a half-answered form keeps the language the patient chose)."""
    if intake.answers or intake.drafts:
        return
    wanted = patient_language(intake.patient.preferred_language)
    if intake.language != wanted:
        intake.language = wanted
        intake.save(update_fields=["language", "updated_at"])


def of_request(request: HttpRequest, intake: Intake | None = None) -> str:
    """The language to serve a patient's page in: their form's, else what they chose on
    this device before opening it, else what their browser asks for."""
    if intake is not None:
        return patient_language(intake.language)
    chosen = request.session.get(SESSION_KEY) if hasattr(request, "session") else None
    if chosen:
        return patient_language(chosen)
    return patient_language(translation.get_language_from_request(request))


def remember(request: HttpRequest, response: HttpResponse, code: str) -> HttpResponse:
    """Keep the patient's language on the device, for the pages that have no form behind
    them: the session-ended page, and the answer while the database is down (which may
    read nothing but the request). Staff pages ignore it (no LocaleMiddleware)."""
    if request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME) != code:
        response.set_cookie(
            settings.LANGUAGE_COOKIE_NAME,
            code,
            max_age=settings.LANGUAGE_COOKIE_AGE,
            samesite="Lax",
            secure=settings.SESSION_COOKIE_SECURE,
            httponly=True,
        )
    return response


def override(code: str) -> translation.override:
    """Serve a patient's page in their language (`of_request`)."""
    return translation.override(locale_for(code))


@contextlib.contextmanager
def in_staff_language() -> Iterator[None]:
    """Writes from a patient's request: stored text (audit summaries, alert texts, the
    names of what was answered) is in the staff language, as every other record."""
    with translation.override(settings.LANGUAGE_CODE):
        yield


def intake_language_set(*, intake: Intake, language: str) -> Intake:
    """The patient switched the language of their screens. Answers already given stay as
    they are (they are codes); the intake summary names the language the form was sent in."""
    language = patient_language(language)
    if language == intake.language:
        return intake
    before = intake.language
    intake.language = language
    intake.save(update_fields=["language", "updated_at"])
    with in_staff_language():
        audit_patient_record(
            intake,
            actor=None,
            actor_name=PATIENT_ACTOR,
            action=AuditEvent.Action.UPDATE,
            summary=f"The patient changed the form's language to {english_name(language)}",
            details={"from": before, "to": language},
        )
    return intake


def staff_note(intake: Intake) -> dict | None:
    """What the staff summary says of a form answered in another language: "Answered in
    Spanish", and, until the clinic records a review of that translation, the notice that it
    is a product translation (one query). None for a form in English."""
    if intake.language == "en":
        return None
    return {
        "language": english_name(intake.language),
        "unreviewed": review_outstanding(intake.language),
        "notice": TRANSLATION_REVIEW_NOTICE,
    }
