"""When follow-up questionnaires fall due, and the services that schedule them.

A packet falls due a few days (the clinic's `followup_lead_days`) before each re-evaluation
and the discharge a signed plan of care names, so that its answers are in before the
therapist sees the patient; and, where the clinic has switched them on, 6 weeks, 3 months
and 12 months after discharge. The app sends nothing itself: a due packet is listed on the
front desk's home with "Create link" and "Start on tablet" (intake.followup.panels).

The dates are worked out by pure functions of the plan and the discharge date (versioned,
tested at their edges); the services store them as Intake rows of kind FOLLOW_UP with the
status SCHEDULED until the front desk hands them over.
"""

from __future__ import annotations

import datetime
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.dispatch import receiver
from django.utils import timezone

from audit.models import AuditEvent
from audit.services import audit_patient_record
from care.models import Episode
from care.signals import episode_discharged
from core.models import Clinic
from intake.models import Intake

SCHEDULE_VERSION = "followup-schedule-1"

Purpose = Intake.Purpose
BEFORE_VISITS = (Purpose.REEVALUATION, Purpose.DISCHARGE)
# Days from discharge. 3 months and 12 months as 13 and 52 weeks, so each falls on the
# weekday of the discharge (clinics book by weekday).
AFTER_DISCHARGE: Mapping[str, int] = {
    Purpose.AFTER_6W: 42,
    Purpose.AFTER_3M: 91,
    Purpose.AFTER_12M: 364,
}


@dataclass(frozen=True, order=True)
class Due:
    due_on: datetime.date
    purpose: str


@dataclass(frozen=True)
class PlanDates:
    """What a signed plan of care says about the visits ahead."""

    visit_date: datetime.date
    reeval_date: datetime.date | None = None
    weeks: int | None = None

    @classmethod
    def from_content(cls, content: Mapping[str, Any]) -> PlanDates | None:
        """From an evaluation's content (its outcomes' visit date and its plan), or None
        when the plan names neither a re-evaluation nor a length of care."""
        plan = content.get("plan") or {}
        visit = (content.get("outcomes") or {}).get("visit_date")
        reeval = plan.get("reeval_date") or None
        weeks = plan.get("weeks") or None
        if not visit or not (reeval or weeks):
            return None
        return cls(
            visit_date=datetime.date.fromisoformat(visit),
            reeval_date=datetime.date.fromisoformat(reeval) if reeval else None,
            weeks=int(weeks) if weeks else None,
        )

    @property
    def planned_end(self) -> datetime.date | None:
        return self.visit_date + datetime.timedelta(weeks=self.weeks) if self.weeks else None


def before_visits(plan: PlanDates, *, lead_days: int, today: datetime.date) -> list[Due]:
    """The packets a plan asks for: one before its re-evaluation, one before its planned
    discharge (the visit date plus the weeks of care). Never due before today: a visit
    closer than the lead time gets its packet today. A visit already past gets none. A
    re-evaluation on or after the planned end is the discharge visit: one packet."""
    lead = datetime.timedelta(days=lead_days)
    out = []
    end = plan.planned_end
    reeval = plan.reeval_date
    if reeval and reeval >= today and not (end and reeval >= end):
        out.append(Due(max(today, reeval - lead), Purpose.REEVALUATION))
    if end and end >= today:
        out.append(Due(max(today, end - lead), Purpose.DISCHARGE))
    return sorted(out)


def after_discharge(discharged_on: datetime.date, *, enabled: Collection[str]) -> list[Due]:
    """The packets after discharge the clinic asks for."""
    return sorted(
        Due(discharged_on + datetime.timedelta(days=days), purpose)
        for purpose, days in AFTER_DISCHARGE.items()
        if purpose in enabled
    )


def enabled_after_discharge(clinic: Clinic) -> set[str]:
    return {
        purpose
        for purpose, on in (
            (Purpose.AFTER_6W, clinic.followup_after_6w),
            (Purpose.AFTER_3M, clinic.followup_after_3m),
            (Purpose.AFTER_12M, clinic.followup_after_12m),
        )
        if on
    }


# ---------------------------------------------------------------- services


