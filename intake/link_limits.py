"""What a one-time link that does not open leaves behind: an audit entry for each refusal,
and a pause for a client that keeps trying links that do not exist.

A link's token carries 256 random bits (intake.services._issue), so guessing a real one is
hopeless. The pause is there so that a scanner or a script cannot fill the audit trail
(every refusal is recorded) and so that the trail says plainly, once, that one tried.
After LINK_GUESS_LIMIT links that do not exist from one client address within
LINK_GUESS_MINUTES, every link from that address answers 429 for the rest of the window,
a real one too: were a real link to open, the pause itself would tell it from a guess.

The count is read from the audit trail's own entries: the same count for every web
process (a per-process cache would give each gunicorn worker its own), nothing else to
keep in step with the trail, and in the tests it rolls back with the test that wrote it.
Two requests at the same moment may both slip under the limit; the limit is for keeping
the trail readable, not what keeps the links safe.
"""

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext, ngettext

from audit.models import AuditEvent
from audit.services import audit_patient_record, audit_record
from core import request_context
from core.models import Clinic
from intake.models import IntakeAccess

# Nobody has proved who they are before the date of birth is checked.
ACTOR = "Unverified link holder"
UNKNOWN_SUMMARY = "Refused a one-time link that does not exist"
PAUSED_SUMMARY = "Paused one-time links from this address: too many that do not exist"


def _recent(action: AuditEvent.Action, summary: str) -> QuerySet[AuditEvent]:
    """This client's entries of one kind within the window, found through the audit
    trail's (action, at) index."""
    info = request_context.current()
    since = timezone.now() - timedelta(minutes=settings.LINK_GUESS_MINUTES)
    return AuditEvent.objects.filter(
        action=action,
        at__gte=since,
        summary=summary,
        patient__isnull=True,
        ip_address=info.ip_address if info else None,
    )


def is_paused() -> bool:
    """Whether this client tried LINK_GUESS_LIMIT links that do not exist within the
    last LINK_GUESS_MINUTES (a limit of 0 turns the pause off). One query, counting no
    further than the limit."""
    limit = settings.LINK_GUESS_LIMIT
    if limit <= 0:
        return False
    return _recent(AuditEvent.Action.DENIED, UNKNOWN_SUMMARY)[:limit].count() >= limit


@transaction.atomic
def link_paused() -> None:
    """Record the pause once a window (the first attempt it refuses); the attempts after
    it, however many, are not recorded one by one."""
    if _recent(AuditEvent.Action.LOCKOUT, PAUSED_SUMMARY).exists():
        return
    audit_record(
        actor=None,
        actor_name=ACTOR,
        action=AuditEvent.Action.LOCKOUT,
        summary=PAUSED_SUMMARY,
        details={"limit": settings.LINK_GUESS_LIMIT, "minutes": settings.LINK_GUESS_MINUTES},
    )


@transaction.atomic
def link_refused(*, access: IntakeAccess | None) -> None:
    """Record a link refused before the date of birth is asked: one that does not exist
    (`access` None), or a real one that ended or whose form is closed, on its patient's
    record. Only the access's public id is written, never the token or its hash."""
    if access is None:
        audit_record(
            actor=None, actor_name=ACTOR, action=AuditEvent.Action.DENIED, summary=UNKNOWN_SUMMARY
        )
        return
    # Read afresh, whole: the link page's lookup loads only what the page shows.
    access = IntakeAccess.objects.select_related("intake__patient").get(pk=access.pk)
    cause = refusal_cause(access)
    noun = "follow-up questionnaire" if access.intake.is_packet else "intake"
    audit_patient_record(
        access.intake,
        actor=None,
        actor_name=ACTOR,
        action=AuditEvent.Action.DENIED,
        summary=f"Refused a one-time {noun} link ({cause})",
        details={"access": str(access.public_id), "reason": cause},
    )


def refusal_cause(access: IntakeAccess) -> str:
    """Why a real link no longer opens, for the audit trail (the patient is told less):
    locked (too many wrong dates of birth), used, revoked (a newer link, or the form
    cancelled or closed by staff), expired, or the form's status once it is closed."""
    if access.failed_attempts >= IntakeAccess.MAX_FAILED_ATTEMPTS:
        return "locked"
    if access.used_at:
        return "used"
    if access.revoked_at:
        return "revoked"
    if access.expires_at <= timezone.now():
        return "expired"
    return str(access.intake.status)  # submitted, stopped or cancelled


def paused_response() -> HttpResponse:
    """The plain answer while paused: the same for every link, real or not, in the
    language the request is answered in."""
    minutes = settings.LINK_GUESS_MINUTES
    phone = Clinic.objects.current().phone
    if phone:
        wait = ngettext(
            "Please wait %(minutes)d minute and try your link again, or call the clinic on "
            "%(phone)s.",
            "Please wait %(minutes)d minutes and try your link again, or call the clinic on "
            "%(phone)s.",
            minutes,
        ) % {"minutes": minutes, "phone": phone}
    else:
        wait = ngettext(
            "Please wait %(minutes)d minute and try your link again, or call the clinic.",
            "Please wait %(minutes)d minutes and try your link again, or call the clinic.",
            minutes,
        ) % {"minutes": minutes}
    tried = gettext("Too many links that do not work were tried from this connection.")
    response = HttpResponse(
        f"{tried}\n{wait}\n",
        status=429,
        content_type="text/plain; charset=utf-8",
    )
    response["Retry-After"] = str(minutes * 60)
    return response
