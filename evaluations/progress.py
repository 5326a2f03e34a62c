"""Outcome measures over visits: how far each measure moved from the intake baseline, and
whether the move reached the minimal important change (MCID).

Pure functions: no Django, no database. Results are frozen dataclasses carrying
`ALGORITHM_VERSION`, so a stored progress summary always says how it was derived.

The baseline is the earliest point (normally the patient's submitted intake); the latest is
the most recent. Points on the same day keep the order they were given in (a stable sort),
so the caller decides which of two same-day values counts as later.

Decisions made here (product-defined ⚠):

- An important improvement is `improvement >= mcid.points`, or, where the source gives a
  relative criterion, `percent improvement >= mcid.relative_percent` [S51].
- An important worsening uses the points criterion only: the relative criterion is published
  for improvement, and applying it to worsening would flag 1 -> 2 on a 0-10 scale (100 %).
- Arithmetic is exact (fractions of the decimal values), so 4.1 -> 2.1 is exactly 2 points.

A statement of what the numbers did, never a diagnosis: the therapist decides.
"""

import dataclasses
import datetime
import decimal
import numbers
import re
from collections.abc import Iterable, Mapping, Sequence
from fractions import Fraction
from typing import Any, Protocol, cast

from core.sources import for_clinicians
from evaluations import packets as packets_mod
from evaluations.mdt import DistalSite
from evaluations.notes import progress_values as note_values
from intake import questionnaires
from intake.scoring.common import AsDictMixin, ChangeThreshold, round_half_up
from intake.scoring.common import coerce_enum as _coerce

ALGORITHM_VERSION = "progress-1.0"

SOURCES = ("intake", "evaluation", "note", "packet")
LOWER, HIGHER = questionnaires.LOWER, questionnaires.HIGHER
NOT_ENOUGH_DATA = "not enough data"
CENTRALISING = "centralising"
PERIPHERALISING = "peripheralising"
UNCHANGED = "unchanged"
ABOLISHED = "abolished"

_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


class _AsDict(AsDictMixin):
    """`as_dict()` as elsewhere, with dates as ISO strings so the result is JSON-ready."""

    def as_dict(self) -> dict[str, Any]:
        return cast(dict[str, Any], _iso_dates(super().as_dict()))


def _iso_dates(value: Any) -> Any:
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: _iso_dates(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_iso_dates(v) for v in value]
    return value


# --- Measures ---------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class MeasureSpec(AsDictMixin):
    """What a measure is: its scale, which direction is better and its MCID."""

    code: str
    title: str
    unit: str  # "points" or "%"
    scale_min: float
    scale_max: float
    better: str  # LOWER or HIGHER
    mcid: ChangeThreshold
    noun: str  # starts a sentence: "Leg pain"
    noun_mid: str  # inside a sentence: "leg pain"
    tick_step: float  # for charts


# The measures and their scales come from the questionnaire registry, so a questionnaire
# charted over visits is declared once, beside its scoring.
MEASURES: dict[str, MeasureSpec] = {
    m.code: MeasureSpec(**m.chart_fields()) for m in questionnaires.progress_measures()
}


def measure_spec(code: str) -> MeasureSpec:
    try:
        return MEASURES[code]
    except KeyError:
        allowed = ", ".join(MEASURES)
        raise ValueError(f"Unknown outcome measure {code!r}; expected one of {allowed}.") from None


# --- Points -----------------------------------------------------------------------------------


def _check_date(on: object, what: str) -> None:
    # A datetime is a date subclass but cannot be compared with a date: refuse it plainly.
    if isinstance(on, datetime.datetime) or not isinstance(on, datetime.date):
        raise ValueError(f"{what}: `on` must be a date (not a datetime); got {on!r}.")


def _check_label(label: object, what: str) -> None:
    if not isinstance(label, str) or not label.strip():
        raise ValueError(f"{what}: `label` must be a non-empty string; got {label!r}.")


@dataclasses.dataclass(frozen=True)
class Point(_AsDict):
    """One measured value on one day. `value` is stored as a float."""

    on: datetime.date
    value: float
    label: str  # "Intake", "Initial evaluation", "Re-evaluation 2", "3 months after discharge"
    source: str  # "intake", "evaluation", "note" (a treatment note) or "packet" (the patient's)
    draft: bool = False  # an unsigned evaluation's or note's value; charts draw it hollow

    def __post_init__(self) -> None:
        what = f"Point {self.label!r}"
        _check_date(self.on, what)
        _check_label(self.label, what)
        if self.source not in SOURCES:
            raise ValueError(
                f"{what}: `source` must be one of {', '.join(SOURCES)}; got {self.source!r}."
            )
        if not isinstance(self.draft, bool):
            raise ValueError(f"{what}: `draft` must be True or False; got {self.draft!r}.")
        value = self.value
        ok = isinstance(value, numbers.Real | decimal.Decimal) and not isinstance(value, bool)
        if not ok:
            raise ValueError(f"{what}: `value` must be a number; got {value!r}.")
        as_float = float(value)
        if as_float != as_float or as_float in (float("inf"), float("-inf")):
            raise ValueError(f"{what}: `value` must be a finite number; got {value!r}.")
        object.__setattr__(self, "value", as_float)


