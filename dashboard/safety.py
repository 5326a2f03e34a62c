"""The administrator's safety figures: red-flag alerts raised in a period by level and by
source, how long they took to disposition, how many are still open, and the share of
episodes of care with both a baseline and a discharge outcome; the alerts escalated
because nobody dispositioned them by the end of the clinic day; and the lists behind
each figure.

Selectors: each makes a fixed number of queries, however many alerts or episodes there
are (counts are aggregated in the database; only the durations behind the median come
back, two numbers an alert).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import (
    Count,
    DurationField,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    QuerySet,
)
from django.utils import timezone
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from care.models import Episode
from core.models import Clinic
from evaluations.models import Evaluation
from intake.alerts import escalation_cutoff
from intake.models import Intake, RedFlagAlert, RedFlagAlertQuerySet

DEFAULT_DAYS = 30
LEVELS = (
    (Intake.RedFlagLevel.EMERGENCY.value, _("Emergency")),
    (Intake.RedFlagLevel.URGENT.value, _("Urgent")),
    (Intake.RedFlagLevel.MONITOR.value, _("Monitor")),
)
SOURCES = tuple(RedFlagAlert.Source.choices)
STATES = {"open": _("still open"), "dispositioned": _("dispositioned")}
# Which episodes the share counts, and the lists behind it.
EPISODE_LISTS = {
    "all": _("every episode discharged in the period"),
    "complete": _("with both a baseline and a discharge outcome"),
    "incomplete": _("missing a baseline or a discharge outcome"),
}


@dataclass(frozen=True)
class Period:
    """Whole days, both ends included, in the clinic's time zone."""

    start: datetime.date
    end: datetime.date

    @classmethod
    def default(cls, today: datetime.date | None = None) -> Period:
        today = today or timezone.localdate()
        return cls(start=today - datetime.timedelta(days=DEFAULT_DAYS - 1), end=today)

    @property
    def bounds(self) -> tuple[datetime.datetime, datetime.datetime]:
        start = timezone.make_aware(datetime.datetime.combine(self.start, datetime.time.min))
        after = self.end + datetime.timedelta(days=1)
        return start, timezone.make_aware(datetime.datetime.combine(after, datetime.time.min))

    @property
    def query(self) -> dict[str, str]:
        return {"start": self.start.isoformat(), "end": self.end.isoformat()}

    @property
    def words(self) -> str:
        return gettext("%(start)s to %(end)s") % {"start": _day(self.start), "end": _day(self.end)}

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1


def _day(on: datetime.date) -> str:
    return f"{on.day} {on:%b %Y}"


# --- Pure helpers -----------------------------------------------------------------------


def median(durations: Iterable[datetime.timedelta]) -> datetime.timedelta | None:
    """The middle duration; with an even number, halfway between the middle two."""
    values = sorted(durations)
    if not values:
        return None
    middle = len(values) // 2
    if len(values) % 2:
        return values[middle]
    return (values[middle - 1] + values[middle]) / 2


def duration_words(value: datetime.timedelta | None) -> str:
    """A duration as an administrator reads it: "45 min", "3 h 05 min", "2 days 4 h"."""
    if value is None:
        return "—"
    minutes = max(0, round(value.total_seconds() / 60))
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)
    if days:
        return ngettext("%(days)d day %(hours)d h", "%(days)d days %(hours)d h", days) % {
            "days": days,
            "hours": hours,
        }
    if hours:
        return gettext("%(hours)d h %(minutes)02d min") % {"hours": hours, "minutes": mins}
    return gettext("%(minutes)d min") % {"minutes": mins}


# --- Alerts -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Times:
    """Raised to dispositioned, for the alerts of one level (or all) raised in the period."""

    label: str
    level: str  # "" for every level
    raised: int
    dispositioned: int
    open: int
    median: datetime.timedelta | None
    slowest: datetime.timedelta | None

    @property
    def median_words(self) -> str:
        return duration_words(self.median)

    @property
    def slowest_words(self) -> str:
        return duration_words(self.slowest)


@dataclass(frozen=True)
class LevelRow:
    level: str
    label: str
    cells: tuple[tuple[str, int], ...]  # (source, count) in SOURCES order
    total: int


