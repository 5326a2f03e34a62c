"""A patient's session: a browser that holds one intake and nothing else.

Two kinds, never mixed up:
- KIOSK: the clinic's enrolled tablet handed over by the front desk. Valid only on that
  tablet (its cookie); staff take it back there with the unlock.
- LINK: a one-time link opened on the patient's own device. Narrower: no staff unlock of
  any kind, only the patient's own form.

Every request re-checks the grant behind the session (the access row is not revoked or
expired, the tablet is still enrolled and is this device) and the session ends after
PATIENT_IDLE_MINUTES without use. What was typed is saved as it goes, so ending the
session loses nothing.
"""

import time
from dataclasses import dataclass

from django.conf import settings
from django.http import HttpRequest
from django.utils import timezone

from intake.models import IntakeAccess
from intake.tablets import holds_tablet_cookie

SESSION_KEY = "kiosk"
KIOSK = IntakeAccess.Kind.KIOSK.value
LINK = IntakeAccess.Kind.LINK.value
# Refresh the stored last-use time at most this often, so a burst of autosaves does not
# write the session on every tap.
_TOUCH_EVERY = 10


@dataclass(frozen=True)
class Ended:
    """Why a patient session was ended: shown to whoever holds the device next."""

    reason: str  # "idle", "revoked" or "expired"
    kind: str


def start(request: HttpRequest, access: IntakeAccess) -> None:
    """Turn this request's (fresh) session into a patient session for `access`."""
    request.session[SESSION_KEY] = {
        "intake": access.intake_id,
        "access": access.pk,
        "kind": access.kind,
        "seen": int(time.time()),
    }


# The grant is checked on every request the patient's device makes (an autosave on every
# tap): only what the check and the views read of the access, its tablet and its intake's
# kind. The intake is loaded by the views that need it (intake.kiosk_views.kiosk_view).
_GRANT_FIELDS = (
    "id",
    "intake_id",
    # Which screens the views serve: a first-visit intake's or a follow-up packet's.
    "intake__kind",
    # The language the patient's pages are in (intake.language).
    "intake__language",
    "kind",
    "revoked_at",
    "expires_at",
    "tablet_id",
    "tablet__public_id",
    "tablet__name",
    "tablet__token_hash",
    "tablet__revoked_at",
    "tablet__unlock_paused_until",
)


def _grant(request: HttpRequest, held: dict) -> tuple[IntakeAccess | None, str]:
    try:
        access = (
            IntakeAccess.objects.select_related("tablet", "intake")
            .only(*_GRANT_FIELDS)
            .get(pk=held.get("access"), intake_id=held.get("intake"), kind=held.get("kind"))
        )
    except (IntakeAccess.DoesNotExist, ValueError, TypeError):
        access = None
    if access is None or access.revoked_at is not None:
        return None, "revoked"
    if access.expires_at <= timezone.now():
        return None, "expired"
    if access.kind == KIOSK and (
        access.tablet is None or not holds_tablet_cookie(request, access.tablet)
    ):
        # Copied to another device, or the tablet was revoked.
        return None, "revoked"
    return access, ""


def check(request: HttpRequest) -> tuple[IntakeAccess | None, Ended | None]:
    """The access this request's patient session stands on, or why it ended (the session
    is then emptied). (None, None) when the request holds no patient session."""
    held = request.session.get(SESSION_KEY)
    if not held:
        return None, None
    now = int(time.time())
    kind = held.get("kind", "")
    idle = now - held.get("seen", now) > settings.PATIENT_IDLE_MINUTES * 60
    access, reason = (None, "idle") if idle else _grant(request, held)
    if access is None:
        request.session.flush()
        return None, Ended(reason=reason, kind=kind)
    if now - held.get("seen", 0) >= _TOUCH_EVERY:
        held["seen"] = now
        request.session.modified = True
    return access, None
