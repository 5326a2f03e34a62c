"""One document: claim its job, render it, write the file, finish.

A document is complete or it is not written: a render WeasyPrint could not finish
(reports.pdf.RenderIncomplete) writes no file, and the job fails with a reason a person can
read while the traceback goes to the log with the job's id only.
"""

from __future__ import annotations

from datetime import timedelta
from uuid import UUID

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist
from django.db import transaction
from django.utils import timezone

from core.models import Clinic
from reports import pdf
from reports.documents import DOCUMENTS
from reports.models import ReportJob
from reports.runlog import log_failure, logger
from reports.runner.claims import (
    INCOMPLETE,
    RENDER_FAILED,
    TOO_SLOW,
    TRANSIENT_ERRORS,
    fail,
    fence,
    heartbeat,
    may_take,
    release,
)
from reports.runner.files import media_relative, reports_root, write_atomic


def claim_job(job_id: UUID, run_id: UUID) -> ReportJob | None:
    with transaction.atomic():
        job = ReportJob.objects.select_for_update().filter(public_id=job_id).first()
        if job is None or not may_take(job.status, job.run_token, job.heartbeat_at, run_id):
            return None
        now = timezone.now()
        job.status = ReportJob.Status.RUNNING
        job.started_at = job.started_at or now
        job.heartbeat_at = now
        job.attempts += 1
        job.run_token = run_id
        job.error = ""
        job.save(
            update_fields=["status", "started_at", "heartbeat_at", "attempts", "run_token", "error"]
        )
        return job


def run_document_job(job_id: UUID, *, run_id: UUID) -> None:
    job = claim_job(job_id, run_id)
    if job is None:
        return
    doc = DOCUMENTS[job.kind]
    try:
        with heartbeat(fence(job, run_id)):
            subject = doc.load(UUID(job.params["subject"]))
            if reason := doc.unavailable(subject):
                fail(job, run_id, reason)
                return
            rendered = pdf.render_document(job.kind, subject, clinic=Clinic.objects.current())
            target = reports_root() / f"{job.public_id}.pdf"
            size, sha = write_atomic(target, rendered.pdf)
    except ObjectDoesNotExist:
        fail(job, run_id, "The record this document was asked for no longer exists.")
        return
    except SoftTimeLimitExceeded:
        fail(job, run_id, TOO_SLOW)
        return
    except TRANSIENT_ERRORS:
        logger.warning("report job %s hit a transient error", job.public_id, exc_info=True)
        release(job, run_id, "A temporary problem interrupted the job; it will be retried.")
        raise
    except pdf.RenderIncomplete:
        log_failure("report job %s (%s) is incomplete", job.public_id, job.kind)
        fail(job, run_id, INCOMPLETE.format(job=job.public_id))
        return
    except Exception:
        # The traceback goes to the log with the job id only; staff see a readable reason.
        log_failure("report job %s (%s) failed", job.public_id, job.kind)
        fail(job, run_id, RENDER_FAILED.format(job=job.public_id))
        return
    now = timezone.now()
    finished = fence(job, run_id).update(
        status=ReportJob.Status.SUCCEEDED,
        progress=1,
        total=1,
        file=media_relative(target),
        filename=rendered.filename,
        size=size,
        sha256=sha,
        pages=rendered.pages,
        finished_at=now,
        heartbeat_at=now,
        expires_at=now + timedelta(hours=settings.REPORT_RETENTION_HOURS),
        run_token=None,
        error="",
    )
    if not finished:
        logger.info("report job %s was taken over; its result stands", job.public_id)
