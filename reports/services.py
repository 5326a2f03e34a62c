"""Asking for PDFs and exports, retrying them, and the periodic sweep and clean-up.

A job row is written in the transaction that asks for it and dispatched only after that
transaction commits (`transaction.on_commit`), so a worker never looks for a row that is
not there yet, and a broker that is down loses nothing: the sweep dispatches again.
"""

from __future__ import annotations

import hashlib
import logging
import shutil
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Min, Q
from django.utils import timezone

from accounts.models import User
from audit.models import AuditEvent
from audit.services import audit_record
from core.models import Clinic
from reports.dispatch import FINISH_EXPORT, RENDER_DOCUMENT, RENDER_EXPORT_PART, enqueue
from reports.documents import DOCUMENTS, patient_of
from reports.exports import ExportRequest, export_items
from reports.models import ExportPart, ReportJob
from reports.runner.claims import MAX_ATTEMPTS, fail_after_retries
from reports.runner.files import parts_dir

logger = logging.getLogger(__name__)


class ReportUnavailable(Exception):
    """The document cannot be made from this record (the message says why)."""


def _dedupe_key(kind: str, subject_id: str, version: str, clinic: Clinic) -> str:
    # The letterhead and paper size are part of what is rendered.
    raw = f"{kind}|{subject_id}|{version}|{clinic.updated_at.isoformat()}|{clinic.paper_size}"
    return hashlib.sha256(raw.encode()).hexdigest()


def _dispatch_document(job: ReportJob) -> None:
    if enqueue(RENDER_DOCUMENT, str(job.public_id)):
        ReportJob.objects.filter(pk=job.pk, dispatched_at__isnull=True).update(
            dispatched_at=timezone.now()
        )


def _dispatch_part(job: ReportJob, part: ExportPart) -> bool:
    if enqueue(RENDER_EXPORT_PART, str(job.public_id), part.index):
        ExportPart.objects.filter(pk=part.pk).update(dispatched_at=timezone.now())
        return True
    return False


def _dispatch_parts(job: ReportJob, parts) -> None:
    for part in parts:
        # The broker is down: don't wait out a timeout for every part; the sweep sends
        # the parts left undispatched.
        if not _dispatch_part(job, part):
            break


def _dispatch_export(job: ReportJob) -> None:
    _dispatch_parts(job, job.parts.order_by("index"))
    ReportJob.objects.filter(pk=job.pk).update(dispatched_at=timezone.now())


def report_request(*, kind: str, subject, by: User) -> ReportJob:
    """The job that renders document `kind` of `subject` (an intake or an evaluation).

    Asking again for the same document of the same record version returns the pending
    job, or the finished one while its file is kept, instead of rendering it again.
    """
    doc = DOCUMENTS[kind]
    if reason := doc.unavailable(subject):
        raise ReportUnavailable(reason)
    clinic = Clinic.objects.current()
    subject_id = str(subject.public_id)
    key = _dedupe_key(kind, subject_id, doc.version(subject), clinic)
    patient = patient_of(subject)
    with transaction.atomic():
        existing = _reusable(key)
        if existing is None:
            try:
                with transaction.atomic():
                    job = ReportJob.objects.create(
                        kind=kind,
                        params={"subject": subject_id},
                        dedupe_key=key,
                        patient=patient,
                        requested_by=by,
                    )
            except IntegrityError:
                # Someone asked for the same version a moment ago: theirs is the job.
                existing = _reusable(key)
                if existing is None:
                    raise
        if existing is not None:
            job = existing
        audit_record(
            actor=by,
            action=AuditEvent.Action.EXPORT,
            patient=patient,
            obj=job,
            summary=f"Asked for a PDF: {doc.label}"
            + (" (existing job reused)" if existing else ""),
            details={"kind": kind, "subject": subject_id},
        )
        if existing is None:
            transaction.on_commit(lambda: _dispatch_document(job))
    return job


def _reusable(key: str) -> ReportJob | None:
    now = timezone.now()
    for job in ReportJob.objects.filter(dedupe_key=key).order_by("-created_at")[:3]:
        if job.is_active:
            return job
        if job.is_downloadable and (job.expires_at is None or job.expires_at > now):
            return job
    return None


