"""Staff side of intakes: queue, summary, alerts, amendments, links, packs."""

import json
import time
from datetime import date, timedelta

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEvent
from intake import alerts, services
from intake.models import InstrumentPack, Intake, IntakeAccess, IntakeAmendment, RedFlagAlert
from tests.factories import IntakeFactory, PatientFactory
from tests.intake.answers import odi_pack_document

pytestmark = pytest.mark.django_db

SUBMITTED_ANSWERS = {
    "pain": {
        "nprs_back_now": 3,
        "nprs_back_best_24h": 2,
        "nprs_back_worst_24h": 5,
        "nprs_leg_now": 6,
        "nprs_leg_best_24h": 4,
        "nprs_leg_worst_24h": 8,
    },
    "where": {"chart": {"calf_shin_l": ["pain", "pins_needles"]}},
}


def _stopped_intake(patient=None) -> tuple[Intake, RedFlagAlert]:
    intake = IntakeFactory(patient=patient or PatientFactory(), status=Intake.Status.IN_PROGRESS)
    services.intake_save_step(
        intake_id=intake.pk,
        step="redflags",
        raw={"CES-3": ["yes"]},
        answers=None,
        ces_answers={"CES-3": "yes"},
    )
    intake.refresh_from_db()
    return intake, RedFlagAlert.objects.get(intake=intake)


def test_the_queue_shows_todays_intakes_with_red_flag_badges(front_desk_client):
    IntakeFactory(red_flag_level="URGENT")
    IntakeFactory(status=Intake.Status.IN_PROGRESS, submitted_at=None)
    _stopped_intake()
    page = front_desk_client.get(reverse("intake:queue")).content.decode()
    assert page.count('data-testid="flag-badge"') == 2
    assert "Stopped: red flag" in page and "Urgent" in page
    flagged = front_desk_client.get(reverse("intake:queue") + "?show=flagged")
    assert len(flagged.context["intakes"]) == 2
    in_progress = front_desk_client.get(reverse("intake:queue") + "?show=in_progress")
    assert len(in_progress.context["intakes"]) == 1


def test_the_queue_makes_the_same_number_of_queries_for_3_or_30_intakes(
    front_desk_client, django_assert_num_queries
):
    for _ in range(3):
        IntakeFactory()
    url = reverse("intake:queue")
    front_desk_client.get(url)  # warm the session and clinic rows
    # 10: one asks whether this front-desk account has two-factor sign-in set up.
    with django_assert_num_queries(10):
        front_desk_client.get(url)
    for _ in range(27):
        IntakeFactory()
    with django_assert_num_queries(10):
        response = front_desk_client.get(url)
    assert len(response.context["intakes"]) == 30


def test_a_bad_day_in_the_queue_url_falls_back_to_today(front_desk_client):
    response = front_desk_client.get(reverse("intake:queue") + "?day=31-02-2026&show=nonsense")
    assert response.status_code == 200
    assert response.context["day"] == timezone.localdate()


def test_the_summary_shows_scores_triage_and_the_staff_only_pattern(therapist_client):
    from intake import results

    intake = IntakeFactory(answers=SUBMITTED_ANSWERS)
    computed = results.compute(
        intake.answers, date_of_birth=date(1980, 1, 1), on=date(2026, 11, 21), odi_licensed=False
    )
    Intake.objects.filter(pk=intake.pk).update(
        triage=computed.triage,
        scores=computed.scores,
        pattern=computed.pattern,
        red_flag_level=computed.red_flag_level,
    )
    response = therapist_client.get(reverse("intake:detail", args=[intake.public_id]))
    page = response.content.decode()
    assert "Provisional pattern" in page and "staff only" in page
    assert "not a diagnosis" in page
    assert "Not licensed on this installation" in page
    assert "Calf and shin, left" in page
    assert "nprs-1.0" in page
    assert AuditEvent.objects.filter(
        action=AuditEvent.Action.VIEW, patient=intake.patient, object_type="intake"
    ).exists()


def test_the_summary_makes_a_fixed_number_of_queries(therapist_client, django_assert_num_queries):
    intake = IntakeFactory(answers=SUBMITTED_ANSWERS)
    url = reverse("intake:detail", args=[intake.public_id])
    therapist_client.get(url)
    with django_assert_num_queries(13):  # +1: the two-factor check
        therapist_client.get(url)


def test_every_staff_screen_polls_for_alerts_and_sees_a_cauda_equina_stop(
    front_desk_client, no_role_user, client
):
    page = front_desk_client.get(reverse("core:home")).content.decode()
    assert 'hx-get="/intake/alerts/banner/"' in page and "every 4s" in page
    banner = reverse("intake:alerts-banner")
    assert "red-flag-alert" not in front_desk_client.get(banner).content.decode()
    intake, _alert = _stopped_intake()
    body = front_desk_client.get(banner).content.decode()
    assert "Possible cauda equina syndrome" in body
    assert intake.patient.mrn in body
    client.force_login(no_role_user)
    assert client.get(banner).status_code == 204


