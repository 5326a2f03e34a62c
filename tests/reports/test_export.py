"""Batch exports: administrators choose dates, therapists and documents; one job builds a
ZIP on disk in parts, reports n of N, survives an interrupted part without duplicating
anything, and is downloadable by administrators only, with every step audited."""

import csv
import io
import uuid
import zipfile
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from accounts.roles import Role
from audit.models import AuditEvent
from reports import runner, services
from reports.models import ExportPart, ReportJob
from tests.factories import UserFactory
from tests.reports.conftest import make_evaluation

pytestmark = pytest.mark.django_db


@pytest.fixture
def visits(physio):
    """Three signed evaluations by physio (two patients), one draft, and one by another
    therapist."""
    first = make_evaluation(therapist=physio, days_ago=20)
    make_evaluation(
        therapist=physio, patient=first.patient, kind="reevaluation", days_ago=5, seed=2
    )
    make_evaluation(therapist=physio, days_ago=10, vignette="S1", seed=3)
    make_evaluation(therapist=physio, days_ago=8, sign=False, seed=4)
    other = UserFactory(username="other-physio", roles=[Role.THERAPIST])
    make_evaluation(therapist=other, days_ago=7, seed=5)
    return first


def _form(**overrides):
    today = timezone.localdate()
    data = {
        "date_from": (today - timedelta(days=30)).isoformat(),
        "date_to": today.isoformat(),
        "kinds": ["evaluation"],
    }
    data.update(overrides)
    return data


def last_30_days(*, kinds: tuple[str, ...], include_drafts: bool) -> services.ExportRequest:
    return services.ExportRequest(
        date_from=timezone.localdate() - timedelta(days=30),
        date_to=timezone.localdate(),
        therapist_ids=(),
        kinds=kinds,
        include_csv=False,
        include_drafts=include_drafts,
    )


def _zip(job: ReportJob) -> zipfile.ZipFile:
    return zipfile.ZipFile(Path(settings.MEDIA_ROOT) / job.file)


def test_an_export_builds_one_zip_with_every_document_once(
    admin_client_, administrator, physio, visits, inline_jobs, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client_.post(
            reverse("reports:export"),
            _form(
                kinds=["evaluation", "handout", "progress"],
                therapists=[physio.pk],
                include_csv="on",
            ),
        )
    job = ReportJob.objects.get(kind="export")
    assert response.status_code == 302 and response["Location"].endswith(f"{job.public_id}/")
    job.refresh_from_db()
    assert job.status == "succeeded", job.error
    # physio's three signed evaluations, their handouts, and one progress report for each of
    # the two patients; the draft and the other therapist's record are left out.
    assert job.total == 3 + 3 + 2 and job.progress == job.total
    with _zip(job) as zf:
        names = zf.namelist()
        pdfs = [n for n in names if n.endswith(".pdf")]
        assert len(pdfs) == len(set(pdfs)) == job.total
        assert {n.split("/")[0] for n in pdfs} == {"evaluations", "handouts", "progress-reports"}
        assert all(zf.read(n).startswith(b"%PDF") for n in pdfs)
        manifest = list(csv.DictReader(io.StringIO(zf.read("manifest.csv").decode())))
        assert len(manifest) == job.total and {m["included"] for m in manifest} == {"yes"}
        rows = list(csv.DictReader(io.StringIO(zf.read("outcomes.csv").decode())))
    assert len(rows) == 3 and {r["therapist"] for r in rows} == {"physio"}
    assert all(r["leg_pain_nprs"] != "" for r in rows)
    assert not runner.parts_dir(job).exists()  # the parts are gone once the ZIP is made
    # The request and each patient's inclusion are in the audit trail.
    assert AuditEvent.objects.filter(action="export", actor=administrator, patient=None).exists()
    assert (
        AuditEvent.objects.filter(action="export", summary="Included in a batch export").count()
        == 2
    )


def test_only_administrators_export_and_download(
    client,
    admin_client_,
    physio,
    front_desk,
    visits,
    inline_jobs,
    django_capture_on_commit_callbacks,
):
    for user in (physio, front_desk):
        client.force_login(user)
        assert client.get(reverse("reports:export")).status_code == 403
        assert client.post(reverse("reports:export"), _form()).status_code == 403
    with django_capture_on_commit_callbacks(execute=True):
        admin_client_.post(reverse("reports:export"), _form())
    job = ReportJob.objects.get(kind="export")
    url = reverse("reports:download", args=[job.public_id])
    for user in (physio, front_desk):
        client.force_login(user)
        assert client.get(url).status_code == 403
    response = admin_client_.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    assert AuditEvent.objects.filter(action="download", object_id=str(job.public_id)).count() == 1


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        (
            {"date_to": "2020-01-01", "date_from": "2020-02-01"},
            "The last date is before the first.",
        ),
        ({"date_from": "2020-01-01", "date_to": "2022-01-01"}, "at most a year"),
        ({"date_from": "not a date"}, "Enter a real date."),
        ({"kinds": []}, "Choose at least one kind of document, or the CSV."),
        ({"therapists": ["999999"]}, "Choose therapists from the list."),
        ({"date_from": "2001-01-01", "date_to": "2001-02-01"}, "No evaluations match"),
    ],
)
def test_bad_export_choices_get_a_clear_message_and_keep_the_input(
    admin_client_, visits, overrides, message
):
    data = _form(**overrides)
    response = admin_client_.post(reverse("reports:export"), data)
    body = response.content.decode()
    assert response.status_code == 200 and message in body
    assert f'value="{data["date_from"]}"' in body
    assert not ReportJob.objects.exists()


