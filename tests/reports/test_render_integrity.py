"""A PDF is complete or it is not written: WeasyPrint skips a resource it cannot load or
draw with only a log line, so the pipeline listens for those lines during each render and
fails the render instead of writing a document without its chart or logo."""

import io
import logging
import threading
from pathlib import Path

import pytest
from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.core.files.base import ContentFile
from pypdf import PdfReader

from core.models import Clinic
from reports import pdf as pipeline
from reports import services
from reports.documents import DOCUMENTS
from tests.reports.conftest import make_evaluation
from tests.reports.pdftext import pdf_text

pytestmark = pytest.mark.django_db

# Drawn by evaluations.charts into every outcome chart of a progress report.
CHART_LABEL = "within minimal important change"


@pytest.fixture
def progress_report(physio):
    """A patient's second visit: its progress report has outcome charts (inline SVG)."""
    first = make_evaluation(therapist=physio, days_ago=40)
    second = make_evaluation(
        therapist=physio, patient=first.patient, kind="reevaluation", days_ago=10, seed=2
    )
    return DOCUMENTS["progress"].load(second.public_id)


def svg_draw_fails(monkeypatch, exc: BaseException, *, times: int) -> list[int]:
    """Make WeasyPrint's SVG drawing raise `exc` the first `times` calls: it catches
    anything there, logs "Failed to render SVG image" and leaves the chart out."""
    from weasyprint.svg import SVG

    real, calls = SVG.draw, []

    def draw(self, *args, **kwargs):
        calls.append(1)
        if len(calls) <= times:
            raise exc
        return real(self, *args, **kwargs)

    monkeypatch.setattr(SVG, "draw", draw)
    return calls


def test_it_writes_no_pdf_when_a_chart_cannot_be_drawn(monkeypatch, progress_report):
    svg_draw_fails(monkeypatch, RuntimeError("broken path data"), times=1000)
    with pytest.raises(pipeline.RenderIncomplete) as failed:
        pipeline.render_document("progress", progress_report, clinic=Clinic.objects.current())
    assert not failed.value.transient
    assert any("Failed to render SVG image" in p for p in failed.value.problems)


def test_it_draws_the_chart_again_when_it_failed_once(monkeypatch, progress_report):
    clinic = Clinic.objects.current()
    undisturbed = pipeline.render_document("progress", progress_report, clinic=clinic)
    charts = pdf_text(undisturbed.pdf).count(CHART_LABEL)
    assert charts >= 2
    calls = svg_draw_fails(monkeypatch, RuntimeError("a moment's glitch"), times=1)
    rendered = pipeline.render_document("progress", progress_report, clinic=clinic)
    assert pdf_text(rendered.pdf).count(CHART_LABEL) == charts
    assert len(calls) > charts  # the failed attempt drew too


def test_it_passes_on_an_interruption_weasyprint_swallowed(monkeypatch, progress_report):
    """Celery stops a task by raising inside it; WeasyPrint's SVG drawing catches even
    that. The task must still stop, and no file be written."""
    svg_draw_fails(monkeypatch, SoftTimeLimitExceeded(), times=1)
    with pytest.raises(SoftTimeLimitExceeded):
        pipeline.render_document("progress", progress_report, clinic=Clinic.objects.current())


def _with_logo(settings, tmp_path) -> Clinic:
    from PIL import Image

    settings.MEDIA_ROOT = tmp_path
    pipeline.reset_caches()
    out = io.BytesIO()
    Image.new("RGB", (300, 120), "navy").save(out, format="PNG")
    clinic = Clinic.objects.current()
    clinic.logo.save("logo.png", ContentFile(out.getvalue()))
    return clinic


def test_it_retries_later_when_an_image_fails_to_load_and_does_not_remember_the_failure(
    monkeypatch, settings, tmp_path, progress_report
):
    clinic = _with_logo(settings, tmp_path)
    real, calls = pipeline.url_fetcher, []

    def flaky(url, *args, **kwargs):
        calls.append(url)
        if len(calls) == 1:
            raise OSError("I/O error reading the image")
        return real(url, *args, **kwargs)

    monkeypatch.setattr(pipeline, "url_fetcher", flaky)
    try:
        with pytest.raises(pipeline.RenderInterrupted) as failed:
            pipeline.render_document("progress", progress_report, clinic=clinic)
        assert failed.value.transient
        assert any("Failed to load image" in p for p in failed.value.problems)
        # WeasyPrint caches a failed image as "none"; the next render loads it again.
        rendered = pipeline.render_document("progress", progress_report, clinic=clinic)
        assert PdfReader(io.BytesIO(rendered.pdf)).pages[0].images
        assert len(calls) == 2
    finally:
        pipeline.reset_caches()


