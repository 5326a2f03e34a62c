"""The daily treatment note: the visits between evaluations. Its stored record, how what
the therapist typed becomes that record (with messages in the screen's words), what
signing needs, the cauda equina re-check, the rows to tick from the plan of care and the
points the note adds to the episode's progress charts.

Pure: no Django, no database. The model (`evaluations.models.TreatmentNote`) stores the
record under `content`; services and views call this module, never the other way round.

The record (`SCHEMA` 1):

    {
      "schema": 1,
      "catalog_version": the plan catalog the interventions were checked against,
      "interventions": [
        {"code": catalog code, "done": bool,
         "values": {param: value}  (the plan's parameters as adjusted today),
         "planned": {param: value} (as the plan of care gave them; never changed)},
      ],
      "response": "CENTRALISING" | "PERIPHERALISING" | "NO_EFFECT" | "ABOLISHED" | None,
      "distal_site": a `mdt.DistalSite` code | None  (the most distal symptom today),
      "back_nprs": 0-10 | None, "leg_nprs": 0-10 | None,
      "hep_adherence": "ALL" | "MOST" | "SOME" | "NONE" | "NOT_SET" | None,
      "minutes": 1-240 | None,
      "notes": str,
      "ces_recheck": {"CES-1": "yes" | "no" | "unsure", ...}  (the items answered),
      "myotomes": {"myo_<MOVEMENT>_<L|R>": 0-5, ...}  (an optional quick re-check, keyed
                  as the neuro exam's record is, `neuro.keys.NEURO`; compared with the
                  episode's last signed exam by serial surveillance),
    }

A draft may leave anything unanswered; `sign_problems` says what signing needs. The
cauda equina re-check asks the tablet's CES items again (clinical.md 2.2) in the red-flag
ruleset's staff wording; "not sure" counts as yes, as on the tablet (clinical.md 2.8).
"""

from __future__ import annotations

import datetime
import enum
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

from evaluations import plan_catalog
from evaluations.mdt import DistalSite
from evaluations.neuro.keys import NEURO
from evaluations.neuro.vocabulary import MOVEMENTS
from evaluations.vocabulary import label
from intake.questions import RED_FLAG_QUESTIONS
from intake.triage import CES_ITEMS, Answer, default_ruleset

SCHEMA = 1
SCHEMA_KEY = "schema"
NPRS_MIN, NPRS_MAX = 0, 10
MINUTES_MIN, MINUTES_MAX = 1, 240
NOTES_MAX = 4000

Record = dict[str, Any]


class Response(enum.StrEnum):
    """The symptoms' response within the session (§4: the MDT response words)."""

    CENTRALISING = "CENTRALISING"
    PERIPHERALISING = "PERIPHERALISING"
    NO_EFFECT = "NO_EFFECT"
    ABOLISHED = "ABOLISHED"


RESPONSE_CHOICES: tuple[tuple[str, str], ...] = (
    (Response.CENTRALISING, "Centralising: moved towards the spine"),
    (Response.PERIPHERALISING, "Peripheralising: spread further down the leg"),
    (Response.NO_EFFECT, "No effect"),
    (Response.ABOLISHED, "Abolished: no symptoms left"),
)


class Adherence(enum.StrEnum):
    """How much of the home exercise programme the patient did since the last visit."""

    ALL = "ALL"
    MOST = "MOST"
    SOME = "SOME"
    NONE = "NONE"
    NOT_SET = "NOT_SET"


ADHERENCE_CHOICES: tuple[tuple[str, str], ...] = (
    (Adherence.ALL, "All of it"),
    (Adherence.MOST, "Most of it"),
    (Adherence.SOME, "Some of it"),
    (Adherence.NONE, "None of it"),
    (Adherence.NOT_SET, "No home programme set yet"),
)

DISTAL_CHOICES: tuple[tuple[str, str], ...] = tuple((s.value, label(s.value)) for s in DistalSite)

CES_ANSWERS: tuple[tuple[str, str], ...] = (
    (Answer.NO, "No"),
    (Answer.YES, "Yes"),
    (Answer.UNSURE, "Not sure"),
)


@dataclass(frozen=True)
class CesItem:
    code: str  # "CES-3"
    staff_text: str  # the red-flag ruleset's words, as the alert page shows them
    patient_text: str  # the tablet's question, to ask in the patient's words


@cache
def ces_items() -> tuple[CesItem, ...]:
    """The cauda equina items to ask again, in the tablet's order (bladder and bowel
    first), each in the ruleset's staff wording and the tablet's question."""
    staff = default_ruleset().items
    return tuple(
        CesItem(code=code, staff_text=staff.get(code, code), patient_text=question)
        for code, question in RED_FLAG_QUESTIONS
        if code in CES_ITEMS
    )


