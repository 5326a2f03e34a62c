"""What goes into a batch export: the selection asked for, its documents, their names in
the ZIP, and the outcome CSV. Only record ids and MRNs are stored on the job; names and
clinical text are read from the records when each document is rendered.

The outcome CSV's columns are documented in docs/outcomes-csv.md: one row per evaluation,
then one per submitted follow-up packet (the patient's own answers, after discharge too).
"""

from __future__ import annotations

import csv
import itertools
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any, TextIO

from django.db.models import Prefetch
from django.utils import timezone

from evaluations import packets
from evaluations.models import Evaluation
from evaluations.progress import visit_values
from intake import questionnaires
from intake.models import Intake, IntakeAmendment
from intake.services import effective_answers

if TYPE_CHECKING:
    from reports.models import ReportJob


@dataclass(frozen=True)
class ExportRequest:
    """The export the form asked for (reports.forms.ExportForm.export_request)."""

    date_from: date
    date_to: date
    therapist_ids: tuple[int, ...]  # empty: every therapist
    kinds: tuple[str, ...]
    include_csv: bool
    include_drafts: bool


EXPORT_KINDS = ("evaluation", "progress", "handout", "intake_summary")
FOLDERS = {
    "evaluation": "evaluations",
    "progress": "progress-reports",
    "handout": "handouts",
    "intake_summary": "intake-summaries",
}


def _evaluations(*, date_from, date_to, therapist_ids, include_drafts: bool, created_before=None):
    qs = Evaluation.objects.filter(visit_date__range=(date_from, date_to))
    if therapist_ids:
        qs = qs.filter(therapist_id__in=therapist_ids)
    if not include_drafts:
        qs = qs.filter(status=Evaluation.Status.SIGNED)
    if created_before is not None:
        qs = qs.filter(created_at__lte=created_before)
    return qs


def export_items(request: ExportRequest) -> list[list[str]]:
    """[[document kind, record public id, path in the ZIP], ...], grouped by kind in the
    order chosen, each group by visit date. One query."""
    rows = list(
        _evaluations(
            date_from=request.date_from,
            date_to=request.date_to,
            therapist_ids=request.therapist_ids,
            include_drafts=request.include_drafts,
        )
        .order_by("visit_date", "created_at", "pk")
        .values_list(
            "public_id", "kind", "visit_date", "episode_id", "patient__mrn", "intake__public_id"
        )
    )
    items: list[list[str]] = []
    for kind in request.kinds:
        folder = FOLDERS[kind]
        if kind in ("evaluation", "handout"):
            for public_id, ev_kind, visit, _episode, mrn, _intake in rows:
                items.append(
                    [
                        kind,
                        str(public_id),
                        f"{folder}/{visit}-{mrn}-{ev_kind}-{str(public_id)[:8]}.pdf",
                    ]
                )
        elif kind == "progress":
            # One report per episode of care: its latest visit in the range, which covers
            # the episode's visits up to it against the episode's own baseline.
            latest = {}
            for row in rows:  # ordered by date: the last one per episode wins
                latest[row[3]] = row
            for public_id, _k, visit, _episode, mrn, _intake in sorted(
                latest.values(), key=lambda r: (r[2], r[4])
            ):
                items.append(
                    [kind, str(public_id), f"{folder}/{mrn}-{visit}-{str(public_id)[:8]}.pdf"]
                )
        elif kind == "intake_summary":
            seen = set()
            for _id, _k, _visit, _episode, mrn, intake_id in rows:
                if intake_id is None or intake_id in seen:
                    continue
                seen.add(intake_id)
                items.append([kind, str(intake_id), f"{folder}/{mrn}-{str(intake_id)[:8]}.pdf"])
    return items


CSV_COLUMNS = [
    "evaluation_id",
    "patient_mrn",
    "episode_id",
    "episode_start",
    "visit_date",
    "kind",
    "status",
    "therapist",
    "signed_at",
    "back_pain_nprs",
    "leg_pain_nprs",
    "odi_percent",
    "psfs_mean",
    "most_distal_symptom",
    "classification",
    # The episode's baseline: its first submitted intake, amendments applied.
    "baseline_back_pain_nprs",
    "baseline_leg_pain_nprs",
    "baseline_odi_percent",
    "baseline_psfs_mean",
    # Follow-up packets: filled on a packet's row (kind "follow_up"); on an evaluation's
    # row, the packet its outcomes were pre-filled from, if any.
    "packet_id",
    "packet_purpose",
    "packet_due_on",
    "days_after_discharge",
    "global_rating_of_change",
    "global_rating_of_change_label",
    "prefilled_from_packet",
]
BASELINE_BATCH = 500
PACKET_KIND = "follow_up"