def test_the_banner_poll_neither_keeps_a_session_alive_nor_is_stopped_by_it(
    front_desk_client, settings
):
    front_desk_client.get(reverse("core:home"))
    session = front_desk_client.session
    session["last_seen"] = int(time.time()) - 10 * 60
    session.save()
    poll = front_desk_client.get(
        reverse("intake:alerts-banner"), headers={"X-Background-Poll": "1", "HX-Request": "true"}
    )
    assert poll.status_code == 200
    assert front_desk_client.session["last_seen"] == session["last_seen"]
    settings.STAFF_IDLE_MINUTES = 5
    poll = front_desk_client.get(
        reverse("intake:alerts-banner"), headers={"X-Background-Poll": "1", "HX-Request": "true"}
    )
    assert poll["HX-Redirect"] == reverse("accounts:login") + "?idle=1"
    response = front_desk_client.get(reverse("core:home"))
    assert response.status_code == 302 and "/accounts/login/" in response.url


def test_a_therapist_acknowledges_an_alert_with_the_action_taken(therapist_client, therapist):
    intake, alert = _stopped_intake()
    url = reverse("intake:alert", args=[alert.public_id])
    response = therapist_client.post(url, {"outcome": "emergency_referral", "action_note": ""})
    assert response.status_code == 200
    alert.refresh_from_db()
    assert alert.acknowledged_at is None
    response = therapist_client.post(
        url,
        {"outcome": "emergency_referral", "action_note": "Sent to the emergency department."},
    )
    assert response.status_code == 302
    alert.refresh_from_db()
    assert alert.acknowledged_by == therapist and alert.outcome == "emergency_referral"
    event = AuditEvent.objects.get(action=AuditEvent.Action.ACKNOWLEDGE)
    assert event.patient == intake.patient and event.actor == therapist
    body = therapist_client.get(reverse("intake:alerts-banner")).content.decode()
    assert "red-flag-alert" not in body
    # A second acknowledgement (another therapist a moment later) changes nothing.
    with pytest.raises(alerts.AlreadyAcknowledged):
        alerts.alert_acknowledge(alert=alert, by=therapist, outcome="false_positive", note="x")


def test_a_therapist_amends_a_submitted_intake_keeping_the_original(therapist_client, therapist):
    intake = IntakeFactory(answers=SUBMITTED_ANSWERS)
    url = reverse("intake:amend", args=[intake.public_id, "pain"])
    data = {f"nprs_{r}_{w}": "4" for r in ("back", "leg") for w in ("now", "best_24h", "worst_24h")}
    response = therapist_client.post(url, data)
    assert "This field is required" in response.content.decode()  # the reason
    assert not IntakeAmendment.objects.exists()
    response = therapist_client.post(url, {**data, "reason": "Patient misread the leg scale."})
    assert response.status_code == 302
    amendment = IntakeAmendment.objects.get()
    assert amendment.by == therapist and amendment.reason == "Patient misread the leg scale."
    assert amendment.before["nprs_leg_now"] == 6 and amendment.after["nprs_leg_now"] == 4
    assert amendment.results["scores"]["nprs"]["leg"]["now"] == 4
    intake.refresh_from_db()
    assert intake.answers["pain"]["nprs_leg_now"] == 6  # the submitted answers stay
    page = therapist_client.get(reverse("intake:detail", args=[intake.public_id])).content.decode()
    assert "amended" in page and "Patient misread the leg scale." in page
    event = AuditEvent.objects.filter(action=AuditEvent.Action.UPDATE, object_type="intake").last()
    assert "nprs_leg_now" in event.details["fields"]


def test_an_open_intake_cannot_be_amended(therapist_client):
    intake = IntakeFactory(status=Intake.Status.IN_PROGRESS)
    response = therapist_client.get(reverse("intake:amend", args=[intake.public_id, "pain"]))
    assert response.status_code == 302
    with pytest.raises(services.IntakeClosed):
        services.intake_amend(intake=intake, step="pain", answers={}, reason="x", by=None)


def _link(front_desk_client, patient) -> tuple[Intake, str]:
    front_desk_client.post(reverse("intake:start", args=[patient.public_id]))
    intake = Intake.objects.get(patient=patient)
    response = front_desk_client.post(reverse("intake:link-create", args=[intake.public_id]))
    return intake, response.context["url"].split("/kiosk/link/")[1].rstrip("/")


