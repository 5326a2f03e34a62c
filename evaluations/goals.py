"""A plan's measurable goals: what each measures, the number it aims for, and whether the
latest score meets it.

A goal in the plan's record (schema 2, `evaluations.records`) is

    {"measure": "leg_pain", "comparator": "at_most", "value": 3,
     "target": "Leg pain 3/10 or less after walking", "by": "2027-01-15"}

The comparator and number decide whether the goal is met; `target` is the therapist's
words, kept as a note. Goals written before goals were structured (plan schema 1) hold
only the words: `read_wording` reads them strictly (comparator words as whole words,
exactly one number on the measure's scale, no words pointing both ways) and anything it
cannot read for certain is left to the therapist ("not judged").

Pure: no Django, no database.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any, Protocol, TypeGuard

from evaluations import progress as progress_mod

AT_MOST, AT_LEAST = "at_most", "at_least"
COMPARATORS = {AT_MOST: "At most", AT_LEAST: "At least"}

GOAL_MEASURES = [
    ("", "—"),
    ("leg_pain", "Leg pain (NPRS)"),
    ("back_pain", "Back pain (NPRS)"),
    ("odi", "Oswestry Disability Index"),
    ("psfs", "PSFS"),
    ("walking", "Walking tolerance"),
    ("sitting", "Sitting tolerance"),
    ("work", "Return to work"),
    ("other", "Other"),
]
# The therapist's judgement of a goal at a re-evaluation or discharge, beside the one the
# progress report reads from the numbers (goal_status).
GOAL_OUTCOMES = [
    ("", "—"),
    ("met", "Met"),
    ("partly_met", "Partly met"),
    ("not_met", "Not met"),
]
GOAL_OUTCOME_LABELS = dict(GOAL_OUTCOMES[1:])
# The measures with a score to compare a number with (the progress report's measures).
SCORED = frozenset(progress_mod.MEASURES)


class Scale(Protocol):
    """What reading a target needs of a measure (a MeasureSpec or a MeasureProgress)."""

    @property
    def scale_min(self) -> float: ...
    @property
    def scale_max(self) -> float: ...
    @property
    def better(self) -> str: ...


@dataclass(frozen=True)
class Target:
    """What a goal asks of its measure: the score at most (or at least) `value`."""

    comparator: str
    value: float

    def met_by(self, score: float) -> bool:
        return score <= self.value if self.comparator == AT_MOST else score >= self.value


# --- Reading a goal written in words (plan schema 1) ---------------------------------------

_DENOMINATOR = re.compile(r"/\s*\d+(?:[.,]\d+)?")
_NUMBER = re.compile(r"\d+(?:[.,]\d+)?")
# Each phrase as a whole word or words (not "over" inside "recovering"). The negated
# forms are listed so that "no more than" is not read as "more than".
_PHRASES = {
    AT_MOST: (
        "or less",
        "or lower",
        "or below",
        "or under",
        "at most",
        "no more than",
        "not more than",
        "no higher than",
        "not higher than",
        "no greater than",
        "not above",
        "not over",
        "under",
        "below",
        "less than",
        "lower than",
    ),
    AT_LEAST: (
        "or more",
        "or higher",
        "or above",
        "or over",
        "at least",
        "no less than",
        "not less than",
        "no lower than",
        "not lower than",
        "no fewer than",
        "not below",
        "not under",
        "over",
        "above",
        "more than",
        "higher than",
        "greater than",
    ),
}
# Signs need no word boundary ("<3" is as clear as "< 3").
_SIGNS = {"≤": AT_MOST, "<": AT_MOST, "≥": AT_LEAST, ">": AT_LEAST}
_KIND = {phrase: kind for kind, phrases in _PHRASES.items() for phrase in phrases}
# Longest first, so the longer phrase wins where two start at the same place; an unlisted
# negation ("never over") is caught too and makes the wording ambiguous.
_COMPARISON = re.compile(
    r"(?<!\w)(?P<neg>(?:not|never|no)\s+)?(?P<phrase>{})(?!\w)|(?P<sign>[≤<≥>])".format(
        "|".join(re.escape(p).replace(r"\ ", r"\s+") for p in sorted(_KIND, key=len, reverse=True))
    )
)


def _comparators(wording: str) -> set[str] | None:
    """The comparators the words point to; None when a negation makes them unclear."""
    kinds = set()
    for match in _COMPARISON.finditer(wording.lower()):
        if match.group("sign"):
            kinds.add(_SIGNS[match.group("sign")])
            continue
        phrase = " ".join(match.group(0).split())
        if phrase in _KIND:
            kinds.add(_KIND[phrase])
        elif match.group("neg"):
            return None
        else:
            kinds.add(_KIND[" ".join(match.group("phrase").split())])
    return kinds


def read_wording(text: str, scale: Scale | None) -> Target | None:
    """The target a goal written in words sets, or None when the words do not say it for
    certain: no scored measure, no number or more than one ("between 2 and 4"), a number
    off the measure's scale, or words pointing both ways. A "/10"-style denominator is
    not a number of its own; with no comparator words the measure's better direction
    decides ("Leg pain 3" on a lower-is-better scale is at most 3)."""
    if scale is None:
        return None
    numbers = _NUMBER.findall(_DENOMINATOR.sub("", text or ""))
    if len(numbers) != 1:
        return None
    value = float(numbers[0].replace(",", "."))
    if not scale.scale_min <= value <= scale.scale_max:
        return None
    kinds = _comparators(text or "")
    if kinds is None or len(kinds) > 1:
        return None
    if kinds:
        comparator = kinds.pop()
    else:
        comparator = AT_MOST if scale.better == progress_mod.LOWER else AT_LEAST
    return Target(comparator, value)


def upgrade_goal(goal: Mapping[str, Any]) -> dict[str, Any]:
    """A goal written in words (plan schema 1) with its comparator and number read from
    them, or left blank (not judged) where they do not say it for certain."""
    out = dict(goal)
    if "comparator" in out:
        return out
    target = read_wording(
        out.get("target") or "", progress_mod.MEASURES.get(out.get("measure") or "")
    )
    out["comparator"] = target.comparator if target else ""
    out["value"] = number(target.value) if target else None
    return out


def number(value: float) -> int | float:
    """A goal's number as stored: a whole number without its ".0"."""
    return int(value) if float(value).is_integer() else float(value)


