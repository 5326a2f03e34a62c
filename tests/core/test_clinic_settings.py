"""Clinic settings: the consent wording the tablet shows is the clinic's, versioned."""

import json

import pytest
from django.urls import reverse

from core.models import Clinic
from tests.factories import IntakeFactory

pytestmark = pytest.mark.django_db


def _form(clinic: Clinic, **changes) -> dict:
    data = {
        "name": clinic.name,
        "paper_size": clinic.paper_size,
        "consent_version": clinic.consent_version,
        "consent_text": clinic.consent_text,
        "privacy_notice": clinic.privacy_notice,
        "emergency_number": clinic.emergency_number,
        "followup_lead_days": clinic.followup_lead_days,
        "day_ends_at": clinic.day_ends_at.strftime("%H:%M"),
    }
    return {**data, **changes}


def test_changing_the_consent_wording_needs_a_new_version(admin_client_):
    clinic = Clinic.objects.current()
    url = reverse("core:clinic-settings")
    response = admin_client_.post(url, _form(clinic, consent_text="Our own consent wording."))
    assert "give it a new version" in response.content.decode()
    assert Clinic.objects.current().consent_text != "Our own consent wording."
    response = admin_client_.post(
        url, _form(clinic, consent_text="Our own consent wording.", consent_version="2026-11")
    )
    assert response.status_code == 302
    clinic = Clinic.objects.current()
    assert (clinic.consent_version, clinic.consent_text) == ("2026-11", "Our own consent wording.")


def test_a_signed_consent_keeps_the_wording_it_was_given_under(front_desk_client, patient):
    from intake.models import Intake
    from intake.services import _save_signature

    intake = IntakeFactory(patient=patient, status=Intake.Status.IN_PROGRESS, submitted_at=None)
    _save_signature(intake, "Ana", b"\x89PNG", at=intake.started_at)
    Clinic.objects.filter(pk=1).update(consent_text="New wording", consent_version="v2")
    consent = intake.consent
    consent.refresh_from_db()
    assert consent.consent_version == "product-default-1"
    assert consent.consent_text != "New wording"


# --- A logo that declares a huge picture (a decompression bomb) -------------------------------


def _bombs():
    from tests.intake.test_image_bounds import jpeg_declaring, png_bomb

    return {
        # The issue's: 51 KB declaring 13,300 x 13,300, just under twice Pillow's default
        # limit, so Pillow itself only warns.
        "png-13300": ("logo.png", png_bomb(), (13_300, 13_300)),
        # Beyond twice Pillow's limit, where opening it raises before any check of ours.
        "png-20000": ("logo.png", png_bomb(20_000, 20_000, size=80 * 1024), (20_000, 20_000)),
        "jpeg-60000": ("logo.jpg", jpeg_declaring(60_000, 60_000), (60_000, 60_000)),
    }


@pytest.mark.parametrize("bomb", ["png-13300", "png-20000", "jpeg-60000"])
def test_a_logo_declaring_a_huge_picture_is_refused_with_a_clear_message(admin_client_, bomb):
    from django.core.files.uploadedfile import SimpleUploadedFile

    name, content, (width, height) = _bombs()[bomb]
    clinic = Clinic.objects.current()
    response = admin_client_.post(
        reverse("core:clinic-settings"),
        {**_form(clinic, name="Kept Name"), "logo": SimpleUploadedFile(name, content)},
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert (
        f"This image is {width} by {height} pixels: the logo must be at most 4000 by 4000." in page
    )
    assert 'value="Kept Name"' in page
    assert not Clinic.objects.current().logo


def test_refusing_logo_bombs_grows_the_worker_by_under_20_mb():
    from tests.intake.test_image_bounds import MAX_GROWTH_MIB, peak_growth_mib

    growth, printed = peak_growth_mib(
        setup="\n".join(
            [
                "import json",
                "from django.core.files.uploadedfile import SimpleUploadedFile",
                "from core.forms import ClinicForm",
                "from core.models import Clinic",
                "from tests.core.test_clinic_settings import _bombs",
                "bombs = list(_bombs().values())",
            ]
        ),
        run="\n".join(
            [
                "for name, content, _ in bombs:",
                "    form = ClinicForm(",
                "        data={'name': 'A', 'paper_size': 'A4', 'consent_version': 'v',",
                "              'consent_text': 't', 'privacy_notice': 'p'},",
                "        files={'logo': SimpleUploadedFile(name, content)},",
                "        instance=Clinic(pk=1, name='A'),",
                "    )",
                "    print(json.dumps(form['logo'].errors))",
            ]
        ),
    )
    assert [json.loads(line) for line in printed.splitlines()] == [
        [f"This image is {w} by {h} pixels: the logo must be at most 4000 by 4000."]
        for _, _, (w, h) in _bombs().values()
    ]
    assert growth < MAX_GROWTH_MIB, f"checking the logos grew the worker by {growth:.0f} MiB"


def test_a_small_jpeg_logo_is_saved(admin_client_):
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (300, 100), "navy").save(buffer, format="JPEG")
    clinic = Clinic.objects.current()
    response = admin_client_.post(
        reverse("core:clinic-settings"),
        {**_form(clinic), "logo": SimpleUploadedFile("logo.jpg", buffer.getvalue())},
    )
    assert response.status_code == 302
    clinic = Clinic.objects.current()
    assert clinic.logo
    clinic.logo.delete(save=False)
