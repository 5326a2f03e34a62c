"""Referral letters (issue 17 point 6): when a signed evaluation's plan of care asks for a
surgical or medical opinion, or a red-flag alert of the evaluation or its intake ended in a
referral, the therapist writes a letter to the episode's referrer or another clinician.

What asks for a referral, the form's defaults and the letter's creation with its audit
entry. The letter's PDF is a document kind (reports.docs.referral_letter) rendered by a
report job like the others.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q

from audit.models import AuditEvent
from audit.services import audit_patient_record
from care.models import ReferralContact
from evaluations import records
from evaluations.models import Evaluation
from intake.models import RedFlagAlert
from reports.models import ReferralLetter

URGENCIES = tuple(ReferralLetter.Urgency.values)
# The most urgent first: a letter's default is the most urgent of what asks for it.
_RANK = {code: n for n, code in enumerate(URGENCIES)}
# What an alert's disposition calls for (RedFlagAlert.REFERRAL_NEEDED: at least this).
ALERT_URGENCY: dict[str, str] = {
    RedFlagAlert.Outcome.EMERGENCY_REFERRAL: ReferralLetter.Urgency.EMERGENCY,
    RedFlagAlert.Outcome.URGENT_REFERRAL: ReferralLetter.Urgency.URGENT,
}
NOT_SIGNED = "Sign the evaluation first: a referral letter is written from a signed evaluation."
NOTHING_ASKS = (
    "Nothing in this evaluation asks for a referral: its plan of care records none and no "
    "red-flag alert of the evaluation or its intake ended in one."
)


def plan_referral(evaluation: Evaluation) -> dict[str, Any] | None:
    """The plan of care's referral as stored (referral_to, referral_urgency,
    referral_reason), or None when the plan asks for none."""
    plan = records.read_content(evaluation.content).get("plan") or {}
    return plan if plan.get("referral") else None


def referral_alerts(evaluation: Evaluation) -> list[RedFlagAlert]:
    """The red-flag alerts of the evaluation (its neuro exam) or of its intake that were
    dispositioned as a referral, oldest first. One query."""
    where = Q(evaluation=evaluation)
    if evaluation.intake_id is not None:
        where |= Q(intake_id=evaluation.intake_id)
    return list(
        RedFlagAlert.objects.filter(where, outcome__in=list(RedFlagAlert.REFERRAL_NEEDED))
        .exclude(acknowledged_at__isnull=True)
        .order_by("raised_at", "pk")
    )


def letter_allowed(evaluation: Evaluation) -> bool:
    """Whether a referral letter can be written from this evaluation (at most one query)."""
    if not evaluation.is_signed:
        return False
    return plan_referral(evaluation) is not None or bool(referral_alerts(evaluation))


@dataclass(frozen=True)
class LetterDefaults:
    addressed_to: ReferralContact | None
    urgency: str
    reason: str
    alert: RedFlagAlert | None


def _urgency_code(value: str | None) -> str:
    return value if value in URGENCIES else ""


def _most_urgent(*codes: str) -> str:
    known = [c for c in codes if c in _RANK]
    return min(known, key=_RANK.__getitem__) if known else ReferralLetter.Urgency.ROUTINE


def alert_reason(alert: RedFlagAlert) -> str:
    """An alert in the words a letter's reason starts from."""
    parts = [alert.summary.strip().rstrip(".")]
    if alert.outcome:
        parts.append(alert.get_outcome_display())
    if alert.action_note.strip():
        parts.append(alert.action_note.strip().rstrip("."))
    return ". ".join(p for p in parts if p) + "."


def letter_defaults(evaluation: Evaluation, alerts: list[RedFlagAlert]) -> LetterDefaults:
    """What the letter form starts from: the episode's referrer, the most urgent of the
    plan's referral and the latest referral alert, and the plan's reason (else the alert's
    summary and what was done)."""
    plan = plan_referral(evaluation)
    alert = alerts[-1] if alerts else None
    plan_urgency = _urgency_code((plan or {}).get("referral_urgency"))
    alert_urgency = ALERT_URGENCY.get(alert.outcome, "") if alert else ""
    reason = ((plan or {}).get("referral_reason") or "").strip()
    if not reason and alert is not None:
        reason = alert_reason(alert)
    return LetterDefaults(
        addressed_to=evaluation.episode.referrer,
        urgency=_most_urgent(plan_urgency, alert_urgency),
        reason=reason,
        alert=alert,
    )


def _problems(
    *,
    evaluation: Evaluation,
    addressed_to: ReferralContact | None,
    urgency: str,
    reason: str,
    alert: RedFlagAlert | None,
) -> dict[str, str]:
    errors: dict[str, str] = {}
    if addressed_to is None:
        errors["addressed_to"] = "Choose the clinician the letter is addressed to."
    if urgency not in URGENCIES:
        errors["urgency"] = "Choose the urgency: emergency, urgent or routine."
    if not reason.strip():
        errors["reason"] = "Give the reason for the referral."
    alerts = referral_alerts(evaluation)
    if alert is not None and alert.pk not in {a.pk for a in alerts}:
        errors["alert"] = (
            "That alert is not one of this evaluation's (or its intake's) alerts that ended "
            "in a referral."
        )
    elif alert is None and plan_referral(evaluation) is None:
        if alerts:
            errors["alert"] = "Choose the red-flag alert the letter follows."
        else:
            errors["__all__"] = NOTHING_ASKS
    return errors


@transaction.atomic
def referral_letter_create(
    *,
    evaluation: Evaluation,
    addressed_to: ReferralContact | None,
    urgency: str,
    reason: str,
    alert: RedFlagAlert | None = None,
    by: Any,
) -> ReferralLetter:
    """Write a referral letter from a signed evaluation to `addressed_to`.

    Refused with a ValidationError (by field where there is one) when the evaluation is not
    signed, the urgency is not emergency, urgent or routine, no contact or reason is given,
    or nothing asks for a referral: neither the plan of care's referral nor `alert`, one of
    the evaluation's or its intake's red-flag alerts dispositioned as a referral.
    """
    if not evaluation.is_signed:
        raise ValidationError(NOT_SIGNED)
    errors = _problems(
        evaluation=evaluation,
        addressed_to=addressed_to,
        urgency=urgency,
        reason=reason,
        alert=alert,
    )
    if errors:
        raise ValidationError(errors)
    assert addressed_to is not None  # checked above
    letter = ReferralLetter.objects.create(
        episode_id=evaluation.episode_id,
        evaluation=evaluation,
        addressed_to=addressed_to,
        urgency=urgency,
        reason=reason.strip(),
        alert=alert,
        created_by=by,
    )
    audit_patient_record(
        letter,
        actor=by,
        action=AuditEvent.Action.CREATE,
        summary=f"Wrote a referral letter to {addressed_to.name}",
        details={
            "evaluation": str(evaluation.public_id),
            "addressed_to": str(addressed_to.public_id),
            "urgency": urgency,
            "alert": str(alert.public_id) if alert else None,
        },
    )
    return letter