def _sync(
    *, episode: Episode, wanted: Iterable[Due], replace: Collection[str], by: Any, why: str
) -> list[Intake]:
    """Make the episode's scheduled packets of the `replace` purposes exactly `wanted`:
    create the missing, cancel the scheduled ones no longer wanted. A packet already
    handed over or answered is never touched, and its due date is not scheduled again."""
    wanted = set(wanted)
    packets = list(
        Intake.objects.select_for_update()
        .packets()
        .filter(episode=episode, purpose__in=replace)
        .exclude(status=Intake.Status.CANCELLED)
    )
    have = {Due(p.due_on, p.purpose) for p in packets if p.due_on}
    now = timezone.now()
    for packet in packets:
        if (
            packet.status == Intake.Status.SCHEDULED
            and Due(packet.due_on, packet.purpose) not in wanted
        ):
            packet.status = Intake.Status.CANCELLED
            packet._history_user = by
            packet.save(update_fields=["status", "updated_at"])
            audit_patient_record(
                packet,
                actor=by,
                action=AuditEvent.Action.UPDATE,
                summary=f"Cancelled the follow-up questionnaire due {packet.due_on:%d %b %Y} "
                f"({packet.get_purpose_display().lower()}): {why}",
                details={"schedule": SCHEDULE_VERSION},
            )
    created = []
    for due in sorted(wanted - have):
        packet = Intake(
            patient_id=episode.patient_id,
            episode=episode,
            kind=Intake.Kind.FOLLOW_UP,
            purpose=due.purpose,
            due_on=due.due_on,
            status=Intake.Status.SCHEDULED,
            started_at=now,
        )
        packet._history_user = by
        packet.save()
        created.append(packet)
        audit_patient_record(
            packet,
            actor=by,
            action=AuditEvent.Action.CREATE,
            summary="Scheduled a follow-up questionnaire "
            f"({packet.get_purpose_display().lower()}), due {due.due_on:%d %b %Y}: {why}",
            details={"schedule": SCHEDULE_VERSION, "purpose": due.purpose},
        )
    return created


@transaction.atomic
def packets_plan(*, episode: Episode, plan: PlanDates, by: Any, why: str) -> list[Intake]:
    """Schedule the packets a newly signed plan of care asks for. Those still waiting from
    an earlier plan are replaced: the latest plan's dates are the ones the clinic books."""
    if not episode.is_open:
        return []
    clinic = Clinic.objects.current()
    wanted = before_visits(plan, lead_days=clinic.followup_lead_days, today=timezone.localdate())
    return _sync(episode=episode, wanted=wanted, replace=BEFORE_VISITS, by=by, why=why)


@transaction.atomic
def packets_after_discharge(*, episode: Episode, by: Any) -> list[Intake]:
    """On discharge: the packets before visits that will not happen are cancelled, and the
    clinic's post-discharge packets are scheduled."""
    _sync(
        episode=episode, wanted=(), replace=BEFORE_VISITS, by=by, why="the episode was discharged"
    )
    if episode.discharged_on is None:
        return []
    wanted = after_discharge(
        episode.discharged_on, enabled=enabled_after_discharge(Clinic.objects.current())
    )
    return _sync(
        episode=episode,
        wanted=wanted,
        replace=tuple(AFTER_DISCHARGE),
        by=by,
        why="after discharge, as the clinic's settings ask",
    )


@receiver(episode_discharged, dispatch_uid="followup-after-discharge")
def _on_discharge(sender: type[Episode], *, episode: Episode, by: Any, **kwargs: Any) -> None:
    # care cannot import intake (it sits below it), so it announces the discharge and the
    # packets are scheduled here, in the same transaction as the discharge itself.
    packets_after_discharge(episode=episode, by=by)


class PacketNotDue(Exception):
    """The packet was answered, cancelled or is no longer waiting."""


@transaction.atomic
def packet_open(*, packet: Intake, by: Any) -> Intake:
    """Make a due packet ready to hand over (before its link or tablet session is made):
    it is in progress from now, started by this member of staff. An open packet is
    returned as it is; one answered or cancelled is refused."""
    packet = Intake.objects.select_for_update().get(pk=packet.pk)
    if not packet.is_packet:
        raise PacketNotDue
    if packet.status == Intake.Status.IN_PROGRESS:
        return packet
    if packet.status != Intake.Status.SCHEDULED:
        raise PacketNotDue
    packet.status = Intake.Status.IN_PROGRESS
    packet.started_at = timezone.now()
    packet.started_by = by
    packet._history_user = by
    packet.save(update_fields=["status", "started_at", "started_by", "updated_at"])
    audit_patient_record(
        packet,
        actor=by,
        action=AuditEvent.Action.UPDATE,
        summary="Opened the follow-up questionnaire "
        f"({packet.get_purpose_display().lower()}) to hand to the patient",
        details={"due_on": packet.due_on.isoformat() if packet.due_on else None},
    )
    return packet


@transaction.atomic
def packet_cancel(*, packet: Intake, by: Any, reason: str) -> Intake:
    """Withdraw a packet not yet answered (the patient declined, or moved away): it leaves
    the front desk's lists, and any link or tablet session for it stops working."""
    packet = Intake.objects.select_for_update().get(pk=packet.pk)
    reason = reason.strip()
    if not reason:
        raise ValueError("Say why the questionnaire is withdrawn.")
    if not packet.is_packet or packet.status not in (
        Intake.Status.SCHEDULED,
        Intake.Status.IN_PROGRESS,
    ):
        raise PacketNotDue
    packet.status = Intake.Status.CANCELLED
    packet._history_user = by
    packet.save(update_fields=["status", "updated_at"])
    packet.accesses.filter(revoked_at__isnull=True).update(revoked_at=timezone.now())
    audit_patient_record(
        packet,
        actor=by,
        action=AuditEvent.Action.UPDATE,
        summary="Withdrew the follow-up questionnaire "
        f"({packet.get_purpose_display().lower()}, due {packet.due_on:%d %b %Y})",
        details={"reason": reason},
    )
    return packet
