"""A job whose worker is gone says so ("Paused: waiting for a worker", and for how long)
and is handed on within seconds: a run beats while it works, however long one document
takes, so silence for REPORT_STALE_SECONDS means its worker is dead. The real worker
killed and restarted is in test_worker.py."""

import time
import uuid
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from reports import runner, services
from reports.models import ExportPart, ReportJob
from tests.reports.conftest import make_evaluation
from tests.reports.test_export import last_30_days

pytestmark = pytest.mark.django_db


@pytest.fixture
def export(administrator, physio, settings, django_capture_on_commit_callbacks):
    for n in range(3):
        make_evaluation(therapist=physio, days_ago=5 + n, seed=n)
    settings.EXPORT_PART_SIZE = 2
    with django_capture_on_commit_callbacks(execute=False):
        job = services.export_request(
            request=last_30_days(kinds=("evaluation", "handout"), include_drafts=False),
            by=administrator,
        )
    assert job.total == 6 and job.parts.count() == 3
    return job


def _fragment(client, job) -> str:
    response = client.get(reverse("reports:status", args=[job.public_id]))
    assert response.status_code == 200
    return response.content.decode()


def test_it_says_paused_waiting_for_a_worker_once_no_run_has_beaten_for_a_while(
    admin_client_, export
):
    now = timezone.now()
    ReportJob.objects.filter(pk=export.pk).update(
        status="running",
        started_at=now - timedelta(minutes=2),
        heartbeat_at=now - timedelta(seconds=75),
    )
    part = export.parts.get(index=0)
    ExportPart.objects.filter(pk=part.pk).update(
        status="running", done=1, run_token=uuid.uuid4(), heartbeat_at=now - timedelta(seconds=45)
    )
    body = _fragment(admin_client_, export)
    assert "Paused: waiting for a worker</strong> (for 45 s)" in body
    assert "1 of 6 documents" in body and ">Paused</span>" in body
    assert "hx-get" in body  # still polled: it says when it moves again

    # A heartbeat a moment ago: working, not paused.
    ExportPart.objects.filter(pk=part.pk).update(heartbeat_at=timezone.now())
    body = _fragment(admin_client_, export)
    assert "Paused" not in body and "1 of 6 documents" in body


def test_it_says_how_long_in_minutes_and_hours():
    from reports.views import _duration

    assert [_duration(s) for s in (21, 60, 185, 3600, 7440)] == [
        "21 s",
        "1 min",
        "3 min 5 s",
        "1 h",
        "2 h 4 min",
    ]


def test_it_hands_on_a_part_silent_for_twenty_seconds_and_not_before(export, monkeypatch):
    sent = []
    monkeypatch.setattr(services, "enqueue", lambda task, *args: sent.append(args) or True)
    part = export.parts.get(index=0)
    now = timezone.now()
    ReportJob.objects.filter(pk=export.pk).update(status="running", heartbeat_at=now)
    export.parts.exclude(pk=part.pk).update(dispatched_at=now)
    ExportPart.objects.filter(pk=part.pk).update(
        status="running", run_token=uuid.uuid4(), heartbeat_at=now - timedelta(seconds=15)
    )
    assert services.jobs_sweep(now=now)["parts"] == 0 and sent == []
    assert services.jobs_sweep(now=now + timedelta(seconds=6))["parts"] == 1
    assert sent == [(str(export.public_id), 0)]
    part.refresh_from_db()
    assert part.status == "queued" and part.run_token is None


def test_it_keeps_beating_while_one_document_takes_longer_than_the_stale_window(
    transactional_db, administrator, physio, settings, monkeypatch
):
    """A slow document is not a dead worker: the run's heartbeat thread keeps the claim
    fresh, so no other run takes the part from under it."""
    import reports.pdf

    settings.REPORT_JOBS_MODE = "inline"
    settings.REPORT_HEARTBEAT_SECONDS = 1
    settings.REPORT_STALE_SECONDS = 2
    make_evaluation(therapist=physio, days_ago=3)
    job = services.export_request(
        request=last_30_days(kinds=("evaluation",), include_drafts=False), by=administrator
    )
    # Ran inline at commit; queue it again by hand to watch one slow run.
    job.parts.update(status="queued", results={}, done=0)
    ReportJob.objects.filter(pk=job.pk).update(status="running", file="")
    real, seen = reports.pdf.render_document, {}

    def slow(kind, subject, **kwargs):
        time.sleep(3.5)  # longer than REPORT_STALE_SECONDS
        part = job.parts.get()
        seen["age"] = (timezone.now() - part.heartbeat_at).total_seconds()
        seen["taken"] = runner.claim_part(job.public_id, 0, uuid.uuid4()) is not None
        return real(kind, subject, **kwargs)

    monkeypatch.setattr(reports.pdf, "render_document", slow)
    runner.run_export_part(job.public_id, 0, run_id=uuid.uuid4())
    assert seen["age"] < 1.5 and seen["taken"] is False
    assert job.parts.get().status == "done"