@dataclasses.dataclass(frozen=True)
class MeasureProgress(_AsDict):
    code: str
    title: str
    unit: str
    scale_min: float
    scale_max: float
    better: str  # "lower" or "higher"
    mcid: ChangeThreshold
    points: tuple[Point, ...]  # sorted by date, stable for the same date
    baseline: Point | None
    latest: Point | None
    change: float | None  # latest - baseline, signed, in the measure's units
    improvement: float | None  # positive = better, whichever direction is better
    percent_improvement: float | None  # relative to baseline; None when the baseline is 0
    important: bool | None  # None with fewer than 2 points
    worsened_importantly: bool | None
    statement: str
    algorithm_version: str = ALGORITHM_VERSION


def measure_progress(code: str, points: Iterable[Point]) -> MeasureProgress:
    """Progress of one measure from its earliest point (the baseline) to its latest.

    Raises ValueError for an unknown code, a non-Point item or a value off the scale.
    """
    spec = measure_spec(code)
    ordered = _sorted_points(points, spec)
    baseline = ordered[0] if ordered else None
    latest = ordered[-1] if ordered else None
    change = improvement = percent = None
    important = worsened = None
    if len(ordered) >= 2:
        start, end = _exact(ordered[0].value), _exact(ordered[-1].value)
        delta = end - start
        gain = -delta if spec.better == LOWER else delta
        change, improvement = float(delta), float(gain)
        relative = gain * 100 / start if start else None
        percent = round_half_up(relative, 1) if relative is not None else None
        mcid_points = _exact(spec.mcid.points)
        important = gain >= mcid_points or _meets_relative(relative, spec.mcid)
        worsened = -gain >= mcid_points
    return MeasureProgress(
        code=spec.code,
        title=spec.title,
        unit=spec.unit,
        scale_min=spec.scale_min,
        scale_max=spec.scale_max,
        better=spec.better,
        mcid=spec.mcid,
        points=ordered,
        baseline=baseline,
        latest=latest,
        change=change,
        improvement=improvement,
        percent_improvement=percent,
        important=important,
        worsened_importantly=worsened,
        statement=_measure_statement(spec, ordered),
    )


def _sorted_points(points: Iterable[Point], spec: MeasureSpec) -> tuple[Point, ...]:
    items = tuple(points)
    for p in items:
        if not isinstance(p, Point):
            raise ValueError(f"{spec.title}: expected Point objects; got {p!r}.")
        if not spec.scale_min <= p.value <= spec.scale_max:
            raise ValueError(
                f"{spec.title} must be from {_num(spec.scale_min)} to {_num(spec.scale_max)}; "
                f"got {_num(p.value)} at {p.label!r} on {format_date(p.on)}."
            )
    return tuple(sorted(items, key=lambda p: p.on))


def _exact(value: float) -> Fraction:
    """The decimal the user typed (4.1, not 4.0999999999999996) as an exact fraction."""
    return Fraction(repr(float(value)))


def _meets_relative(relative: Fraction | None, mcid: ChangeThreshold) -> bool:
    return (
        relative is not None
        and mcid.relative_percent is not None
        and relative >= _exact(mcid.relative_percent)
    )


# --- Wording ----------------------------------------------------------------------------------


def format_date(on: datetime.date, *, year: bool = True) -> str:
    """'3 Nov 2026' (or '3 Nov'), the same in every locale."""
    text = f"{on.day} {_MONTHS[on.month - 1]}"
    return f"{text} {on.year}" if year else text


def format_number(value: float | Fraction, places: int = 1) -> str:
    """Half-up rounded to `places` decimals, without a trailing '.0': 7, 6.5, 35.6."""
    text = f"{round_half_up(Fraction(repr(float(value))), places):.{places}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


_num = format_number


def format_value(value: float, unit: str) -> str:
    return f"{_num(value)}%" if unit == "%" else _num(value)


def _points_word(amount: Fraction | float) -> str:
    text = _num(amount)
    return f"{text} point" if text == "1" else f"{text} points"


