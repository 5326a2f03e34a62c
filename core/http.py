"""Responses shared by views and middleware, and the request as the middleware leaves it."""

from django.http import HttpRequest, HttpResponse
from django_htmx.middleware import HtmxDetails


class ClinicRequest(HttpRequest):
    """An HttpRequest with what this app's middleware adds to every request, for views'
    and middleware's annotations: Django always passes a plain HttpRequest, so nothing is
    ever built from this class. `request.user` stays as Django types it (a User or the
    anonymous user); views behind a sign-in take accounts.http.StaffRequest instead."""

    htmx: HtmxDetails  # django_htmx.middleware.HtmxMiddleware
    request_id: str  # core.middleware.RequestContextMiddleware


def hx_redirect(url: str) -> HttpResponse:
    """Send an htmx request's page to `url`: a 204 with HX-Redirect, so htmx swaps nothing
    and navigates the whole page (a plain 302 would be followed inside the fragment)."""
    response = HttpResponse(status=204)
    response["HX-Redirect"] = url
    return response
