from collections.abc import Callable
from urllib.parse import urlencode

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import Resolver404, resolve, reverse

from accounts import mfa
from core.http import ClinicRequest, hx_redirect
from core.middleware import BACKGROUND_POLL_HEADER

# What a session that passed the password but not yet the second factor may reach: the
# two-factor pages, signing out, the idle timer's own check and the health check.
MFA_PENDING_ALLOWED = frozenset(
    {
        "accounts:mfa-verify",
        "accounts:mfa-setup",
        "accounts:mfa-recovery-codes",
        "accounts:logout",
        "core:session",
        "healthz",
    }
)


def _view_name(request: HttpRequest) -> str | None:
    try:
        return resolve(request.path_info).view_name
    except Resolver404:
        return None


class MfaRequiredMiddleware:
    """A member of staff whose role needs two-factor sign-in, signed in with a password
    only, reaches the two-factor pages and nothing else. A tablet in kiosk mode holds no
    staff session and is left to KioskMiddleware."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: ClinicRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if (
            getattr(request, "kiosk", None)
            or user is None
            or not user.is_authenticated
            or user.is_verified()
            or request.path_info.startswith(settings.STATIC_URL)
            or not mfa.required_for(user)
            or _view_name(request) in MFA_PENDING_ALLOWED
        ):
            return self.get_response(request)
        target = reverse(mfa.next_step(user))
        if request.headers.get(BACKGROUND_POLL_HEADER):
            # A poll from a page left open: no content, and no redirect to chase.
            return HttpResponse(status=204)
        if request.htmx:
            return hx_redirect(target)
        if request.method == "GET":
            target = f"{target}?{urlencode({'next': request.get_full_path()})}"
        return redirect(target)


# Where a person who must choose their own password may go meanwhile.
PASSWORD_CHANGE_ALLOWED = MFA_PENDING_ALLOWED | {"accounts:password"}


class PasswordChangeMiddleware:
    """A person signed in with a password an administrator chose (a new account, a
    reset) chooses their own before anything else opens. After the two-factor check, so
    the change is made by someone who passed it."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: ClinicRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if (
            getattr(request, "kiosk", None)
            or user is None
            or not user.is_authenticated
            or not user.must_change_password
            or request.path_info.startswith(settings.STATIC_URL)
            or _view_name(request) in PASSWORD_CHANGE_ALLOWED
        ):
            return self.get_response(request)
        target = reverse("accounts:password")
        if request.headers.get(BACKGROUND_POLL_HEADER):
            return HttpResponse(status=204)
        if request.htmx:
            return hx_redirect(target)
        if request.method == "GET":
            target = f"{target}?{urlencode({'next': request.get_full_path()})}"
        return redirect(target)