_STANDARD_OCCASIONS = re.compile(
    r"(intake|initial evaluation|re-evaluation|reassessment|evaluation|discharge|treatment note)"
    r"( \d+)?",
    re.IGNORECASE,
)


def occasion(point: Point) -> str:
    """'the intake on 3 Nov 2026', 're-evaluation 2 on 1 Dec 2026', or the label as given."""
    label = point.label.strip()
    match = _STANDARD_OCCASIONS.fullmatch(label)
    if match:
        name = label.lower()
        label = name if match.group(2) else f"the {name}"
    return f"{label} on {format_date(point.on)}"


def short_citation(source: str) -> str:
    """'Ostelo RWJG et al. Spine 2008;...' -> 'Ostelo 2008'; otherwise the source as
    clinicians read it (core.sources: a stored older wording loses its notes too)."""
    match = re.match(r"([A-Z][A-Za-z'-]+) [A-Z]+ et al\.[^;\d]*?((?:19|20)\d\d)", source)
    if match:
        return f"{match.group(1)} {match.group(2)}"
    cleaned = for_clinicians(source)
    return f"source: {cleaned[:1].lower()}{cleaned[1:]}" if cleaned else "source not given"


def _measure_statement(spec: MeasureSpec, points: tuple[Point, ...]) -> str:
    if not points:
        return "No measurements recorded."
    first, last = points[0], points[-1]
    if len(points) == 1:
        text = (
            f"Only one measurement so far: {spec.noun_mid} "
            f"{format_value(first.value, spec.unit)} at {occasion(first)}."
        )
        return text + _draft_note(points)
    start, end = _exact(first.value), _exact(last.value)
    b, l_ = format_value(first.value, spec.unit), format_value(last.value, spec.unit)
    if start == end:
        text = f"{spec.noun} was {b} at {occasion(first)} and {l_} at {occasion(last)}: no change."
        return text + _draft_note(points)
    gain = start - end if spec.better == LOWER else end - start
    verb = "rose" if end > start else "fell"
    cite = short_citation(spec.mcid.source)
    mcid_points, rel = _exact(spec.mcid.points), spec.mcid.relative_percent
    mcid_text = f"the minimal important change of {_points_word(mcid_points)}"
    head = f"{spec.noun} {verb} from {b} to {l_} since {occasion(first)}: "
    if gain > 0:
        amount = f"{_points_word(gain)} better"
        relative = gain * 100 / start if start else None
        if gain >= mcid_points:
            reach = "more than" if gain > mcid_points else "reaching"
            body = f"{amount}, {reach} {mcid_text} ({cite}). An important improvement."
        elif relative is not None and rel is not None and _meets_relative(relative, spec.mcid):
            body = (
                f"{amount} ({_num(relative)}%), less than {mcid_text} but reaching its "
                f"alternative of a {_num(rel)}% improvement ({cite}). An important improvement."
            )
        elif rel is not None and relative is not None:
            body = (
                f"{amount} ({_num(relative)}%), less than {mcid_text} or {_num(rel)}% "
                f"({cite}). Not an important improvement."
            )
        else:
            body = f"{amount}, less than {mcid_text} ({cite}). Not an important improvement."
    else:
        loss = -gain
        amount = f"{_points_word(loss)} worse"
        if loss >= mcid_points:
            reach = "more than" if loss > mcid_points else "reaching"
            body = f"{amount}, {reach} {mcid_text} ({cite}). An important worsening."
        else:
            body = f"{amount}, less than {mcid_text} ({cite}). Not an important worsening."
    return head + body + _draft_note(points)


def _draft_note(points: "Sequence[Point | DistalPoint]", noun: str = "value") -> str:
    if points[-1].draft:
        return f" The latest {noun} is from an unsigned draft {_record_kind(points[-1])}."
    if points[0].draft:
        return f" The first {noun} is from an unsigned draft {_record_kind(points[0])}."
    return ""


def _record_kind(point: "Point | DistalPoint") -> str:
    return "treatment note" if point.label == NOTE_LABEL else "evaluation"


# --- Most distal symptom ----------------------------------------------------------------------

# Where the symptom reaches, as a phrase after "at" / "to" ⚠ product wording.
SITE_PHRASES: dict[DistalSite, str] = {
    DistalSite.NONE: "no symptoms",
    DistalSite.CENTRAL_LB: "the central low back",
    DistalSite.UNILAT_LB: "one side of the low back",
    DistalSite.BUTTOCK: "the buttock",
    DistalSite.THIGH: "the thigh",
    DistalSite.BELOW_KNEE: "below the knee",
    DistalSite.FOOT: "the foot",
}


