"""Which screens a follow-up packet shows, in which order, and that its session reaches
nothing but them."""

import json

import pytest
from django.urls import reverse

from intake import services
from intake.followup.steps import packet_steps
from intake.models import Intake
from tests.factories import PatientFactory
from tests.intake.answers import odi_pack_document
from tests.intake.followup.answers import POSTS
from tests.intake.followup.conftest import fill, make_baseline, make_packet, open_link

pytestmark = pytest.mark.django_db

ALL = ["pain", "psfs", "odi", "change", "redflags", "review"]


def _keys(**kwargs) -> list[str]:
    return [s.key for s in packet_steps(**kwargs)]


def test_the_screens_come_in_order_with_the_activities_and_the_odi_when_licensed():
    assert _keys(packs={"odi_v2_1a"}, has_psfs=True) == ALL


def test_the_odi_is_left_out_without_the_clinics_licensed_pack():
    assert _keys(packs=set(), has_psfs=True) == ["pain", "psfs", "change", "redflags", "review"]


def test_the_activities_are_left_out_when_the_first_visit_named_none():
    assert _keys(packs=set(), has_psfs=False) == ["pain", "change", "redflags", "review"]


def test_a_summary_shows_a_screen_the_packet_answered_anyway():
    assert _keys(packs=set(), has_psfs=False, answered={"psfs", "odi"}) == ALL


def test_the_phone_walks_the_packets_own_screens(phone):
    assert phone.get(reverse("kiosk:resume")).url == reverse("kiosk:step", args=["pain"])
    page = phone.get(reverse("kiosk:step", args=["pain"])).content.decode()
    assert "Step 1 of 5" in page  # pain, activities, change, red flags, check and send
    assert "Back pain right now" in page and "Leg pain right now" in page
    assert "last 24 hours" not in page
    fill(phone, ["pain"])
    page = phone.get(reverse("kiosk:step", args=["psfs"])).content.decode()
    # The first visit's activities, by name, to rate: shown, not asked again.
    for name in ("Sitting at work", "Walking the dog", "Putting on socks"):
        assert name in page
    assert 'name="activity_1"' not in page and 'type="text"' not in page
    fill(phone, ["psfs"])
    page = phone.get(reverse("kiosk:step", args=["change"])).content.decode()
    assert "Since you started treatment here" in page
    for words in ("Much better", "About the same", "Much worse"):
        assert words in page


def test_a_packet_without_activities_at_the_first_visit_skips_that_screen(front_desk, clinic):
    packet = make_packet(make_baseline(PatientFactory(), activities=[]))
    phone = open_link(packet, by=front_desk)
    response = phone.post(reverse("kiosk:step", args=["pain"]), {**POSTS["pain"], "nav": "next"})
    assert response.url == reverse("kiosk:step", args=["change"])
    assert phone.get(reverse("kiosk:step", args=["psfs"])).status_code == 404
    assert phone.post(reverse("kiosk:autosave", args=["psfs"]), {}).status_code == 404


def test_the_odi_is_asked_when_the_clinics_pack_is_in_force(phone):
    services.instrument_pack_load(raw=json.dumps(odi_pack_document()).encode())
    fill(phone, ["pain"])
    response = phone.post(reverse("kiosk:step", args=["psfs"]), {**POSTS["psfs"], "nav": "next"})
    assert response.url == reverse("kiosk:step", args=["odi"])
    page = phone.get(response.url).content.decode()
    assert "Step 3 of 6" in page and "Placeholder statement 3" in page


def test_without_the_pack_the_odi_screen_is_not_there(phone):
    assert phone.get(reverse("kiosk:step", args=["odi"])).status_code == 404
    assert phone.post(reverse("kiosk:autosave", args=["odi"]), {}).status_code == 404


def test_a_packet_session_reaches_no_intake_screen_and_no_other_form(phone, baseline):
    for step in ("about", "consent", "where", "feels", "when", "history", "startback"):
        assert phone.get(reverse("kiosk:step", args=[step])).status_code == 404, step
        assert phone.post(reverse("kiosk:autosave", args=[step]), {}).status_code == 404, step
    for url in (
        reverse("intake:detail", args=[baseline.public_id]),
        reverse("patients:detail", args=[baseline.patient.public_id]),
        reverse("core:home"),
    ):
        response = phone.get(url)
        assert response.status_code == 302 and response.url == reverse("kiosk:resume"), url
    # Saving the packet's screens never touches the first-visit intake.
    before = Intake.objects.get(pk=baseline.pk).answers
    fill(phone, ["pain", "psfs"])
    assert Intake.objects.get(pk=baseline.pk).answers == before


def test_it_will_not_skip_ahead_of_unanswered_screens(phone):
    response = phone.get(reverse("kiosk:step", args=["redflags"]))
    assert response.url == reverse("kiosk:step", args=["pain"])
