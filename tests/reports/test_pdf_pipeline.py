"""The rendering pipeline: only our static files and data: URIs are fetched, patient text
stays text, the clinic's paper size is used, and the letterhead, page numbers and DRAFT
mark are on every page."""

import base64
import io

import pytest
from django.core.files.base import ContentFile
from pypdf import PdfReader

from core.models import Clinic
from reports import pdf as pipeline
from reports.documents import DOCUMENTS
from reports.pdf import html_to_pdf, render_document, render_html, url_fetcher
from tests.factories import PatientFactory
from tests.reports.pdftext import (
    assert_header_on_every_page,
    pdf_pages_text,
    pdf_text,
    save_page_images,
)
from tests.reports.test_handout_pdf import evaluation_for
from tests.reports.test_intake_pdf import submitted_intake

PNG_1PX = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="
)


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "http://example.com/logo.png",
        "https://example.com/print.css",
        "ftp://example.com/x",
        "/static/../../clinic/settings.py",
        "/static/reports/../../../clinic/settings.py",
        "/static/%2e%2e/%2e%2e/clinic/settings.py",
        "static:../clinic/settings.py",
        "static:/etc/passwd",
        "/etc/passwd",
        "../clinic/settings.py",
        "/media/clinic/logo.png",
        "/static/reports/no-such-file.css",
    ],
)
def test_the_fetcher_refuses_anything_but_our_static_files(url):
    with pytest.raises(ValueError):
        url_fetcher(url)


@pytest.mark.parametrize("url", ["/static/reports/print.css", "static:reports/print.css"])
def test_the_fetcher_serves_our_static_files(url):
    result = url_fetcher(url)
    assert result["mime_type"] == "text/css"
    assert b"@page" in result["string"]


def test_the_fetcher_serves_data_uris():
    result = url_fetcher("data:image/png;base64," + base64.b64encode(PNG_1PX).decode())
    assert result == {
        "string": PNG_1PX,
        "mime_type": "image/png",
        "redirected_url": result["redirected_url"],
    }


def _fetched(monkeypatch) -> list[str]:
    """Every URL WeasyPrint asks the pipeline's fetcher for."""
    calls: list[str] = []
    real = pipeline.url_fetcher

    def spy(url, *args, **kwargs):
        calls.append(url)
        return real(url, *args, **kwargs)

    monkeypatch.setattr(pipeline, "url_fetcher", spy)
    return calls


def test_html_to_pdf_resolves_static_links(monkeypatch):
    pipeline._image_cache.clear()  # images are cached by URL across renders
    calls = _fetched(monkeypatch)
    html = '<!doctype html><meta charset="utf-8"><p>Hello</p><img src="/static/img/favicon.svg">'
    pdf, pages = html_to_pdf(html, paper_size="A4")
    assert pages == 1 and pdf.startswith(b"%PDF")
    assert calls == ["/static/img/favicon.svg"]


def test_html_to_pdf_refuses_other_links_and_writes_no_pdf_without_them(monkeypatch):
    pipeline._image_cache.clear()
    calls = _fetched(monkeypatch)
    html = (
        '<!doctype html><meta charset="utf-8"><p>Hello</p>'
        '<img src="/static/img/favicon.svg"><img src="file:///etc/passwd">'
        '<img src="http://example.com/x.png">'
    )
    with pytest.raises(pipeline.RenderIncomplete) as refused:
        html_to_pdf(html, paper_size="A4")
    # Each was asked for and refused by our fetcher (nothing read), and a document that
    # asks for what it must not have is a fault in it: no retry.
    assert calls == ["/static/img/favicon.svg", "file:///etc/passwd", "http://example.com/x.png"]
    assert not refused.value.transient and not refused.value.worth_another_try
    assert "ResourceRefused" in refused.value.causes


def test_an_unknown_paper_size_is_refused():
    with pytest.raises(ValueError):
        html_to_pdf("<p>x</p>", paper_size="A5")


@pytest.mark.django_db
def test_patient_text_is_printed_as_text_and_fetches_nothing(monkeypatch):
    calls = _fetched(monkeypatch)
    patient = PatientFactory(given_name="<script>alert(1)</script>", family_name="O'Brien & Co")
    hostile = '<img src="file:///etc/passwd">'
    intake = submitted_intake(patient)
    intake.answers["psfs"]["activities"][0]["name"] = hostile
    intake.scores["psfs"]["activities"][0]["name"] = hostile
    intake.save()
    clinic = Clinic.objects.current()
    subject = DOCUMENTS["intake_summary"].load(intake.public_id)

    html = render_html("intake_summary", subject, clinic=clinic)
    assert "<script>alert" not in html and '<img src="file:' not in html
    text = pdf_text(render_document("intake_summary", subject, clinic=clinic).pdf)

    assert "<script>alert(1)</script> O'Brien & Co" in text
    assert hostile in text
    assert "root:" not in text
    assert not [url for url in calls if not url.startswith("data:")]


