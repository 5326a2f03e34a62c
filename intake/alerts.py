"""Red-flag alerts: raised by an intake or follow-up packet, an evaluation's neuro exam or
a treatment note; shown on every staff screen until a clinician records what was done."""

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from audit.models import AuditEvent
from audit.services import audit_patient_record
from intake.models import Intake, RedFlagAlert


def raise_for_triage(
    intake: Intake, *, level: str, ces: bool, items: list[str], at
) -> RedFlagAlert | None:
    """The alert a submitted intake's or packet's red-flag result raises, if any."""
    if level == Intake.RedFlagLevel.EMERGENCY:
        return raise_intake_alert(intake, level=level, ces=ces, items=items, at=at)
    return None


def raise_intake_alert(
    intake: Intake, *, level: str, ces: bool, items: list[str], at
) -> RedFlagAlert:
    summary = (
        "Possible cauda equina syndrome" if ces else "Emergency red flag"
    ) + f" ({', '.join(items)})"
    return RedFlagAlert.objects.create(
        intake=intake,
        patient=intake.patient,
        level=level,
        ces=ces,
        items=items,
        summary=summary[:255],
        raised_at=at,
    )


class AlreadyAcknowledged(Exception):
    """The alert was acknowledged before this request got to it (by someone else, or by
    the same person's double tap)."""

    def __init__(self, alert: RedFlagAlert):
        super().__init__("already acknowledged")
        self.alert = alert


@transaction.atomic
def alert_acknowledge(*, alert: RedFlagAlert, by: User, outcome: str, note: str) -> RedFlagAlert:
    alert = (
        RedFlagAlert.objects.select_for_update(of=("self",))
        .select_related("patient", "acknowledged_by")
        .get(pk=alert.pk)
    )
    if alert.acknowledged_at:
        raise AlreadyAcknowledged(alert)
    if outcome not in RedFlagAlert.Outcome.values or not note.strip():
        raise ValueError("An outcome and a note are required")
    alert.acknowledged_at = timezone.now()
    alert.acknowledged_by = by
    alert.outcome = outcome
    alert.action_note = note.strip()
    alert.save(update_fields=["acknowledged_at", "acknowledged_by", "outcome", "action_note"])
    audit_patient_record(
        alert,
        actor=by,
        action=AuditEvent.Action.ACKNOWLEDGE,
        summary=f"Acknowledged red-flag alert: {alert.get_outcome_display()}",
        details={"outcome": outcome, "note": alert.action_note, "items": alert.items},
    )
    return alert
