"""Submitted follow-up packets for tests, built directly in the shapes of the issue-18
contract (notes/packet_contract.md): an Intake of kind FOLLOW_UP in the baseline intake's
episode, its answers one dict per screen and its scores made by the real scoring engines
(intake.scoring), so a test needs no packet screens.

    packet = make_packet(baseline, purpose="reevaluation", days_ago=2, back=3, leg=6,
                         psfs={"a1": 5}, grc=2)
"""

from __future__ import annotations

import datetime
from typing import Any

from django.utils import timezone

from intake.models import Intake
from intake.questions import FOLLOW_UP_RED_FLAG_CODES
from intake.scoring.nprs import score_nprs
from intake.scoring.odi import SECTION_IDS as ODI_SECTION_IDS
from intake.scoring.odi import score_odi
from intake.scoring.psfs import score_psfs

# The project's seven answers (intake.scoring.grc), copied so these tests stand alone.
GRC_LABELS = {
    3: "Much better",
    2: "Better",
    1: "A little better",
    0: "About the same",
    -1: "A little worse",
    -2: "Worse",
    -3: "Much worse",
}


def packet_answers(
    baseline: Intake,
    *,
    back: int | None = None,
    leg: int | None = None,
    psfs: dict[str, int | None] | None = None,
    odi: dict[str, int | None] | None = None,
    grc: int | None = None,
) -> dict[str, Any]:
    """A packet's answers: the pain screen, the baseline's PSFS activities re-rated (same
    ids and names; `psfs` gives the new scores by id), the ODI sections when given, the
    rating of change and every cauda equina item answered "no"."""
    answers: dict[str, Any] = {
        "pain": {},
        "redflags": dict.fromkeys(FOLLOW_UP_RED_FLAG_CODES, "no"),
    }
    if back is not None:
        answers["pain"]["nprs_back_now"] = back
    if leg is not None:
        answers["pain"]["nprs_leg_now"] = leg
    activities = ((baseline.answers or {}).get("psfs") or {}).get("activities") or []
    if psfs is not None and activities:
        answers["psfs"] = {
            "activities": [
                {"id": a["id"], "name": a["name"], "score": psfs.get(a["id"])} for a in activities
            ]
        }
    if odi is not None:
        sections = {sid: odi.get(sid) for sid in ODI_SECTION_IDS}
        answers["odi"] = {
            "choices": {sid: f"{sid}_s{v}" for sid, v in sections.items() if v is not None},
            "sections": sections,
            "pack_version": "2.1a-test",
        }
    if grc is not None:
        answers["change"] = {"grc": grc}
    return answers


def packet_scores(answers: dict[str, Any]) -> dict[str, Any]:
    """The scores a submitted packet stores, as a first-visit intake's (NPRS 24-hour items
    absent), plus the rating of change."""
    pain = answers.get("pain") or {}
    scores: dict[str, Any] = {}
    if pain:
        scores["nprs"] = score_nprs(pain).as_dict()
    if activities := (answers.get("psfs") or {}).get("activities"):
        result = score_psfs({a["id"]: a["score"] for a in activities}).as_dict()
        result["activities"] = activities
        scores["psfs"] = result
    if "odi" in answers:
        scores["odi"] = score_odi(answers["odi"]["sections"]).as_dict()
    if (value := (answers.get("change") or {}).get("grc")) is not None:
        scores["grc"] = {"value": value, "label": GRC_LABELS[value], "algorithm_version": "grc-1.0"}
    return scores


def make_packet(
    baseline: Intake,
    *,
    purpose: str = Intake.Purpose.REEVALUATION,
    days_ago: float = 1,
    submitted_at: datetime.datetime | None = None,
    due_on: datetime.date | None = None,
    status: str = Intake.Status.SUBMITTED,
    episode=None,
    **values: Any,
) -> Intake:
    """A submitted packet of `baseline`'s episode (or `episode`), answered `days_ago` days
    ago (or at `submitted_at`); `values`: back, leg, psfs, odi, grc as `packet_answers`."""
    at = submitted_at or timezone.now() - datetime.timedelta(days=days_ago)
    answers = packet_answers(baseline, **values)
    return Intake.objects.create(
        patient=baseline.patient,
        episode=episode or baseline.episode,
        kind=Intake.Kind.FOLLOW_UP,
        purpose=purpose,
        due_on=due_on or timezone.localdate(at),
        status=status,
        started_at=at - datetime.timedelta(minutes=4),
        submitted_at=at if status == Intake.Status.SUBMITTED else None,
        answers=answers,
        scores=packet_scores(answers) if status == Intake.Status.SUBMITTED else {},
        triage={},
        red_flag_level=Intake.RedFlagLevel.NONE,
    )
