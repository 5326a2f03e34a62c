"""The parts of a batch export: claim one, render each of its documents that is not
verified done, and hand the export on to be finished when its last part is done; and how
far an export has come, for its page.

A part records each document as it goes (its size and SHA-256, or why it was left out), so
a redone part renders only what is missing or not as recorded.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from uuid import UUID

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist
from django.db import transaction
from django.db.models import Max, QuerySet, Sum
from django.utils import timezone

from core.models import Clinic
from reports import pdf
from reports.dispatch import FINISH_EXPORT, enqueue
from reports.documents import DOCUMENTS
from reports.models import ExportPart, ReportJob
from reports.runlog import log_failure, logger
from reports.runner.claims import TRANSIENT_ERRORS, heartbeat, may_take
from reports.runner.files import item_stem, matches_record, parts_dir, write_atomic


def claim_part(job_id: UUID, index: int, run_id: UUID) -> tuple[ReportJob, ExportPart] | None:
    with transaction.atomic():
        part = (
            ExportPart.objects.select_for_update()
            .select_related("job")
            .filter(job__public_id=job_id, index=index)
            .first()
        )
        if part is None or part.job.status not in ReportJob.ACTIVE:
            return None
        if not may_take(part.status, part.run_token, part.heartbeat_at, run_id):
            return None
        now = timezone.now()
        part.status = ExportPart.Status.RUNNING
        part.heartbeat_at = now
        part.attempts += 1
        part.run_token = run_id
        part.save(update_fields=["status", "heartbeat_at", "attempts", "run_token"])
        ReportJob.objects.filter(pk=part.job_id, status=ReportJob.Status.QUEUED).update(
            status=ReportJob.Status.RUNNING, started_at=now
        )
        ReportJob.objects.filter(pk=part.job_id).update(heartbeat_at=now)
        return part.job, part


def _render_item(kind: str, subject_id: str, clinic) -> tuple[bytes | None, str]:
    """(pdf, "") or (None, reason it was left out)."""
    doc = DOCUMENTS[kind]
    try:
        subject = doc.load(UUID(subject_id))
    except ObjectDoesNotExist:
        return None, "record no longer exists"
    if reason := doc.unavailable(subject):
        return None, reason
    return pdf.render_document(kind, subject, clinic=clinic).pdf, ""


def run_export_part(job_id: UUID, index: int, *, run_id: UUID) -> None:
    claimed = claim_part(job_id, index, run_id)
    if claimed is None:
        return
    job, part = claimed
    mine = ExportPart.objects.filter(pk=part.pk, run_token=run_id)
    try:
        with heartbeat(mine, ReportJob.objects.filter(pk=job.pk, parts__run_token=run_id)):
            finished = _render_part(job, part, mine)
    except (SoftTimeLimitExceeded, *TRANSIENT_ERRORS):
        # What is written and recorded stays; the retry carries on from there.
        logger.warning("export %s part %s interrupted; will retry", job.public_id, index)
        mine.update(status=ExportPart.Status.QUEUED, run_token=None)
        raise
    if finished:
        _part_done(job, part, run_id)


def _render_part(job: ReportJob, part: ExportPart, mine: QuerySet) -> bool:
    """Render each document of the part that is not verified done, recording what was
    written as it goes. False when another run took the part over."""
    folder = parts_dir(job)
    clinic = Clinic.objects.current()
    results = dict(part.results)
    for i, (kind, subject_id, _name) in enumerate(part.items):
        key, path = str(i), folder / f"{item_stem(part, i)}.pdf"
        recorded = results.get(key)
        if not (recorded and "reason" in recorded) and not matches_record(path, recorded):
            results[key] = _render_to(path, kind, subject_id, clinic, where=(job, part, i))
        if not mine.update(results=results, done=i + 1, heartbeat_at=timezone.now()):
            logger.info("export %s part %s was taken over", job.public_id, part.index)
            return False
    return True


def _render_to(path: Path, kind: str, subject_id: str, clinic, *, where) -> dict:
    """Render one export document to `path`; what to record for it."""
    job, part, i = where
    try:
        body, reason = _render_item(kind, subject_id, clinic)
    except (SoftTimeLimitExceeded, *TRANSIENT_ERRORS):
        raise
    except pdf.RenderIncomplete:
        log_failure("export %s: document %s/%s is incomplete", job.public_id, part.index, i)
        body, reason = None, "could not be rendered completely: a chart or an image failed"
    except Exception:
        log_failure("export %s: document %s/%s failed", job.public_id, part.index, i)
        body, reason = None, "could not be rendered (see the server log)"
    if body is None:
        # A file an earlier run left there is not this document.
        path.unlink(missing_ok=True)
        return {"reason": reason}
    size, sha = write_atomic(path, body)
    return {"sha256": sha, "size": size}


def _part_done(job: ReportJob, part: ExportPart, run_id: UUID) -> None:
    with transaction.atomic():
        job = ReportJob.objects.select_for_update().get(pk=job.pk)
        marked = ExportPart.objects.filter(pk=part.pk, run_token=run_id).update(
            status=ExportPart.Status.DONE, run_token=None, done=len(part.items)
        )
        if not marked or job.status != ReportJob.Status.RUNNING:
            return
        done = job.parts.filter(status=ExportPart.Status.DONE).aggregate(n=Sum("done"))["n"]
        job.progress = done or 0
        job.heartbeat_at = timezone.now()
        job.save(update_fields=["progress", "heartbeat_at"])
        if not job.parts.exclude(status=ExportPart.Status.DONE).exists():
            transaction.on_commit(lambda: enqueue(FINISH_EXPORT, str(job.public_id)))


def export_progress(job: ReportJob) -> int:
    """Documents finished so far, counting those inside parts still running."""
    return job_activity(job)[0]


def job_activity(job: ReportJob) -> tuple[int, datetime | None]:
    """(documents finished so far, the last heartbeat of any run working on the job), in
    one query for a running export and none otherwise."""
    if not job.is_export or job.status != ReportJob.Status.RUNNING:
        return job.progress, job.heartbeat_at
    seen = job.parts.aggregate(n=Sum("done"), beat=Max("heartbeat_at"))
    beats = [b for b in (job.heartbeat_at, seen["beat"]) if b is not None]
    return seen["n"] or 0, max(beats, default=None)


def paused_seconds(job: ReportJob, last_beat: datetime | None, now=None) -> int | None:
    """How long a running job has gone without any run beating for it, once that is long
    enough for its worker to count as gone (REPORT_STALE_SECONDS); else None."""
    if job.status != ReportJob.Status.RUNNING:
        return None
    since = last_beat or job.started_at or job.created_at
    silent = ((now or timezone.now()) - since).total_seconds()
    return int(silent) if silent > settings.REPORT_STALE_SECONDS else None
