"""What report tasks do: claim a job (or an export part), render, write the file, finish.

Every run claims its work in a short transaction and stamps it with a run id (the Celery
task id). A redelivered message carries the same task id, so it may take back the work its
killed predecessor held; any other run must wait until the holder's heartbeat is stale.
Writes after the claim are fenced by the run id: a run that lost its claim cannot
overwrite the result of the run that took over.

While a run works, a thread of its own stamps its heartbeat every few seconds
(REPORT_HEARTBEAT_SECONDS), however long one document takes; a run silent for
REPORT_STALE_SECONDS is dead, and the sweep hands its work on within seconds.

A document is complete or it is not written: a render WeasyPrint could not finish
(reports.pdf.RenderIncomplete) writes no file. Files are written to a temporary name and
renamed into place, and each export document's size and SHA-256 are recorded on its part
once the file is there. A redone part, and the assembly of the ZIP, trust a file only if
its content is the one recorded: a file left by a killed run, or changed on disk since,
is rendered again. The ZIP and its manifest are built from verified documents only, each
exactly once.
"""

from __future__ import annotations

import csv
import hashlib
import io
import logging
import os
import shutil
import sys
import tempfile
import threading
import traceback
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from pathlib import Path
from uuid import UUID

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist
from django.db import InterfaceError, OperationalError, connections, transaction
from django.db.models import Max, QuerySet, Sum
from django.utils import timezone

from audit.models import AuditEvent
from audit.services import audit_record
from core.models import Clinic
from reports import pdf
from reports.documents import DOCUMENTS
from reports.models import ExportPart, ReportJob

logger = logging.getLogger(__name__)

# Errors worth retrying: the database or the disk had a moment, or a render lost an image
# to one. Anything else is a fault in the record or the template and fails the job with a
# readable reason.
TRANSIENT_ERRORS = (OperationalError, InterfaceError, OSError, pdf.RenderInterrupted)

RENDER_FAILED = (
    "The PDF could not be produced because of an error in the report. Try again; if it "
    "fails again, tell your administrator (job {job})."
)
INCOMPLETE = (
    "The PDF could not be produced completely: a chart or an image in it could not be "
    "drawn, so it was not written. Try again; if it fails again, tell your administrator "
    "(job {job})."
)
TOO_SLOW = "Producing the PDF took too long and was stopped. Try again later."
GAVE_UP = "The job was tried {n} times without finishing and has been stopped. Try again."
MAX_ATTEMPTS = 5


def log_failure(message: str, *args) -> None:
    """Log the current exception's type and where it was raised, not its message: the
    message of an error raised while rendering a record can quote the record's text."""
    exc_type, _exc, tb = sys.exc_info()
    where = "".join(traceback.format_tb(tb)) if tb else ""
    logger.error(message + ": %s\n%s", *args, exc_type.__name__ if exc_type else "?", where)


def reports_root() -> Path:
    return Path(settings.MEDIA_ROOT) / "reports"


def _stale_before(now=None):
    return (now or timezone.now()) - timedelta(seconds=settings.REPORT_STALE_SECONDS)


def _may_take(status: str, holder: UUID | None, heartbeat, run_id: UUID) -> bool:
    if status == "queued":
        return True
    if status == "running":
        return (
            holder == run_id or holder is None or heartbeat is None or (heartbeat < _stale_before())
        )
    return False


def _write_atomic(target: Path, chunks: Iterator[bytes] | bytes) -> tuple[int, str]:
    """Write to a temporary file in the same folder, fsync, rename into place."""
    target.parent.mkdir(parents=True, exist_ok=True)
    digest, size = hashlib.sha256(), 0
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".tmp-", suffix=target.suffix)
    try:
        with os.fdopen(fd, "wb") as fh:
            for chunk in [chunks] if isinstance(chunks, bytes) else chunks:
                fh.write(chunk)
                digest.update(chunk)
                size += len(chunk)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return size, digest.hexdigest()


def _file_digest(path: Path) -> tuple[int, str]:
    digest, size = hashlib.sha256(), 0
    with path.open("rb") as fh:
        while block := fh.read(1 << 20):
            digest.update(block)
            size += len(block)
    return size, digest.hexdigest()


def _matches(path: Path, recorded: dict | None) -> bool:
    """The file is there with exactly the content recorded when it was written."""
    if not recorded or "sha256" not in recorded:
        return False  # a file nobody recorded (a killed run's) is not trusted
    try:
        size, sha = _file_digest(path)
    except FileNotFoundError:
        return False
    return size == recorded.get("size") and sha == recorded["sha256"]


