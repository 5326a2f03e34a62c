"""With a real Celery worker on Redis: a PDF job end to end, and an export whose worker is
killed mid-way (SIGKILL to the whole worker) finishing on a restarted worker with every
document exactly once: its page says it is paused while no worker is there, and it carries
on within 30 s of a worker coming back, with the production timings."""

import csv
import io
import time
import zipfile
from datetime import timedelta
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.roles import Role
from reports import runner, services
from reports.models import ReportJob
from tests.factories import UserFactory
from tests.reports.conftest import make_evaluation
from tests.worker import require_worker_services, start_worker, stop_worker, wait_for

pytestmark = pytest.mark.worker


def _finished(job):
    return ReportJob.objects.filter(pk=job.pk, status__in=["succeeded", "failed"]).first()


def test_a_real_worker_renders_a_pdf_end_to_end(celery_worker_process, settings):
    settings.REPORT_JOBS_MODE = "celery"
    physio = UserFactory(username="worker-physio", roles=[Role.THERAPIST])
    evaluation = make_evaluation(therapist=physio)
    # Outside a transaction, on_commit dispatches at once: through Redis to the worker.
    job = services.report_request(kind="evaluation", subject=evaluation, by=physio)
    done = wait_for(lambda: _finished(job), timeout=90)
    assert done is not None, "the worker did not finish the job"
    assert done.status == "succeeded", done.error
    assert done.started_at is not None and done.attempts == 1
    data = (Path(settings.MEDIA_ROOT) / done.file).read_bytes()
    assert data.startswith(b"%PDF") and len(data) == done.size


def test_a_worker_killed_mid_export_is_restarted_and_the_export_has_every_document_once(
    transactional_db, settings
):
    require_worker_services()
    settings.REPORT_JOBS_MODE = "celery"
    settings.EXPORT_PART_SIZE = 3
    settings.REPORT_HEARTBEAT_SECONDS = 1
    settings.REPORT_STALE_SECONDS = 3
    settings.REPORT_REDISPATCH_SECONDS = 2
    physio = UserFactory(username="export-physio", roles=[Role.THERAPIST])
    admin = UserFactory(username="export-admin", roles=[Role.ADMINISTRATOR])
    for n in range(6):
        make_evaluation(therapist=physio, days_ago=10 + n, seed=n)
    request = services.ExportRequest(
        date_from=timezone.localdate() - timedelta(days=30),
        date_to=timezone.localdate(),
        therapist_ids=(),
        kinds=("evaluation", "handout"),
        include_csv=True,
        include_drafts=False,
    )
    worker_env = {"REPORT_STALE_SECONDS": "3", "REPORT_HEARTBEAT_SECONDS": "1"}
    worker = start_worker(env=worker_env)
    try:
        job = services.export_request(request=request, by=admin)
        assert job.total == 12 and job.parts.count() == 4
        # Kill it once some documents are written and before the export is finished.
        started = wait_for(
            lambda: 2 <= runner.export_progress(ReportJob.objects.get(pk=job.pk)) < 12,
            timeout=90,
            interval=0.05,
        )
        assert started, "the worker never started the export"
    finally:
        stop_worker(worker, kill=True)
    job.refresh_from_db()
    assert job.status == "running"
    progress_at_kill = runner.export_progress(job)

    worker = start_worker(env=worker_env)
    try:
        # The killed worker's part has a stale heartbeat after REPORT_STALE_SECONDS; beat
        # runs the sweep every minute, the test runs it at once.
        time.sleep(3.5)
        services.jobs_sweep()
        done = wait_for(lambda: _finished(job), timeout=120)
    finally:
        stop_worker(worker)
    assert done is not None, "the export did not finish after the restart"
    assert done.status == "succeeded", done.error
    assert done.progress == 12 >= progress_at_kill
    with zipfile.ZipFile(Path(settings.MEDIA_ROOT) / done.file) as zf:
        names = zf.namelist()
        pdfs = [n for n in names if n.endswith(".pdf")]
        assert len(pdfs) == len(set(pdfs)) == 12
        assert names.count("manifest.csv") == 1 and names.count("outcomes.csv") == 1
        assert zf.testzip() is None


