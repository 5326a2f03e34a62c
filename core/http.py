"""Responses shared by views and middleware."""

from django.http import HttpResponse


def hx_redirect(url: str) -> HttpResponse:
    """Send an htmx request's page to `url`: a 204 with HX-Redirect, so htmx swaps nothing
    and navigates the whole page (a plain 302 would be followed inside the fragment)."""
    response = HttpResponse(status=204)
    response["HX-Redirect"] = url
    return response
