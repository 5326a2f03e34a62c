"""The demo's follow-up questionnaires and red-flag alerts (intake/followup/demo.py): a demo
packet is stored as the packet's own submit would store it, and the seeded demo has
something on every list the follow-ups and alerts feed: the front desk's due, overdue and
completed questionnaires, a re-evaluation draft pre-filled from one, the post-discharge
points of the returning patient's past course, and alerts of every level, open, closed
and escalated."""

import datetime
import io
import random
import re
from uuid import uuid4

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from core.models import Clinic
from evaluations import packets as packet_rules
from evaluations import panels as evaluation_panels
from evaluations import services
from evaluations.models import Evaluation
from intake.alert_actions import default_rules
from intake.alerts import escalation_cutoff
from intake.followup import panels
from intake.followup.baseline import for_packet
from intake.followup.demo import demo_packet, demo_packet_answers
from intake.followup.services import packet_submit
from intake.models import Intake, IntakeAccess, RedFlagAlert
from intake.questions import FOLLOW_UP_RED_FLAG_CODES

pytestmark = pytest.mark.django_db


def _answers(baseline, **kwargs):
    return demo_packet_answers(
        random.Random(3), baseline=baseline.answers, **{"improvement": 0.5, "grc": 2, **kwargs}
    )


def test_a_demo_packet_is_stored_as_its_own_submit_stores_it(baseline, front_desk):
    answers = _answers(baseline)
    started = timezone.now() - datetime.timedelta(minutes=6)
    demo = demo_packet(
        episode=baseline.episode,
        purpose=Intake.Purpose.REEVALUATION,
        due_on=timezone.localdate(),
        started=started,
        by=front_desk,
        answers=answers,
        submitted_after=datetime.timedelta(minutes=5),
    )
    # The same answers sent through the packet's submit, in a second packet.
    sent = Intake.objects.create(
        patient=baseline.patient,
        episode=baseline.episode,
        kind=Intake.Kind.FOLLOW_UP,
        purpose=Intake.Purpose.DISCHARGE,
        due_on=timezone.localdate(),
        status=Intake.Status.IN_PROGRESS,
        answers=answers,
    )
    sent = packet_submit(
        sent, submission_id=uuid4(), packs=(), baseline=for_packet(sent), by="Patient (link)"
    )

    assert demo.status == Intake.Status.SUBMITTED and demo.is_packet
    assert demo.submitted_at == started + datetime.timedelta(minutes=5)
    assert (demo.scores, demo.triage, demo.red_flag_level) == (
        sent.scores,
        sent.triage,
        sent.red_flag_level,
    )
    assert demo.triage["baseline_intake"] == str(baseline.public_id)
    assert demo.scores["grc"] == {"value": 2, "label": "Better", "algorithm_version": "grc-1.0"}
    assert not demo.alerts.exists()


def test_demo_answers_rate_the_first_visits_activities_again_and_improve(baseline):
    answers = _answers(baseline, improvement=0.6, grc=3)

    first = baseline.answers
    assert set(answers) == {"pain", "psfs", "change", "redflags"}
    assert answers["pain"]["nprs_back_now"] < first["pain"]["nprs_back_now"]
    assert answers["pain"]["nprs_leg_now"] < first["pain"]["nprs_leg_now"]
    again = answers["psfs"]["activities"]
    assert [(a["id"], a["name"]) for a in again] == [
        (a["id"], a["name"]) for a in first["psfs"]["activities"]
    ]
    assert all(
        old["score"] <= new["score"] <= 10
        for old, new in zip(first["psfs"]["activities"], again, strict=True)
    )
    assert answers["change"] == {"grc": 3}
    assert answers["redflags"] == dict.fromkeys(FOLLOW_UP_RED_FLAG_CODES, "no")


def test_a_red_flag_in_a_demo_packet_raises_its_alert_when_sent(baseline, front_desk):
    packet = demo_packet(
        episode=baseline.episode,
        purpose=Intake.Purpose.REEVALUATION,
        due_on=timezone.localdate(),
        started=timezone.now() - datetime.timedelta(hours=2),
        by=front_desk,
        answers=_answers(baseline, reported={"SX-FEVER": "yes"}),
        submitted_after=datetime.timedelta(hours=1),
    )

    (alert,) = packet.alerts.all()
    assert (alert.level, alert.items, alert.raised_at) == (
        "URGENT",
        ["SX-FEVER"],
        packet.submitted_at,
    )
    assert RedFlagAlert.objects.with_source().get(pk=alert.pk).source_code == "packet"


