"""When follow-up questionnaires fall due: the pure dates at their edges, and the services
that store them when a plan of care is signed and when an episode is discharged."""

import datetime

import pytest
from django.utils import timezone

from audit.models import AuditEvent
from care import services as care_services
from core.models import Clinic
from intake.followup import schedule
from intake.followup.schedule import Due, PlanDates, after_discharge, before_visits
from intake.models import Intake
from tests.factories import EpisodeFactory

D = datetime.date
R, DC = Intake.Purpose.REEVALUATION, Intake.Purpose.DISCHARGE


# ---------------------------------------------------------------- pure dates


def test_a_plan_books_a_packet_before_its_re_evaluation_and_before_its_planned_end():
    plan = PlanDates(visit_date=D(2026, 12, 1), reeval_date=D(2026, 12, 29), weeks=8)
    assert before_visits(plan, lead_days=3, today=D(2026, 12, 1)) == [
        Due(D(2026, 12, 26), R),
        Due(D(2027, 1, 23), DC),  # 1 Dec + 8 weeks = 26 Jan, less 3 days
    ]


def test_a_visit_closer_than_the_lead_time_gets_its_packet_today():
    plan = PlanDates(visit_date=D(2026, 12, 1), reeval_date=D(2026, 12, 3))
    assert before_visits(plan, lead_days=3, today=D(2026, 12, 2)) == [Due(D(2026, 12, 2), R)]


def test_a_re_evaluation_today_still_gets_a_packet_and_one_already_past_gets_none():
    plan = PlanDates(visit_date=D(2026, 11, 1), reeval_date=D(2026, 12, 2))
    assert before_visits(plan, lead_days=3, today=D(2026, 12, 2)) == [Due(D(2026, 12, 2), R)]
    assert before_visits(plan, lead_days=3, today=D(2026, 12, 3)) == []


def test_a_re_evaluation_on_the_planned_end_is_the_discharge_visit_one_packet():
    plan = PlanDates(visit_date=D(2026, 12, 1), reeval_date=D(2026, 12, 29), weeks=4)
    assert before_visits(plan, lead_days=2, today=D(2026, 12, 1)) == [Due(D(2026, 12, 27), DC)]
    a_day_before = PlanDates(visit_date=D(2026, 12, 1), reeval_date=D(2026, 12, 28), weeks=4)
    assert [d.purpose for d in before_visits(a_day_before, lead_days=2, today=D(2026, 12, 1))] == [
        R,
        DC,
    ]


def test_no_lead_time_makes_the_packet_due_on_the_visit_day():
    plan = PlanDates(visit_date=D(2026, 12, 1), reeval_date=D(2026, 12, 15))
    assert before_visits(plan, lead_days=0, today=D(2026, 12, 1)) == [Due(D(2026, 12, 15), R)]


def test_after_discharge_dates_keep_the_weekday_of_the_discharge():
    out = after_discharge(D(2026, 12, 2), enabled={"after_6w", "after_3m", "after_12m"})
    assert out == [
        Due(D(2027, 1, 13), "after_6w"),
        Due(D(2027, 3, 3), "after_3m"),
        Due(D(2027, 12, 1), "after_12m"),
    ]
    assert {d.due_on.weekday() for d in out} == {D(2026, 12, 2).weekday()}
    assert after_discharge(D(2026, 12, 2), enabled={"after_3m"}) == [Due(D(2027, 3, 3), "after_3m")]
    assert after_discharge(D(2026, 12, 2), enabled=()) == []


def test_plan_dates_are_read_from_an_evaluations_content():
    content = {
        "outcomes": {"visit_date": "2026-12-01"},
        "plan": {"reeval_date": "2026-12-20", "weeks": 6},
    }
    assert PlanDates.from_content(content) == PlanDates(D(2026, 12, 1), D(2026, 12, 20), 6)
    assert PlanDates.from_content({"outcomes": {"visit_date": "2026-12-01"}, "plan": {}}) is None
    assert PlanDates.from_content({"plan": {"weeks": 6}}) is None


# ---------------------------------------------------------------- services