# --- Field names (as the note's form posts them) -------------------------------------------

# The scalar fields are named as in the record ("visit_date" too); these name the rest.


GRADE_MIN, GRADE_MAX = 0, 5
GRADE_MESSAGE = f"Choose a grade from {GRADE_MIN} to {GRADE_MAX}, or leave it blank."
SIDES = (("L", "left"), ("R", "right"))


def myotome_fields() -> list[tuple[str, str, str]]:
    """The quick re-check's cells: (field name, movement's label with its roots, side)."""
    return [
        (NEURO.myotome(code, side), f"{info.label} ({'/'.join(info.roots)})", word)
        for code, info in MOVEMENTS.items()
        for side, word in SIDES
    ]


def ces_field(code: str) -> str:
    return f"ces_{code}"


def done_field(row: int) -> str:
    return f"iv_{row}_done"


def param_field(row: int, param: str) -> str:
    return f"iv_{row}__{param}"


# --- The rows from the plan of care ----------------------------------------------------------


def plan_interventions(plan: Mapping[str, Any] | None) -> list[Record]:
    """The plan of care's interventions (an evaluation's plan record, any version: items
    are `{"code", "values"}`) as the note's rows to tick, each with the planned parameters
    to adjust. An intervention the catalog no longer has is left out: it cannot be
    checked or described."""
    rows: list[Record] = []
    for item in (plan or {}).get("items") or ():
        if not isinstance(item, Mapping):
            continue
        code = item.get("code")
        if not isinstance(code, str) or code not in plan_catalog.BY_CODE:
            continue
        values = dict(item.get("values") or {})
        rows.append({"code": code, "done": False, "values": values, "planned": dict(values)})
    return rows


def describe_row(row: Mapping[str, Any], *, planned: bool = False) -> str:
    """One line for a row: "Neural mobilisation: slider, sciatic nerve, 3 sets x 10"."""
    values = row.get("planned" if planned else "values") or {}
    return plan_catalog.describe_item(str(row.get("code", "")), values)


def new_record(plan: Mapping[str, Any] | None) -> Record:
    """A fresh note's record: the plan's rows, nothing answered yet."""
    return write(
        {
            "catalog_version": plan_catalog.CATALOG_VERSION,
            "interventions": plan_interventions(plan),
            "response": None,
            "distal_site": None,
            "back_nprs": None,
            "leg_nprs": None,
            "hep_adherence": None,
            "minutes": None,
            "notes": "",
            "ces_recheck": {},
        }
    )


def write(record: Mapping[str, Any]) -> Record:
    return {**record, SCHEMA_KEY: SCHEMA}


def read(record: Mapping[str, Any] | None) -> Record:
    """A stored record in the current format (version 1 is the only one so far)."""
    out = dict(record or {})
    out.setdefault(SCHEMA_KEY, SCHEMA)
    out.setdefault("interventions", [])
    out.setdefault("ces_recheck", {})
    out.setdefault("notes", "")
    out.setdefault("myotomes", {})
    return out


# --- From what was typed ---------------------------------------------------------------------

_INT = re.compile(r"[+-]?[0-9]{1,6}", re.ASCII)
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", re.ASCII)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


class _Invalid(Exception):
    pass


def _one(raw: Mapping[str, Any], name: str) -> Any:
    value = raw.get(name)
    if isinstance(value, list | tuple):
        value = value[-1] if value else None
    return value.strip() if isinstance(value, str) else value


def _many(raw: Mapping[str, Any], name: str) -> Any:
    getlist = getattr(raw, "getlist", None)
    return getlist(name) if callable(getlist) else raw.get(name)


def _choice(value: Any, choices: Sequence[tuple[str, str]], message: str) -> str | None:
    if value is None or value == "":
        return None
    if not isinstance(value, str) or value not in {code for code, _ in choices}:
        raise _Invalid(message)
    return value


def _whole(value: Any, low: int, high: int, message: str) -> int | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise _Invalid(message)
    if isinstance(value, int):
        number = value
    elif isinstance(value, str) and _INT.fullmatch(value):
        number = int(value)
    else:
        raise _Invalid(message)
    if not low <= number <= high:
        raise _Invalid(message)
    return number


def _date(value: Any, earliest: datetime.date, latest: datetime.date) -> datetime.date | None:
    if value is None or value == "":
        return None
    if isinstance(value, datetime.date) and not isinstance(value, datetime.datetime):
        on = value
    else:
        try:
            if not (isinstance(value, str) and _ISO_DATE.fullmatch(value)):
                raise ValueError
            on = datetime.date.fromisoformat(value)
        except ValueError:
            raise _Invalid("Enter the visit date as year-month-day, e.g. 2026-11-30.") from None
    if on > latest:
        raise _Invalid(f"The visit date cannot be after {_day(latest)}.")
    if on < earliest:
        raise _Invalid(f"The visit date cannot be before the episode began ({_day(earliest)}).")
    return on


