"""PDF jobs: asked for in the request's transaction, run after it commits, reused for the
same record version, retried, swept up when lost, downloaded with an audit entry, and
removed when they expire."""

import hashlib
import uuid
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.db import OperationalError
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEvent
from reports import runner, services
from reports.models import ReportJob
from tests.reports.conftest import make_evaluation

pytestmark = pytest.mark.django_db


def _ask(client, kind, subject):
    return client.post(
        reverse("reports:request", args=[kind, subject.public_id]), headers={"HX-Request": "true"}
    )


def test_asking_for_a_pdf_queues_a_job_that_runs_after_the_commit(
    client, physio, signed_evaluation, inline_jobs, django_capture_on_commit_callbacks
):
    client.force_login(physio)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = _ask(client, "evaluation", signed_evaluation)
    job = ReportJob.objects.get()
    # Written by the request, not yet run: the task is only sent once the row is committed.
    assert response.status_code == 200 and job.status == "queued" and len(callbacks) == 1
    assert b'data-status="queued"' in response.content and b"hx-get" in response.content
    assert job.params == {"subject": str(signed_evaluation.public_id)}
    callbacks[0]()
    job.refresh_from_db()
    assert job.status == "succeeded", job.error
    path = Path(settings.MEDIA_ROOT) / job.file
    data = path.read_bytes()
    assert data.startswith(b"%PDF") and job.size == len(data)
    assert job.sha256 == hashlib.sha256(data).hexdigest()
    assert job.pages >= 2 and job.expires_at > timezone.now() + timedelta(hours=71)
    assert signed_evaluation.patient.family_name not in job.filename
    assert job.filename.startswith("evaluation-MRN")
    assert AuditEvent.objects.filter(
        action="export", patient=signed_evaluation.patient, object_id=str(job.public_id)
    ).exists()


def test_the_progress_poll_shows_a_download_link_when_ready_and_no_patient_data(
    client, physio, signed_evaluation, inline_jobs, django_capture_on_commit_callbacks
):
    client.force_login(physio)
    with django_capture_on_commit_callbacks(execute=True):
        _ask(client, "evaluation", signed_evaluation)
    job = ReportJob.objects.get()
    poll = client.get(reverse("reports:status", args=[job.public_id]))
    body = poll.content.decode()
    assert reverse("reports:download", args=[job.public_id]) in body
    assert "hx-get" not in body  # finished: polling stops
    patient = signed_evaluation.patient
    assert patient.family_name not in body and patient.mrn not in body


def test_asking_again_for_the_same_version_reuses_the_job(
    client, physio, inline_jobs, django_capture_on_commit_callbacks
):
    draft = make_evaluation(therapist=physio, sign=False)
    client.force_login(physio)
    with django_capture_on_commit_callbacks(execute=False):
        _ask(client, "evaluation", draft)
        _ask(client, "evaluation", draft)  # still queued: the same job
    assert ReportJob.objects.count() == 1
    with django_capture_on_commit_callbacks(execute=True):
        # The record changes: a new version needs a new PDF.
        draft.updated_at = timezone.now()
        draft.save(update_fields=["updated_at"])
        _ask(client, "evaluation", draft)
    assert ReportJob.objects.count() == 2
    with django_capture_on_commit_callbacks(execute=True):
        _ask(client, "evaluation", draft)  # finished and kept: reused, not rendered again
    assert ReportJob.objects.count() == 2
    assert ReportJob.objects.filter(status="succeeded").count() == 1


def test_two_kinds_of_the_same_record_are_separate_jobs(
    client, physio, signed_evaluation, inline_jobs, django_capture_on_commit_callbacks
):
    client.force_login(physio)
    with django_capture_on_commit_callbacks(execute=True):
        for kind in ("evaluation", "progress", "handout"):
            _ask(client, kind, signed_evaluation)
        _ask(client, "intake_summary", signed_evaluation.intake)
    jobs = ReportJob.objects.all()
    assert sorted(j.kind for j in jobs) == ["evaluation", "handout", "intake_summary", "progress"]
    assert all(j.status == "succeeded" for j in jobs), [j.error for j in jobs]