def test_a_one_time_link_asks_for_the_date_of_birth_and_works_once(
    front_desk_client, patient, client
):
    intake, token = _link(front_desk_client, patient)
    access = IntakeAccess.objects.get(intake=intake)
    assert token not in access.token_hash  # only a hash is stored
    url = reverse("kiosk:link", args=[token])
    assert client.get(url).status_code == 200  # viewing uses nothing up
    wrong = patient.date_of_birth + timedelta(days=1)
    response = client.post(url, {"date_of_birth": wrong.isoformat()})
    assert "does not match" in response.content.decode()
    response = client.post(url, {"date_of_birth": patient.date_of_birth.isoformat()})
    assert response.url == reverse("kiosk:resume")
    # The session outlives a closed browser, until the link would have expired.
    assert not client.session.get_expire_at_browser_close()
    assert client.session.get_expiry_date() == IntakeAccess.objects.get().expires_at
    assert client.get(reverse("kiosk:resume")).url == reverse("kiosk:step", args=["about"])
    other = type(client)()
    response = other.post(url, {"date_of_birth": patient.date_of_birth.isoformat()})
    assert "already been used" in response.content.decode()


def test_a_link_is_locked_after_five_wrong_dates_of_birth(front_desk_client, patient, client):
    _intake, token = _link(front_desk_client, patient)
    url = reverse("kiosk:link", args=[token])
    for _ in range(5):
        response = client.post(url, {"date_of_birth": "1900-01-01"})
    assert "locked" in response.content.decode()
    response = client.post(url, {"date_of_birth": patient.date_of_birth.isoformat()})
    assert "expired or has already been used" in response.content.decode()


def test_an_expired_link_is_refused(front_desk_client, patient, client):
    intake, token = _link(front_desk_client, patient)
    IntakeAccess.objects.filter(intake=intake).update(expires_at=timezone.now())
    response = client.post(
        reverse("kiosk:link", args=[token]), {"date_of_birth": patient.date_of_birth.isoformat()}
    )
    assert "expired" in response.content.decode()


def test_a_new_link_cancels_the_previous_one(front_desk_client, patient, client):
    intake, first = _link(front_desk_client, patient)
    front_desk_client.post(reverse("intake:link-create", args=[intake.public_id]))
    response = client.post(
        reverse("kiosk:link", args=[first]), {"date_of_birth": patient.date_of_birth.isoformat()}
    )
    assert "expired or has already been used" in response.content.decode()


def test_starting_twice_reuses_the_open_intake(front_desk_client, patient):
    front_desk_client.post(reverse("intake:start", args=[patient.public_id]))
    front_desk_client.post(reverse("intake:start", args=[patient.public_id]))
    assert Intake.objects.filter(patient=patient).count() == 1


def test_the_front_desk_cancels_an_intake_with_a_reason(front_desk_client, patient, client):
    intake, token = _link(front_desk_client, patient)
    response = front_desk_client.post(
        reverse("intake:cancel", args=[intake.public_id]), {"reason": "Patient left"}
    )
    assert response.status_code == 302
    intake.refresh_from_db()
    assert intake.status == Intake.Status.CANCELLED
    response = client.post(
        reverse("kiosk:link", args=[token]), {"date_of_birth": patient.date_of_birth.isoformat()}
    )
    assert "expired or has already been used" in response.content.decode()


def test_the_pack_command_loads_a_licensed_odi_pack(tmp_path):
    path = tmp_path / "odi.json"
    path.write_text(json.dumps(odi_pack_document()))
    call_command("load_instrument_pack", str(path), "--loaded-by", "Clinic manager")
    pack = InstrumentPack.objects.get()
    assert pack.instrument == "odi_v2_1a" and pack.licence_reference == "TEST-ONLY"
    assert "odi_v2_1a" in services.instrument_packs()
    assert AuditEvent.objects.filter(object_type="instrumentpack").exists()


@pytest.mark.parametrize(
    "mutate, message",
    [
        (lambda d: d.update(format="other"), "format"),
        (lambda d: d["items"].pop(), "items must be exactly"),
        (lambda d: d["items"][0]["options"][0].update(score=9), "scored 0 to 5"),
        (lambda d: d["licence"].update(reference=""), "licence.reference"),
        (lambda d: d.update(instrument="made_up"), "unknown instrument"),
    ],
)
def test_the_pack_command_refuses_a_bad_pack_and_says_why(tmp_path, mutate, message):
    document = odi_pack_document()
    mutate(document)
    path = tmp_path / "pack.json"
    path.write_text(json.dumps(document))
    with pytest.raises(CommandError, match=message):
        call_command("load_instrument_pack", str(path))
    assert not InstrumentPack.objects.exists()


