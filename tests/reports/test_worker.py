"""With a real Celery worker on Redis: a PDF job end to end, and an export whose worker is
killed mid-way (SIGKILL to the whole worker) finishing on a restarted worker with every
document exactly once."""

import time
import zipfile
from datetime import timedelta
from pathlib import Path

import pytest
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
    worker_env = {"REPORT_STALE_SECONDS": "3"}
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
