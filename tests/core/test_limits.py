"""Oversized bodies and uploads are refused: from the headers before the body is read
(413), with too many fields (400, never 500), and an oversized or wrong logo with a form
error that keeps everything else that was typed."""

import io
import os
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.handlers.wsgi import WSGIRequest
from django.test import RequestFactory
from django.urls import reverse
from PIL import Image

from core.limits import RequestSizeLimitMiddleware, human_size
from core.models import Clinic
from patients.models import Patient

pytestmark = pytest.mark.django_db

MB = 1024 * 1024


def _png(width: int, height: int, *, noise: bool = False) -> bytes:
    # Noise does not compress: a 1000 x 1000 noisy PNG is about 3 MB, like a photo.
    image = (
        Image.frombytes("RGB", (width, height), os.urandom(width * height * 3))
        if noise
        else Image.new("RGB", (width, height), "navy")
    )
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def _gif() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (20, 20), "red").save(buffer, format="GIF")
    return buffer.getvalue()


def _clinic_form(**changes) -> dict:
    clinic = Clinic.objects.current()
    return {
        "name": clinic.name,
        "paper_size": clinic.paper_size,
        "consent_version": clinic.consent_version,
        "consent_text": clinic.consent_text,
        "privacy_notice": clinic.privacy_notice,
        "emergency_number": clinic.emergency_number,
        "followup_lead_days": clinic.followup_lead_days,
        "day_ends_at": clinic.day_ends_at.strftime("%H:%M"),
        **changes,
    }


def _stored_logos() -> list[Path]:
    folder = Path(settings.MEDIA_ROOT) / "clinic"
    return sorted(folder.iterdir()) if folder.exists() else []


def _patient_form(**changes) -> dict:
    return {
        "given_name": "Robin",
        "family_name": "Oversize",
        "date_of_birth": "1980-02-03",
        "sex": "female",
        "phone": "+44 7700 900456",
        "preferred_language": "en",
        "emergency_contact_name": "Sam Oversize",
        "emergency_contact_phone": "+44 7700 900457",
        **changes,
    }


# --- The body's declared size ----------------------------------------------------------------


def test_it_refuses_a_20_mb_post_with_413_and_stores_nothing(front_desk_client):
    patients = Patient.objects.count()
    response = front_desk_client.post(
        reverse("patients:new"), _patient_form(address_line2="x" * (20 * MB))
    )
    assert response.status_code == 413
    page = response.content.decode()
    assert "too much to send at once" in page and "Nothing was saved" in page
    assert Patient.objects.count() == patients


def test_it_refuses_a_20_mb_upload_with_413_and_changes_no_setting(admin_client_):
    before = Clinic.objects.current().name
    logos = _stored_logos()
    response = admin_client_.post(
        reverse("core:clinic-settings"),
        _clinic_form(
            name="A new name", logo=SimpleUploadedFile("logo.png", b"\x89PNG" + b"\0" * 20 * MB)
        ),
    )
    assert response.status_code == 413
    assert f"a file of at most {human_size(settings.MAX_UPLOAD_BYTES)}" in response.content.decode()
    assert Clinic.objects.current().name == before
    assert _stored_logos() == logos


class _UnreadableInput(io.RawIOBase):
    """A request body that fails the test if anything reads it."""

    def read(self, *args):
        raise AssertionError("the body was read")

    readline = readinto = read


def _environ(**extra) -> dict:
    environ = RequestFactory().post("/patients/new/").environ
    environ.pop("CONTENT_LENGTH", None)
    environ["wsgi.input"] = _UnreadableInput()
    environ.update(extra)
    return environ


def _never_called(request):
    raise AssertionError("the request went past the size check")


def test_it_answers_from_the_headers_without_reading_the_body():
    middleware = RequestSizeLimitMiddleware(_never_called)
    request = WSGIRequest(
        _environ(CONTENT_LENGTH=str(20 * MB), CONTENT_TYPE="application/x-www-form-urlencoded")
    )
    assert middleware(request).status_code == 413
    upload = WSGIRequest(
        _environ(
            CONTENT_LENGTH=str(settings.MAX_REQUEST_BYTES + 1),
            CONTENT_TYPE="multipart/form-data; boundary=x",
        )
    )
    assert middleware(upload).status_code == 413


def test_the_size_check_runs_before_any_middleware_that_could_read_the_body():
    # CsrfViewMiddleware reads request.POST for its token; sessions and authentication
    # would touch the database for a request that is refused anyway.
    order = settings.MIDDLEWARE
    limits = order.index("core.limits.RequestSizeLimitMiddleware")
    assert order[limits - 1] == "django.middleware.security.SecurityMiddleware"
    assert limits < order.index("django.contrib.sessions.middleware.SessionMiddleware")
    assert limits < order.index("django.middleware.csrf.CsrfViewMiddleware")


