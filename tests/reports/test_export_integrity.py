"""An export holds only documents verified complete: a document whose chart or image
failed is rendered again, a file on disk counts only if its content hash is the one
recorded when it was written, and the manifest is written from what was verified. Each
disturbed export is compared, document by document, with an undisturbed export of the
same selection."""

import csv
import io
import re
import uuid
import zipfile
from datetime import timedelta
from pathlib import Path

import pytest
from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.utils import timezone

from reports import runner, services
from reports.models import ExportPart, ReportJob
from tests.reports.conftest import make_evaluation
from tests.reports.pdftext import pdf_text
from tests.reports.test_render_integrity import CHART_LABEL

pytestmark = pytest.mark.django_db

KINDS = ("evaluation", "progress", "handout", "intake_summary")
# Printed on every page: the only text that differs between two renders of one record.
GENERATED = re.compile(r"Generated \d{1,2} \w{3} \d{4} \d{2}:\d{2} \S+")


@pytest.fixture
def four_months(physio):
    """Visits over four months: three patients, two or three visits each."""
    visits = []
    for n, days in enumerate((118, 90, 61)):
        first = make_evaluation(therapist=physio, days_ago=days, seed=10 + n)
        visits.append(first)
        for step, later in enumerate((days - 30, days - 55)):
            if later > 0:
                visits.append(
                    make_evaluation(
                        therapist=physio,
                        patient=first.patient,
                        kind="reevaluation",
                        days_ago=later,
                        seed=20 + 3 * n + step,
                    )
                )
    return visits


def selection(kinds: tuple[str, ...] = KINDS) -> services.ExportRequest:
    return services.ExportRequest(
        date_from=timezone.localdate() - timedelta(days=125),
        date_to=timezone.localdate(),
        therapist_ids=(),
        kinds=kinds,
        include_csv=False,
        include_drafts=False,
    )


def zip_contents(job: ReportJob) -> tuple[dict[str, bytes], list[dict[str, str]]]:
    job.refresh_from_db()
    assert job.status == "succeeded", job.error
    with zipfile.ZipFile(Path(settings.MEDIA_ROOT) / job.file) as zf:
        pdfs = {n: zf.read(n) for n in zf.namelist() if n.endswith(".pdf")}
        manifest = list(csv.DictReader(io.StringIO(zf.read("manifest.csv").decode())))
    return pdfs, manifest


def texts(pdfs: dict[str, bytes]) -> dict[str, str]:
    return {name: GENERATED.sub("", pdf_text(data)) for name, data in pdfs.items()}


def undisturbed_export(by, capture, request: services.ExportRequest) -> dict[str, str]:
    with capture(execute=True):
        job = services.export_request(request=request, by=by)
    pdfs, manifest = zip_contents(job)
    assert {m["included"] for m in manifest} == {"yes"} and len(pdfs) == job.total
    return texts(pdfs)


class WorkerKilled(BaseException):
    """The process dies mid-part: nothing after this line of the run happens."""


def track_renders(monkeypatch) -> list[tuple[str, str]]:
    import reports.pdf

    real, rendered = reports.pdf.render_document, []

    def tracking(kind, subject, **kwargs):
        rendered.append((kind, str(subject.public_id)))
        return real(kind, subject, **kwargs)

    monkeypatch.setattr(reports.pdf, "render_document", tracking)
    return rendered


def chart_fails_once_in_the_first_progress_report(monkeypatch) -> list[str]:
    """The first progress report's first chart raises inside WeasyPrint's SVG drawing, as a
    task being stopped by Celery does: WeasyPrint catches it and logs "Failed to render SVG
    image"."""
    from weasyprint.svg import SVG

    import reports.pdf

    real_render, real_draw = reports.pdf.render_document, SVG.draw
    current, failed = {"kind": ""}, []

    def render(kind, subject, **kwargs):
        current["kind"] = kind
        return real_render(kind, subject, **kwargs)

    def draw(self, *args, **kwargs):
        if current["kind"] == "progress" and not failed:
            failed.append("progress")
            raise SoftTimeLimitExceeded()
        return real_draw(self, *args, **kwargs)

    monkeypatch.setattr(reports.pdf, "render_document", render)
    monkeypatch.setattr(SVG, "draw", draw)
    return failed