def test_it_fails_on_any_weasyprint_warning():
    html = '<!doctype html><meta charset="utf-8"><p style="colour: red">Hello</p>'
    with pytest.raises(pipeline.RenderIncomplete) as failed:
        pipeline.html_to_pdf(html, paper_size="A4")
    assert not failed.value.transient and failed.value.problems


def test_it_listens_only_to_its_own_render():
    """Two renders at once (the web process's two job threads): a warning in one does not
    fail the other."""
    bad = '<!doctype html><meta charset="utf-8"><p style="colour: red">x</p>' * 200
    good = '<!doctype html><meta charset="utf-8"><p>fine</p>' * 200
    outcomes: dict[str, object] = {}

    def run(name, html):
        try:
            outcomes[name] = pipeline.html_to_pdf(html, paper_size="A4")[1]
        except pipeline.RenderIncomplete as exc:
            outcomes[name] = exc

    pipeline.warm_up()
    threads = [threading.Thread(target=run, args=(n, h)) for n, h in [("bad", bad), ("good", good)]]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert isinstance(outcomes["bad"], pipeline.RenderIncomplete)
    assert isinstance(outcomes["good"], int) and outcomes["good"] > 1  # its page count


def test_its_log_line_names_the_problem_and_not_the_record(monkeypatch, caplog, progress_report):
    svg_draw_fails(monkeypatch, RuntimeError(progress_report.patient.family_name), times=1000)
    with (
        caplog.at_level(logging.WARNING, logger="reports.pdf"),
        pytest.raises(pipeline.RenderIncomplete),
    ):
        pipeline.render_document("progress", progress_report, clinic=Clinic.objects.current())
    logged = "\n".join(r.getMessage() for r in caplog.records if r.name == "reports.pdf")
    assert "Failed to render SVG image" in logged and "RuntimeError" in logged
    assert progress_report.patient.family_name not in logged


def test_a_pdf_job_whose_chart_cannot_be_drawn_fails_with_a_reason_and_writes_no_file(
    physio, progress_report, inline_jobs, django_capture_on_commit_callbacks, monkeypatch
):
    svg_draw_fails(monkeypatch, RuntimeError("broken path data"), times=1000)
    with django_capture_on_commit_callbacks(execute=True):
        job = services.report_request(kind="progress", subject=progress_report, by=physio)
    job.refresh_from_db()
    assert job.status == "failed" and job.file == ""
    assert "could not be produced completely" in job.error and "broken path" not in job.error
    assert not (Path(settings.MEDIA_ROOT) / "reports" / f"{job.public_id}.pdf").exists()


def test_a_pdf_job_whose_image_failed_to_load_is_retried_and_has_it(
    physio,
    progress_report,
    settings,
    tmp_path,
    inline_jobs,
    django_capture_on_commit_callbacks,
    monkeypatch,
):
    clinic = _with_logo(settings, tmp_path)
    assert clinic.logo
    real, calls = pipeline.url_fetcher, []

    def flaky(url, *args, **kwargs):
        calls.append(url)
        if len(calls) == 1:
            raise OSError("I/O error reading the image")
        return real(url, *args, **kwargs)

    monkeypatch.setattr(pipeline, "url_fetcher", flaky)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            job = services.report_request(kind="progress", subject=progress_report, by=physio)
        job.refresh_from_db()
        assert job.status == "succeeded" and job.attempts == 2, job.error
        data = (Path(settings.MEDIA_ROOT) / job.file).read_bytes()
        assert PdfReader(io.BytesIO(data)).pages[0].images  # the letterhead logo
    finally:
        pipeline.reset_caches()


def test_it_does_not_remember_a_logo_it_could_not_read_for_a_moment(
    monkeypatch, settings, tmp_path
):
    from django.db.models.fields.files import FieldFile

    clinic = _with_logo(settings, tmp_path)
    real, calls = FieldFile.open, []

    def flaky(self, *args, **kwargs):
        calls.append(1)
        if len(calls) == 1:
            raise OSError(5, "Input/output error")
        return real(self, *args, **kwargs)

    monkeypatch.setattr(FieldFile, "open", flaky)
    try:
        with pytest.raises(OSError):  # transient: the job is retried
            pipeline.logo_data_uri(clinic)
        assert pipeline.logo_data_uri(clinic).startswith("data:image/png;base64,")
    finally:
        pipeline.reset_caches()