def test_a_body_without_a_declared_length_is_refused_not_silently_emptied():
    # Django reads nothing of a body without Content-Length, so a chunked form post would
    # arrive empty; it is refused instead, saying why.
    middleware = RequestSizeLimitMiddleware(_never_called)
    response = middleware(WSGIRequest(_environ(HTTP_TRANSFER_ENCODING="chunked")))
    assert response.status_code == 411
    assert "did not say how much it was sending" in response.content.decode()
    broken = middleware(WSGIRequest(_environ(CONTENT_LENGTH="-5")))
    assert broken.status_code == 400


def test_a_chunked_post_through_the_app_is_refused_and_stores_nothing(front_desk_client):
    patients = Patient.objects.count()
    response = front_desk_client.generic(
        "POST", reverse("patients:new"), HTTP_TRANSFER_ENCODING="chunked"
    )
    assert response.status_code == 411
    assert Patient.objects.count() == patients


def test_bodies_within_the_limits_reach_the_view(front_desk_client):
    response = front_desk_client.post(reverse("patients:new"), _patient_form())
    assert response.status_code == 302
    assert Patient.objects.filter(family_name="Oversize").exists()


def test_form_text_over_the_text_limit_inside_an_upload_gets_the_same_413_page(admin_client_):
    # Multipart bodies pass the header check up to MAX_REQUEST_BYTES (they may carry a
    # file); their text fields still may not exceed DATA_UPLOAD_MAX_MEMORY_SIZE.
    before = Clinic.objects.current().address
    response = admin_client_.post(
        reverse("core:clinic-settings"),
        _clinic_form(address="x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 10)),
    )
    assert response.status_code == 413
    assert "Nothing was saved" in response.content.decode()
    assert Clinic.objects.current().address == before


# --- Too many fields ---------------------------------------------------------------------------


@pytest.mark.parametrize("encoding", ["urlencoded", "multipart"])
def test_too_many_fields_get_400_not_500_and_store_nothing(front_desk_client, encoding):
    patients = Patient.objects.count()
    fields = settings.DATA_UPLOAD_MAX_NUMBER_FIELDS + 1
    data = _patient_form(**{f"extra{n}": "1" for n in range(fields)})
    if encoding == "urlencoded":
        from urllib.parse import urlencode

        response = front_desk_client.post(
            reverse("patients:new"),
            urlencode(data),
            content_type="application/x-www-form-urlencoded",
        )
    else:
        response = front_desk_client.post(reverse("patients:new"), data)
    assert response.status_code == 400
    assert "could not be understood" in response.content.decode()
    assert Patient.objects.count() == patients


# --- The logo upload ---------------------------------------------------------------------------


def test_an_oversized_logo_gets_a_clear_message_and_keeps_the_other_typed_fields(admin_client_):
    photo = _png(1000, 1000, noise=True)
    assert settings.MAX_UPLOAD_BYTES < len(photo) < settings.MAX_REQUEST_BYTES
    logos = _stored_logos()
    response = admin_client_.post(
        reverse("core:clinic-settings"),
        _clinic_form(
            name="Riverside Physiotherapy",
            address="12 Mill Lane",
            phone="+44 1632 960000",
            logo=SimpleUploadedFile("photo.png", photo, content_type="image/png"),
        ),
    )
    assert response.status_code == 200
    page = response.content.decode()
    limit = human_size(settings.MAX_UPLOAD_BYTES)
    assert f"This file is {human_size(len(photo))}: the logo must be {limit} or smaller." in page
    assert 'value="Riverside Physiotherapy"' in page
    assert "12 Mill Lane" in page and 'value="+44 1632 960000"' in page
    clinic = Clinic.objects.current()
    assert clinic.name != "Riverside Physiotherapy" and not clinic.logo
    assert _stored_logos() == logos


@pytest.mark.parametrize(
    "filename, content, message",
    [
        ("logo.gif", _gif(), "The logo must be a PNG or JPEG image."),
        ("logo.png", _gif(), "The logo must be a PNG or JPEG image."),  # renamed
        ("logo.png", _png(5000, 10), "This image is 5000 by 10 pixels"),
        (
            "logo.svg",
            b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>',
            "Upload a valid image.",
        ),
    ],
    ids=["gif", "gif-named-png", "too-many-pixels", "svg"],
)
def test_a_logo_that_is_not_a_reasonable_png_or_jpeg_is_refused(
    admin_client_, filename, content, message
):
    response = admin_client_.post(
        reverse("core:clinic-settings"),
        _clinic_form(name="Kept Name", logo=SimpleUploadedFile(filename, content)),
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert message in page and 'value="Kept Name"' in page
    assert not Clinic.objects.current().logo


def test_a_small_png_logo_is_saved(admin_client_):
    response = admin_client_.post(
        reverse("core:clinic-settings"),
        _clinic_form(logo=SimpleUploadedFile("logo.png", _png(300, 100))),
    )
    assert response.status_code == 302
    clinic = Clinic.objects.current()
    assert clinic.logo and clinic.logo.name.startswith("clinic/")
    clinic.logo.delete(save=False)
