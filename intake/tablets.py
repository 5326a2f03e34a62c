"""The clinic's intake tablets: enrolment, revocation and the staff unlock.

A tablet is a browser a signed-in member of staff enrolled: it holds a long-lived cookie
whose hash is a ClinicTablet row. Kiosk mode needs one, and the staff unlock that takes
the tablet back from the patient works there and nowhere else: a session opened from a
one-time link on a patient's own phone has no tablet and no unlock at all.

Wrong unlock tries are counted on the tablet's row, under a row lock (parallel requests
cannot slip past the limit), and apart from django-axes' sign-in lockout: a patient
guessing at the tablet pauses that tablet's unlock, never a member of staff's sign-in from
the clinic's shared address.
"""

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import cast

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from accounts import lockout
from accounts.models import User
from audit.models import AuditEvent
from audit.services import audit_record
from intake.models import ClinicTablet, IntakeAccess, hash_token

COOKIE = settings.TABLET_COOKIE_NAME


class _TabletCachingRequest(HttpRequest):
    """A request as tablet_for_request leaves it, for the type checker only."""

    _clinic_tablet: ClinicTablet | None


def tablet_for_request(request: HttpRequest) -> ClinicTablet | None:
    """The enrolled, not revoked tablet this request comes from, or None. Cached on the
    request: the kiosk middleware and the views ask more than once."""
    # cast: the very same request, on which this function alone sets the cache.
    cached = cast(_TabletCachingRequest, request)
    if not hasattr(cached, "_clinic_tablet"):
        raw = cached.COOKIES.get(COOKIE, "")
        cached._clinic_tablet = (
            ClinicTablet.objects.active().filter(token_hash=hash_token(raw)).first()
            if raw
            else None
        )
    return cached._clinic_tablet


def holds_tablet_cookie(request: HttpRequest, tablet: ClinicTablet) -> bool:
    """Whether the request carries this tablet's cookie (no query: the row is loaded)."""
    raw = request.COOKIES.get(COOKIE, "")
    return (
        bool(raw)
        and tablet.is_active
        and secrets.compare_digest(hash_token(raw), tablet.token_hash)
    )


def set_tablet_cookie(response: HttpResponse, raw: str) -> None:
    response.set_cookie(
        COOKIE,
        raw,
        max_age=int(timedelta(days=settings.TABLET_ENROLMENT_DAYS).total_seconds()),
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        # Only ever sent by the clinic's own pages: no other site can make the tablet
        # send it.
        samesite="Strict",
    )


@transaction.atomic
def tablet_enrol(*, name: str, by: User) -> tuple[ClinicTablet, str]:
    """Make the device `by` is using one of the clinic's tablets. Returns the raw cookie
    value, to be set on the response and never stored."""
    name = name.strip()
    if not name:
        raise ValueError("Give the tablet a name")
    raw = secrets.token_urlsafe(32)
    tablet = ClinicTablet.objects.create(name=name[:80], token_hash=hash_token(raw), enrolled_by=by)
    audit_record(
        actor=by,
        action=AuditEvent.Action.CREATE,
        obj=tablet,
        summary=f"Enrolled this device as the clinic tablet “{tablet.name}”",
    )
    return tablet, raw


@transaction.atomic
def tablet_revoke(*, tablet: ClinicTablet, by: User) -> ClinicTablet:
    """Stop a device being a clinic tablet (lost, stolen, replaced). A patient session
    open on it ends at its next request; no unlock works there any more."""
    tablet = ClinicTablet.objects.select_for_update().get(pk=tablet.pk)
    if tablet.revoked_at is not None:
        return tablet
    now = timezone.now()
    tablet.revoked_at = now
    tablet.revoked_by = by
    tablet.save(update_fields=["revoked_at", "revoked_by"])
    ended = IntakeAccess.objects.filter(tablet=tablet, revoked_at__isnull=True).update(
        revoked_at=now
    )
    audit_record(
        actor=by,
        action=AuditEvent.Action.UPDATE,
        obj=tablet,
        summary=f"Revoked the clinic tablet “{tablet.name}”",
        details={"sessions_ended": ended},
    )
    return tablet


@dataclass(frozen=True)
class UnlockResult:
    user: User | None = None
    # Set while the tablet's unlock is paused after too many wrong tries.
    paused_until: datetime | None = None
    # The account is locked out of signing in from this address (django-axes).
    account_locked: bool = False


# A hash to check against when the username is unknown, so a wrong username takes as long
# as a wrong password and the unlock does not tell which usernames exist.
_DUMMY_PASSWORD = make_password(None)


def _staff_member(username: str, secret: str) -> User | None:
    candidate = User.objects.filter(username=username, is_active=True).first()
    if candidate is None:
        User(password=_DUMMY_PASSWORD).check_password(secret)
        return None
    # Taking the tablet back is for staff who work with intakes, not any account.
    if not candidate.has_perm("intake.view_intake"):
        candidate.check_password(secret)
        return None
    if candidate.check_kiosk_pin(secret) or candidate.check_password(secret):
        return candidate
    return None


def tablet_unlock(
    *, request: HttpRequest, access: IntakeAccess, username: str, secret: str
) -> UnlockResult:
    """A member of staff takes the tablet back from the kiosk session `access` with their
    password or kiosk PIN; on success that access ends. The result grants no more than
    their normal sign-in: the caller signs them in with the password stage passed, and
    two-factor is still asked of those whose role needs it."""
    with transaction.atomic():
        tablet = ClinicTablet.objects.select_for_update().get(pk=access.tablet_id)
        now = timezone.now()
        if tablet.revoked_at is not None:
            return UnlockResult()
        if tablet.unlock_paused_until and tablet.unlock_paused_until > now:
            return UnlockResult(paused_until=tablet.unlock_paused_until)
        if lockout.is_locked(request, username):
            return UnlockResult(account_locked=True)
        user = _staff_member(username, secret)
        if user is not None:
            if tablet.unlock_failures:
                tablet.unlock_failures = 0
                tablet.save(update_fields=["unlock_failures"])
            IntakeAccess.objects.filter(pk=access.pk).update(revoked_at=now)
            return UnlockResult(user=user)
        tablet.unlock_failures += 1
        paused_until = None
        if tablet.unlock_failures >= ClinicTablet.MAX_UNLOCK_FAILURES:
            paused_until = now + ClinicTablet.UNLOCK_PAUSE
            tablet.unlock_paused_until = paused_until
            tablet.unlock_failures = 0
        tablet.save(update_fields=["unlock_failures", "unlock_paused_until"])
        details = {"username": username[:150], "stage": "kiosk unlock", "tablet": tablet.name}
        audit_record(
            actor=None,
            action=AuditEvent.Action.LOGIN_FAILED,
            obj=tablet,
            summary=f"Failed staff unlock as {username[:150]!r} on the tablet “{tablet.name}”",
            details=details,
        )
        if paused_until is not None:
            audit_record(
                actor=None,
                action=AuditEvent.Action.LOCKOUT,
                obj=tablet,
                summary=f"Paused the staff unlock of the tablet “{tablet.name}” after "
                f"{ClinicTablet.MAX_UNLOCK_FAILURES} wrong tries",
                details={**details, "until": paused_until.isoformat()},
            )
    return UnlockResult(paused_until=paused_until)