def test_an_interrupted_part_is_redone_without_duplicates_or_rerendering(
    administrator,
    physio,
    visits,
    inline_jobs,
    settings,
    django_capture_on_commit_callbacks,
    monkeypatch,
):
    """A worker dies after the first document of a part; the sweep hands the part to a new
    run, which renders only what is missing."""
    import reports.pdf

    settings.EXPORT_PART_SIZE = 2
    request = last_30_days(kinds=("evaluation",), include_drafts=True)
    with django_capture_on_commit_callbacks(execute=False):
        job = services.export_request(request=request, by=administrator)
    assert job.total == 5 and job.parts.count() == 3

    class WorkerKilled(BaseException):
        pass

    real, rendered = reports.pdf.render_document, []

    def dies_on_second(kind, subject, **kwargs):
        if len(rendered) == 1:
            raise WorkerKilled
        rendered.append(subject.public_id)
        return real(kind, subject, **kwargs)

    monkeypatch.setattr(reports.pdf, "render_document", dies_on_second)
    with pytest.raises(WorkerKilled):
        runner.run_export_part(job.public_id, 0, run_id=uuid.uuid4())
    part = job.parts.get(index=0)
    assert part.status == "running" and part.done == 1
    job.refresh_from_db()
    assert runner.export_progress(job) == 1  # "1 of 5" on the page

    def counting(kind, subject, **kwargs):
        rendered.append(subject.public_id)
        return real(kind, subject, **kwargs)

    monkeypatch.setattr(reports.pdf, "render_document", counting)
    ExportPart.objects.filter(pk=part.pk).update(heartbeat_at=timezone.now() - timedelta(hours=1))
    with django_capture_on_commit_callbacks(execute=True):
        counts = services.jobs_sweep(now=timezone.now() + timedelta(hours=1))
    assert counts["parts"] == 3
    job.refresh_from_db()
    assert job.status == "succeeded", job.error
    assert len(rendered) == len(set(rendered)) == 5  # nothing rendered twice
    with _zip(job) as zf:
        pdfs = [n for n in zf.namelist() if n.endswith(".pdf")]
    assert len(pdfs) == len(set(pdfs)) == 5


def test_a_document_that_cannot_be_made_is_listed_in_the_manifest(
    administrator, physio, inline_jobs, django_capture_on_commit_callbacks
):
    from tests.factories import EvaluationFactory

    make_evaluation(therapist=physio, days_ago=3)
    EvaluationFactory(therapist=physio, visit_date=timezone.localdate() - timedelta(days=2))
    request = last_30_days(kinds=("progress",), include_drafts=True)
    with django_capture_on_commit_callbacks(execute=True):
        job = services.export_request(request=request, by=administrator)
    job.refresh_from_db()
    assert job.status == "succeeded"
    with _zip(job) as zf:
        manifest = list(csv.DictReader(io.StringIO(zf.read("manifest.csv").decode())))
    assert sorted(m["included"] for m in manifest) == ["no", "yes"]
    assert next(m["reason"] for m in manifest if m["included"] == "no") != ""


def test_csv_cells_cannot_run_as_spreadsheet_formulas():
    from reports.exports import _cell

    assert _cell("=HYPERLINK(1)") == "'=HYPERLINK(1)"
    assert _cell("@SUM") == "'@SUM" and _cell(5) == "5" and _cell(None) == ""