@contextmanager
def _heartbeat(*fenced: QuerySet) -> Iterator[None]:
    """Stamp heartbeat_at on `fenced` (querysets that match only while this run holds its
    claim) every REPORT_HEARTBEAT_SECONDS from a thread, while the block runs. A live run
    never looks dead, however long one document takes, so a run that stops beating can
    be called dead after a few missed beats and its work resumed in seconds."""
    interval = settings.REPORT_HEARTBEAT_SECONDS
    if interval <= 0:
        yield
        return
    stop = threading.Event()

    def beat() -> None:
        try:
            while not stop.wait(interval):
                try:
                    now = timezone.now()
                    for qs in fenced:
                        qs.update(heartbeat_at=now)
                except Exception as exc:
                    # The database had a moment (the work itself notices if it lasts). A
                    # heartbeat that died quietly would let another run take live work.
                    logger.warning(
                        "report heartbeat failed (%s); the next beat tries again",
                        type(exc).__name__,
                    )
        finally:
            connections.close_all()  # this thread's own connections only

    thread = threading.Thread(target=beat, name="report-heartbeat", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join(timeout=interval + 10)


def _relative(path: Path) -> str:
    return str(path.relative_to(Path(settings.MEDIA_ROOT)))


def _fence(job: ReportJob, run_id: UUID):
    return ReportJob.objects.filter(pk=job.pk, run_token=run_id)


def _fail(job: ReportJob, run_id: UUID | None, reason: str) -> None:
    qs = ReportJob.objects.filter(pk=job.pk)
    if run_id is not None:
        qs = qs.filter(run_token=run_id)
    qs.update(
        status=ReportJob.Status.FAILED,
        error=reason,
        finished_at=timezone.now(),
        run_token=None,
    )


def _release(job: ReportJob, run_id: UUID, reason: str) -> None:
    """Give the job back to the queue after a transient error; the task retries it."""
    _fence(job, run_id).update(status=ReportJob.Status.QUEUED, error=reason, run_token=None)


def fail_after_retries(job_id: UUID) -> None:
    job = ReportJob.objects.filter(public_id=job_id).first()
    if job is not None and job.is_active:
        _fail(job, None, GAVE_UP.format(n=job.attempts))


# --- One document -------------------------------------------------------------------------


def claim_job(job_id: UUID, run_id: UUID) -> ReportJob | None:
    with transaction.atomic():
        job = ReportJob.objects.select_for_update().filter(public_id=job_id).first()
        if job is None or not _may_take(job.status, job.run_token, job.heartbeat_at, run_id):
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
        with _heartbeat(_fence(job, run_id)):
            subject = doc.load(UUID(job.params["subject"]))
            if reason := doc.unavailable(subject):
                _fail(job, run_id, reason)
                return
            rendered = pdf.render_document(job.kind, subject, clinic=Clinic.objects.current())
            target = reports_root() / f"{job.public_id}.pdf"
            size, sha = _write_atomic(target, rendered.pdf)
    except ObjectDoesNotExist:
        _fail(job, run_id, "The record this document was asked for no longer exists.")
        return
    except SoftTimeLimitExceeded:
        _fail(job, run_id, TOO_SLOW)
        return
    except TRANSIENT_ERRORS:
        logger.warning("report job %s hit a transient error", job.public_id, exc_info=True)
        _release(job, run_id, "A temporary problem interrupted the job; it will be retried.")
        raise
    except pdf.RenderIncomplete:
        log_failure("report job %s (%s) is incomplete", job.public_id, job.kind)
        _fail(job, run_id, INCOMPLETE.format(job=job.public_id))
        return
    except Exception:
        # The traceback goes to the log with the job id only; staff see a readable reason.
        log_failure("report job %s (%s) failed", job.public_id, job.kind)
        _fail(job, run_id, RENDER_FAILED.format(job=job.public_id))
        return
    now = timezone.now()
    finished = _fence(job, run_id).update(
        status=ReportJob.Status.SUCCEEDED,
        progress=1,
        total=1,
        file=_relative(target),
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


# --- Batch export ---------------------------------------------------------------------------


def parts_dir(job: ReportJob) -> Path:
    return reports_root() / f"{job.public_id}.parts"


def item_stem(part: ExportPart, i: int) -> str:
    return f"{part.index:05d}-{i:04d}"


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
        if not _may_take(part.status, part.run_token, part.heartbeat_at, run_id):
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
        with _heartbeat(mine, ReportJob.objects.filter(pk=job.pk, parts__run_token=run_id)):
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
        if not (recorded and "reason" in recorded) and not _matches(path, recorded):
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
    size, sha = _write_atomic(path, body)
    return {"sha256": sha, "size": size}


def _part_done(job: ReportJob, part: ExportPart, run_id: UUID) -> None:
    # Imported here: reports.tasks imports this module.
    from reports.dispatch import enqueue
    from reports.tasks import finish_export

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
            transaction.on_commit(lambda: enqueue(finish_export, str(job.public_id)))


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


def run_export_finish(job_id: UUID, *, run_id: UUID) -> None:
    with transaction.atomic():
        job = ReportJob.objects.select_for_update().filter(public_id=job_id).first()
        if job is None or job.status != ReportJob.Status.RUNNING:
            return
        if job.parts.exclude(status=ExportPart.Status.DONE).exists():
            return
        if not _may_take("running", job.run_token, job.heartbeat_at, run_id):
            return
        job.run_token = run_id
        job.heartbeat_at = timezone.now()
        job.save(update_fields=["run_token", "heartbeat_at"])
    try:
        with _heartbeat(_fence(job, run_id)):
            target, included = _assemble_zip(job)
    except _Unverified as unverified:
        _redo_parts(job, run_id, unverified.parts)
        return
    except TRANSIENT_ERRORS:
        _fence(job, run_id).update(run_token=None)
        raise
    except Exception:
        log_failure("export %s could not be assembled", job.public_id)
        _fail(job, run_id, RENDER_FAILED.format(job=job.public_id))
        return
    size, sha = _file_digest(target)
    now = timezone.now()
    with transaction.atomic():
        finished = _fence(job, run_id).update(
            status=ReportJob.Status.SUCCEEDED,
            progress=job.total,
            file=_relative(target),
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


def _verified_bytes(path: Path, recorded: dict | None) -> bytes | None:
    """The file's content if it is exactly what was recorded, else None. Read once: the
    bytes that are checked are the bytes that go into the ZIP."""
    if not recorded or "sha256" not in recorded:
        return None
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return None
    if len(data) != recorded.get("size") or hashlib.sha256(data).hexdigest() != recorded["sha256"]:
        return None
    return data


def _assemble_zip(job: ReportJob) -> tuple[Path, set[str]]:
    """Stream the parts' verified files into one ZIP on disk, with a manifest and, if
    asked, the outcome CSV. Memory holds one document at a time, whatever the export's
    size. Raises _Unverified, and makes no ZIP, if any document is not as recorded."""
    folder = parts_dir(job)
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
                    data = _verified_bytes(folder / f"{item_stem(part, i)}.pdf", recorded)
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
                from reports.exports import write_outcomes_csv

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
    from reports.dispatch import enqueue
    from reports.tasks import render_export_part

    logger.warning(
        "export %s: documents missing or changed on disk; rendering parts %s again",
        job.public_id,
        sorted(indexes),
    )
    parts = ExportPart.objects.filter(job=job, index__in=indexes)
    if parts.filter(attempts__gte=MAX_ATTEMPTS).exists():
        _fail(job, run_id, GAVE_UP.format(n=MAX_ATTEMPTS))
        return
    with transaction.atomic():
        if not _fence(job, run_id).update(run_token=None, heartbeat_at=timezone.now()):
            return  # another finishing run took over: it decides
        parts.update(status=ExportPart.Status.QUEUED, run_token=None, dispatched_at=None)
    for index in sorted(indexes):
        if enqueue(render_export_part, str(job.public_id), index):
            ExportPart.objects.filter(job=job, index=index, dispatched_at__isnull=True).update(
                dispatched_at=timezone.now()
            )


def _audit_export_contents(job: ReportJob, included: set[str]) -> None:
    """One entry per patient whose records went into the export: their record shows it."""
    from evaluations.models import Evaluation
    from intake.models import Intake

    patient_ids = set(
        Evaluation.objects.filter(public_id__in=included).values_list("patient_id", flat=True)
    ) | set(Intake.objects.filter(public_id__in=included).values_list("patient_id", flat=True))
    from patients.models import Patient

    for patient in Patient.objects.filter(pk__in=patient_ids).only("pk"):
        audit_record(
            actor=job.requested_by,
            action=AuditEvent.Action.EXPORT,
            patient=patient,
            obj=job,
            summary="Included in a batch export",
            details={"job": str(job.public_id)},
        )
