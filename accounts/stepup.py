"""Step-up: an administrator confirms it is them, with their password and a fresh
two-factor code, before changing somebody else's sign-in (a password reset, a two-factor
reset) or anyone's roles. It holds for STEP_UP_MINUTES, in this session only.

A session left open at the front desk, or taken over, then cannot quietly give itself a
therapist's account: it would need the administrator's password and phone again.
"""

import functools
import time
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse

from accounts import lockout, mfa
from accounts.models import User
from audit.models import AuditEvent
from audit.services import audit_record

SESSION_KEY = "step_up_at"
PURPOSE = "confirming it is them"


def is_fresh(request: HttpRequest) -> bool:
    at = request.session.get(SESSION_KEY)
    return at is not None and time.time() - at < settings.STEP_UP_MINUTES * 60


def seconds_left(request: HttpRequest) -> int:
    at = request.session.get(SESSION_KEY)
    if at is None:
        return 0
    return max(0, int(settings.STEP_UP_MINUTES * 60 - (time.time() - at)))


def confirm(*, request: HttpRequest, user: User, password: str, code: str) -> dict[str, str]:
    """Check the person's password and a fresh code; on success the session is stepped up.
    Returns errors by field name (empty when confirmed). Both checks go through the
    sign-in lockout, so this is no place to guess either."""
    if not lockout.recheck_password(
        request=request, user=user, password=password, stage=f"password ({PURPOSE})"
    ):
        return {"password": "That password is not right."}
    if not mfa.has_two_factor(user):
        return {"code": "Set up two-factor sign-in first: changes to staff accounts need it."}
    check = mfa.confirm(request=request, user=user, code=code, purpose=PURPOSE)
    if check.wait_seconds:
        return {"code": f"Too soon after a wrong code: wait {check.wait_seconds} s."}
    if not check.passed:
        return {
            "code": "That code is not right, or was already used. Type the code your app "
            "shows now (wait for a new one if you have just used it)."
        }
    request.session[SESSION_KEY] = int(time.time())
    audit_record(
        actor=user,
        action=AuditEvent.Action.STEP_UP,
        obj=user,
        summary=f"Confirmed it was them (password and code) for the next "
        f"{settings.STEP_UP_MINUTES} minutes of staff changes",
    )
    return {}


def url(next_path: str) -> str:
    return f"{reverse('accounts:step-up')}?{urlencode({'next': next_path})}"


def required(*, back: str | None = None):
    """A view that changes someone's sign-in or roles: without a fresh step-up, a GET goes
    to the step-up page and comes back; a POST is refused there too (nothing changes) and
    comes back to `back` (a URL name taking the view's public_id) or the same path."""

    def decorator(view):
        @functools.wraps(view)
        def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            if is_fresh(request):
                return view(request, *args, **kwargs)
            next_path = request.get_full_path()
            if request.method != "GET":
                messages.warning(request, "Confirm it is you first, then try again.")
                if back:
                    next_path = reverse(back, kwargs=kwargs)
            return redirect(url(next_path))

        return wrapper

    return decorator