def test_it_rerenders_a_progress_report_whose_chart_failed_mid_export(
    administrator, four_months, inline_jobs, django_capture_on_commit_callbacks, monkeypatch
):
    failed = chart_fails_once_in_the_first_progress_report(monkeypatch)
    rendered = track_renders(monkeypatch)
    with django_capture_on_commit_callbacks(execute=True):
        job = services.export_request(request=selection(), by=administrator)
    pdfs, manifest = zip_contents(job)
    assert failed == ["progress"]
    progress = [(k, s) for k, s in rendered if k == "progress"]
    # The interrupted one was rendered again; every other document once.
    assert len(progress) == len(set(progress)) + 1
    assert len(rendered) == job.total + 1
    # Every progress report in the ZIP has its charts, and the manifest agrees.
    reports_ = {n: pdf_text(d) for n, d in pdfs.items() if n.startswith("progress-reports/")}
    assert len(reports_) == 3 and all(CHART_LABEL in t for t in reports_.values())
    assert len(manifest) == job.total == len(pdfs)
    assert {m["document"] for m in manifest if m["included"] == "yes"} == set(pdfs)
    assert job.parts.filter(attempts__gt=1).count() == 1  # the part was interrupted, redone


def test_it_does_not_trust_files_a_killed_run_left_on_disk(
    administrator,
    four_months,
    inline_jobs,
    settings,
    django_capture_on_commit_callbacks,
    monkeypatch,
):
    """A killed run leaves a truncated file where its next document goes, and the disk
    damages a document it did finish: the redo renders both again."""
    import reports.pdf

    request = selection(kinds=("evaluation",))
    undisturbed = undisturbed_export(administrator, django_capture_on_commit_callbacks, request)
    settings.EXPORT_PART_SIZE = 6
    with django_capture_on_commit_callbacks(execute=False):
        job = services.export_request(request=request, by=administrator)
    part = job.parts.get(index=0)
    folder = runner.parts_dir(job)
    real = reports.pdf.render_document

    def dies_writing_the_third(kind, subject, **kwargs):
        if ExportPart.objects.get(pk=part.pk).done == 2:
            stray = folder / f"{runner.item_stem(part, 2)}.pdf"
            stray.write_bytes(real(kind, subject, **kwargs).pdf[:2000])
            raise WorkerKilled
        return real(kind, subject, **kwargs)

    monkeypatch.setattr(reports.pdf, "render_document", dies_writing_the_third)
    with pytest.raises(WorkerKilled):
        runner.run_export_part(job.public_id, 0, run_id=uuid.uuid4())
    first = folder / f"{runner.item_stem(part, 0)}.pdf"
    first.write_bytes(first.read_bytes()[:-500])  # finished, then damaged on disk

    monkeypatch.setattr(reports.pdf, "render_document", real)
    rendered = track_renders(monkeypatch)
    ExportPart.objects.filter(pk=part.pk).update(heartbeat_at=timezone.now() - timedelta(hours=1))
    with django_capture_on_commit_callbacks(execute=True):
        services.jobs_sweep(now=timezone.now() + timedelta(hours=1))
    pdfs, manifest = zip_contents(job)
    damaged, kept, stray = (tuple(part.items[i][:2]) for i in (0, 1, 2))
    assert rendered.count(damaged) == 1 and rendered.count(stray) == 1
    assert kept not in rendered  # verified by its hash: kept
    assert texts(pdfs) == undisturbed
    assert {m["included"] for m in manifest} == {"yes"}