def test_an_expired_pack_is_not_used():
    document = odi_pack_document()
    document["licence"]["expires_on"] = "2020-01-01"
    services.instrument_pack_load(raw=json.dumps(document).encode())
    assert "odi_v2_1a" not in services.instrument_packs()


def test_a_double_tap_on_acknowledge_says_acknowledged_to_the_one_who_tapped(
    therapist_client, therapist, patient
):
    from django.urls import reverse

    from intake.models import RedFlagAlert
    from tests.factories import IntakeFactory

    intake = IntakeFactory(patient=patient)
    alert = RedFlagAlert.objects.create(
        intake=intake, patient=patient, level="EMERGENCY", ces=True, items=["CES-3"], summary="x"
    )
    data = {"outcome": "emergency_referral", "action_note": "Sent to the emergency department."}
    url = reverse("intake:alert", args=[alert.public_id])
    first = therapist_client.post(url, data, follow=True)
    second = therapist_client.post(url, data, follow=True)
    for response in (first, second):
        assert "Alert acknowledged and recorded." in response.content.decode()
    assert "Someone else" not in second.content.decode()
    alert.refresh_from_db()
    assert alert.acknowledged_by == therapist


def test_an_acknowledgement_already_made_by_someone_else_names_them(therapist_client, patient):
    from django.urls import reverse
    from django.utils import timezone

    from accounts.roles import Role
    from intake.models import RedFlagAlert
    from tests.factories import IntakeFactory, UserFactory

    other = UserFactory(
        username="other-pt", first_name="Olu", last_name="Ade", roles=[Role.THERAPIST]
    )
    alert = RedFlagAlert.objects.create(
        intake=IntakeFactory(patient=patient),
        patient=patient,
        level="EMERGENCY",
        ces=True,
        items=["CES-3"],
        summary="x",
        acknowledged_at=timezone.now(),
        acknowledged_by=other,
        outcome="emergency_referral",
        action_note="Sent.",
    )
    response = therapist_client.post(
        reverse("intake:alert", args=[alert.public_id]),
        {"outcome": "false_positive", "action_note": "Mine."},
        follow=True,
    )
    assert "Olu Ade acknowledged this alert at" in response.content.decode()
    alert.refresh_from_db()
    assert alert.action_note == "Sent."


def test_the_front_desk_sees_an_intakes_status_not_its_clinical_content(front_desk_client, patient):
    """Issue 21 point 7: complete and flagged, yes; red flags, pattern, answers, no."""
    from django.urls import reverse

    from intake.models import RedFlagAlert
    from tests.factories import IntakeConsentFactory, IntakeFactory
    from tests.intake.answers import HAPPY

    intake = IntakeFactory(
        patient=patient,
        answers={"history": {"medications": "Tramadol 50 mg"}, "pain": HAPPY["pain"]},
        red_flag_level="EMERGENCY",
        pattern={"pattern": "radicular"},
    )
    IntakeConsentFactory(intake=intake)
    alert = RedFlagAlert.objects.create(
        intake=intake, patient=patient, level="EMERGENCY", ces=True, items=["CES-3"], summary="x"
    )
    page = front_desk_client.get(reverse("intake:detail", args=[intake.public_id]))
    html = page.content.decode()
    assert page.status_code == 200
    assert "raised a red-flag alert that is still open" in html
    for clinical in ("Tramadol", "radicular", "CES-3", "bladder"):
        assert clinical not in html, clinical
    assert front_desk_client.get(reverse("intake:alert", args=[alert.public_id])).status_code == 403
    signature = reverse("intake:signature", args=[intake.public_id])
    assert front_desk_client.get(signature).status_code == 403
    banner = front_desk_client.get(reverse("intake:alerts-banner")).content.decode()
    assert "Fetch a physical therapist now." in banner and "Open alert" not in banner


def test_the_intake_summary_names_levels_items_and_bands_in_words_not_codes(
    therapist_client, patient
):
    """Issue 21 point 3: the red-flag level, the items, the pain band scheme and the STarT
    Back group in plain words."""
    import random
    from datetime import date

    from django.urls import reverse

    from intake.demo import demo_answers, demo_results
    from tests.factories import IntakeFactory

    on = date(2026, 11, 20)
    answers = demo_answers(random.Random(5), today=on, radicular=True)
    intake = IntakeFactory(
        patient=patient,
        answers=answers,
        **demo_results(answers, date_of_birth=date(1950, 1, 1), on=on),
    )
    html = therapist_client.get(reverse("intake:detail", args=[intake.public_id])).content.decode()
    for code in (
        "AGE-OVER-50",
        "AGE-OVER-65",
        "boonstra_2016",
        ">NONE<",
        ">MONITOR<",
        "HIGH",
        "LOW",
    ):
        assert code not in html, code
    assert "Age over 50 (derived from date of birth)" in html