def _day(on: datetime.date) -> str:
    return f"{on.day} {on:%b %Y}"


def _text(value: Any) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise _Invalid("Enter text.")
    if _CONTROL.search(value):
        raise _Invalid("Remove the hidden control characters from this text.")
    if len(value) > NOTES_MAX:
        raise _Invalid(f"Shorten the notes to {NOTES_MAX} characters or fewer.")
    return value


_TRUE = frozenset({"on", "true", "1", "yes"})
_FALSE = frozenset({"", "off", "false", "0", "no"})


def _tick(value: Any) -> bool:
    if value is None or isinstance(value, bool):
        return bool(value)
    if isinstance(value, str) and value.lower() in _TRUE | _FALSE:
        return value.lower() in _TRUE
    raise _Invalid("Tick the box or leave it empty.")


NPRS_MESSAGE = f"Enter a whole number from {NPRS_MIN} to {NPRS_MAX}."
_MESSAGES = {
    "response": "Choose how the symptoms responded: centralising, peripheralising, no effect "
    "or abolished.",
    "distal_site": "Choose where the most distal symptom is from the list.",
    "hep_adherence": "Choose how much of the home programme was done.",
    "minutes": f"Enter the minutes spent as a whole number from {MINUTES_MIN} to {MINUTES_MAX}.",
    "ces": "Answer no, yes or not sure.",
}


def clean(
    raw: Mapping[str, Any],
    *,
    rows: Sequence[Mapping[str, Any]],
    earliest: datetime.date,
    latest: datetime.date,
) -> tuple[Record, dict[str, str], datetime.date | None]:
    """What was typed (`raw`: field name -> value, as the note's form posts them or as its
    form cleaned them), checked. `rows` are the note's stored intervention rows: their
    codes and planned values come from there, never from the post. The visit date must
    fall from `earliest` (the episode's start) to `latest` (today, or the discharge).

    Returns (record, errors, visit date): the record holds every value that is valid, so
    the cauda equina answers count even while another field is wrong; `errors` maps a
    field name to a message for the therapist; store the record only when it is empty.
    A row's parameters are checked against the catalog only when it is ticked done.
    Never raises on bad input."""
    errors: dict[str, str] = {}
    record: Record = {"catalog_version": plan_catalog.CATALOG_VERSION}

    def take(name: str, check: Any) -> Any:
        try:
            return check()
        except _Invalid as invalid:
            errors[name] = str(invalid)
            return None

    visit = take("visit_date", lambda: _date(_one(raw, "visit_date"), earliest, latest))
    record["response"] = take(
        "response",
        lambda: _choice(_one(raw, "response"), RESPONSE_CHOICES, _MESSAGES["response"]),
    )
    record["distal_site"] = take(
        "distal_site",
        lambda: _choice(_one(raw, "distal_site"), DISTAL_CHOICES, _MESSAGES["distal_site"]),
    )
    for name in ("back_nprs", "leg_nprs"):
        record[name] = take(
            name, lambda n=name: _whole(_one(raw, n), NPRS_MIN, NPRS_MAX, NPRS_MESSAGE)
        )
    record["hep_adherence"] = take(
        "hep_adherence",
        lambda: _choice(_one(raw, "hep_adherence"), ADHERENCE_CHOICES, _MESSAGES["hep_adherence"]),
    )
    record["minutes"] = take(
        "minutes",
        lambda: _whole(_one(raw, "minutes"), MINUTES_MIN, MINUTES_MAX, _MESSAGES["minutes"]),
    )
    record["notes"] = take("notes", lambda: _text(_one(raw, "notes"))) or ""
    answers: dict[str, str] = {}
    for item in ces_items():
        name = ces_field(item.code)
        answer = take(name, lambda n=name: _choice(_one(raw, n), CES_ANSWERS, _MESSAGES["ces"]))
        if answer is not None:
            answers[item.code] = answer
    record["ces_recheck"] = answers
    grades: dict[str, int] = {}
    for name, _label, _side in myotome_fields():
        grade = take(name, lambda n=name: _whole(_one(raw, n), GRADE_MIN, GRADE_MAX, GRADE_MESSAGE))
        if grade is not None:
            grades[name] = grade
    record["myotomes"] = grades
    record["interventions"] = [_row(raw, i, row, errors) for i, row in enumerate(rows)]
    return write(record), errors, visit