def test_it_renders_again_at_assembly_a_document_changed_after_its_part_finished(
    administrator, four_months, inline_jobs, django_capture_on_commit_callbacks, monkeypatch
):
    with django_capture_on_commit_callbacks(execute=False):
        job = services.export_request(
            request=selection(("evaluation", "handout")), by=administrator
        )
    with django_capture_on_commit_callbacks(execute=False):
        for part in job.parts.order_by("index"):
            runner.run_export_part(job.public_id, part.index, run_id=uuid.uuid4())
    assert not job.parts.exclude(status="done").exists()
    last = job.parts.order_by("index").last()
    damaged = runner.parts_dir(job) / f"{runner.item_stem(last, 0)}.pdf"
    damaged.write_bytes(b"%PDF-1.7\n% not the document that was rendered\n")

    rendered = track_renders(monkeypatch)
    with django_capture_on_commit_callbacks(execute=True):
        runner.run_export_finish(job.public_id, run_id=uuid.uuid4())
    pdfs, manifest = zip_contents(job)
    assert rendered == [(last.items[0][0], last.items[0][1])]
    assert pdfs[last.items[0][2]].startswith(b"%PDF") and len(pdfs) == job.total
    assert all(pdf_text(d) for d in pdfs.values())
    assert {m["included"] for m in manifest} == {"yes"}


def test_it_exports_the_same_text_as_an_undisturbed_export_of_the_same_selection(
    administrator,
    four_months,
    inline_jobs,
    settings,
    django_capture_on_commit_callbacks,
    monkeypatch,
):
    """An export disturbed every way at once: a chart that fails, a worker killed
    mid-part, a stray file it left, then redone by the sweep."""
    import reports.pdf

    undisturbed = undisturbed_export(administrator, django_capture_on_commit_callbacks, selection())
    assert len(undisturbed) >= 20 and {n.split("/")[0] for n in undisturbed} == {
        "evaluations",
        "progress-reports",
        "handouts",
        "intake-summaries",
    }
    settings.EXPORT_PART_SIZE = 5
    with django_capture_on_commit_callbacks(execute=False):
        job = services.export_request(request=selection(), by=administrator)
    failed = chart_fails_once_in_the_first_progress_report(monkeypatch)
    real = reports.pdf.render_document
    kill = {"part": job.parts.order_by("index")[1], "at": 3}

    def killed_mid_part(kind, subject, **kwargs):
        part = kill["part"]
        now = part and ExportPart.objects.get(pk=part.pk)
        if now and now.status == "running" and now.done == kill["at"]:
            kill["part"] = None
            stray = runner.parts_dir(job) / f"{runner.item_stem(part, kill['at'])}.pdf"
            stray.write_bytes(b"%PDF-1.7\n")
            raise WorkerKilled
        return real(kind, subject, **kwargs)

    monkeypatch.setattr(reports.pdf, "render_document", killed_mid_part)
    for part in job.parts.order_by("index"):
        try:
            with django_capture_on_commit_callbacks(execute=True):
                runner.run_export_part(job.public_id, part.index, run_id=uuid.uuid4())
        except WorkerKilled:
            pass
        except SoftTimeLimitExceeded:
            pass  # the task retries it; the sweep below does the same
    job.parts.exclude(status="done").update(heartbeat_at=timezone.now() - timedelta(hours=1))
    with django_capture_on_commit_callbacks(execute=True):
        services.jobs_sweep(now=timezone.now() + timedelta(hours=1))
    pdfs, manifest = zip_contents(job)
    assert failed == ["progress"] and kill["part"] is None
    disturbed = texts(pdfs)
    assert disturbed.keys() == undisturbed.keys()
    for name, text in undisturbed.items():
        assert disturbed[name] == text, f"{name} differs from the undisturbed export"
    assert [m["document"] for m in manifest if m["included"] == "yes"] == list(pdfs)