def test_a_failed_render_shows_a_readable_reason_and_retry_runs_it_again(
    client,
    physio,
    signed_evaluation,
    inline_jobs,
    django_capture_on_commit_callbacks,
    monkeypatch,
    caplog,
):
    import reports.pdf

    real = reports.pdf.render_document

    secret = signed_evaluation.patient.family_name

    def broken(*args, **kwargs):
        raise ValueError(f"template bug quoting {secret}")

    monkeypatch.setattr(reports.pdf, "render_document", broken)
    client.force_login(physio)
    with django_capture_on_commit_callbacks(execute=True):
        response = _ask(client, "evaluation", signed_evaluation)
    job = ReportJob.objects.get()
    assert job.status == "failed"
    assert "could not be produced" in job.error and "template bug" not in job.error
    # The log says what failed and where, without the error's text (it may quote a record).
    logged = "\n".join(r.getMessage() for r in caplog.records if r.name == "reports.runner")
    assert "ValueError" in logged and secret not in logged
    poll = client.get(reverse("reports:status", args=[job.public_id])).content.decode()
    assert job.error in poll and reverse("reports:retry", args=[job.public_id]) in poll
    assert b"Try again" in client.get(reverse("reports:status", args=[job.public_id])).content

    monkeypatch.setattr(reports.pdf, "render_document", real)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("reports:retry", args=[job.public_id]), headers={"HX-Request": "true"}
        )
    assert response.status_code == 200
    job.refresh_from_db()
    assert job.status == "succeeded" and job.error == ""


def test_a_transient_error_is_retried_with_backoff(
    physio, signed_evaluation, inline_jobs, django_capture_on_commit_callbacks, monkeypatch
):
    import reports.pdf

    real, calls = reports.pdf.render_document, []

    def flaky(*args, **kwargs):
        calls.append(1)
        if len(calls) == 1:
            raise OperationalError("connection reset")
        return real(*args, **kwargs)

    monkeypatch.setattr(reports.pdf, "render_document", flaky)
    with django_capture_on_commit_callbacks(execute=True):
        job = services.report_request(kind="evaluation", subject=signed_evaluation, by=physio)
    job.refresh_from_db()
    assert job.status == "succeeded" and job.attempts == 2 and len(calls) == 2


def test_a_record_that_cannot_make_the_document_is_refused_with_its_reason(client, physio):
    from tests.factories import EvaluationFactory

    empty = EvaluationFactory(therapist=physio)
    client.force_login(physio)
    response = _ask(client, "progress", empty)
    assert response.status_code == 200 and b"pdf-unavailable" in response.content
    assert not ReportJob.objects.exists()


def test_a_broker_that_is_down_loses_no_job(
    client, physio, signed_evaluation, settings, django_capture_on_commit_callbacks, monkeypatch
):
    from reports.tasks import render_document

    settings.REPORT_JOBS_MODE = "celery"

    def refused(*args, **kwargs):
        raise ConnectionRefusedError("redis is down")

    monkeypatch.setattr(render_document, "apply_async", refused)
    client.force_login(physio)
    with django_capture_on_commit_callbacks(execute=True):
        response = _ask(client, "evaluation", signed_evaluation)
    assert response.status_code == 200  # the page does not depend on the broker
    job = ReportJob.objects.get()
    assert job.status == "queued" and job.dispatched_at is None

    # The broker is back: the next sweep sends it, and it runs.
    monkeypatch.undo()
    settings.REPORT_JOBS_MODE = "inline"
    assert services.jobs_sweep()["documents"] == 1
    job.refresh_from_db()
    assert job.status == "succeeded"


def test_the_sweep_hands_a_job_whose_worker_died_to_a_new_run(
    physio, signed_evaluation, inline_jobs, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):
        job = services.report_request(kind="evaluation", subject=signed_evaluation, by=physio)
    dead_run = uuid.uuid4()
    assert runner.claim_job(job.public_id, dead_run) is not None
    # Another delivery cannot take a job whose holder's heartbeat is fresh...
    assert runner.claim_job(job.public_id, uuid.uuid4()) is None
    # ...but the holder's own redelivered message can (its worker died).
    assert runner.claim_job(job.public_id, dead_run) is not None
    assert services.jobs_sweep()["documents"] == 0  # fresh heartbeat: left alone
    ReportJob.objects.update(heartbeat_at=timezone.now() - timedelta(minutes=10))
    assert services.jobs_sweep()["documents"] == 1
    job.refresh_from_db()
    assert job.status == "succeeded" and job.attempts == 3


def test_a_run_that_lost_its_claim_cannot_overwrite_the_new_result(physio, signed_evaluation):
    job = ReportJob.objects.create(
        kind="evaluation",
        params={"subject": str(signed_evaluation.public_id)},
        requested_by=physio,
        patient=signed_evaluation.patient,
    )
    old, new = uuid.uuid4(), uuid.uuid4()
    runner.claim_job(job.public_id, old)
    ReportJob.objects.update(heartbeat_at=timezone.now() - timedelta(minutes=10))
    runner.claim_job(job.public_id, new)
    runner._fail(job, old, "late failure from the old run")
    job.refresh_from_db()
    assert job.status == "running" and job.run_token == new


