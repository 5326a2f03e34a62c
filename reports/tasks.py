"""Celery tasks for PDF jobs and exports: thin wrappers around reports.runner, and the
periodic sweep and clean-up of reports.services.

The top of the reports app's job machinery: these tasks call the runner and the services,
and nothing in reports imports them back. Each task is declared under its name in
reports.dispatch, which is how the services and the runner send one (by name).

Arguments are the job's public id (and a part number), never patient data, so nothing
identifying passes through Redis or the worker's log. Messages are acknowledged after the
task finishes and rejected when its worker dies (settings), so a killed worker's task is
delivered again; the runner's claim makes that redelivery safe.
"""

import logging
from uuid import UUID

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded
from celery.signals import worker_init, worker_ready

from reports import dispatch
from reports.pdf import warm_up
from reports.runner.claims import TRANSIENT_ERRORS, fail_after_retries
from reports.runner.document_job import run_document_job
from reports.runner.export_parts import run_export_part
from reports.runner.export_zip import run_export_finish
from reports.services import jobs_sweep, reports_purge_expired, seconds_until_stale

logger = logging.getLogger(__name__)

RETRIES = 5


@worker_init.connect
def _preload_weasyprint(**kwargs) -> None:
    """Import WeasyPrint, parse our stylesheets and load the fonts (about half a second)
    once, in the worker's main process: the pool's children are forked from it, so a new
    or recycled child renders its first document as fast as the rest."""
    warm_up()


@worker_ready.connect
def _sweep_on_start(**kwargs) -> None:
    """A worker that starts (a restart after a crash, or the first one back after all were
    down) sweeps at once, and again as soon as work its predecessor held a moment ago has
    gone stale, instead of waiting for beat's turns: an export whose worker died carries on
    within REPORT_STALE_SECONDS of dying, and at once if that is past. Sent, not run here:
    the worker's main process keeps no database connection of its own."""
    try:
        sweep_jobs.apply_async(kwargs={"follow_up": True}, expires=60)
    except Exception:
        logger.warning("could not send the start-up sweep; beat's next one will do")


def _backoff(retries: int) -> int:
    # 5 s, 10 s, 20 s, 40 s, 80 s: rides out a database restart or a full disk being freed.
    return min(5 * 2**retries, 120)


def _run_id(task) -> UUID:
    return UUID(task.request.id)


def _run(task, job_id: str, work, retry_on=TRANSIENT_ERRORS) -> None:
    """Run `work(run_id)`; on a transient error retry with backoff, and fail the job with a
    reason once the retries are used up."""
    try:
        work(_run_id(task))
    except retry_on as exc:
        if task.request.retries >= task.max_retries:
            fail_after_retries(UUID(job_id))
            return
        raise task.retry(exc=exc, countdown=_backoff(task.request.retries)) from exc


# acks_late and reject_on_worker_lost are the project defaults (settings); they are
# repeated here because these tasks must never lose their message.
@shared_task(
    name=dispatch.RENDER_DOCUMENT,
    bind=True,
    ignore_result=True,
    max_retries=RETRIES,
    soft_time_limit=60,
    time_limit=90,
    acks_late=True,
    reject_on_worker_lost=True,
)
def render_document(self, job_id: str) -> None:
    _run(self, job_id, lambda run_id: run_document_job(UUID(job_id), run_id=run_id))


@shared_task(
    name=dispatch.RENDER_EXPORT_PART,
    bind=True,
    ignore_result=True,
    max_retries=RETRIES,
    # One part is EXPORT_PART_SIZE documents of well under a second each.
    soft_time_limit=300,
    time_limit=360,
    acks_late=True,
    reject_on_worker_lost=True,
)
def render_export_part(self, job_id: str, index: int) -> None:
    # A part stopped by its soft time limit keeps what it wrote: the retry carries on.
    _run(
        self,
        job_id,
        lambda run_id: run_export_part(UUID(job_id), int(index), run_id=run_id),
        retry_on=(SoftTimeLimitExceeded, *TRANSIENT_ERRORS),
    )


@shared_task(
    name=dispatch.FINISH_EXPORT,
    bind=True,
    ignore_result=True,
    max_retries=RETRIES,
    soft_time_limit=600,
    time_limit=660,
    acks_late=True,
    reject_on_worker_lost=True,
)
def finish_export(self, job_id: str) -> None:
    _run(self, job_id, lambda run_id: run_export_finish(UUID(job_id), run_id=run_id))


@shared_task(name=dispatch.SWEEP_JOBS, ignore_result=True, soft_time_limit=50, time_limit=60)
def sweep_jobs(follow_up: bool = False) -> None:
    """Beat's sweep; with follow_up (a worker's start-up sweep), one more sweep is sent for
    the moment the oldest running work goes stale, in case its worker was the one that
    just died."""
    counts = jobs_sweep()
    if any(counts.values()):
        logger.info("report sweep: %s", counts)
    if follow_up and (delay := seconds_until_stale()) is not None:
        sweep_jobs.apply_async(countdown=delay, expires=delay + 60)


@shared_task(name=dispatch.PURGE_EXPIRED, ignore_result=True, soft_time_limit=280, time_limit=300)
def purge_expired() -> None:
    removed = reports_purge_expired()
    if removed:
        logger.info("removed %s expired report files", removed)