# --- Checking a goal as entered ------------------------------------------------------------


def check_target(measure: str, comparator: str, value: float | None) -> dict[str, str]:
    """What is wrong with a goal's comparator and number, by field ("comparator",
    "value"), in the screen's words. Either may be left out together (the words then say
    the target, and the goal is for the therapist to judge)."""
    if not comparator and value is None:
        return {}
    if measure and measure not in SCORED:
        field = "value" if value is not None else "comparator"
        return {
            field: "This measure has no score to compare a number with: say the target "
            "in words instead."
        }
    errors = {}
    if value is None:
        errors["value"] = "Give the score to reach."
    elif measure:
        spec = progress_mod.MEASURES[measure]
        low, high = _shown(spec.scale_min), _shown(spec.scale_max)
        if not spec.scale_min <= value <= spec.scale_max:
            errors["value"] = f"Enter a score from {low} to {high}."
    if not comparator:
        errors["comparator"] = "Say whether the score should be at most or at least this."
    return errors


def _shown(value: float) -> str:
    return progress_mod.format_number(value)


def target_words(goal: Mapping[str, Any]) -> str:
    """A structured goal's target in words ("at most 3"), "" when it has none."""
    comparator, value = goal.get("comparator"), goal.get("value")
    if comparator not in COMPARATORS or not _is_number(value):
        return ""
    return f"{COMPARATORS[comparator].lower()} {_shown(float(value))}"


# --- Met or not ----------------------------------------------------------------------------


def _is_number(value: Any) -> TypeGuard[int | float]:
    return isinstance(value, int | float) and not isinstance(value, bool) and value == value


def target_of(goal: Mapping[str, Any], scale: Scale | None) -> Target | None:
    """The target a goal sets on its measure's scale, or None (not judged). A structured
    goal is read from its comparator and number only; a goal from before goals were
    structured (no `comparator` at all) from its words."""
    if "comparator" not in goal:
        return read_wording(goal.get("target") or "", scale)
    comparator, value = goal.get("comparator"), goal.get("value")
    if scale is None or comparator not in COMPARATORS or not _is_number(value):
        return None
    if not scale.scale_min <= float(value) <= scale.scale_max:
        return None
    return Target(comparator, float(value))


def _by(value: Any) -> date | None:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(value) if value else None
    except (TypeError, ValueError):
        return None


def goal_status(
    goal: Mapping[str, Any],
    measures: Mapping[str, progress_mod.MeasureProgress],
    *,
    on: date,
    final: bool = False,
) -> dict[str, str]:
    """Whether a goal is met on the latest recorded score of its measure, on day `on`
    (`final`: at discharge, when a goal not met is not "not yet" met).

    `goal` is a stored goal or the progress report's reading of one: its measure is
    `code` (or, failing that, `measure`), its date `by` (a date or an ISO string).
    `measures` are the patient's progress by measure code. Only goals on a scored
    measure with a target on its scale are judged; the rest are left to the therapist.
    Returns {"status": "met" | "not_yet" | "not_met" | "not_judged", "text": ...}."""
    code = goal.get("code") if "code" in goal else goal.get("measure")
    m = measures.get(code or "")
    if m is None or not m.points or m.latest is None:
        return {"status": "not_judged", "text": "Not judged: no score recorded for this goal"}
    latest = m.latest
    value = progress_mod.format_value(latest.value, m.unit)
    where = f"latest {value}, {progress_mod.occasion(latest)}"
    target = target_of(goal, m)
    if target is None:
        if "comparator" in goal and not goal.get("comparator") and goal.get("value") is None:
            return {"status": "not_judged", "text": f"Not judged: no target score set ({where})"}
        return {"status": "not_judged", "text": f"Not judged from the wording ({where})"}
    if target.met_by(latest.value):
        return {"status": "met", "text": f"Met ({where})"}
    by = _by(goal.get("by"))
    if by and by > on and not final:
        due = progress_mod.format_date(by)
        return {"status": "not_yet", "text": f"Not yet met, due {due} ({where})"}
    return {"status": "not_met", "text": f"Not met ({where})"}
