"""A packet's one-time link, and what every link says once it no longer opens: plainly
that it expired or was used, and the clinic's number to call for a new one."""

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from intake import services
from intake.models import Intake, IntakeAccess
from tests.intake.followup.answers import CLINIC_PHONE, DOB, POSTS
from tests.intake.followup.conftest import fill, send

pytestmark = pytest.mark.django_db

CALL = f'href="tel:+442079460000" data-testid="call-clinic">Call {CLINIC_PHONE}</a>'


def _link(intake, by) -> str:
    _access, token = services.intake_link_create(intake=intake, by=by)
    return reverse("kiosk:link", args=[token])


def test_a_packets_link_names_the_follow_up_and_asks_for_the_date_of_birth(
    client, packet, front_desk
):
    page = client.get(_link(packet, front_desk)).content.decode()
    assert "How are you getting on?" in page and "date of birth" in page
    assert "before your visit" not in page
    assert IntakeAccess.objects.get(intake=packet).used_at is None  # viewing uses nothing


def test_an_intakes_link_still_says_before_your_visit(client, front_desk, patient, clinic):
    intake = Intake.objects.create(patient=patient, episode=_episode(patient))
    page = client.get(_link(intake, front_desk)).content.decode()
    assert "Your form before your visit" in page


def _episode(patient):
    from care.demo import demo_episode

    return demo_episode(patient=patient, on=timezone.localdate())


def test_an_expired_link_says_so_at_once_with_the_clinics_number(client, packet, front_desk):
    url = _link(packet, front_desk)
    IntakeAccess.objects.filter(intake=packet).update(expires_at=timezone.now())
    for response in (client.get(url), client.post(url, {"date_of_birth": DOB.isoformat()})):
        page = response.content.decode()
        assert response.status_code == 200
        assert "This link has expired or has already been used" in page
        assert "Please call the clinic for a new link." in page and CALL in page
        assert 'name="date_of_birth"' not in page


def test_a_used_link_says_so_on_another_device(packet, front_desk):
    url = _link(packet, front_desk)
    first = Client()
    first.post(url, {"date_of_birth": DOB.isoformat()})
    page = Client().get(url).content.decode()
    assert "expired or has already been used" in page and CALL in page


def test_opening_the_link_again_on_the_same_phone_carries_on_with_the_form(packet, front_desk):
    url = _link(packet, front_desk)
    phone = Client()
    phone.post(url, {"date_of_birth": DOB.isoformat()})
    assert phone.get(url).url == reverse("kiosk:resume")


def test_a_link_of_a_packet_already_sent_says_there_is_nothing_more_to_do(
    packet, front_desk, tablet
):
    url = _link(packet, front_desk)  # sent by link, then answered on the tablet instead
    fill(tablet, ["pain", "psfs", "change", "redflags"])
    send(tablet)
    page = Client().get(url).content.decode()
    assert "This form has already been sent" in page and "nothing more to do" in page


def test_a_locked_link_says_so(client, packet, front_desk):
    url = _link(packet, front_desk)
    for _ in range(IntakeAccess.MAX_FAILED_ATTEMPTS - 1):
        response = client.post(url, {"date_of_birth": "1900-01-01"})
        assert "does not match our records" in response.content.decode()
    page = client.post(url, {"date_of_birth": "1900-01-01"}).content.decode()
    assert "This link has been locked" in page and CALL in page


def test_an_unknown_link_says_it_is_not_valid(client, clinic):
    response = client.get(reverse("kiosk:link", args=["not-a-real-token"]))
    page = response.content.decode()
    assert response.status_code == 200
    assert "This link is not valid" in page and CALL in page


def test_a_link_session_that_expires_says_the_link_expired_and_whom_to_call(phone, packet):
    IntakeAccess.objects.filter(intake=packet).update(expires_at=timezone.now())
    response = phone.post(reverse("kiosk:autosave", args=["pain"]), POSTS["pain"])
    page = response.content.decode()
    assert response.status_code == 403
    assert "The link has expired." in page and CALL in page
