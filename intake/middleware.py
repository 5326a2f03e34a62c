from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

SESSION_KEY = "kiosk"
# Paths a tablet in kiosk mode may reach besides its intake screens.
_ALLOWED_PREFIXES = ("/kiosk/", "/static/", "/healthz")


class KioskMiddleware:
    """While a device holds a patient's intake, every other URL (staff pages, other
    patients, the sign-in page, the back button's history) leads back to the intake.
    Only the staff unlock on /kiosk/exit/ ends it."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.kiosk = request.session.get(SESSION_KEY)
        if request.kiosk and not request.path.startswith(_ALLOWED_PREFIXES):
            return redirect("kiosk:resume")
        response = self.get_response(request)
        if request.kiosk or request.path.startswith("/kiosk/"):
            # Patient answers: never cached, not even in the tablet's back/forward cache.
            response["Cache-Control"] = "no-store, max-age=0"
            response["Pragma"] = "no-cache"
        return response
