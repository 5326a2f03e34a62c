import time
from collections.abc import Callable
from urllib.parse import urlencode, urlsplit

from django.conf import settings
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, resolve_url

from core import logging as clinic_logging
from core import request_context
from core.http import ClinicRequest, hx_redirect


class RequestContextMiddleware:
    """Remember the client address and a request id for audit entries and logs, and log
    one line per request (core.logging.log_request: no query string, no body). It comes
    first in MIDDLEWARE so requests answered early (static files, redirects to the kiosk
    or the sign-in page) are logged too."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: ClinicRequest) -> HttpResponse:
        info = request_context.info_for(request)
        request.request_id = info.request_id
        token = request_context.activate(info)
        log_token = clinic_logging.bind_request(request)
        started = time.monotonic()
        status = 500  # if an exception escapes every handler
        try:
            response = self.get_response(request)
            status = response.status_code
        finally:
            clinic_logging.log_request(
                request, status=status, duration_ms=(time.monotonic() - started) * 1000
            )
            clinic_logging.unbind_request(log_token)
            request_context.deactivate(token)
        response["X-Request-ID"] = info.request_id
        return response


class NoStoreMiddleware:
    """Pages shown to a signed-in user hold patient data: keep them out of every cache,
    including the shared tablet's back/forward cache (ASVS 14.3.2)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if getattr(request, "user", None) is not None and request.user.is_authenticated:
            response["Cache-Control"] = "no-store, max-age=0"
            response["Pragma"] = "no-cache"
        return response


BACKGROUND_POLL_HEADER = "X-Background-Poll"
LAST_SEEN = "last_seen"
# When the person signed in: the absolute lifetime counts from here, however busy they are.
SIGNED_IN_AT = "signed_in_at"
# Refresh the stored time at most this often, so browsing does not write the session on
# every request; short enough that the idle warning's countdown is right to the second
# that matters.
_TOUCH_EVERY = 10


def _time_left(request: HttpRequest, now: int) -> tuple[int, int]:
    """Seconds before the session goes idle, and before its absolute lifetime is over."""
    session = request.session
    idle_left = settings.STAFF_IDLE_MINUTES * 60 - (now - session.get(LAST_SEEN, now))
    absolute_left = settings.SESSION_ABSOLUTE_SECONDS - (now - session.get(SIGNED_IN_AT, now))
    return idle_left, absolute_left


def session_remaining(request: HttpRequest, now: int | None = None) -> int:
    """Seconds before this staff session ends, by idleness or by its absolute lifetime,
    whichever comes first."""
    now = int(time.time()) if now is None else now
    return max(0, min(_time_left(request, now)))


class IdleTimeoutMiddleware:
    """Sign staff out after STAFF_IDLE_MINUTES without using the app (a tablet left on the
    desk must not stay open on patient records) and SESSION_ABSOLUTE_SECONDS after signing
    in, however active (a stolen session cookie stops working). Requests marked as
    background polls (the alert banner, the idle warning's own check) neither count as use
    nor are turned away."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: ClinicRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            now = int(time.time())
            session = request.session
            session.setdefault(SIGNED_IN_AT, now)
            last = session.get(LAST_SEEN)
            idle_left, absolute_left = _time_left(request, now)
            if min(idle_left, absolute_left) <= 0:
                reason = "expired" if absolute_left <= 0 else "idle"
                logout(request)
                login_url = resolve_url(settings.LOGIN_URL)
                if request.headers.get(BACKGROUND_POLL_HEADER) or request.htmx:
                    # Back to the page the person was on, not to the fragment's URL.
                    page = urlsplit(request.htmx.current_url or "").path
                    query = urlencode({reason: 1, "next": page} if page else {reason: 1})
                    return hx_redirect(f"{login_url}?{query}")
                return redirect(f"{login_url}?{urlencode({'next': request.path, reason: 1})}")
            if not request.headers.get(BACKGROUND_POLL_HEADER) and (
                last is None or now - last >= _TOUCH_EVERY
            ):
                session[LAST_SEEN] = now
        return self.get_response(request)
