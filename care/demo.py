"""Episodes for synthetic records (seed_demo, benchmarks, test factories): the patient's
open episode, or a new one started on the record's day. Staff opening an episode goes
through care.services, which audits it."""

from __future__ import annotations

import datetime
from typing import Any

from care.models import Episode
from patients.models import Patient


def demo_episode(*, patient: Patient, on: datetime.date, by: Any = None) -> Episode:
    episode = Episode.objects.open().filter(patient=patient).first()
    if episode is not None:
        return episode
    return Episode.objects.create(
        patient=patient,
        start_of_care=on,
        opened_by=by,
        referral=Episode.Referral.DIRECT,
    )


def demo_past_episode(
    *, patient: Patient, start: datetime.date, end: datetime.date, reason: str, by: Any = None
) -> Episode:
    """A course of care that began on `start` and was discharged on `end`."""
    episode = Episode.objects.create(
        patient=patient,
        start_of_care=start,
        opened_by=by,
        referral=Episode.Referral.DIRECT,
        status=Episode.Status.CLOSED,
        discharged_on=end,
        discharge_reason=reason,
        closed_at=datetime.datetime.combine(end, datetime.time(17), tzinfo=datetime.UTC),
        closed_by=by,
    )
    return episode


def demo_discharge(episode: Episode, *, on: datetime.date, reason: str) -> Episode:
    """Close a demo episode (a course of care that ended), on `on` with `reason`."""
    episode.status = Episode.Status.CLOSED
    episode.discharged_on = max(on, episode.start_of_care)
    episode.discharge_reason = reason
    episode.closed_at = datetime.datetime.combine(
        episode.discharged_on, datetime.time(17), tzinfo=datetime.UTC
    )
    episode.save()
    return episode
