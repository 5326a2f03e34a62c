"""The outcomes section in words: this visit's scores for the findings box, and, where the
section was pre-filled from the patient's follow-up packet (`evaluations.packets`), what
the patient reported beside what the therapist recorded.

Where the two agree, the value is printed once, marked "patient-reported on <date>";
where the therapist corrected it, both: "Leg pain 4/10 (patient reported 6 on 3 Dec
2026)". A record of version 1, or one no packet pre-filled, reads as it always did.

- `page(findings, content)`: the findings box's rows;
- `document(record, found)`: the patient-reported notes the evaluation PDF prints beside
  its rows (by progress measure code, and by PSFS activity), and the global rating of
  change. Its other rows come from reports.docs.evaluation, against the intake.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from evaluations import packets
from evaluations.presenters.common import Record, Shown
from evaluations.progress import format_number
from evaluations.wording import unbroken_date
from intake.scoring.odi import SECTION_IDS as ODI_SECTION_IDS
from intake.scoring.odi import score_odi
from intake.scoring.psfs import score_psfs

PAIN = (("back_pain", "back_now", "Back pain"), ("leg_pain", "leg_now", "Leg pain"))


@dataclass(frozen=True)
class Compared:
    """What the patient reported against what the therapist recorded."""

    packet: str
    on: str  # the day in words
    grc: str  # "Much better (+2)", or ''
    notes: dict[str, str] = field(default_factory=dict)  # measure code -> note
    activities: dict[str, str] = field(default_factory=dict)  # PSFS activity id -> note
    # Measure code -> the patient's value, where the therapist recorded none.
    patient_only: dict[str, str] = field(default_factory=dict)


def _note(on: str, patient: str, differs: bool) -> str:
    return f"patient reported {patient} on {on}" if differs else f"patient-reported on {on}"


def _psfs(record: Record, reported: Mapping[str, Any], on: str, out: Compared) -> None:
    mine = {a.get("id"): a.get("score") for a in record.get("psfs") or ()}
    differs = False
    for aid, value in reported.items():
        changed = mine.get(aid) != value
        differs = differs or changed
        out.activities[aid] = _note(on, str(value), changed)
    if not reported:
        return
    if not differs:
        out.notes["psfs"] = _note(on, "", False)
        return
    # The patient's mean over the activities this record rates (all of the baseline's).
    ratings = {str(aid): reported.get(aid) for aid in mine if aid}
    try:
        mean = score_psfs(ratings).mean
    except ValueError:  # no activity or too many: no mean to give
        mean = None
    patient = f"a mean of {format_number(mean)}" if mean is not None else "other scores"
    out.notes["psfs"] = _note(on, patient, True)


def _odi(record: Record, reported: Mapping[str, Any], on: str, out: Compared) -> None:
    if not reported:
        return
    mine = record.get("odi_sections") or {}
    if all(mine.get(sid) == value for sid, value in reported.items()):
        out.notes["odi"] = _note(on, "", False)
        return
    try:
        percentage = score_odi({sid: reported.get(sid) for sid in ODI_SECTION_IDS}).percentage
    except ValueError:  # not a record the form wrote
        percentage = None
    patient = f"{format_number(percentage)}%" if percentage is not None else "too few to score"
    out.notes["odi"] = _note(on, patient, True)


def compare(record: Record | None) -> Compared | None:
    """The patient's answers against the therapist's values in an outcomes record, or None
    when no packet pre-filled it."""
    block = packets.reported_of(record)
    if block is None or record is None:
        return None
    day = packets.reported_on(block)
    on = unbroken_date(day) if day else "an unknown date"
    values = block.get("values") or {}
    out = Compared(packet=str(block["packet"]), on=on, grc=packets.grc_text(block.get("grc")))
    for code, key, _noun in PAIN:
        if key not in values:
            continue
        patient, mine = values[key], record.get(key)
        out.notes[code] = _note(on, str(patient), mine != patient)
        if mine is None:
            out.patient_only[code] = str(patient)
    _psfs(record, values.get("psfs") or {}, on, out)
    _odi(record, values.get("odi_sections") or {}, on, out)
    return out


def _row(code: str, text: str, compared: Compared | None, version: str = "") -> dict[str, str]:
    note = compared.notes.get(code, "") if compared else ""
    return {"code": code, "text": text, "version": version, "reported": note}


def page(findings: Mapping[str, Any], content: Mapping[str, Any]) -> Shown | None:
    """The findings box: this visit's scores, each with what the patient reported."""
    found = findings.get("outcomes") or {}
    compared = compare(content.get("outcomes"))
    rows = []
    for code, key, noun in PAIN:
        if found.get(key) is not None:
            rows.append(_row(code, f"{noun} {found[key]}/10", compared))
        elif compared and code in compared.patient_only:
            rows.append(_row(code, f"{noun} not recorded", compared))
    if odi := found.get("odi"):
        if odi.get("percentage") is not None:
            text = f"ODI {odi['percentage']}% ({(odi.get('band') or {}).get('label', '')})"
        else:
            text = f"ODI not scorable ({len(odi.get('missing_sections') or ())} sections missing)"
        rows.append(_row("odi", text, compared, odi.get("algorithm_version", "")))
    if psfs := found.get("psfs"):
        mean = psfs.get("mean")
        text = f"PSFS mean {mean}/10" if mean is not None else "PSFS mean incomplete"
        rows.append(_row("psfs", text, compared, psfs.get("algorithm_version", "")))
    if not rows and compared is None:
        return None
    return {
        "rows": rows,
        "reported": {"packet": compared.packet, "on": compared.on, "grc": compared.grc}
        if compared
        else None,
    }


def document(record: Any, found: Any) -> Shown | None:
    """What the evaluation PDF prints of the patient's answers: a note per measure (by
    progress measure code) and per PSFS activity, and the global rating of change."""
    compared = compare(record if isinstance(record, Mapping) else None)
    if compared is None:
        return None
    return {
        "packet": compared.packet,
        "on": compared.on,
        "grc": compared.grc,
        "measures": dict(compared.notes),
        "activities": dict(compared.activities),
        "patient_only": dict(compared.patient_only),
    }
