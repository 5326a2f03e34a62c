"""PDFs and exports in the browser at tablet size, with a real Celery worker on Redis: a
therapist generates an evaluation PDF, watches it finish and downloads it; an
administrator runs a batch export, watches n of N and downloads the ZIP; a failed job
shows its reason and a retry button. Screenshots go to test-artifacts/reports-*.png."""

import zipfile
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from accounts.roles import Role
from reports.models import ReportJob
from tests.browser.helpers import (
    axe_violations,
    check_tablet_rules,
    open_menu_item,
    remove_tool_styles,
    sign_in,
)
from tests.factories import UserFactory
from tests.reports.conftest import make_evaluation

pytestmark = [pytest.mark.browser, pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def checks(page: Page, artifacts, name: str, console_errors, *, part=None) -> None:
    check_tablet_rules(page)
    assert axe_violations(page) == [], name
    shot = artifacts / f"reports-{name}.png"
    part.screenshot(path=shot) if part is not None else page.screenshot(path=shot, full_page=True)
    remove_tool_styles(page)
    assert console_errors == [], name


@pytest.fixture
def records():
    physio = UserFactory(username="pt", first_name="Pat", last_name="Lee", roles=[Role.THERAPIST])
    UserFactory(username="boss", roles=[Role.ADMINISTRATOR])
    evaluations = [make_evaluation(therapist=physio, days_ago=5 + n, seed=n) for n in range(3)]
    return physio, evaluations


def test_a_therapist_generates_and_downloads_an_evaluation_pdf(
    page: Page, live_server, records, artifacts, console_errors, celery_worker_process, settings
):
    settings.REPORT_JOBS_MODE = "celery"
    _physio, evaluations = records
    evaluation = evaluations[0]
    sign_in(page, live_server, "pt")
    page.goto(f"{live_server.url}/evaluations/{evaluation.public_id}/")
    page.get_by_test_id("generate-evaluation").tap()
    job = page.get_by_test_id("report-job")
    expect(job).to_be_visible()
    download = page.get_by_test_id("download")
    expect(download).to_be_visible(timeout=60_000)
    expect(job).to_contain_text("page")
    checks(
        page, artifacts, "evaluation-ready", console_errors, part=page.get_by_test_id("pdf-panel")
    )
    with page.expect_download() as info:
        download.tap()
    path = info.value.path()
    assert Path(path).read_bytes()[:4] == b"%PDF"
    assert info.value.suggested_filename.startswith("evaluation-MRN")

    # Asking again for the same signed record reuses the finished PDF at once.
    page.reload()
    page.get_by_test_id("generate-evaluation").tap()
    expect(page.get_by_test_id("download")).to_be_visible(timeout=5_000)
    assert ReportJob.objects.filter(kind="evaluation").count() == 1


def test_an_administrator_exports_a_zip_and_watches_its_progress(
    page: Page, live_server, records, artifacts, console_errors, celery_worker_process, settings
):
    settings.REPORT_JOBS_MODE = "celery"
    settings.EXPORT_PART_SIZE = 2
    sign_in(page, live_server, "boss")
    open_menu_item(page, "Reports")
    page.get_by_test_id("new-export").tap()
    today = timezone.localdate()
    page.get_by_label("Visits from").fill((today - timedelta(days=30)).isoformat())
    page.get_by_label("Visits to").fill(today.isoformat())
    page.get_by_label("Patient handout").check()
    page.get_by_label("Add a CSV of outcome data (one row per evaluation)").check()
    checks(page, artifacts, "export-form", console_errors)
    page.get_by_role("button", name="Start export").tap()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Batch export")
    download = page.get_by_test_id("download")
    expect(download).to_be_visible(timeout=90_000)
    expect(page.get_by_test_id("report-job")).to_contain_text("6 documents")
    checks(page, artifacts, "export-ready", console_errors)
    with page.expect_download() as info:
        download.tap()
    with zipfile.ZipFile(info.value.path()) as zf:
        pdfs = [n for n in zf.namelist() if n.endswith(".pdf")]
        assert len(pdfs) == len(set(pdfs)) == 6 and "outcomes.csv" in zf.namelist()

    open_menu_item(page, "Reports")
    expect(page.get_by_test_id("job-list")).to_contain_text("Batch export")
    checks(page, artifacts, "job-list", console_errors)


def test_a_failed_job_shows_its_reason_and_a_retry_button(
    page: Page, live_server, records, artifacts, console_errors, settings
):
    _physio, evaluations = records
    job = ReportJob.objects.create(
        kind="evaluation",
        params={"subject": str(evaluations[0].public_id)},
        requested_by=_physio,
        patient=evaluations[0].patient,
        status="failed",
        error="Producing the PDF took too long and was stopped. Try again later.",
    )
    settings.REPORT_JOBS_MODE = "thread"
    sign_in(page, live_server, "pt")
    page.goto(f"{live_server.url}/reports/jobs/{job.public_id}/")
    expect(page.get_by_test_id("job-error")).to_contain_text("took too long")
    checks(page, artifacts, "failed", console_errors)
    page.get_by_test_id("retry").tap()
    expect(page.get_by_test_id("download")).to_be_visible(timeout=60_000)
    assert console_errors == []