@dataclasses.dataclass(frozen=True)
class DistalPoint(_AsDict):
    """The most distal symptom recorded on one day. `site` may be given as its code."""

    on: datetime.date
    site: DistalSite
    label: str
    draft: bool = False

    def __post_init__(self) -> None:
        what = f"Distal point {self.label!r}"
        _check_date(self.on, what)
        _check_label(self.label, what)
        object.__setattr__(self, "site", _coerce(DistalSite, self.site, f"{what}: site"))
        if not isinstance(self.draft, bool):
            raise ValueError(f"{what}: `draft` must be True or False; got {self.draft!r}.")


@dataclasses.dataclass(frozen=True)
class DistalProgress(_AsDict):
    points: tuple[DistalPoint, ...]  # sorted by date, stable for the same date
    baseline: DistalPoint | None
    latest: DistalPoint | None
    # "centralising", "peripheralising", "unchanged", "abolished", "not enough data"
    trend: str
    statement: str
    algorithm_version: str = ALGORITHM_VERSION


def distal_progress(points: Iterable[DistalPoint]) -> DistalProgress:
    """Where the most distal symptom moved between the first and the latest record.

    Moving proximally (towards the spine) is centralising; reaching NONE from any symptom is
    abolished. Only the first and latest records decide the trend.
    """
    items = tuple(points)
    for p in items:
        if not isinstance(p, DistalPoint):
            raise ValueError(f"Most distal symptom: expected DistalPoint objects; got {p!r}.")
    ordered = tuple(sorted(items, key=lambda p: p.on))
    baseline = ordered[0] if ordered else None
    latest = ordered[-1] if ordered else None
    if len(ordered) < 2 or baseline is None or latest is None:
        trend = NOT_ENOUGH_DATA
    elif latest.site is DistalSite.NONE and baseline.site is not DistalSite.NONE:
        trend = ABOLISHED
    elif latest.site.rank < baseline.site.rank:
        trend = CENTRALISING
    elif latest.site.rank > baseline.site.rank:
        trend = PERIPHERALISING
    else:
        trend = UNCHANGED
    return DistalProgress(
        points=ordered,
        baseline=baseline,
        latest=latest,
        trend=trend,
        statement=_distal_statement(ordered, trend),
    )


def _distal_statement(points: tuple[DistalPoint, ...], trend: str) -> str:
    if not points:
        return "No most distal symptom recorded."
    first, last = points[0], points[-1]
    if len(points) == 1:
        where = SITE_PHRASES[first.site]
        at = f"{first.label.strip()}, {format_date(first.on)}"
        text = (
            f"Only one record so far: no symptoms recorded ({at})."
            if first.site is DistalSite.NONE
            else f"Only one record so far: most distal symptom at {where} ({at})."
        )
        return text + _draft_note(points, "record")
    start, end = SITE_PHRASES[first.site], SITE_PHRASES[last.site]
    span = f"{format_date(first.on)} to {format_date(last.on)}"
    if trend == UNCHANGED:
        text = (
            f"No symptoms recorded at the first or the latest record ({span}): unchanged."
            if first.site is DistalSite.NONE
            else f"Most distal symptom stayed at {start} ({span}): unchanged."
        )
    elif trend == ABOLISHED:
        text = f"Most distal symptom went from {start} to none recorded ({span}): abolished."
    elif first.site is DistalSite.NONE:
        text = f"Symptoms recorded at {end} where none were recorded before ({span}): {trend}."
    else:
        text = f"Most distal symptom moved from {start} to {end} ({span}): {trend}."
    return text + _draft_note(points, "record")


# --- From stored records ------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class PatientProgress:
    measures: tuple[MeasureProgress, ...]
    distal: DistalProgress


class StoredIntake(Protocol):
    """What the baseline reads from a submitted intake (an intake.models.Intake row)."""

    submitted_at: datetime.datetime | None
    scores: Mapping[str, Any] | None  # JSON


class StoredVisit(Protocol):
    """What progress reads from one evaluation (an evaluations.models.Evaluation row)."""

    kind: str
    status: str
    visit_date: datetime.date
    findings: Mapping[str, Any] | None  # JSON


class StoredNote(Protocol):
    """What progress reads from one treatment note (an evaluations.models.TreatmentNote)."""

    status: str
    visit_date: datetime.date
    content: Mapping[str, Any] | None  # JSON, the record evaluations.notes describes


NOTE_LABEL = "Treatment note"


