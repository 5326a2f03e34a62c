from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from intake import patient_session
from intake.http import PatientRequest

# Paths a device holding a patient's form may reach besides its intake screens.
_ALLOWED_PREFIXES = ("/kiosk/", "/static/", "/healthz")


class KioskMiddleware:
    """While a device holds a patient's intake, every other URL (staff pages, other
    patients, the sign-in page, the back button's history) leads back to the intake.
    Only the staff unlock on /kiosk/exit/, on an enrolled tablet, ends it.

    Each request re-checks the grant behind the session (intake.patient_session) and
    sets `request.kiosk` (the session's record, or None), `request.patient_access` (the
    IntakeAccess it stands on) and `request.patient_session_ended` (why it just ended)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: PatientRequest) -> HttpResponse:
        access, ended = patient_session.check(request)
        request.patient_access = access
        request.patient_session_ended = ended
        request.kiosk = request.session.get(patient_session.SESSION_KEY) if access else None
        if request.kiosk and not request.path.startswith(_ALLOWED_PREFIXES):
            return redirect("kiosk:resume")
        response = self.get_response(request)
        if request.kiosk or ended or request.path.startswith("/kiosk/"):
            # Patient answers: never cached, not even in the tablet's back/forward cache.
            response["Cache-Control"] = "no-store, max-age=0"
            response["Pragma"] = "no-cache"
        return response