@pytest.mark.django_db
@pytest.mark.parametrize(
    "paper_size, width, height", [("A4", 595.28, 841.89), ("LETTER", 612, 792)]
)
def test_the_page_size_follows_the_clinic_setting(paper_size, width, height):
    clinic = Clinic.objects.current()
    clinic.paper_size = paper_size
    clinic.save()
    intake = submitted_intake()
    rendered = render_document("intake_summary", intake, clinic=clinic)
    for page in PdfReader(io.BytesIO(rendered.pdf)).pages:
        assert float(page.mediabox.width) == pytest.approx(width, abs=0.5)
        assert float(page.mediabox.height) == pytest.approx(height, abs=0.5)


@pytest.mark.django_db
def test_the_page_count_is_the_pdfs():
    clinic = Clinic.objects.current()
    rendered = render_document("handout", evaluation_for(), clinic=clinic)
    assert rendered.pages == len(PdfReader(io.BytesIO(rendered.pdf)).pages) >= 2


@pytest.mark.django_db
@pytest.mark.parametrize("sign", [True, False])
def test_the_draft_mark_and_header_are_on_every_page_of_drafts_only(sign):
    clinic = Clinic.objects.current()
    evaluation = evaluation_for(sign=sign)
    rendered = render_document("handout", evaluation, clinic=clinic)
    pages = pdf_pages_text(rendered.pdf)
    assert len(pages) >= 2
    assert_header_on_every_page(rendered.pdf, clinic=clinic, patient=evaluation.patient)
    assert [("DRAFT" in page) for page in pages] == [not sign] * len(pages)


@pytest.mark.django_db
def test_the_logo_is_embedded_scaled_and_cached(settings, tmp_path):
    from PIL import Image

    settings.MEDIA_ROOT = tmp_path
    pipeline.reset_caches()
    out = io.BytesIO()
    logo = Image.new("RGB", (2000, 800), "white")
    logo.paste(Image.new("RGB", (800, 800), "navy"))
    logo.save(out, format="PNG")
    clinic = Clinic.objects.current()
    clinic.logo.save("logo.png", ContentFile(out.getvalue()))

    uri = pipeline.logo_data_uri(clinic)
    assert uri.startswith("data:image/png;base64,")
    scaled = Image.open(io.BytesIO(base64.b64decode(uri.split(",", 1)[1])))
    assert scaled.height <= 360
    assert pipeline.logo_data_uri(clinic) is uri  # cached until the clinic changes

    clinic.paper_size = "LETTER"
    clinic.address = "12 Mill Lane, Riverside"
    clinic.phone = "+1 555 0100"
    clinic.save()
    rendered = render_document("intake_summary", submitted_intake(), clinic=clinic)
    save_page_images(rendered.pdf, "letterhead-logo-letter")
    page = PdfReader(io.BytesIO(rendered.pdf)).pages[0]
    assert page.images  # the letterhead logo
    pipeline.reset_caches()


@pytest.mark.django_db
def test_a_broken_logo_prints_the_letterhead_without_it(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    pipeline.reset_caches()
    clinic = Clinic.objects.current()
    clinic.logo.save("logo.png", ContentFile(b"not an image"))
    assert pipeline.logo_data_uri(clinic) == ""
    rendered = render_document("intake_summary", submitted_intake(), clinic=clinic)
    assert clinic.name in pdf_text(rendered.pdf)
    pipeline.reset_caches()


@pytest.mark.django_db
def test_the_generation_time_is_printed_in_local_time(settings):
    from datetime import UTC, datetime

    settings.TIME_ZONE = "Europe/London"
    clinic = Clinic.objects.current()
    at = datetime(2026, 7, 1, 12, 30, tzinfo=UTC)
    rendered = render_document("intake_summary", submitted_intake(), clinic=clinic, generated_at=at)
    assert "Generated 1 Jul 2026 13:30 BST" in pdf_pages_text(rendered.pdf)[0]


def test_a_malformed_data_uri_is_refused():
    with pytest.raises(ValueError):
        url_fetcher("data:image/png;base64")


def test_the_base_stylesheet_comes_first_then_the_others_sorted():
    names = pipeline._stylesheet_names()
    assert names[0] == "reports/print.css"
    assert names[1:] == sorted(names[1:])
    assert all(name.startswith("reports/") and name.endswith(".css") for name in names)


def test_warm_up_prepares_the_shared_state():
    pipeline.warm_up()
    font_config, stylesheets, fetcher = pipeline._state()
    assert font_config is not None and fetcher is not None and stylesheets
