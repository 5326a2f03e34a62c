"""A run's claim on its work: taking a job or an export part, beating while it works, and
giving the work back or failing it with a reason a person can read.

Every run claims its work in a short transaction and stamps it with a run id (the Celery
task id). A redelivered message carries the same task id, so it may take back the work its
killed predecessor held; any other run must wait until the holder's heartbeat is stale.
Writes after the claim are fenced by the run id (`fence`): a run that lost its claim
cannot overwrite the result of the run that took over.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from uuid import UUID

from django.conf import settings
from django.db import InterfaceError, OperationalError, connections
from django.db.models import QuerySet
from django.utils import timezone

from reports import pdf
from reports.models import ReportJob
from reports.runlog import logger

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


def _stale_before(now=None):
    return (now or timezone.now()) - timedelta(seconds=settings.REPORT_STALE_SECONDS)


def may_take(status: str, holder: UUID | None, heartbeat, run_id: UUID) -> bool:
    """Whether run `run_id` may claim work in this state: queued, or running under this
    same run (a redelivery), under no run, or under one whose heartbeat is stale."""
    if status == "queued":
        return True
    if status == "running":
        return (
            holder == run_id or holder is None or heartbeat is None or (heartbeat < _stale_before())
        )
    return False


@contextmanager
def heartbeat(*fenced: QuerySet) -> Iterator[None]:
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


def fence(job: ReportJob, run_id: UUID):
    """The job, as long as run `run_id` still holds it."""
    return ReportJob.objects.filter(pk=job.pk, run_token=run_id)


def fail(job: ReportJob, run_id: UUID | None, reason: str) -> None:
    """Stop the job with `reason`; with a run id, only while that run still holds it."""
    qs = ReportJob.objects.filter(pk=job.pk)
    if run_id is not None:
        qs = qs.filter(run_token=run_id)
    qs.update(
        status=ReportJob.Status.FAILED,
        error=reason,
        finished_at=timezone.now(),
        run_token=None,
    )


def release(job: ReportJob, run_id: UUID, reason: str) -> None:
    """Give the job back to the queue after a transient error; the task retries it."""
    fence(job, run_id).update(status=ReportJob.Status.QUEUED, error=reason, run_token=None)


def fail_after_retries(job_id: UUID) -> None:
    job = ReportJob.objects.filter(public_id=job_id).first()
    if job is not None and job.is_active:
        fail(job, None, GAVE_UP.format(n=job.attempts))