def report_retry(*, job: ReportJob, by: User) -> ReportJob:
    """A failed job, queued again from the start (a document) or from where it stopped
    (an export: finished parts stay finished)."""
    with transaction.atomic():
        job = ReportJob.objects.select_for_update().get(pk=job.pk)
        if job.status != ReportJob.Status.FAILED:
            return job
        job.status = ReportJob.Status.QUEUED
        job.error = ""
        job.attempts = 0
        job.run_token = None
        job.finished_at = None
        job.dispatched_at = None
        job.save()
        if job.is_export:
            job.parts.exclude(status=ExportPart.Status.DONE).update(
                status=ExportPart.Status.QUEUED, run_token=None, attempts=0
            )
        audit_record(
            actor=by,
            action=AuditEvent.Action.EXPORT,
            patient=job.patient,
            obj=job,
            summary=f"Retried: {job.get_kind_display()}",
        )
        transaction.on_commit(
            lambda: _resume_export(job) if job.is_export else _dispatch_document(job)
        )
    return job


def _resume_export(job: ReportJob) -> None:
    pending = list(job.parts.exclude(status=ExportPart.Status.DONE).order_by("index"))
    if pending:
        ReportJob.objects.filter(pk=job.pk).update(status=ReportJob.Status.RUNNING)
        _dispatch_parts(job, pending)
    else:
        ReportJob.objects.filter(pk=job.pk).update(status=ReportJob.Status.RUNNING)
        enqueue(FINISH_EXPORT, str(job.public_id))


# --- Batch export ---------------------------------------------------------------------------


class ExportEmpty(Exception):
    """No record matches the export's filters."""


def export_request(*, request: ExportRequest, by: User) -> ReportJob:
    items = export_items(request)
    if not items and not request.include_csv:
        raise ExportEmpty("No evaluations match these dates and therapists.")
    if len(items) > settings.EXPORT_MAX_DOCUMENTS:
        raise ExportEmpty(
            f"That is {len(items)} documents; an export holds at most "
            f"{settings.EXPORT_MAX_DOCUMENTS}. Choose a shorter date range."
        )
    size = settings.EXPORT_PART_SIZE
    with transaction.atomic():
        job = ReportJob.objects.create(
            kind=ReportJob.Kind.EXPORT,
            params={
                "date_from": request.date_from.isoformat(),
                "date_to": request.date_to.isoformat(),
                "therapists": list(request.therapist_ids),
                "kinds": list(request.kinds),
                "csv": request.include_csv,
                "drafts": request.include_drafts,
            },
            requested_by=by,
            total=len(items),
            filename=f"export-{request.date_from}-to-{request.date_to}.zip",
        )
        parts = [
            ExportPart(job=job, index=n, items=items[start : start + size])
            for n, start in enumerate(range(0, len(items), size))
        ] or [ExportPart(job=job, index=0, items=[])]
        ExportPart.objects.bulk_create(parts)
        audit_record(
            actor=by,
            action=AuditEvent.Action.EXPORT,
            obj=job,
            summary=f"Started a batch export of {len(items)} documents",
            details={**job.params, "documents": len(items)},
        )
        transaction.on_commit(lambda: _dispatch_export(job))
    return job


def job_download(*, job: ReportJob, by: User) -> Path:
    """The file to send, after recording who downloaded it."""
    path = Path(settings.MEDIA_ROOT) / job.file
    audit_record(
        actor=by,
        action=AuditEvent.Action.DOWNLOAD,
        patient=job.patient,
        obj=job,
        summary=f"Downloaded {job.get_kind_display().lower()}",
        details={"sha256": job.sha256, "size": job.size},
    )
    return path


# --- Periodic tasks -------------------------------------------------------------------------


