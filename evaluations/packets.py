"""What a follow-up packet (a short patient questionnaire later in the episode of care,
`intake.followup`: an Intake of kind FOLLOW_UP) gives the evaluations: the values that
pre-fill a re-evaluation's or discharge's outcomes, the mark of where they came from, the
points it adds to the episode's progress charts and its values in the outcomes CSV.

Pure: no Django, no database. The selectors that find the packets are
`evaluations.followups`; the service that pre-fills is `services.evaluation_start`.

Decisions made here (product-defined ⚠):

- **Which packet pre-fills.** A re-evaluation reads the episode's latest submitted packet
  for a re-evaluation, a discharge the latest for discharge; an initial evaluation none.
  It must be answered after the day of the episode's previous evaluation (draft or signed:
  either is a visit, and a packet answered before it described the patient then, not now),
  on or before this visit's day, and at most `MAX_AGE_DAYS` (14) days before it: a packet is
  due a few days before the visit (the clinic's lead days, 3 by default), and pain "now" two
  weeks ago is no longer now. Treatment notes do not end the window: a packet answered
  before the re-evaluation is meant for it, however many treatment visits fall between.
  A packet already pre-filling another evaluation of the episode never pre-fills a second.
- **Charts.** A packet that pre-filled an evaluation is not a point of its own: that
  evaluation's point is the same answer, confirmed or corrected by the therapist (two dots
  on one day would count one answer twice). A packet no evaluation used is a
  patient-reported point ("Questionnaire before re-evaluation"); one answered after the
  episode's discharge for a post-discharge follow-up is labelled by its purpose
  ("3 months after discharge").
- **What is compared.** Only the fields the patient answered: a field the therapist fills
  that the patient left blank is not a correction.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from intake.scoring.odi import SECTION_IDS as ODI_SECTION_IDS

PREFILL_VERSION = "packet-prefill-1"
MAX_AGE_DAYS = 14
# Evaluation kind -> the packet purpose that pre-fills it.
PREFILL_PURPOSE: Mapping[str, str] = {"reevaluation": "reevaluation", "discharge": "discharge"}
# The evaluation a packet of each purpose comes before.
KIND_OF_PURPOSE: Mapping[str, str] = {p: k for k, p in PREFILL_PURPOSE.items()}
POST_DISCHARGE_LABELS: Mapping[str, str] = {
    "after_6w": "6 weeks after discharge",
    "after_3m": "3 months after discharge",
    "after_12m": "12 months after discharge",
}
BEFORE_VISIT_LABELS: Mapping[str, str] = {
    "reevaluation": "Questionnaire before re-evaluation",
    "discharge": "Questionnaire before discharge",
}
OTHER_LABEL = "Patient questionnaire"
GRC_MIN, GRC_MAX = -3, 3

# The stored block's keys (the outcomes record v2, `evaluations.records`).
REPORTED = "patient_reported"


def _rating(value: object, high: int) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= high


# --- Which packet pre-fills -------------------------------------------------------------------


@dataclass(frozen=True)
class Answered:
    """What the choice, the charts and the lists read of one submitted packet (an Intake
    row of kind FOLLOW_UP, read by `evaluations.followups`)."""

    public_id: str
    purpose: str
    submitted_on: datetime.date  # the clinic's calendar day
    submitted_at: datetime.datetime
    scores: Mapping[str, Any] = field(default_factory=dict)


def earliest_day(visit_date: datetime.date, previous_visit: datetime.date | None) -> datetime.date:
    """The first day a packet pre-filling a visit on `visit_date` may have been answered."""
    earliest = visit_date - datetime.timedelta(days=MAX_AGE_DAYS)
    if previous_visit is not None:
        earliest = max(earliest, previous_visit + datetime.timedelta(days=1))
    return earliest


def choose_prefill(
    *,
    kind: str,
    visit_date: datetime.date,
    previous_visit: datetime.date | None,
    candidates: Iterable[Answered],
    used: Iterable[str] = (),
) -> Answered | None:
    """The packet that pre-fills an evaluation of `kind` on `visit_date`, or None (see the
    module's decisions)."""
    purpose = PREFILL_PURPOSE.get(kind)
    if purpose is None:
        return None
    earliest, taken = earliest_day(visit_date, previous_visit), set(used)
    fitting = [
        c
        for c in candidates
        if c.purpose == purpose
        and earliest <= c.submitted_on <= visit_date
        and c.public_id not in taken
    ]
    return max(fitting, key=lambda c: c.submitted_at, default=None)


# --- The values it pre-fills --------------------------------------------------------------------


def prefill_values(
    answers: Mapping[str, Any], *, psfs_ids: Sequence[str], odi_licensed: bool
) -> dict[str, Any]:
    """The packet's answers as the outcomes section's fields: back and leg pain now, the
    scores of the baseline's PSFS activities (matched by id) and, where the clinic holds
    the ODI licence, the ODI sections. Only what the patient answered, in range."""
    values: dict[str, Any] = {}
    pain = answers.get("pain") or {}
    for key in ("back_now", "leg_now"):
        value = pain.get(f"nprs_{key}")
        if _rating(value, 10):
            values[key] = value
    wanted = set(psfs_ids)
    psfs = {
        a["id"]: a["score"]
        for a in (answers.get("psfs") or {}).get("activities") or ()
        if isinstance(a, Mapping) and a.get("id") in wanted and _rating(a.get("score"), 10)
    }
    if psfs:
        values["psfs"] = psfs
    if odi_licensed:
        sections = (answers.get("odi") or {}).get("sections") or {}
        odi = {sid: sections[sid] for sid in ODI_SECTION_IDS if _rating(sections.get(sid), 5)}
        if odi:
            values["odi_sections"] = odi
    return values


def grc_of(scores: Mapping[str, Any] | None) -> dict[str, Any] | None:
    """The packet's global rating of change ({"value": -3..3, "label": words}), if any."""
    grc = (scores or {}).get("grc") or {}
    value = grc.get("value")
    if isinstance(value, bool) or not isinstance(value, int) or not GRC_MIN <= value <= GRC_MAX:
        return None
    return {"value": value, "label": str(grc.get("label") or "")}


def grc_text(grc: object) -> str:
    """The global rating of change as read: "Much better (+2)" ('' for none)."""
    if not isinstance(grc, Mapping):
        return ""
    value = grc.get("value")
    if isinstance(value, bool) or not isinstance(value, int):
        return ""
    number = f"+{value}" if value > 0 else ("\u2212" + str(-value) if value < 0 else "0")
    label = str(grc.get("label") or "").strip()
    return f"{label} ({number})" if label else f"{number} on a scale from \u22123 to +3"


def reported_block(
    *,
    packet_id: str,
    on: datetime.date,
    purpose: str,
    values: Mapping[str, Any],
    grc: Mapping[str, Any] | None,
) -> dict[str, Any]:
    """What the outcomes record keeps of the patient's answers, beside the therapist's."""
    return {
        "packet": packet_id,
        "on": on.isoformat(),
        "purpose": purpose,
        "values": dict(values),
        "grc": dict(grc) if grc else None,
        "version": PREFILL_VERSION,
    }


def field_values(values: Mapping[str, Any]) -> dict[str, int]:
    """The pre-filled values by the outcomes form's field names: back_now, leg_now,
    psfs_<activity id> and the ODI section ids."""
    out: dict[str, int] = {k: values[k] for k in ("back_now", "leg_now") if k in values}
    out |= {f"psfs_{aid}": score for aid, score in (values.get("psfs") or {}).items()}
    out |= dict(values.get("odi_sections") or {})
    return out


def reported_of(record: Mapping[str, Any] | None) -> dict[str, Any] | None:
    """The patient-reported block of an outcomes record (None for one without: every record
    of version 1, and those no packet pre-filled)."""
    block = (record or {}).get(REPORTED)
    if isinstance(block, Mapping) and block.get("packet"):
        return dict(block)
    return None


def reported_on(block: Mapping[str, Any]) -> datetime.date | None:
    try:
        return datetime.date.fromisoformat(str(block.get("on")))
    except ValueError:
        return None


def therapist_values(record: Mapping[str, Any]) -> dict[str, int | None]:
    """The therapist's values in the record, by the same field names as `field_values`."""
    out: dict[str, int | None] = {k: record.get(k) for k in ("back_now", "leg_now")}
    for a in record.get("psfs") or ():
        out[f"psfs_{a.get('id')}"] = a.get("score")
    out |= dict(record.get("odi_sections") or {})
    return out


def differences(record: Mapping[str, Any] | None) -> dict[str, tuple[int, int | None]]:
    """Field name -> (the patient's value, the therapist's) where the therapist recorded
    something other than what the patient reported."""
    block = reported_of(record)
    if block is None or record is None:
        return {}
    mine = therapist_values(record)
    return {
        name: (value, mine.get(name))
        for name, value in field_values(block.get("values") or {}).items()
        if mine.get(name) != value
    }


def used_packet(content: Mapping[str, Any] | None) -> str | None:
    """The packet an evaluation's outcomes were pre-filled from, if any (from its content)."""
    block = reported_of((content or {}).get("outcomes"))
    return str(block["packet"]) if block else None


# --- On the charts and in the CSV -----------------------------------------------------------


def progress_values(scores: Mapping[str, Any] | None) -> dict[str, float]:
    """A submitted packet's values by progress measure code (`evaluations.progress`), read
    from its scores, which are in a first-visit intake's shape and recomputed when staff
    amend an answer."""
    s = scores or {}
    values: dict[str, float] = {}
    nprs = s.get("nprs") or {}
    for code, region in (("back_pain", "back"), ("leg_pain", "leg")):
        now = (nprs.get(region) or {}).get("now")
        if isinstance(now, int) and _rating(now, 10):
            values[code] = float(now)
    for code, key, name, high in (("odi", "odi", "percentage", 100), ("psfs", "psfs", "mean", 10)):
        value = (s.get(key) or {}).get(name)
        if isinstance(value, int | float) and not isinstance(value, bool) and 0 <= value <= high:
            values[code] = float(value)
    return values


def point_label(
    purpose: str, submitted_on: datetime.date, discharged_on: datetime.date | None
) -> str:
    """A packet's label on the charts: its post-discharge follow-up when answered after the
    episode's discharge, else the visit it came before."""
    after = POST_DISCHARGE_LABELS.get(purpose)
    if after and discharged_on is not None and submitted_on >= discharged_on:
        return after
    return BEFORE_VISIT_LABELS.get(purpose, OTHER_LABEL)


def purpose_label(purpose: str) -> str:
    """The purpose in the words of the CSV and the lists."""
    return POST_DISCHARGE_LABELS.get(purpose) or {
        "reevaluation": "Before re-evaluation",
        "discharge": "Before discharge",
    }.get(purpose, purpose)