def test_expired_exports_are_removed(
    admin_client_, visits, inline_jobs, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        admin_client_.post(reverse("reports:export"), _form())
    job = ReportJob.objects.get(kind="export")
    path = Path(settings.MEDIA_ROOT) / job.file
    assert path.exists() and job.expires_at <= timezone.now() + timedelta(
        hours=settings.EXPORT_RETENTION_HOURS
    )
    assert services.reports_purge_expired(now=job.expires_at + timedelta(seconds=1)) == 1
    assert not path.exists()


def test_the_job_list_is_for_administrators_and_does_not_grow_queries(
    client, admin_client_, physio, signed_evaluation, django_assert_num_queries
):
    def add_jobs(n):
        for _ in range(n):
            ReportJob.objects.create(
                kind="evaluation",
                params={"subject": str(signed_evaluation.public_id)},
                requested_by=physio,
                patient=signed_evaluation.patient,
                status="failed",
                error="boom",
            )

    add_jobs(1)
    url = reverse("reports:list")
    admin_client_.get(url)  # the first page of a run creates the clinic's settings row
    with django_assert_num_queries(10) as one:  # +1: the two-factor check
        assert admin_client_.get(url).status_code == 200
    add_jobs(15)
    with django_assert_num_queries(10) as many:
        page = admin_client_.get(url + "?status=failed&kind=evaluation")
    assert len(one.captured_queries) == len(many.captured_queries)
    assert signed_evaluation.patient.mrn in page.content.decode()
    assert admin_client_.get(url + "?status=nonsense").status_code == 200
    client.force_login(physio)
    assert client.get(url).status_code == 403


def test_the_sweep_leaves_parts_of_a_moving_export_waiting_their_turn(
    administrator, physio, visits, settings, django_capture_on_commit_callbacks
):
    settings.REPORT_JOBS_MODE = "celery"
    settings.EXPORT_PART_SIZE = 1
    request = last_30_days(kinds=("evaluation",), include_drafts=False)
    with django_capture_on_commit_callbacks(execute=False):
        job = services.export_request(request=request, by=administrator)
    long_ago = timezone.now() - timedelta(minutes=10)
    job.parts.update(dispatched_at=long_ago)
    # Another part finished a moment ago: the export is moving, the queue is just long.
    ReportJob.objects.filter(pk=job.pk).update(status="running", heartbeat_at=timezone.now())
    assert services.jobs_sweep()["parts"] == 0
    # Nothing has moved for longer than the stale window: send them again.
    ReportJob.objects.filter(pk=job.pk).update(heartbeat_at=long_ago)
    settings.REPORT_JOBS_MODE = "inline"
    assert services.jobs_sweep()["parts"] == job.parts.count()


def test_the_outcomes_csv_gives_each_visit_its_episode_and_that_episodes_baseline(physio):
    """A patient back for a new course of care: this month's visit is measured against
    this month's intake, not last year's."""
    from care.demo import demo_discharge
    from intake.models import Intake
    from intake.questionnaires import baseline_values
    from reports.exports import write_outcomes_csv
    from tests.factories import PatientFactory
    from tests.reports.conftest import make_intake

    patient = PatientFactory()
    old_intake = make_intake(patient, seed=11, days_ago=400)
    old = make_evaluation(therapist=physio, patient=patient, days_ago=398, seed=6)
    demo_discharge(old.episode, on=old.visit_date, reason="goals_met")
    Intake.objects.filter(pk=old_intake.pk).update(status="cancelled")  # not picked again
    new_intake = make_intake(patient, seed=12, days_ago=12)
    new = make_evaluation(therapist=physio, patient=patient, days_ago=10, seed=7)
    assert new.episode_id != old.episode_id and new.intake_id == new_intake.pk

    today = timezone.localdate()
    job = ReportJob(
        kind="export",
        params={
            "date_from": (today - timedelta(days=500)).isoformat(),
            "date_to": today.isoformat(),
            "therapists": [],
            "drafts": False,
        },
    )
    job.created_at = timezone.now()
    out = io.StringIO()
    assert write_outcomes_csv(job, out) == 2
    rows = {r["evaluation_id"]: r for r in csv.DictReader(io.StringIO(out.getvalue()))}
    mine = rows[str(new.public_id)]
    assert mine["episode_id"] == str(new.episode.public_id)
    assert mine["episode_start"] == new.episode.start_of_care.isoformat()
    expected = baseline_values(new_intake.answers, new_intake.scores)
    assert mine["baseline_leg_pain_nprs"] == str(expected["leg_pain"])
    assert rows[str(old.public_id)]["episode_id"] == str(old.episode.public_id)