@dataclass(frozen=True)
class AlertFigures:
    period: Period
    rows: tuple[LevelRow, ...]
    by_source: tuple[tuple[str, str, int], ...]  # (source, label, count)
    total: int
    open: int
    times: tuple[Times, ...]  # each level, then every level together
    counts: dict[tuple[str, str], int] = field(default_factory=dict)


def alerts_raised_in(period: Period) -> RedFlagAlertQuerySet:
    start, end = period.bounds
    return RedFlagAlert.objects.filter(raised_at__gte=start, raised_at__lt=end)


def alert_figures(period: Period) -> AlertFigures:
    """The period's alerts by level and source, open, and their time to disposition.
    Two queries."""
    raised = alerts_raised_in(period)
    counts: dict[tuple[str, str], int] = {}
    open_by_level: dict[str, int] = {}
    for row in (
        raised.with_source()
        .order_by()
        .values("level", "source_code")
        .annotate(n=Count("pk"), still_open=Count("pk", filter=Q(acknowledged_at__isnull=True)))
    ):
        counts[(row["level"], row["source_code"])] = row["n"]
        open_by_level[row["level"]] = open_by_level.get(row["level"], 0) + row["still_open"]
    took: dict[str, list[datetime.timedelta]] = {}
    for level, duration in (
        raised.filter(acknowledged_at__isnull=False)
        .annotate(took=_took())
        .order_by()
        .values_list("level", "took")
    ):
        took.setdefault(level, []).append(duration)
    rows = tuple(
        LevelRow(
            level=level,
            label=str(label),  # in the language of the page asking
            cells=tuple((source, counts.get((level, source), 0)) for source, _ in SOURCES),
            total=sum(n for (lvl, _s), n in counts.items() if lvl == level),
        )
        for level, label in LEVELS
    )
    times = [
        _times(str(label), level, row.total, open_by_level.get(level, 0), took.get(level, []))
        for (level, label), row in zip(LEVELS, rows, strict=True)
    ]
    everything = [d for durations in took.values() for d in durations]
    total, still_open = sum(counts.values()), sum(open_by_level.values())
    times.append(_times(gettext("All levels"), "", total, still_open, everything))
    return AlertFigures(
        period=period,
        rows=rows,
        by_source=tuple(
            (source, label, sum(n for (_l, s), n in counts.items() if s == source))
            for source, label in SOURCES
        ),
        total=total,
        open=still_open,
        times=tuple(times),
        counts=counts,
    )


def _took() -> ExpressionWrapper:
    return ExpressionWrapper(F("acknowledged_at") - F("raised_at"), output_field=DurationField())


def _times(
    label: str, level: str, raised: int, still_open: int, took: list[datetime.timedelta]
) -> Times:
    return Times(
        label=label,
        level=level,
        raised=raised,
        dispositioned=len(took),
        open=still_open,
        median=median(took),
        slowest=max(took) if took else None,
    )


def alerts_behind(
    period: Period, *, level: str = "", source: str = "", state: str = ""
) -> RedFlagAlertQuerySet:
    """The alerts a figure counts, oldest first, each with `source_code` and `took`."""
    alerts = (
        alerts_raised_in(period)
        .with_source()
        .annotate(took=_took())
        .select_related("patient", "intake", "acknowledged_by")
        .order_by("raised_at", "pk")
    )
    if level:
        alerts = alerts.filter(level=level)
    if source:
        alerts = alerts.filter(source_code=source)
    if state == "open":
        alerts = alerts.filter(acknowledged_at__isnull=True)
    elif state == "dispositioned":
        alerts = alerts.filter(acknowledged_at__isnull=False)
    return alerts


# --- Escalations ------------------------------------------------------------------------


@dataclass(frozen=True)
class Escalated:
    alert: RedFlagAlert
    open_for: datetime.timedelta

    @property
    def patient(self):  # for audit.services.shown_mrns
        return self.alert.patient

    @property
    def patient_id(self) -> int:
        return self.alert.patient_id

    @property
    def open_for_words(self) -> str:
        return duration_words(self.open_for)


