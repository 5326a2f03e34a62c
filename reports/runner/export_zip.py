"""Finishing a batch export: the ZIP of its verified documents, its manifest and outcome
CSV, and an audit entry for each patient whose records went in.

The ZIP and its manifest are built from verified documents only, each exactly once: a
document whose file is missing or is not the one recorded sends its part back to be
rendered again, and the last of those parts to finish makes the ZIP again.
"""

from __future__ import annotations

import csv
import io
import os
import shutil
import tempfile
import zipfile
from datetime import timedelta
from pathlib import Path
from uuid import UUID

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from audit.models import AuditEvent
from audit.services import audit_record
from evaluations.models import Evaluation
from intake.models import Intake
from patients.models import Patient
from reports.dispatch import RENDER_EXPORT_PART, enqueue
from reports.exports import csv_patient_ids, write_outcomes_csv
from reports.models import ExportPart, ReportJob
from reports.runlog import log_failure, logger
from reports.runner.claims import (
    GAVE_UP,
    MAX_ATTEMPTS,
    RENDER_FAILED,
    TRANSIENT_ERRORS,
    fail,
    fence,
    heartbeat,
    may_take,
)
from reports.runner.files import (
    file_digest,
    item_stem,
    media_relative,
    parts_dir,
    reports_root,
    verified_bytes,
)


def run_export_finish(job_id: UUID, *, run_id: UUID) -> None:
    with transaction.atomic():
        job = ReportJob.objects.select_for_update().filter(public_id=job_id).first()
        if job is None or job.status != ReportJob.Status.RUNNING:
            return
        if job.parts.exclude(status=ExportPart.Status.DONE).exists():
            return
        if not may_take("running", job.run_token, job.heartbeat_at, run_id):
            return
        job.run_token = run_id
        job.heartbeat_at = timezone.now()
        job.save(update_fields=["run_token", "heartbeat_at"])
    try:
        with heartbeat(fence(job, run_id)):
            target, included = _assemble_zip(job)
    except _Unverified as unverified:
        _redo_parts(job, run_id, unverified.parts)
        return
    except TRANSIENT_ERRORS:
        fence(job, run_id).update(run_token=None)
        raise
    except Exception:
        log_failure("export %s could not be assembled", job.public_id)
        fail(job, run_id, RENDER_FAILED.format(job=job.public_id))
        return
    size, sha = file_digest(target)
    now = timezone.now()
    with transaction.atomic():
        finished = fence(job, run_id).update(
            status=ReportJob.Status.SUCCEEDED,
            progress=job.total,
            file=media_relative(target),
            size=size,
            sha256=sha,
            finished_at=now,
            heartbeat_at=now,
            expires_at=now + timedelta(hours=settings.EXPORT_RETENTION_HOURS),
            run_token=None,
            error="",
        )
        if finished:
            _audit_export_contents(job, included)
    if finished:
        shutil.rmtree(parts_dir(job), ignore_errors=True)


class _Unverified(Exception):
    """Documents whose file is missing or is not what was recorded: their parts are
    rendered again before the ZIP is made."""

    def __init__(self, parts: set[int]) -> None:
        super().__init__(f"parts {sorted(parts)}")
        self.parts = parts


def _assemble_zip(job: ReportJob) -> tuple[Path, set[str]]:
    """Stream the parts' verified files into one ZIP on disk, with a manifest and, if
    asked, the outcome CSV. Memory holds one document at a time, whatever the export's
    size. Raises _Unverified, and makes no ZIP, if any document is not as recorded."""
    folder = parts_dir(job)
    # An export of the outcome CSV alone may have no document, and so no folders yet (a
    # range holding only follow-up packets, say).
    folder.mkdir(parents=True, exist_ok=True)
    target = reports_root() / f"{job.public_id}.zip"
    fd, tmp = tempfile.mkstemp(dir=reports_root(), prefix=".tmp-", suffix=".zip")
    os.close(fd)
    manifest_path = folder / "manifest.csv"
    included: set[str] = set()
    unverified: set[int] = set()
    try:
        # ZipFile takes one open entry at a time, so the manifest is written beside the
        # parts as the documents go in, then added last.
        with (
            zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED, allowZip64=True) as zf,
            manifest_path.open("w", encoding="utf-8", newline="") as manifest_file,
        ):
            manifest = csv.writer(manifest_file)
            manifest.writerow(["document", "kind", "record", "included", "reason"])
            for part in job.parts.order_by("index").iterator():
                for i, (kind, subject_id, name) in enumerate(part.items):
                    recorded = part.results.get(str(i))
                    if recorded and "reason" in recorded:
                        manifest.writerow([name, kind, subject_id, "no", recorded["reason"]])
                        continue
                    data = verified_bytes(folder / f"{item_stem(part, i)}.pdf", recorded)
                    if data is None:
                        unverified.add(part.index)
                        continue
                    # PDFs are compressed already: store them, don't deflate again.
                    zf.writestr(name, data, compress_type=zipfile.ZIP_STORED)
                    manifest.writerow([name, kind, subject_id, "yes", ""])
                    included.add(subject_id)
            if unverified:
                raise _Unverified(unverified)
            manifest_file.close()
            zf.write(manifest_path, "manifest.csv", compress_type=zipfile.ZIP_DEFLATED)
            if job.params.get("csv"):
                with (
                    zf.open("outcomes.csv", "w", force_zip64=True) as raw,
                    io.TextIOWrapper(raw, encoding="utf-8", newline="") as text,
                ):
                    write_outcomes_csv(job, text)
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return target, included


def _redo_parts(job: ReportJob, run_id: UUID, indexes: set[int]) -> None:
    """Send parts back to render what did not verify; the last of them to finish makes
    the ZIP again. Their attempts count on, so a disk that keeps losing files ends the
    export with a reason instead of going round for ever."""
    logger.warning(
        "export %s: documents missing or changed on disk; rendering parts %s again",
        job.public_id,
        sorted(indexes),
    )
    parts = ExportPart.objects.filter(job=job, index__in=indexes)
    if parts.filter(attempts__gte=MAX_ATTEMPTS).exists():
        fail(job, run_id, GAVE_UP.format(n=MAX_ATTEMPTS))
        return
    with transaction.atomic():
        if not fence(job, run_id).update(run_token=None, heartbeat_at=timezone.now()):
            return  # another finishing run took over: it decides
        parts.update(status=ExportPart.Status.QUEUED, run_token=None, dispatched_at=None)
    for index in sorted(indexes):
        if enqueue(RENDER_EXPORT_PART, str(job.public_id), index):
            ExportPart.objects.filter(job=job, index=index, dispatched_at__isnull=True).update(
                dispatched_at=timezone.now()
            )


def _audit_export_contents(job: ReportJob, included: set[str]) -> None:
    """One entry per patient whose records went into the export: their record shows it."""
    patient_ids = set(
        Evaluation.objects.filter(public_id__in=included).values_list("patient_id", flat=True)
    ) | set(Intake.objects.filter(public_id__in=included).values_list("patient_id", flat=True))
    if job.params.get("csv"):
        # The outcomes CSV's rows too: visits and follow-up packets with no document here.
        patient_ids |= csv_patient_ids(job)
    for patient in Patient.objects.filter(pk__in=patient_ids).only("pk"):
        audit_record(
            actor=job.requested_by,
            action=AuditEvent.Action.EXPORT,
            patient=patient,
            obj=job,
            summary="Included in a batch export",
            details={"job": str(job.public_id)},
        )