def _when(record: Any) -> tuple[datetime.date, float]:
    """A visit's place on the timeline: its date, then when it was made (if known); a
    packet's: the day and time the patient submitted it."""
    if isinstance(record, packets_mod.Answered):
        return (record.submitted_on, record.submitted_at.timestamp())
    made = getattr(record, "created_at", None)
    return (record.visit_date, made.timestamp() if isinstance(made, datetime.datetime) else 0.0)


_KIND_LABELS = {
    "initial": "Initial evaluation",
    "reevaluation": "Re-evaluation",
    "discharge": "Discharge",
}


def _intake_values(intake: StoredIntake, answers: Mapping[str, Any]) -> dict[str, float]:
    """Baseline values from the submitted intake's answers (amendments applied)."""
    return questionnaires.baseline_values(answers, getattr(intake, "scores", None) or {})


def visit_values(evaluation: StoredVisit) -> tuple[dict[str, float], str | None]:
    """One evaluation's outcome values by measure code, and its most distal symptom site."""
    outcomes = (evaluation.findings or {}).get("outcomes") or {}
    values: dict[str, float] = {}
    for code, key in (("back_pain", "back_now"), ("leg_pain", "leg_now")):
        if outcomes.get(key) is not None:
            values[code] = outcomes[key]
    if (outcomes.get("odi") or {}).get("percentage") is not None:
        values["odi"] = outcomes["odi"]["percentage"]
    if (outcomes.get("psfs") or {}).get("mean") is not None:
        values["psfs"] = outcomes["psfs"]["mean"]
    return values, outcomes.get("distal_site") or None


def from_records(
    intake: StoredIntake | None,
    answers: Mapping[str, Any],
    visits: Iterable[StoredVisit],
    *,
    notes: Iterable[StoredNote] = (),
    packets: Iterable[packets_mod.Answered] = (),
    discharged_on: datetime.date | None = None,
) -> PatientProgress:
    """The progress of one patient from their submitted intake (the baseline), their
    evaluations and their treatment notes, each oldest first. `visits` are Evaluation rows
    (only `kind`, `status`, `visit_date`, `created_at`, `findings` and `content` are read);
    `notes` are TreatmentNote rows (`status`, `visit_date`, `content`), whose back and leg
    pain and most distal symptom join the charts as "Treatment note" points (on a day with
    an evaluation too, in the order the two were made). Unsigned visits and notes are
    drafts. `packets`: the episode's submitted follow-up packets, each a patient-reported
    point labelled by `packets.point_label` (`discharged_on`: the episode's discharge),
    except one that pre-filled an evaluation, whose point it already is."""
    series: dict[str, list[Point]] = {code: [] for code in MEASURES}
    distal: list[DistalPoint] = []
    submitted_at: datetime.datetime | None = getattr(intake, "submitted_at", None)
    if intake is not None and submitted_at:
        values = _intake_values(intake, answers or {})
        on = submitted_at.date()
        for code, value in values.items():
            series[code].append(Point(on=on, value=value, label="Intake", source="intake"))
    counts: dict[str, int] = {}
    # One timeline: a note and an evaluation on the same day in the order they were made.
    visits = list(visits)
    used = {packets_mod.used_packet(getattr(v, "content", None)) for v in visits}
    timeline: list[tuple[str, Any]] = sorted(
        [
            *(("evaluation", v) for v in visits),
            *(("note", n) for n in notes),
            *(("packet", p) for p in packets if p.public_id not in used),
        ],
        key=lambda entry: _when(entry[1]),
    )
    for source, record in timeline:
        on = _when(record)[0]
        if source == "packet":
            label = packets_mod.point_label(record.purpose, on, discharged_on)
            for code, value in packets_mod.progress_values(record.scores).items():
                series[code].append(Point(on=on, value=value, label=label, source=source))
            continue
        draft = record.status != "signed"
        if source == "note":
            values, site = note_values(record.content)
            label = NOTE_LABEL
        else:
            counts[record.kind] = counts.get(record.kind, 0) + 1
            label = _KIND_LABELS.get(record.kind, "Evaluation")
            if record.kind == "reevaluation":
                label = f"{label} {counts[record.kind]}"
            values, site = visit_values(record)
        for code, value in values.items():
            series[code].append(Point(on=on, value=value, label=label, source=source, draft=draft))
        if site:  # the stored code: DistalPoint coerces it to its DistalSite (or refuses it)
            at = cast(DistalSite, site)
            distal.append(DistalPoint(on=on, site=at, label=label, draft=draft))
    return PatientProgress(
        measures=tuple(measure_progress(code, points) for code, points in series.items()),
        distal=distal_progress(distal),
    )
