"""Red-flag alerts raised by the evaluation itself: the neuro exam's upper motor neuron
signs and progressive weakness raise the same staff alert as the intake's red flags, and so
does a neuro exam worse than the episode's previous signed one (serial surveillance,
evaluations.neuro.serial: a weaker myotome, a reflex newly reduced, a dermatome newly
impaired, a new UMN sign), with no "weakness getting worse" tick needed.

The neuro section's after-save hook (`evaluations.sections`): it runs inside the save's
transaction, so the alert and its audit entry stand or fall with the save.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from accounts.models import User
from audit.models import AuditEvent
from audit.services import audit_patient_record
from evaluations import records
from evaluations.models import Evaluation
from evaluations.neuro.serial import SerialResult, compare_exams
from intake.models import RedFlagAlert


def previous_exam(evaluation: Evaluation) -> Evaluation | None:
    """The episode's latest signed evaluation before this one with a neuro exam recorded:
    what this exam is compared with. One query."""
    return (
        Evaluation.objects.filter(
            episode_id=evaluation.episode_id,
            status=Evaluation.Status.SIGNED,
            visit_date__lte=evaluation.visit_date,
        )
        .exclude(pk=evaluation.pk)
        .filter(content__has_key="neuro")
        .order_by("-visit_date", "-signed_at")
        .only("public_id", "visit_date", "content")
        .first()
    )


def serial_result(
    evaluation: Evaluation, previous: Evaluation | None = None
) -> SerialResult | None:
    """This exam against the previous signed one of the episode, or None without either."""
    current = (evaluation.content or {}).get("neuro")
    previous = previous or previous_exam(evaluation)
    if not current or previous is None:
        return None
    return compare_exams(
        records.read("neuro", previous.content.get("neuro")),
        records.read("neuro", current),
        previous_on=previous.visit_date,
    )


def neuro_alert(evaluation: Evaluation, *, by: User, at: datetime) -> RedFlagAlert | None:
    """Raise the neuro exam's alerts, each once per distinct set of findings: re-saving the
    exam does not raise one again, a new finding does. Returns the last one raised."""
    own = _single_exam_alert(evaluation, by=by, at=at)
    serial = _serial_alert(evaluation, by=by, at=at)
    return serial or own


def _serial_alert(evaluation: Evaluation, *, by: User, at: datetime) -> RedFlagAlert | None:
    result = serial_result(evaluation)
    if result is None:
        return None
    return raise_serial_alert(
        result,
        source={"evaluation": evaluation},
        patient=evaluation.patient,
        intake=evaluation.intake,
        words="neuro exam worse",
        by=by,
        at=at,
    )


def raise_serial_alert(
    result: SerialResult,
    *,
    source: dict[str, Any],
    patient: Any,
    intake: Any,
    words: str,
    by: User,
    at: datetime,
) -> RedFlagAlert | None:
    """The staff alert for what serial surveillance found worse, raised once per distinct
    set of changes for its `source` (`{"evaluation": e}` or `{"treatment_note": n}`): an
    emergency when saddle sensation is newly impaired, else urgent."""
    if not result.alert:
        return None
    worse = result.alerting
    items = sorted({f"SERIAL:{c.kind}:{c.code}:{c.side or '-'}" for c in worse})
    if RedFlagAlert.objects.filter(**source, items=items).exists():
        return None
    level = "EMERGENCY" if result.emergency else "URGENT"
    text = "; ".join(c.text for c in worse)
    alert = RedFlagAlert.objects.create(
        **source,
        intake=intake,
        patient=patient,
        level=level,
        ces=result.emergency,
        items=items,
        summary=f"{level.title()}: {words}: {text}"[:255],
        raised_at=at,
    )
    ((key, record),) = source.items()
    audit_patient_record(
        alert,
        actor=by,
        action=AuditEvent.Action.ALERT,
        summary=f"Raised an {level.lower()} alert: {words} than on {result.previous_on:%d %b %Y}"[
            :255
        ],
        details={"items": items, key: str(record.public_id), "serial": result.as_dict()},
    )
    return alert


def _single_exam_alert(evaluation: Evaluation, *, by: User, at: datetime) -> RedFlagAlert | None:
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
