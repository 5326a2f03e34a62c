"""Reads of an episode's follow-up packets (intake.followup) for the evaluations: the
packet that pre-fills a re-evaluation or discharge, and the submitted packets the
progress charts plot. The rules are `evaluations.packets`' (pure); these only fetch."""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone

from evaluations import packets
from evaluations.models import Evaluation
from intake.models import Intake, IntakeAmendment


def _day_start(on: datetime.date) -> datetime.datetime:
    """Midnight at the start of `on` in the clinic's time zone."""
    return timezone.make_aware(datetime.datetime.combine(on, datetime.time.min))


def prefill_packet(evaluation: Evaluation) -> Intake | None:
    """The packet that pre-fills this evaluation's outcomes (`packets.choose_prefill`), with
    its amendments, or None. Two queries (the episode's other evaluations, then the
    packets in the window), none for an initial evaluation."""
    purpose = packets.PREFILL_PURPOSE.get(evaluation.kind)
    if purpose is None:
        return None
    others = list(
        Evaluation.objects.filter(episode_id=evaluation.episode_id)
        .exclude(pk=evaluation.pk)
        .only("visit_date", "content")
    )
    earlier = [e.visit_date for e in others if e.visit_date <= evaluation.visit_date]
    previous = max(earlier, default=None)
    earliest = packets.earliest_day(evaluation.visit_date, previous)
    found = list(
        Intake.objects.packets()
        .submitted()
        .filter(
            episode_id=evaluation.episode_id,
            purpose=purpose,
            submitted_at__gte=_day_start(earliest),
            submitted_at__lt=_day_start(evaluation.visit_date + datetime.timedelta(days=1)),
        )
        .prefetch_related(Prefetch("amendments", queryset=IntakeAmendment.objects.all()))
        .order_by("-submitted_at", "-id")
    )
    by_id = {str(p.public_id): p for p in found}
    chosen = packets.choose_prefill(
        kind=evaluation.kind,
        visit_date=evaluation.visit_date,
        previous_visit=previous,
        candidates=answered(found),
        used=[u for e in others if (u := packets.used_packet(e.content))],
    )
    return by_id[chosen.public_id] if chosen else None


def _packets(episode_id: int | None) -> QuerySet[Intake]:
    return (
        Intake.objects.packets()
        .submitted()
        .filter(episode_id=episode_id)
        .order_by("submitted_at", "id")
        .only("public_id", "purpose", "submitted_at", "scores")
    )


def answered(rows: Iterable[Intake]) -> list[packets.Answered]:
    """Submitted packets as the pure rules read them, each on the clinic's calendar day."""
    return [
        packets.Answered(
            public_id=str(p.public_id),
            purpose=p.purpose,
            submitted_on=timezone.localdate(p.submitted_at),
            submitted_at=p.submitted_at,
            scores=p.scores or {},
        )
        for p in rows
        if p.submitted_at is not None
    ]


def for_progress(episode_id: int | None) -> list[packets.Answered]:
    """The episode's submitted packets, oldest first, with only what the charts and the
    lists read: one query however many there are."""
    return answered(_packets(episode_id))


def report_packets(evaluation: Evaluation) -> QuerySet[Intake]:
    """The packets a progress or discharge report up to `evaluation` charts: those answered
    up to its visit and, for a discharge, the post-discharge follow-ups answered since (the
    outcome of the course it ends)."""
    up_to = Q(submitted_at__lt=_day_start(evaluation.visit_date + datetime.timedelta(days=1)))
    if evaluation.kind == Evaluation.Kind.DISCHARGE:
        up_to |= Q(purpose__in=list(packets.POST_DISCHARGE_LABELS))
    return _packets(evaluation.episode_id).filter(up_to)


def for_report(evaluation: Evaluation) -> list[packets.Answered]:
    """`report_packets` as the charts read them: one query."""
    return answered(report_packets(evaluation))