def test_a_demo_link_keeps_only_a_hash_and_a_due_packet_waits(baseline, front_desk):
    yesterday = timezone.now() - datetime.timedelta(days=1)
    handed = demo_packet(
        episode=baseline.episode,
        purpose=Intake.Purpose.REEVALUATION,
        due_on=timezone.localdate() - datetime.timedelta(days=1),
        started=yesterday,
        by=front_desk,
        link=True,
    )
    due = demo_packet(
        episode=baseline.episode,
        purpose=Intake.Purpose.DISCHARGE,
        due_on=timezone.localdate(),
        started=yesterday,
    )

    assert handed.status == Intake.Status.IN_PROGRESS and handed.started_by == front_desk
    (access,) = IntakeAccess.objects.filter(intake=handed)
    assert access.kind == "link" and re.fullmatch(r"[0-9a-f]{64}", access.token_hash)
    assert access.created_at == yesterday and access.used_at is None
    assert access.expires_at == yesterday + datetime.timedelta(days=7)
    assert due.status == Intake.Status.SCHEDULED and due.started_by is None
    assert not due.accesses.exists() and not due.answers


# --- The seeded demo ---------------------------------------------------------------------------


def test_the_demo_tells_the_follow_up_and_red_flag_story(settings):
    settings.DEBUG = True
    call_command("seed_demo", stdout=io.StringIO())
    today = timezone.localdate()

    _assert_desk_lists(today)
    draft = _assert_prefilled_draft()
    returning, past = _assert_after_discharge_packets()
    alerts = _assert_alerts()
    clinic = Clinic.objects.current()
    assert clinic.followup_after_6w and clinic.followup_after_3m and not clinic.followup_after_12m
    assert clinic.phone and clinic.emergency_number.startswith("555")

    _assert_pages(draft, returning, past, alerts)

    # Loaded once: a second run adds nothing.
    before = (Intake.objects.count(), RedFlagAlert.objects.count(), IntakeAccess.objects.count())
    call_command("seed_demo", stdout=io.StringIO())
    after = (Intake.objects.count(), RedFlagAlert.objects.count(), IntakeAccess.objects.count())
    assert after == before


def _assert_desk_lists(today) -> None:
    due = list(panels.due_today(today))
    assert 2 <= len(due) <= 3 and {p.status for p in due} == {Intake.Status.SCHEDULED}

    overdue = list(panels.overdue(today))
    assert len(overdue) == 2
    (handed,) = [p for p in overdue if p.status == Intake.Status.IN_PROGRESS]
    (link,) = handed.accesses.all()
    yesterday = today - datetime.timedelta(days=1)
    assert timezone.localdate(link.created_at) == yesterday and link.used_at is None
    assert timezone.localdate(handed.started_at) == yesterday and handed.started_by

    completed = list(panels.completed(today))
    assert 2 <= len(completed) <= 3
    for packet in completed:
        assert packet.status == Intake.Status.SUBMITTED
        _assert_contract_shapes(packet)


def _assert_contract_shapes(packet: Intake) -> None:
    """The contract's answers and scores, improving on the first visit's."""
    first = for_packet(packet).answers
    answers, scores = packet.answers, packet.scores
    assert answers["pain"]["nprs_leg_now"] <= first["pain"]["nprs_leg_now"]
    assert [(a["id"], a["name"]) for a in answers["psfs"]["activities"]] == [
        (a["id"], a["name"]) for a in first["psfs"]["activities"]
    ]
    assert set(answers["redflags"]) == set(FOLLOW_UP_RED_FLAG_CODES)
    assert scores["grc"]["value"] == answers["change"]["grc"] and scores["grc"]["label"]
    assert scores["nprs"]["leg"]["now"] == answers["pain"]["nprs_leg_now"]
    assert all(
        old["score"] <= new["score"]
        for old, new in zip(first["psfs"]["activities"], answers["psfs"]["activities"], strict=True)
    )