def test_a_job_that_keeps_dying_is_stopped_with_a_reason(physio, signed_evaluation):
    job = ReportJob.objects.create(
        kind="evaluation",
        params={"subject": str(signed_evaluation.public_id)},
        requested_by=physio,
        status="running",
        attempts=runner.MAX_ATTEMPTS,
        heartbeat_at=timezone.now() - timedelta(hours=1),
    )
    assert services.jobs_sweep()["gave_up"] == 1
    job.refresh_from_db()
    assert job.status == "failed" and "tried 5 times" in job.error


def test_download_is_an_audited_attachment_for_permitted_roles_only(
    client, physio, signed_evaluation, front_desk, inline_jobs, django_capture_on_commit_callbacks
):
    client.force_login(physio)
    with django_capture_on_commit_callbacks(execute=True):
        _ask(client, "evaluation", signed_evaluation)
    job = ReportJob.objects.get()
    url = reverse("reports:download", args=[job.public_id])
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert "no-store" in response["Cache-Control"]
    assert f'filename="{job.filename}"' in response["Content-Disposition"]
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    assert AuditEvent.objects.filter(
        action="download", actor=physio, object_id=str(job.public_id)
    ).exists()

    client.force_login(front_desk)
    assert client.get(url).status_code == 403
    assert client.get(reverse("reports:status", args=[job.public_id])).status_code == 403


def test_front_desk_asks_for_no_clinical_pdf_the_intake_summary_included(
    client, front_desk, signed_evaluation, inline_jobs
):
    """The intake summary holds the red flags, the pattern and every answer: clinical
    content, which the front desk does not read (issue 21 point 7)."""
    client.force_login(front_desk)
    assert _ask(client, "evaluation", signed_evaluation).status_code == 403
    assert _ask(client, "handout", signed_evaluation).status_code == 403
    assert _ask(client, "intake_summary", signed_evaluation.intake).status_code == 403
    assert not ReportJob.objects.exists()


def test_unknown_kinds_and_records_are_not_found(client, physio):
    client.force_login(physio)
    url = reverse("reports:request", args=["passport", uuid.uuid4()])
    assert client.post(url).status_code == 404
    assert (
        client.post(reverse("reports:request", args=["evaluation", uuid.uuid4()])).status_code
        == 404
    )


def test_expired_files_are_removed_and_no_longer_downloadable(
    client, physio, signed_evaluation, inline_jobs, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        job = services.report_request(kind="evaluation", subject=signed_evaluation, by=physio)
    job.refresh_from_db()
    path = Path(settings.MEDIA_ROOT) / job.file
    assert path.exists()
    assert services.reports_purge_expired() == 0  # not yet
    ReportJob.objects.update(expires_at=timezone.now() - timedelta(minutes=1))
    assert services.reports_purge_expired() == 1
    job.refresh_from_db()
    assert not path.exists() and job.purged_at is not None and not job.is_downloadable
    client.force_login(physio)
    assert client.get(reverse("reports:download", args=[job.public_id])).status_code == 404
    # Asked for again, it is rendered again rather than pointing at the removed file.
    with django_capture_on_commit_callbacks(execute=True):
        again = services.report_request(kind="evaluation", subject=signed_evaluation, by=physio)
    assert again.pk != job.pk


def test_the_job_page_is_audited_and_shows_the_patient(client, physio, signed_evaluation):
    job = ReportJob.objects.create(
        kind="evaluation",
        params={"subject": str(signed_evaluation.public_id)},
        requested_by=physio,
        patient=signed_evaluation.patient,
    )
    client.force_login(physio)
    page = client.get(reverse("reports:job", args=[job.public_id]))
    assert signed_evaluation.patient.mrn in page.content.decode()
    assert AuditEvent.objects.filter(action="view", object_id=str(job.public_id)).exists()


def test_jobs_run_in_a_background_thread_without_a_broker(transactional_db, settings):
    """The embedded default: no Redis, no worker; the request returns at once and the job
    runs in the web process."""
    from accounts.roles import Role
    from tests.factories import UserFactory
    from tests.worker import wait_for

    settings.REPORT_JOBS_MODE = "thread"
    physio = UserFactory(username="thread-physio", roles=[Role.THERAPIST])
    evaluation = make_evaluation(therapist=physio)
    job = services.report_request(kind="evaluation", subject=evaluation, by=physio)
    done = wait_for(
        lambda: ReportJob.objects.filter(pk=job.pk, status__in=["succeeded", "failed"]).first(),
        timeout=60,
    )
    assert done is not None and done.status == "succeeded", done and done.error