def _packets(episode):
    return list(Intake.objects.packets().filter(episode=episode).order_by("due_on", "purpose"))


@pytest.mark.django_db
def test_scheduling_twice_finds_the_packets_there_and_a_new_plan_replaces_waiting_ones(
    therapist, patient
):
    episode = EpisodeFactory(patient=patient)
    today = timezone.localdate()
    plan = PlanDates(visit_date=today, reeval_date=today + datetime.timedelta(days=14), weeks=6)
    first = schedule.packets_plan(episode=episode, plan=plan, by=therapist, why="test")
    again = schedule.packets_plan(episode=episode, plan=plan, by=therapist, why="test")
    assert len(first) == 2 and again == []
    assert [(p.purpose, p.status) for p in _packets(episode)] == [
        (R, "scheduled"),
        (DC, "scheduled"),
    ]
    # The re-evaluation packet was handed over; then the plan moves both dates.
    handed = next(p for p in _packets(episode) if p.purpose == R)
    schedule.packet_open(packet=handed, by=therapist)
    later = PlanDates(visit_date=today, reeval_date=today + datetime.timedelta(days=21), weeks=8)
    schedule.packets_plan(episode=episode, plan=later, by=therapist, why="re-planned")
    rows = [(p.purpose, p.due_on - today, p.status) for p in _packets(episode)]
    d = datetime.timedelta
    assert rows == [
        (R, d(days=11), "in_progress"),  # handed over: kept
        (R, d(days=18), "scheduled"),
        (DC, d(days=39), "cancelled"),
        (DC, d(days=53), "scheduled"),
    ]
    summaries = list(AuditEvent.objects.filter(patient=patient).values_list("summary", flat=True))
    assert any(s.startswith("Cancelled the follow-up questionnaire") for s in summaries)
    assert sum(s.startswith("Scheduled a follow-up questionnaire") for s in summaries) == 4


@pytest.mark.django_db
def test_discharge_cancels_waiting_packets_and_books_the_clinics_post_discharge_ones(
    therapist, patient
):
    clinic = Clinic.objects.current()
    clinic.followup_after_6w = clinic.followup_after_12m = True
    clinic.save()
    episode = EpisodeFactory(
        patient=patient, start_of_care=timezone.localdate() - datetime.timedelta(days=30)
    )
    today = timezone.localdate()
    schedule.packets_plan(
        episode=episode,
        plan=PlanDates(visit_date=today, reeval_date=today + datetime.timedelta(days=10)),
        by=therapist,
        why="test",
    )
    care_services.episode_discharge(by=therapist, episode=episode, on=today, reason="goals_met")
    rows = [(p.purpose, p.status, p.due_on - today) for p in _packets(episode)]
    assert rows == [
        (R, "cancelled", datetime.timedelta(days=7)),
        ("after_6w", "scheduled", datetime.timedelta(days=42)),
        ("after_12m", "scheduled", datetime.timedelta(days=364)),
    ]


@pytest.mark.django_db
def test_a_discharge_with_no_post_discharge_settings_books_nothing(therapist, patient):
    episode = EpisodeFactory(patient=patient)
    care_services.episode_discharge(
        by=therapist, episode=episode, on=timezone.localdate(), reason="goals_met"
    )
    assert _packets(episode) == []


@pytest.mark.django_db
def test_an_answered_or_withdrawn_packet_cannot_be_opened_again(therapist, patient):
    episode = EpisodeFactory(patient=patient)
    today = timezone.localdate()
    (packet,) = schedule.packets_plan(
        episode=episode,
        plan=PlanDates(visit_date=today, reeval_date=today + datetime.timedelta(days=10)),
        by=therapist,
        why="test",
    )
    with pytest.raises(ValueError):
        schedule.packet_cancel(packet=packet, by=therapist, reason="  ")
    schedule.packet_cancel(packet=packet, by=therapist, reason="Declined")
    with pytest.raises(schedule.PacketNotDue):
        schedule.packet_open(packet=packet, by=therapist)
    with pytest.raises(schedule.PacketNotDue):
        schedule.packet_cancel(packet=packet, by=therapist, reason="again")