def _cell(value) -> str:
    """A CSV cell a spreadsheet will not run as a formula. A number cannot be one, so a
    negative one (a global rating of change of -2) stays a number."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def episode_baselines(episode_ids: Iterable[int]) -> dict[int, dict[str, float]]:
    """Each episode's baseline values (questionnaires.baseline_values) from its first
    submitted intake, amendments applied. Two queries per batch of episodes."""
    wanted = sorted(set(episode_ids))
    out: dict[int, dict[str, float]] = {}
    for i in range(0, len(wanted), BASELINE_BATCH):
        intakes = (
            Intake.objects.first_visit()
            .filter(episode_id__in=wanted[i : i + BASELINE_BATCH], status="submitted")
            .order_by("episode_id", "submitted_at", "id")
            .only("episode_id", "answers", "scores", "submitted_at")
            .prefetch_related(Prefetch("amendments", queryset=IntakeAmendment.objects.all()))
        )
        for intake in intakes:
            if intake.episode_id not in out:
                answers = effective_answers(intake, intake.amendments.all())
                out[intake.episode_id] = questionnaires.baseline_values(answers, intake.scores)
    return out


def _day(value: Any) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value))


def _day_start(on: date) -> datetime:
    return timezone.make_aware(datetime.combine(on, time.min))


def _packets(*, date_from, date_to, therapist_ids, created_before):
    """Submitted follow-up packets answered in the date range (the clinic's days) before the
    job was made; with therapists chosen, those of episodes one of them evaluated."""
    qs = Intake.objects.packets().filter(
        status=Intake.Status.SUBMITTED,
        submitted_at__gte=_day_start(_day(date_from)),
        submitted_at__lt=_day_start(_day(date_to) + timedelta(days=1)),
        submitted_at__lte=created_before,
    )
    if therapist_ids:
        qs = qs.filter(
            episode_id__in=Evaluation.objects.filter(therapist_id__in=therapist_ids).values(
                "episode_id"
            )
        )
    return qs


def _packet_row(packet: Intake, baseline: dict[str, float]) -> list[Any]:
    on = timezone.localdate(packet.submitted_at)
    values = packets.progress_values(packet.scores)
    grc = packets.grc_of(packet.scores) or {}
    discharged = packet.episode.discharged_on
    after = (on - discharged).days if discharged is not None and on >= discharged else None
    return [
        "",
        packet.patient.mrn,
        packet.episode.public_id,
        packet.episode.start_of_care.isoformat(),
        on.isoformat(),
        PACKET_KIND,
        packet.status,
        "",
        "",
        values.get("back_pain"),
        values.get("leg_pain"),
        values.get("odi"),
        values.get("psfs"),
        "",
        "",
        baseline.get("back_pain"),
        baseline.get("leg_pain"),
        baseline.get("odi"),
        baseline.get("psfs"),
        packet.public_id,
        packets.purpose_label(packet.purpose),
        packet.due_on.isoformat() if packet.due_on else "",
        after,
        grc.get("value"),
        grc.get("label"),
        "",
    ]


def csv_patient_ids(job: ReportJob) -> set[int]:
    """The patients the outcomes CSV has rows for (two queries): the export's audit names
    each one, a patient with only a follow-up packet in the range too."""
    p = job.params
    evaluations = _evaluations(
        date_from=p["date_from"],
        date_to=p["date_to"],
        therapist_ids=p["therapists"],
        include_drafts=p["drafts"],
        created_before=job.created_at,
    )
    answered = _packets(
        date_from=p["date_from"],
        date_to=p["date_to"],
        therapist_ids=p["therapists"],
        created_before=job.created_at,
    )
    return set(evaluations.values_list("patient_id", flat=True)) | set(
        answered.values_list("patient_id", flat=True)
    )


def write_outcomes_csv(job: ReportJob, out: TextIO) -> int:
    """One row per evaluation matching the export's filters, then one per follow-up packet
    submitted in its date range, streamed (constant memory beyond each episode's four
    baseline values), each with its episode of care and that episode's baseline. A fixed
    number of queries: the episodes of each (2), their baselines (2 per 500 episodes) and
    the two streams (2)."""
    p = job.params
    qs = (
        _evaluations(
            date_from=p["date_from"],
            date_to=p["date_to"],
            therapist_ids=p["therapists"],
            include_drafts=p["drafts"],
            created_before=job.created_at,
        )
        .select_related("patient", "therapist", "episode")
        .only(
            "public_id",
            "episode__public_id",
            "episode__start_of_care",
            "visit_date",
            "kind",
            "status",
            "signed_at",
            "findings",
            "content",
            "patient__mrn",
            "therapist__username",
        )
        .order_by("visit_date", "created_at", "pk")
    )
    answered = (
        _packets(
            date_from=p["date_from"],
            date_to=p["date_to"],
            therapist_ids=p["therapists"],
            created_before=job.created_at,
        )
        .select_related("patient", "episode")
        .only(
            "public_id",
            "purpose",
            "due_on",
            "status",
            "submitted_at",
            "scores",
            "patient__mrn",
            "episode__public_id",
            "episode__start_of_care",
            "episode__discharged_on",
        )
        .order_by("submitted_at", "pk")
    )
    baselines = episode_baselines(
        itertools.chain(
            qs.values_list("episode_id", flat=True), answered.values_list("episode_id", flat=True)
        )
    )
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    n = 0
    for ev in qs.iterator(chunk_size=500):
        values, site = visit_values(ev)
        baseline = baselines.get(ev.episode_id, {})
        category = ((ev.content or {}).get("classification") or {}).get("category", "")
        writer.writerow(
            [
                _cell(v)
                for v in (
                    ev.public_id,
                    ev.patient.mrn,
                    ev.episode.public_id,
                    ev.episode.start_of_care.isoformat(),
                    ev.visit_date.isoformat(),
                    ev.kind,
                    ev.status,
                    ev.therapist.username,
                    ev.signed_at.isoformat() if ev.signed_at else "",
                    values.get("back_pain"),
                    values.get("leg_pain"),
                    values.get("odi"),
                    values.get("psfs"),
                    site or "",
                    category,
                    baseline.get("back_pain"),
                    baseline.get("leg_pain"),
                    baseline.get("odi"),
                    baseline.get("psfs"),
                    *("",) * 6,
                    packets.used_packet(ev.content) or "",
                )
            ]
        )
        n += 1
    for packet in answered.iterator(chunk_size=500):
        row = _packet_row(packet, baselines.get(packet.episode_id, {}))
        writer.writerow([_cell(v) for v in row])
        n += 1
    return n