ESCALATED_LIMIT = 50


def escalated_alerts(now: datetime.datetime | None = None) -> list[Escalated]:
    """Emergency and urgent alerts raised before the end of the latest clinic day that
    has passed and still open, oldest first, with how long each has been open. Two
    queries (the clinic's settings, the alerts)."""
    now = now or timezone.now()
    cutoff = escalation_cutoff(now, Clinic.objects.current().day_ends_at)
    alerts = (
        RedFlagAlert.objects.escalated(cutoff)
        .select_related("patient", "intake")
        .order_by("raised_at")[:ESCALATED_LIMIT]
    )
    return [Escalated(alert=a, open_for=now - a.raised_at) for a in alerts]


# --- Episodes ---------------------------------------------------------------------------


def _measured(prefix: str) -> Q:
    """A stored score with a number in it. A JSON null (not measured) and a missing key
    both compare false with >= 0, on PostgreSQL and SQLite alike."""
    return (
        Q(**{f"{prefix}nprs__back__now__gte": 0})
        | Q(**{f"{prefix}nprs__leg__now__gte": 0})
        | Q(**{f"{prefix}odi__percentage__gte": 0})
        | Q(**{f"{prefix}psfs__mean__gte": 0})
    )


def _discharge_outcome() -> Q:
    return (
        Q(findings__outcomes__back_now__gte=0)
        | Q(findings__outcomes__leg_now__gte=0)
        | Q(findings__outcomes__odi__percentage__gte=0)
        | Q(findings__outcomes__psfs__mean__gte=0)
    )


def episodes_discharged_in(period: Period) -> QuerySet[Episode]:
    """Episodes discharged in the period, each annotated with `has_baseline` (a submitted
    first-visit intake with NPRS, ODI or PSFS scores), `has_discharge_evaluation` (a
    signed discharge evaluation with outcomes recorded) and `has_discharge_packet` (a
    submitted discharge questionnaire)."""
    baseline = (
        Intake.objects.first_visit()
        .submitted()
        .filter(episode=OuterRef("pk"))
        .filter(_measured("scores__"))
    )
    evaluation = Evaluation.objects.filter(
        episode=OuterRef("pk"),
        kind=Evaluation.Kind.DISCHARGE,
        status=Evaluation.Status.SIGNED,
    ).filter(_discharge_outcome())
    packet = (
        Intake.objects.packets()
        .submitted()
        .filter(episode=OuterRef("pk"), purpose=Intake.Purpose.DISCHARGE)
    )
    return Episode.objects.filter(
        discharged_on__gte=period.start, discharged_on__lte=period.end
    ).annotate(
        has_baseline=Exists(baseline),
        has_discharge_evaluation=Exists(evaluation),
        has_discharge_packet=Exists(packet),
    )


_DISCHARGE = Q(has_discharge_evaluation=True) | Q(has_discharge_packet=True)
_COMPLETE = Q(has_baseline=True) & _DISCHARGE


@dataclass(frozen=True)
class EpisodeFigures:
    period: Period
    discharged: int
    complete: int
    baseline: int
    discharge: int

    @property
    def incomplete(self) -> int:
        return self.discharged - self.complete

    @property
    def share(self) -> float | None:
        """Percent, one decimal; None with no episode discharged."""
        return round(100 * self.complete / self.discharged, 1) if self.discharged else None


def episode_figures(period: Period) -> EpisodeFigures:
    """Of the episodes discharged in the period, how many have both outcomes. One query."""
    got = episodes_discharged_in(period).aggregate(
        discharged=Count("pk"),
        complete=Count("pk", filter=_COMPLETE),
        baseline=Count("pk", filter=Q(has_baseline=True)),
        discharge=Count("pk", filter=_DISCHARGE),
    )
    return EpisodeFigures(period=period, **got)


def episodes_behind(period: Period, *, which: str = "all") -> QuerySet[Episode]:
    episodes = (
        episodes_discharged_in(period).select_related("patient").order_by("discharged_on", "pk")
    )
    if which == "complete":
        return episodes.filter(_COMPLETE)
    if which == "incomplete":
        return episodes.exclude(_COMPLETE)
    return episodes
