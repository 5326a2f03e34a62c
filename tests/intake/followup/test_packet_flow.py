"""A follow-up packet answered end to end through Django's test client: on the patient's
own phone (a one-time link) and on the clinic's tablet."""

import re

import pytest
from django.urls import reverse

from audit.models import AuditEvent
from intake.models import Intake, RedFlagAlert
from tests.intake.followup.answers import ACTIVITIES, POSTS
from tests.intake.followup.conftest import fill, send

pytestmark = pytest.mark.django_db

SCREENS = ["pain", "psfs", "change", "redflags"]


def test_the_patient_answers_a_packet_on_their_phone_and_its_scores_are_stored(phone, packet):
    fill(phone, SCREENS)
    review = phone.get(reverse("kiosk:step", args=["review"])).content.decode()
    assert "Walking the dog" in review and "7 out of 10" in review
    assert "Better" in review  # the rating of change, in the patient's words
    assert send(phone).url == reverse("kiosk:done")

    packet = Intake.objects.get(pk=packet.pk)
    assert packet.status == Intake.Status.SUBMITTED and packet.submitted_at
    assert packet.answers["pain"] == {"nprs_back_now": 2, "nprs_leg_now": 4}
    assert packet.answers["psfs"] == {
        "activities": [
            {"id": a["id"], "name": a["name"], "score": s}
            for a, s in zip(ACTIVITIES, (6, 7, 5), strict=True)
        ]
    }
    assert packet.answers["change"] == {"grc": 2}
    assert packet.red_flag_level == "NONE"
    assert packet.pattern == {}
    assert not RedFlagAlert.objects.filter(intake=packet).exists()
    assert AuditEvent.objects.filter(
        action=AuditEvent.Action.SUBMIT,
        patient=packet.patient,
        summary="Submitted the follow-up questionnaire (red flags: NONE)",
    ).exists()
    done = phone.get(reverse("kiosk:done")).content.decode()
    assert "Thank you" in done and "how you are getting on" in done
    assert "You can close this page now." in done
    assert 'data-testid="safety-net"' in done


def test_a_packets_scores_have_the_intakes_shape(phone, packet):
    fill(phone, SCREENS)
    send(phone)
    scores = Intake.objects.get(pk=packet.pk).scores
    assert set(scores) == {"nprs", "psfs", "odi", "grc"}
    assert scores["nprs"]["back"]["now"] == 2 and scores["nprs"]["leg"]["now"] == 4
    assert scores["nprs"]["leg"]["worst_24h"] is None  # no 24-hour questions
    assert scores["nprs"]["algorithm_version"] == "nprs-1.0"
    assert scores["psfs"]["mean"] == 6.0 and scores["psfs"]["ratings"] == {
        "a1": 6,
        "a2": 7,
        "a3": 5,
    }
    assert scores["psfs"]["algorithm_version"] == "psfs-1.0"
    assert scores["odi"] == {"status": "not_licensed", "instrument": "odi_v2_1a"}
    assert scores["grc"] == {"value": 2, "label": "Better", "algorithm_version": "grc-1.0"}


def test_a_second_send_changes_nothing(phone, packet):
    fill(phone, SCREENS)
    send(phone)
    first = Intake.objects.get(pk=packet.pk)
    response = send(phone)
    assert response.url == reverse("kiosk:done")
    again = Intake.objects.get(pk=packet.pk)
    assert again.submitted_at == first.submitted_at and again.scores == first.scores
    assert (
        AuditEvent.objects.filter(action=AuditEvent.Action.SUBMIT, patient=packet.patient).count()
        == 1
    )


def test_sending_with_a_screen_missing_goes_back_to_it(phone, packet):
    fill(phone, ["pain", "psfs"])
    response = send(phone)
    assert response.url == reverse("kiosk:step", args=["change"])
    assert Intake.objects.get(pk=packet.pk).status == Intake.Status.IN_PROGRESS


def test_a_submitted_packet_cannot_be_changed_from_the_phone(phone, packet):
    fill(phone, SCREENS)
    send(phone)
    before = Intake.objects.get(pk=packet.pk).answers
    response = phone.post(
        reverse("kiosk:step", args=["pain"]), {"nprs_back_now": "9", "nprs_leg_now": "9"}
    )
    assert response.url == reverse("kiosk:resume")
    response = phone.post(reverse("kiosk:autosave", args=["pain"]), {"nprs_back_now": "9"})
    assert response["HX-Redirect"] == reverse("kiosk:resume")
    assert Intake.objects.get(pk=packet.pk).answers == before


def test_autosave_keeps_an_answer_for_a_reload(phone, packet):
    response = phone.post(reverse("kiosk:autosave", args=["pain"]), {"nprs_back_now": "7"})
    assert response.status_code == 200 and "Saved at" in response.content.decode()
    page = phone.get(reverse("kiosk:step", args=["pain"])).content.decode()
    assert re.search(r"<input[^>]*id=\"id_nprs_back_now_7\"[^>]*checked>", page)
    packet = Intake.objects.get(pk=packet.pk)
    assert packet.drafts["pain"]["nprs_back_now"] == ["7"]
    assert "pain" not in packet.answers  # leg pain not answered yet
    assert "pain.nprs_back_now" in packet.answered_at
    assert AuditEvent.objects.filter(
        patient=packet.patient, summary="Saved follow-up questionnaire screen “pain”"
    ).exists()


