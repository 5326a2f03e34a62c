"""A yes or "not sure" to a cauda equina question in a packet stops it on that save, with
the intake's calm screen and the staff alert at once."""

import pytest
from django.urls import reverse

from audit.models import AuditEvent
from intake.models import Intake, RedFlagAlert
from intake.questions import FOLLOW_UP_RED_FLAG_CODES
from intake.triage import CES_ITEMS
from tests.intake.followup.answers import CLINIC_PHONE, POSTS
from tests.intake.followup.conftest import fill

pytestmark = pytest.mark.django_db


def _stopped(packet, item: str) -> Intake:
    packet = Intake.objects.get(pk=packet.pk)
    assert packet.status == Intake.Status.STOPPED and packet.stopped_at
    assert packet.red_flag_level == "EMERGENCY"
    alert = RedFlagAlert.objects.get(intake=packet)
    assert alert.ces and alert.level == "EMERGENCY" and alert.acknowledged_at is None
    assert alert.patient_id == packet.patient_id and item in alert.items
    assert AuditEvent.objects.filter(
        action=AuditEvent.Action.ALERT,
        patient=packet.patient,
        summary="Follow-up questionnaire stopped: possible cauda equina syndrome",
    ).exists()
    return packet


def test_every_cauda_equina_item_is_asked_again():
    assert set(FOLLOW_UP_RED_FLAG_CODES) >= CES_ITEMS


@pytest.mark.parametrize("item, answer", [("CES-3", "yes"), ("CES-2", "unsure"), ("CES-6", "yes")])
def test_a_cauda_equina_answer_stops_the_packet_on_autosave(phone, packet, item, answer):
    fill(phone, ["pain", "psfs", "change"])
    # One answer tapped, the rest of the screen not yet: the save stops it there.
    response = phone.post(reverse("kiosk:autosave", args=["redflags"]), {item: answer})
    assert response["HX-Redirect"] == reverse("kiosk:stop")
    _stopped(packet, item)
    assert phone.get(reverse("kiosk:resume")).url == reverse("kiosk:stop")
    assert phone.get(reverse("kiosk:step", args=["pain"])).url == reverse("kiosk:resume")
    response = phone.post(reverse("kiosk:submit"), {"submission_id": ""})
    assert response.url == reverse("kiosk:resume")


def test_a_cauda_equina_answer_stops_the_packet_on_next(tablet, packet):
    fill(tablet, ["pain", "psfs", "change"])
    response = tablet.post(
        reverse("kiosk:step", args=["redflags"]),
        {**POSTS["redflags"], "CES-4": "unsure", "nav": "next"},
    )
    assert response.url == reverse("kiosk:stop")
    stopped = _stopped(packet, "CES-4")
    assert stopped.answers["redflags"]["CES-4"] == "unsure"


def test_the_tablet_says_speak_to_staff_now(tablet, packet):
    fill(tablet, ["pain", "psfs", "change"])
    tablet.post(reverse("kiosk:autosave", args=["redflags"]), {"CES-1": "yes"})
    page = tablet.get(reverse("kiosk:stop")).content.decode()
    assert "Please speak to a member of staff now" in page
    assert "take this tablet to the front desk" in page
    assert "tel:" not in page


def test_the_phone_shows_the_clinics_number_and_the_emergency_number_to_tap(phone, packet):
    fill(phone, ["pain", "psfs", "change"])
    phone.post(reverse("kiosk:autosave", args=["redflags"]), {"CES-5": "yes"})
    page = phone.get(reverse("kiosk:stop")).content.decode()
    assert "Please get medical help now" in page
    assert "hospital emergency department now" in page
    assert f'href="tel:+442079460000" data-testid="call-clinic">{CLINIC_PHONE}</a>' in page
    assert 'href="tel:999" data-testid="call-emergency">999</a>' in page
    assert "take this tablet" not in page


def test_the_stop_keeps_the_first_visits_history_beside_the_packets_answers(front_desk, clinic):
    from tests.factories import PatientFactory
    from tests.intake.followup.conftest import make_baseline, make_packet, open_link

    packet = make_packet(make_baseline(PatientFactory(), history={"HX-CANCER": "yes"}))
    phone = open_link(packet, by=front_desk)
    fill(phone, ["pain", "psfs", "change"])
    phone.post(reverse("kiosk:autosave", args=["redflags"]), {"CES-3": "yes"})
    triage = Intake.objects.get(pk=packet.pk).triage
    assert triage["ces"] and triage["level"] == "EMERGENCY"
    assert "HX-CANCER" in triage["present"] and "HX-CANCER" in triage["from_baseline"]
    assert triage["combination_version"] == "followup-triage-1.0"


def test_a_no_to_every_question_does_not_stop_it(phone, packet):
    fill(phone, ["pain", "psfs", "change", "redflags"])
    assert Intake.objects.get(pk=packet.pk).status == Intake.Status.IN_PROGRESS
    assert not RedFlagAlert.objects.exists()
