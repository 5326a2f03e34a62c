"""Red-flag alerts: raised by an intake or follow-up packet, an evaluation's neuro exam or
a treatment note, and closed by a physical therapist's disposition: one of the actions the
alert's level allows (intake.alert_actions, versioned rules) and a note.

Emergency and urgent alerts stay on every staff screen until dispositioned; one still open
when the clinic day it was raised in ends is escalated to the administrator's home page
(worked out when read: `escalation_cutoff`). A MONITOR result is not on the banner: it
is listed for review at the patient's next visit, where the therapist records the
safety-net advice given.
"""

from datetime import datetime, time, timedelta

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from audit.models import AuditEvent
from audit.services import audit_patient_record
from intake import alert_actions
from intake.alert_actions import ActionRefused
from intake.models import Intake, RedFlagAlert

__all__ = [
    "ActionRefused",
    "AlreadyAcknowledged",
    "alert_acknowledge",
    "alert_disposition",
    "escalation_cutoff",
    "raise_for_triage",
    "raise_intake_alert",
]

_RAISED_BY_TRIAGE = (
    Intake.RedFlagLevel.EMERGENCY,
    Intake.RedFlagLevel.URGENT,
    Intake.RedFlagLevel.MONITOR,
)


def raise_for_triage(
    intake: Intake, *, level: str, ces: bool, items: list[str], at
) -> RedFlagAlert | None:
    """The alert a submitted intake's or packet's red-flag result raises, if any: an
    emergency or urgent one on every staff banner, a MONITOR one for review at the next
    visit. Once per level and set of items: calling it again (a retried submission)
    raises nothing new."""
    if level not in _RAISED_BY_TRIAGE:
        return None
    items = sorted(items)
    already = RedFlagAlert.objects.filter(
        intake=intake,
        evaluation__isnull=True,
        treatment_note__isnull=True,
        level=level,
        items=items,
    )
    if already.exists():
        return None
    return raise_intake_alert(intake, level=level, ces=ces, items=items, at=at)


def _summary(intake: Intake, *, level: str, ces: bool, items: list[str]) -> str:
    if ces:
        words = "Possible cauda equina syndrome"
    elif level == Intake.RedFlagLevel.EMERGENCY:
        words = "Emergency red flag"
    elif level == Intake.RedFlagLevel.URGENT:
        words = "Urgent red flag"
    else:
        words = "For review at the next visit: single red flag"
    where = ", follow-up questionnaire" if intake.is_packet else ""
    return f"{words} ({', '.join(items)}{where})"


def raise_intake_alert(
    intake: Intake, *, level: str, ces: bool, items: list[str], at
) -> RedFlagAlert:
    return RedFlagAlert.objects.create(
        intake=intake,
        patient=intake.patient,
        level=level,
        ces=ces,
        items=items,
        summary=_summary(intake, level=level, ces=ces, items=items)[:255],
        raised_at=at,
    )


class AlreadyAcknowledged(Exception):
    """The alert was dispositioned before this request got to it (by someone else, or by
    the same person's double tap)."""

    def __init__(self, alert: RedFlagAlert):
        super().__init__("already acknowledged")
        self.alert = alert


@transaction.atomic
def alert_disposition(
    *, alert: RedFlagAlert, by: User, action: str, note: str, material: str = ""
) -> RedFlagAlert:
    """Close `alert` with `action` (an action its level allows), `note` (required) and,
    for safety-net advice, the `material` given. Raises AlreadyAcknowledged when it was
    closed first (the first disposition stands), ActionRefused (a ValueError) when the
    action, note or material will not do, PermissionDenied for anyone but a clinician."""
    if not by.has_perm("intake.acknowledge_redflagalert"):
        raise PermissionDenied
    alert = (
        RedFlagAlert.objects.select_for_update(of=("self",))
        .select_related("patient", "acknowledged_by")
        .get(pk=alert.pk)
    )
    if alert.acknowledged_at:
        raise AlreadyAcknowledged(alert)
    rules = alert_actions.default_rules()
    done = rules.check(level=alert.level, action=action, note=note, material=material)
    alert.acknowledged_at = timezone.now()
    alert.acknowledged_by = by
    alert.outcome = done.action.code
    alert.action_note = done.note
    alert.actions_version = done.version
    if done.material is not None:
        alert.safety_net_material = done.material.code
        alert.safety_net_material_label = done.material.label[:200]
        alert.safety_net_version = done.material.version
    alert.save(
        update_fields=[
            "acknowledged_at",
            "acknowledged_by",
            "outcome",
            "action_note",
            "actions_version",
            "safety_net_material",
            "safety_net_material_label",
            "safety_net_version",
        ]
    )
    audit_patient_record(
        alert,
        actor=by,
        action=AuditEvent.Action.ACKNOWLEDGE,
        summary=f"Dispositioned a {alert.level.lower()} red-flag alert: "
        f"{alert.get_outcome_display()}",
        details={
            "outcome": alert.outcome,
            "note": alert.action_note,
            "items": alert.items,
            "level": alert.level,
            "actions_version": alert.actions_version,
            "safety_net_material": alert.safety_net_material,
            "safety_net_version": alert.safety_net_version,
        },
    )
    return alert


def alert_acknowledge(*, alert: RedFlagAlert, by: User, outcome: str, note: str) -> RedFlagAlert:
    """The name callers used before dispositions had rules: `outcome` is the action."""
    return alert_disposition(alert=alert, by=by, action=outcome, note=note)


def escalation_cutoff(now: datetime, day_ends_at: time) -> datetime:
    """The end of the latest clinic day that has passed at `now`, in the clinic's time
    zone. An alert belongs to the clinic day it was raised in (one raised after the day's
    end, to the next day), so it escalates exactly when it was raised before this moment
    and is still open. At the very minute the day ends, that day has ended."""
    local = timezone.localtime(now)
    today_end = timezone.make_aware(datetime.combine(local.date(), day_ends_at))
    if local >= today_end:
        return today_end
    return timezone.make_aware(datetime.combine(local.date() - timedelta(days=1), day_ends_at))
