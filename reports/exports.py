"""What goes into a batch export: the selection asked for, its documents, their names in
the ZIP, and the outcome CSV. Only record ids and MRNs are stored on the job; names and
clinical text are read from the records when each document is rendered."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, TextIO

from evaluations.models import Evaluation
from evaluations.progress import visit_values

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
            "public_id", "kind", "visit_date", "patient_id", "patient__mrn", "intake__public_id"
        )
    )
    items: list[list[str]] = []
    for kind in request.kinds:
        folder = FOLDERS[kind]
        if kind in ("evaluation", "handout"):
            for public_id, ev_kind, visit, _pid, mrn, _intake in rows:
                items.append(
                    [
                        kind,
                        str(public_id),
                        f"{folder}/{visit}-{mrn}-{ev_kind}-{str(public_id)[:8]}.pdf",
                    ]
                )
        elif kind == "progress":
            latest = {}
            for row in rows:  # ordered by date: the last one per patient wins
                latest[row[3]] = row
            for public_id, _k, visit, _pid, mrn, _intake in sorted(
                latest.values(), key=lambda r: (r[2], r[4])
            ):
                items.append(
                    [kind, str(public_id), f"{folder}/{mrn}-{visit}-{str(public_id)[:8]}.pdf"]
                )
        elif kind == "intake_summary":
            seen = set()
            for _id, _k, _visit, _pid, mrn, intake_id in rows:
                if intake_id is None or intake_id in seen:
                    continue
                seen.add(intake_id)
                items.append([kind, str(intake_id), f"{folder}/{mrn}-{str(intake_id)[:8]}.pdf"])
    return items


CSV_COLUMNS = [
    "evaluation_id",
    "patient_mrn",
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
]


def _cell(value) -> str:
    """A CSV cell a spreadsheet will not run as a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def write_outcomes_csv(job: ReportJob, out: TextIO) -> int:
    """One row per evaluation matching the export's filters, streamed (constant memory)."""
    p = job.params
    qs = (
        _evaluations(
            date_from=p["date_from"],
            date_to=p["date_to"],
            therapist_ids=p["therapists"],
            include_drafts=p["drafts"],
            created_before=job.created_at,
        )
        .select_related("patient", "therapist")
        .only(
            "public_id",
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
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    n = 0
    for ev in qs.iterator(chunk_size=500):
        values, site = visit_values(ev)
        category = ((ev.content or {}).get("classification") or {}).get("category", "")
        writer.writerow(
            [
                _cell(v)
                for v in (
                    ev.public_id,
                    ev.patient.mrn,
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
                )
            ]
        )
        n += 1
    return n
