from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

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
