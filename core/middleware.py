import time
from collections.abc import Callable
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, resolve_url

from core import request_context


class RequestContextMiddleware:
    """Remember the client address and a request id for audit entries and logs."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        info = request_context.info_for(request)
        request.request_id = info.request_id
        token = request_context.activate(info)
        try:
            response = self.get_response(request)
        finally:
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
_LAST_SEEN = "last_seen"
# Refresh the stored time at most this often, so browsing does not write the session
# on every request.
_TOUCH_EVERY = 60


class IdleTimeoutMiddleware:
    """Sign staff out after STAFF_IDLE_MINUTES without using the app: a tablet left on
    the desk must not stay open on patient records. Requests marked as background polls
    (the alert banner) neither count as use nor are turned away."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            now = int(time.time())
            last = request.session.get(_LAST_SEEN)
            limit = settings.STAFF_IDLE_MINUTES * 60
            if last is not None and now - last > limit:
                logout(request)
                login_url = resolve_url(settings.LOGIN_URL)
                if request.headers.get(BACKGROUND_POLL_HEADER) or request.htmx:
                    response = HttpResponse(status=204)
                    response["HX-Redirect"] = login_url
                    return response
                return redirect(f"{login_url}?{urlencode({'next': request.path, 'idle': 1})}")
            if not request.headers.get(BACKGROUND_POLL_HEADER) and (
                last is None or now - last >= _TOUCH_EVERY
            ):
                request.session[_LAST_SEEN] = now
        return self.get_response(request)