def _resume_seconds(job, started: float, progress_at_kill: int) -> float | None:
    """Seconds from `started` until the export's documents move past where they stopped."""
    moved = wait_for(
        lambda: runner.export_progress(ReportJob.objects.get(pk=job.pk)) > progress_at_kill,
        timeout=45,
        interval=0.1,
    )
    return time.monotonic() - started if moved else None


def test_it_resumes_a_killed_workers_export_within_30_seconds_of_a_worker_coming_back(
    transactional_db, settings, record_property
):
    """Killed twice: once left dead until the page says it is paused (the restarted worker
    finds the parts stale at once), once restarted at once (the parts go stale only after
    the worker is back). Production heartbeat, staleness and sweeps; no beat process: the
    worker's own start-up sweeps must do it."""
    from accounts.roles import sync_role_groups

    require_worker_services()
    sync_role_groups()  # an earlier transactional test's flush removed the role groups
    settings.REPORT_JOBS_MODE = "celery"
    settings.EXPORT_PART_SIZE = 8
    assert (settings.REPORT_HEARTBEAT_SECONDS, settings.REPORT_STALE_SECONDS) == (5, 20)
    physio = UserFactory(username="resume-physio", roles=[Role.THERAPIST])
    admin = UserFactory(username="resume-admin", roles=[Role.ADMINISTRATOR])
    for n in range(8):
        make_evaluation(therapist=physio, days_ago=10 + n, seed=n)
    request = services.ExportRequest(
        date_from=timezone.localdate() - timedelta(days=30),
        date_to=timezone.localdate(),
        therapist_ids=(),
        kinds=("evaluation", "handout"),
        include_csv=False,
        include_drafts=False,
    )
    page = Client()
    page.force_login(admin)

    def fragment(job) -> str:
        return page.get(reverse("reports:status", args=[job.public_id])).content.decode()

    def progress(job) -> int:
        return runner.export_progress(ReportJob.objects.get(pk=job.pk))

    worker = start_worker(concurrency=2)
    measured = []
    try:
        job = services.export_request(request=request, by=admin)
        assert job.total == 16 and job.parts.count() == 2
        assert wait_for(lambda: progress(job) >= 2, timeout=90, interval=0.05)
        stop_worker(worker, kill=True)
        progress_at_kill = progress(job)
        assert progress_at_kill < 12, "the export finished before the worker was killed"

        # No worker: within REPORT_STALE_SECONDS the page says so, and for how long.
        paused = wait_for(
            lambda: "Paused: waiting for a worker" in (body := fragment(job)) and body,
            timeout=40,
            interval=0.5,
        )
        assert paused, fragment(job)
        assert f"{progress_at_kill} of 16 documents" in paused
        assert "Paused: waiting for a worker</strong> (for 2" in paused  # 20-something s

        started = time.monotonic()
        worker = start_worker(concurrency=2)
        measured.append(_resume_seconds(job, started, progress_at_kill))
        assert measured[0] is not None and measured[0] < 30, measured
        assert "Paused" not in fragment(job)

        # Killed again, and a worker back at once: the parts are not stale yet when it
        # starts.
        stop_worker(worker, kill=True)
        progress_at_kill = progress(job)
        if progress_at_kill < 16:
            started = time.monotonic()
            worker = start_worker(concurrency=2)
            measured.append(_resume_seconds(job, started, progress_at_kill))
            assert measured[1] is not None and measured[1] < 30, measured
        else:
            worker = start_worker(concurrency=2)
        done = wait_for(lambda: _finished(job), timeout=120)
    finally:
        stop_worker(worker)
    record_property("resume_seconds", measured)
    print(f"export resumed {measured} s after a worker was started")
    assert done is not None and done.status == "succeeded", done and done.error
    with zipfile.ZipFile(Path(settings.MEDIA_ROOT) / done.file) as zf:
        pdfs = [n for n in zf.namelist() if n.endswith(".pdf")]
        manifest = list(csv.DictReader(io.StringIO(zf.read("manifest.csv").decode())))
        assert all(zf.read(n).startswith(b"%PDF") for n in pdfs)
    assert len(pdfs) == len(set(pdfs)) == 16
    assert sorted(m["document"] for m in manifest if m["included"] == "yes") == sorted(pdfs)