def jobs_sweep(*, now=None) -> dict[str, int]:
    """Dispatch again what was never delivered or lost its worker; stop what keeps failing.

    Runs every minute (Celery beat). Safe to run anywhere and any number of times: the
    runner's claim lets only one run do the work.
    """
    now = now or timezone.now()
    undelivered_before = now - timedelta(seconds=settings.REPORT_REDISPATCH_SECONDS)
    stale_before = now - timedelta(seconds=settings.REPORT_STALE_SECONDS)
    counts = {"documents": 0, "parts": 0, "finishes": 0, "gave_up": 0}

    active = ReportJob.objects.active()
    for job in active.filter(attempts__gte=MAX_ATTEMPTS):
        fail_after_retries(job.public_id)
        counts["gave_up"] += 1

    documents = active.exclude(kind=ReportJob.Kind.EXPORT).filter(attempts__lt=MAX_ATTEMPTS)
    for job in documents.filter(status=ReportJob.Status.QUEUED).exclude(
        dispatched_at__gte=undelivered_before
    ):
        ReportJob.objects.filter(pk=job.pk).update(dispatched_at=None)
        _dispatch_document(job)
        counts["documents"] += 1
    for job in documents.filter(status=ReportJob.Status.RUNNING, heartbeat_at__lt=stale_before):
        ReportJob.objects.filter(pk=job.pk, status=ReportJob.Status.RUNNING).update(
            status=ReportJob.Status.QUEUED, run_token=None, dispatched_at=None
        )
        _dispatch_document(job)
        counts["documents"] += 1

    exports = ReportJob.objects.active().filter(kind=ReportJob.Kind.EXPORT)
    parts = ExportPart.objects.filter(job__in=exports).select_related("job")
    for part in parts.filter(attempts__gte=MAX_ATTEMPTS).exclude(status=ExportPart.Status.DONE):
        fail_after_retries(part.job.public_id)
        counts["gave_up"] += 1
    parts = parts.filter(attempts__lt=MAX_ATTEMPTS)
    # A queued part of an export that is moving is only waiting its turn behind the other
    # parts: send it again only if its publish failed or the whole export has stalled.
    waiting = parts.filter(status=ExportPart.Status.QUEUED).filter(
        Q(dispatched_at__isnull=True)
        | Q(dispatched_at__lt=undelivered_before)
        & (Q(job__heartbeat_at__isnull=True) | Q(job__heartbeat_at__lt=stale_before))
    )
    for part in waiting:
        _dispatch_part(part.job, part)
        counts["parts"] += 1
    for part in parts.filter(status=ExportPart.Status.RUNNING, heartbeat_at__lt=stale_before):
        ExportPart.objects.filter(pk=part.pk, status=ExportPart.Status.RUNNING).update(
            status=ExportPart.Status.QUEUED, run_token=None
        )
        _dispatch_part(part.job, part)
        counts["parts"] += 1
    # Every part done but the ZIP never made: the finishing task was lost.
    for job in exports.filter(status=ReportJob.Status.RUNNING, heartbeat_at__lt=stale_before):
        if not job.parts.exclude(status=ExportPart.Status.DONE).exists():
            ReportJob.objects.filter(pk=job.pk).update(run_token=None)
            enqueue(FINISH_EXPORT, str(job.public_id))
            counts["finishes"] += 1
    return counts


def seconds_until_stale(*, now=None) -> float | None:
    """Seconds until the running job or export part with the oldest heartbeat goes stale
    (and a sweep would hand it on), or None when nothing is running. Two indexed queries."""
    now = now or timezone.now()
    oldest = [
        ReportJob.objects.filter(status=ReportJob.Status.RUNNING)
        .exclude(kind=ReportJob.Kind.EXPORT)
        .aggregate(at=Min("heartbeat_at"))["at"],
        ExportPart.objects.filter(
            status=ExportPart.Status.RUNNING, job__status=ReportJob.Status.RUNNING
        ).aggregate(at=Min("heartbeat_at"))["at"],
    ]
    beats = [at for at in oldest if at is not None]
    if not beats:
        return None
    stale_at = min(beats) + timedelta(seconds=settings.REPORT_STALE_SECONDS)
    # A moment past it: the sweep's test is "older than", not "as old as".
    return max((stale_at - now).total_seconds(), 0) + 1


def reports_purge_expired(*, now=None) -> int:
    """Delete the files of jobs past their expiry (and leftovers of failed exports)."""
    now = now or timezone.now()
    removed = 0
    for job in ReportJob.objects.expired(now).only("pk", "public_id", "file"):
        if job.file:
            (Path(settings.MEDIA_ROOT) / job.file).unlink(missing_ok=True)
        shutil.rmtree(parts_dir(job), ignore_errors=True)
        ReportJob.objects.filter(pk=job.pk).update(purged_at=now, file="")
        removed += 1
    # Failed exports keep their parts for a retry until they are as old as a finished
    # export would be kept.
    old_failures = ReportJob.objects.filter(
        kind=ReportJob.Kind.EXPORT,
        status=ReportJob.Status.FAILED,
        purged_at__isnull=True,
        finished_at__lt=now - timedelta(hours=settings.EXPORT_RETENTION_HOURS),
    )
    for job in old_failures.only("pk", "public_id"):
        shutil.rmtree(parts_dir(job), ignore_errors=True)
        ReportJob.objects.filter(pk=job.pk).update(purged_at=now)
        removed += 1
    return removed