def _assert_prefilled_draft() -> Evaluation:
    (draft,) = [
        e
        for e in Evaluation.objects.drafts().filter(kind=Evaluation.Kind.REEVALUATION)
        if packet_rules.used_packet(e.content)
    ]
    packet = Intake.objects.get(public_id=packet_rules.used_packet(draft.content))
    answered = timezone.localdate(packet.submitted_at)
    assert 1 <= (draft.visit_date - answered).days <= 3
    assert packet.purpose == Intake.Purpose.REEVALUATION and packet.episode_id == draft.episode_id
    outcomes = draft.content["outcomes"]
    assert outcomes["back_now"] == packet.answers["pain"]["nprs_back_now"]
    assert outcomes["leg_now"] == packet.answers["pain"]["nprs_leg_now"]
    assert outcomes["patient_reported"]["on"] == answered.isoformat()
    assert outcomes["patient_reported"]["grc"]["value"] == packet.answers["change"]["grc"]
    assert draft.therapist.username == "therapist"
    # Still a draft that could be signed once confirmed.
    assert services.sign_problems(draft) == []
    return draft


def _assert_after_discharge_packets():
    (past,) = {e.episode for e in Evaluation.objects.filter(kind=Evaluation.Kind.DISCHARGE)}
    rows = sorted(
        (p.purpose, (timezone.localdate(p.submitted_at) - past.discharged_on).days)
        for p in Intake.objects.packets().submitted().filter(episode=past)
    )
    assert [purpose for purpose, _ in rows] == ["after_3m", "after_6w"]
    assert 42 <= dict(rows)["after_6w"] <= 45 and 91 <= dict(rows)["after_3m"] <= 94
    return past.patient, past


def _assert_alerts() -> dict[str, RedFlagAlert]:
    everything = list(RedFlagAlert.objects.with_source().select_related("intake"))
    assert {a.level for a in everything} == {"EMERGENCY", "URGENT", "MONITOR"}
    assert {"intake", "packet"} <= {a.source_code for a in everything}
    cutoff = escalation_cutoff(timezone.now(), Clinic.objects.current().day_ends_at)
    urgent = [a for a in everything if a.level == "URGENT"]
    (closed,) = [a for a in urgent if a.acknowledged_at]
    assert closed.outcome in {a.code for a in default_rules().allowed("URGENT")}
    assert closed.outcome != "false_positive" and closed.action_note
    assert closed.acknowledged_by.username == "therapist"
    assert datetime.timedelta(hours=2) <= closed.acknowledged_at - closed.raised_at
    assert closed.acknowledged_at - closed.raised_at <= datetime.timedelta(hours=6)
    (escalated,) = [a for a in urgent if not a.acknowledged_at and a.raised_at < cutoff]
    assert timezone.localdate(escalated.raised_at) == timezone.localdate() - datetime.timedelta(1)
    (still_today,) = [a for a in urgent if not a.acknowledged_at and a.raised_at >= cutoff]
    assert "HX-CANCER" in still_today.items and still_today.source_code == "intake"
    monitor = [a for a in everything if a.level == "MONITOR"]
    (for_review,) = evaluation_panels.for_review()
    (netted,) = [a for a in monitor if a.acknowledged_at]
    assert for_review.pk in {a.pk for a in monitor if a.source_code == "packet"}
    assert netted.outcome == "safety_net_advice" and netted.safety_net_material
    return {"escalated": escalated, "open": still_today, "for_review": for_review}


def _client(username: str) -> Client:
    client = Client()
    client.force_login(User.objects.get(username=username))
    return client


def _assert_pages(draft, returning, past, alerts) -> None:
    desk = _client("frontdesk").get(reverse("core:home"))
    assert desk.status_code == 200
    html = desk.content.decode()
    for key in ("due", "overdue", "completed"):
        assert f'data-testid="followups-{key}"' in html

    therapist = _client("therapist")
    home = therapist.get(reverse("core:home"))
    assert home.status_code == 200
    html = home.content.decode()
    assert str(alerts["for_review"].public_id) in html
    assert reverse("patients:detail", args=[draft.patient.public_id]) in html

    page = therapist.get(reverse("evaluations:detail", args=[draft.public_id]))
    assert page.status_code == 200 and "Patient-reported on" in page.content.decode()

    progress = therapist.get(
        reverse("evaluations:progress", args=[returning.public_id]), {"episode": past.public_id}
    )
    assert progress.status_code == 200
    html = progress.content.decode()
    assert "6 weeks after discharge" in html and "3 months after discharge" in html

    admin = _client("admin").get(reverse("core:home"))
    assert admin.status_code == 200
    html = admin.content.decode()
    escalated = re.search(r'data-testid="escalated-alerts".*?</ul>', html, re.S).group(0)
    assert str(alerts["escalated"].public_id) in escalated
    assert str(alerts["open"].public_id) not in escalated
    assert re.search(r'data-testid="figure-URGENT-packet">\s*1\s*<', html)