def _row(raw: Mapping[str, Any], i: int, row: Mapping[str, Any], errors: dict[str, str]) -> Record:
    code = str(row.get("code", ""))
    planned = dict(row.get("planned") or {})
    try:
        done = _tick(_one(raw, done_field(i)))
    except _Invalid as invalid:
        errors[done_field(i)] = str(invalid)
        done = False
    item = plan_catalog.BY_CODE.get(code)
    if item is None:  # a stored row the catalog no longer has: kept as it was
        return {
            "code": code,
            "done": done,
            "values": dict(row.get("values") or {}),
            "planned": planned,
        }
    posted: dict[str, Any] = {}
    for param in item.params:
        name = param_field(i, param.name)
        posted[param.name] = (
            _many(raw, name) if param.kind is plan_catalog.Kind.MULTI else _one(raw, name)
        )
    values, problems = plan_catalog.validate_item(code, posted)
    # Only what was done today is held to the catalog's rules: a row left unticked keeps
    # what of its values is valid and documents nothing.
    for pname, message in problems.items() if done else ():
        errors[param_field(i, pname) if pname != "__all__" else done_field(i)] = message
    return {"code": code, "done": done, "values": values, "planned": planned}


def form_values(record: Mapping[str, Any], visit_date: datetime.date | None) -> dict[str, Any]:
    """A stored record as the form's initial values (field name -> value)."""
    r = read(record)
    out: dict[str, Any] = {
        "visit_date": visit_date.isoformat() if visit_date else "",
        "notes": r.get("notes") or "",
    }
    for name in ("response", "distal_site", "hep_adherence"):
        out[name] = r.get(name) or ""
    for name in ("back_nprs", "leg_nprs", "minutes"):
        value = r.get(name)
        out[name] = "" if value is None else str(value)
    for code, answer in (r.get("ces_recheck") or {}).items():
        out[ces_field(code)] = answer
    for name, grade in (r.get("myotomes") or {}).items():
        out[name] = str(grade)
    for i, row in enumerate(r.get("interventions") or ()):
        out[done_field(i)] = bool(row.get("done"))
        for pname, value in (row.get("values") or {}).items():
            out[param_field(i, pname)] = value
    return out


# --- Signing and the re-check ----------------------------------------------------------------


_POSITIVE = frozenset({Answer.YES, Answer.UNSURE})


def ces_positive(record: Mapping[str, Any]) -> list[str]:
    """The cauda equina items answered yes or not sure, sorted: any one is an emergency."""
    answers = (record or {}).get("ces_recheck") or {}
    return sorted(code for code, answer in answers.items() if answer in _POSITIVE)


def ces_unanswered(record: Mapping[str, Any]) -> list[str]:
    answers = (record or {}).get("ces_recheck") or {}
    return [item.code for item in ces_items() if item.code not in answers]


def sign_problems(record: Mapping[str, Any]) -> list[str]:
    """What the record still needs before it can be signed, in plain words."""
    r = read(record)
    problems = []
    if not r.get("response"):
        problems.append("Say how the symptoms responded today.")
    if not r.get("distal_site"):
        problems.append("Choose where the most distal symptom is today.")
    if r.get("back_nprs") is None:
        problems.append("Give today's back pain (0 to 10).")
    if r.get("leg_nprs") is None:
        problems.append("Give today's leg pain (0 to 10).")
    if not r.get("hep_adherence"):
        problems.append("Say how much of the home programme was done.")
    if r.get("minutes") is None:
        problems.append("Give the time spent with the patient, in minutes.")
    missing = ces_unanswered(r)
    if missing:
        many = "questions are" if len(missing) > 1 else "question is"
        problems.append(f"Ask the cauda equina re-check: {len(missing)} {many} not answered.")
    if (
        not any(row.get("done") for row in r.get("interventions") or ())
        and not (r.get("notes") or "").strip()
    ):
        problems.append("Tick the interventions done today, or say in the notes why none were.")
    return problems


# --- Progress over visits --------------------------------------------------------------------


def progress_values(record: Mapping[str, Any] | None) -> tuple[dict[str, float], str | None]:
    """The note's points on the episode's charts: back and leg pain by measure code (as
    `evaluations.progress` names them), and the most distal symptom's site code."""
    r = read(record)
    values: dict[str, float] = {}
    for code, key in (("back_pain", "back_nprs"), ("leg_pain", "leg_nprs")):
        value = r.get(key)
        if isinstance(value, int | float) and not isinstance(value, bool):
            values[code] = float(value)
    site = r.get("distal_site")
    return values, site if isinstance(site, str) and site else None


def response_label(code: str | None) -> str:
    return dict(RESPONSE_CHOICES).get(code or "", "Not recorded")


def adherence_label(code: str | None) -> str:
    return dict(ADHERENCE_CHOICES).get(code or "", "Not recorded")
