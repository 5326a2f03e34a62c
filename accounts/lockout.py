"""Sign-in lockout: the glue between the app and django-axes.

Axes counts failed sign-ins per username AND client address (settings.py) and refuses a
pair that reached AXES_FAILURE_LIMIT until AXES_COOLOFF_TIME has passed since its last
failure, or an administrator unlocks the account. Besides the sign-in form, these count
as failures: a wrong two-factor code, a wrong password when signing an evaluation or
making new recovery codes, and a wrong password or PIN at the kiosk's staff unlock.
"""

from datetime import datetime, timedelta
from typing import cast

from axes.handlers.proxy import AxesProxyHandler
from axes.helpers import get_client_username, get_cool_off, get_failure_limit
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth import authenticate, logout
from django.contrib.auth.signals import user_login_failed
from django.db.models import Exists, OuterRef, QuerySet, Sum
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from accounts.models import User


class AxesRequest(HttpRequest):
    """What django-axes keeps on a request: AxesProxyHandler.update_request() sets the
    client address, and AxesMiddleware answers a request marked locked out with
    lockout_response(). For annotations only: the request is always a plain HttpRequest."""

    axes_ip_address: str | None
    axes_locked_out: bool
    axes_credentials: dict[str, str]


def _credentials(username: str) -> dict[str, str]:
    return {"username": username}


def is_locked(request: HttpRequest, username: str) -> bool:
    """Whether this username may not sign in from this request's address now."""
    return not AxesProxyHandler.is_allowed(request, _credentials(username))


def refuse_as_locked(request: HttpRequest, username: str) -> None:
    """Mark the request so AxesMiddleware answers it with the locked-out page."""
    marked = cast(AxesRequest, request)
    marked.axes_locked_out = True
    marked.axes_credentials = _credentials(username)


def record_failure(request: HttpRequest, *, username: str, stage: str) -> None:
    """Count a failed check that did not go through authenticate() (a wrong two-factor
    code): the same signal Django sends for a wrong password, so axes counts it and the
    audit trail records it (accounts/signals.py)."""
    user_login_failed.send(
        sender=__name__, credentials={"username": username, "stage": stage}, request=request
    )


def clear_failures(request: HttpRequest, *, username: str) -> None:
    """A complete sign-in from this address clears its failures for this username."""
    AxesProxyHandler.update_request(request)
    address = cast(AxesRequest, request).axes_ip_address
    AxesProxyHandler.reset_attempts(ip_address=address, username=username)


def recheck_password(*, request: HttpRequest | None, user: User, password: str, stage: str) -> bool:
    """Ask a signed-in person for their password again (signing an evaluation, making new
    recovery codes) through the same lockout as the sign-in form. A locked-out account is
    refused even with the right password. Without a request (a shell, a script) there is
    no address to key a lockout on, so it is a plain password check."""
    if not password:
        return False
    if request is None:
        return user.check_password(password)
    # `stage` rides along in the credentials: backends ignore it, and the failure signal
    # carries it to the audit entry.
    found = authenticate(request, username=user.get_username(), password=password, stage=stage)
    if found is None or found.pk != user.pk:
        return False
    clear_failures(request, username=user.get_username())
    return True


def cool_off() -> timedelta:
    return get_cool_off() or timedelta(0)


def locked_until(username: str, ip_address: str | None) -> datetime:
    """When a lockout of this username from this address ends: a cool-off after its last
    counted failure."""
    latest = (
        AccessAttempt.objects.filter(username=username, ip_address=ip_address)
        .order_by("-attempt_time")
        .values_list("attempt_time", flat=True)
        .first()
    )
    return (latest or timezone.now()) + cool_off()


def with_locked(users: QuerySet) -> QuerySet:
    """Annotate `is_locked`: locked out from at least one address right now. One EXISTS
    subquery, so a list of staff costs no query per row."""
    threshold = timezone.now() - cool_off()
    limit = settings.AXES_FAILURE_LIMIT
    locked_pairs = (
        AccessAttempt.objects.filter(username=OuterRef("username"), attempt_time__gte=threshold)
        .values("ip_address")
        .annotate(failures=Sum("failures_since_start"))
        .filter(failures__gte=limit)
    )
    return users.annotate(is_locked=Exists(locked_pairs))


def is_user_locked(user: User) -> bool:
    """Locked out from any address right now (the staff page's badge)."""
    return with_locked(User.objects.filter(pk=user.pk)).values_list("is_locked", flat=True)[0]


def clear_all_failures(*, username: str) -> int:
    """Every address's failures for this username; the administrator's unlock."""
    return AxesProxyHandler.reset_attempts(username=username)


def lockout_response(
    request: HttpRequest, original_response: HttpResponse | None = None, credentials=None
) -> HttpResponse:
    """AXES_LOCKOUT_CALLABLE: the page for a request that hit the lockout.

    It gives the time to try again and who can unlock sooner, and reads the same whether or
    not the username exists. A signed-in session that hit the lockout (wrong two-factor
    codes, wrong passwords when signing) is ended: somebody at that screen was guessing.
    """
    username = get_client_username(request, credentials) or ""
    AxesProxyHandler.update_request(request)
    until = locked_until(username, cast(AxesRequest, request).axes_ip_address)
    kiosk = bool(getattr(request, "kiosk", None))
    if not kiosk and getattr(request, "user", None) is not None and request.user.is_authenticated:
        logout(request)
    minutes = max(1, round(cool_off().total_seconds() / 60))
    return render(
        request,
        "accounts/locked_out.html",
        {
            "until": until,
            "minutes": minutes,
            "failure_limit": get_failure_limit(request, credentials),
            "in_kiosk": kiosk,
        },
        status=429,
    )
