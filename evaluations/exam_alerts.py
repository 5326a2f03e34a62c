"""Red-flag alerts raised by the evaluation itself: the neuro exam's upper motor neuron
signs and progressive weakness raise the same staff alert as the intake's red flags.

The neuro section's after-save hook (`evaluations.sections`): it runs inside the save's
transaction, so the alert and its audit entry stand or fall with the save.
"""

from __future__ import annotations

from datetime import datetime

from accounts.models import User
from audit.models import AuditEvent
from audit.services import audit_patient_record
from evaluations.models import Evaluation
from intake.models import RedFlagAlert


def neuro_alert(evaluation: Evaluation, *, by: User, at: datetime) -> RedFlagAlert | None:
    """Raise the neuro exam's alert, once per distinct set of findings: re-saving the exam
    does not raise it again, a new finding does."""
    result = evaluation.findings.get("neuro") or {}
    if not result.get("raises_alert"):
        return None
    items = sorted(result.get("alert_items") or [])
    if RedFlagAlert.objects.filter(evaluation=evaluation, items=items).exists():
        return None
    alerts = result.get("alerts") or []
    level = "EMERGENCY" if any(a.get("level") == "EMERGENCY" for a in alerts) else "URGENT"
    text = "; ".join(a.get("text", "") for a in alerts)[:200]
    alert = RedFlagAlert.objects.create(
        evaluation=evaluation,
        intake=evaluation.intake,
        patient=evaluation.patient,
        level=level,
        ces=any(i.startswith("CES") for i in items),
        items=items,
        summary=f"{level.title()}: neuro exam: {text}"[:255],
        raised_at=at,
    )
    audit_patient_record(
        alert,
        actor=by,
        action=AuditEvent.Action.ALERT,
        summary=f"Raised an {level.lower()} alert from the neuro exam ({', '.join(items)})",
        details={"items": items, "evaluation": str(evaluation.public_id)},
    )
    return alert