def test_autosave_of_the_activities_stores_them_with_the_first_visits_names(phone, packet):
    fill(phone, ["pain"])
    phone.post(reverse("kiosk:autosave", args=["psfs"]), POSTS["psfs"])
    stored = Intake.objects.get(pk=packet.pk).answers["psfs"]["activities"]
    assert [(a["id"], a["name"], a["score"]) for a in stored] == [
        ("a1", "Sitting at work", 6),
        ("a2", "Walking the dog", 7),
        ("a3", "Putting on socks", 5),
    ]


def test_a_missing_rating_is_explained_and_the_others_kept(phone, packet):
    fill(phone, ["pain"])
    response = phone.post(
        reverse("kiosk:step", args=["psfs"]), {"score_a1": "6", "score_a3": "5", "nav": "next"}
    )
    page = response.content.decode()
    assert response.status_code == 200 and "Please choose an answer." in page
    assert re.search(r"<input[^>]*id=\"id_score_a1_6\"[^>]*checked>", page)
    assert "psfs" not in Intake.objects.get(pk=packet.pk).answers


def test_a_rating_of_change_out_of_range_is_refused(phone, packet):
    fill(phone, ["pain", "psfs"])
    response = phone.post(reverse("kiosk:step", args=["change"]), {"grc": "5", "nav": "next"})
    assert response.status_code == 200
    assert "change" not in Intake.objects.get(pk=packet.pk).answers


def test_the_tablet_walks_the_packet_and_is_handed_back(tablet, packet):
    fill(tablet, SCREENS)
    assert send(tablet).url == reverse("kiosk:done")
    done = tablet.get(reverse("kiosk:done")).content.decode()
    assert "Please hand the tablet back to the front desk." in done
    assert 'data-testid="safety-net"' not in done
    assert Intake.objects.get(pk=packet.pk).status == Intake.Status.SUBMITTED


def test_a_due_packet_opens_when_the_front_desk_hands_the_tablet_over(
    front_desk_client, front_desk, baseline
):
    from tests.factories import hand_over_tablet
    from tests.intake.followup.conftest import make_packet

    packet = make_packet(baseline, status=Intake.Status.SCHEDULED)
    hand_over_tablet(front_desk_client, intake=packet, by=front_desk)
    assert front_desk_client.get(reverse("kiosk:resume")).url == reverse(
        "kiosk:step", args=["pain"]
    )
    fill(front_desk_client, SCREENS)
    send(front_desk_client)
    assert Intake.objects.get(pk=packet.pk).status == Intake.Status.SUBMITTED


def test_the_packet_autosave_makes_a_fixed_number_of_queries(phone, django_assert_num_queries):
    url = reverse("kiosk:autosave", args=["pain"])
    phone.post(url, {"nprs_back_now": "1"})
    # Session, the grant (with the intake's kind), BEGIN, the packet FOR UPDATE, UPDATE,
    # the audit insert, COMMIT: as the intake's autosave, no read of the first visit.
    with django_assert_num_queries(7):
        phone.post(url, {"nprs_back_now": "2", "nprs_leg_now": "3"})
    url = reverse("kiosk:autosave", args=["redflags"])
    with django_assert_num_queries(7):  # the cauda equina check reads nothing more
        phone.post(url, POSTS["redflags"])
    fill(phone, ["pain"])
    url = reverse("kiosk:autosave", args=["psfs"])
    with django_assert_num_queries(9):  # + the first visit's intake and its amendments
        phone.post(url, POSTS["psfs"])


def test_a_packet_screen_makes_a_fixed_number_of_queries(phone, django_assert_num_queries):
    phone.get(reverse("kiosk:step", args=["pain"]))
    # Session, grant, packet and patient, instrument packs, the first visit and its
    # amendments, the clinic (the view's and the page's).
    with django_assert_num_queries(8):
        phone.get(reverse("kiosk:step", args=["pain"]))
    fill(phone, ["pain"])
    with django_assert_num_queries(8):
        phone.get(reverse("kiosk:step", args=["psfs"]))


def test_sending_announces_the_packet_after_it_commits(
    phone, packet, django_capture_on_commit_callbacks
):
    from intake.signals import packet_submitted

    heard = []

    def listen(sender, *, packet, **kwargs):
        heard.append(packet.pk)

    packet_submitted.connect(listen)
    try:
        fill(phone, SCREENS)
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            send(phone)
        assert heard == []  # not before the answers are stored for good
        for callback in callbacks:
            callback()
        assert heard == [packet.pk]
    finally:
        packet_submitted.disconnect(listen)
