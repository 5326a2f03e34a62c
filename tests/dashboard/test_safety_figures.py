"""Issue 18 point 7: the safety figures on the administrator's home page.

A small fixture whose numbers are worked out by hand: five alerts in the last 30 days (one
more before), three of them dispositioned after 10 minutes, 30 minutes and 2 hours; four
episodes discharged in the period, two with both a baseline and a discharge outcome."""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.roles import Role
from audit.models import AuditEvent
from care.models import Episode
from dashboard import safety
from evaluations.models import Evaluation, TreatmentNote
from intake.models import Intake, RedFlagAlert
from tests.factories import (
    EpisodeFactory,
    EvaluationFactory,
    IntakeFactory,
    PatientFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

MIN = datetime.timedelta(minutes=1)
DAY = datetime.timedelta(days=1)


def _ago(days: int) -> datetime.datetime:
    return timezone.now() - days * DAY


def _raise(level, *, days_ago, took=None, **source):
    raised = _ago(days_ago)
    record = next(iter(source.values()))
    return RedFlagAlert.objects.create(
        level=level,
        patient=record.patient,
        items=["TEST"],
        summary=f"{level} test alert",
        raised_at=raised,
        acknowledged_at=raised + took if took is not None else None,
        outcome="false_positive" if took is not None else "",
        action_note="Reviewed." if took is not None else "",
        **source,
    )


@pytest.fixture
def physio(db):
    return UserFactory(username="physio", roles=[Role.THERAPIST])


@pytest.fixture
def alerts(physio):
    """By level: emergency 1, urgent 3, monitor 1 (and an urgent one 40 days ago). By
    source: intake 2, packet 1, note 1, neuro exam 1. Dispositioned: 10 min (emergency),
    30 min and 2 h (urgent); two still open."""
    first_visit = IntakeFactory()
    packet = IntakeFactory(
        patient=first_visit.patient,
        episode=first_visit.episode,
        kind=Intake.Kind.FOLLOW_UP,
        purpose=Intake.Purpose.REEVALUATION,
        due_on=timezone.localdate(),
    )
    examined = IntakeFactory()
    evaluation = EvaluationFactory(patient=examined.patient, intake=examined, therapist=physio)
    note = TreatmentNote.objects.create(
        patient=evaluation.patient, episode=evaluation.episode, therapist=physio
    )
    return {
        "note": _raise("EMERGENCY", days_ago=5, took=10 * MIN, treatment_note=note),
        "intake": _raise("URGENT", days_ago=4, took=30 * MIN, intake=first_visit),
        "packet": _raise("URGENT", days_ago=3, took=120 * MIN, intake=packet),
        "exam": _raise("URGENT", days_ago=2, evaluation=evaluation, intake=evaluation.intake),
        "monitor": _raise("MONITOR", days_ago=1, intake=IntakeFactory()),
        "before": _raise("URGENT", days_ago=40, took=300 * MIN, intake=IntakeFactory()),
    }


def _discharged(days_ago=2, *, baseline=None, discharge_findings=None, packet=False):
    patient = PatientFactory()
    episode = EpisodeFactory(
        patient=patient,
        start_of_care=timezone.localdate() - datetime.timedelta(days=days_ago + 40),
        status=Episode.Status.CLOSED,
        discharged_on=timezone.localdate() - datetime.timedelta(days=days_ago),
        discharge_reason=Episode.DischargeReason.GOALS_MET,
    )
    if baseline is not None:
        IntakeFactory(patient=patient, episode=episode, scores=baseline)
    if discharge_findings is not None:
        EvaluationFactory(
            patient=patient,
            episode=episode,
            kind=Evaluation.Kind.DISCHARGE,
            status=Evaluation.Status.SIGNED,
            signed_at=timezone.now(),
            findings={"outcomes": discharge_findings},
        )
    if packet:
        IntakeFactory(
            patient=patient,
            episode=episode,
            kind=Intake.Kind.FOLLOW_UP,
            purpose=Intake.Purpose.DISCHARGE,
            due_on=episode.discharged_on,
        )
    return episode


NPRS = {"nprs": {"back": {"now": None}, "leg": {"now": 6}}}


@pytest.fixture
def episodes():
    """Discharged in the period: two complete (a discharge evaluation with outcomes; a
    discharge questionnaire), one with no discharge outcome (a signed discharge with none
    recorded), one with no baseline (ODI not licensed, nothing else). Outside the count:
    one discharged 60 days ago, one still open."""
    complete = [
        _discharged(baseline=NPRS, discharge_findings={"back_now": 2, "leg_now": None}),
        _discharged(baseline={"psfs": {"mean": 4.0}}, packet=True),
    ]
    incomplete = [
        _discharged(baseline={"odi": {"percentage": 30.0}}, discharge_findings={}),
        _discharged(
            baseline={"odi": {"status": "not_licensed"}, "psfs": {"mean": None}},
            discharge_findings={"leg_now": 3},
        ),
    ]
    _discharged(days_ago=60, baseline=NPRS, discharge_findings={"back_now": 1})
    IntakeFactory(scores=NPRS)  # an open episode
    return {"complete": complete, "incomplete": incomplete}


# --- The figures, against the hand-worked numbers ---------------------------------------


def test_alerts_are_counted_by_level_and_source(alerts):
    figures = safety.alert_figures(safety.Period.default())
    rows = {row.level: dict(row.cells) | {"all": row.total} for row in figures.rows}
    assert rows["EMERGENCY"] == {"intake": 0, "packet": 0, "note": 1, "neuro_exam": 0, "all": 1}
    assert rows["URGENT"] == {"intake": 1, "packet": 1, "note": 0, "neuro_exam": 1, "all": 3}
    assert rows["MONITOR"] == {"intake": 1, "packet": 0, "note": 0, "neuro_exam": 0, "all": 1}
    assert [(s, n) for s, _label, n in figures.by_source] == [
        ("intake", 2),
        ("packet", 1),
        ("note", 1),
        ("neuro_exam", 1),
    ]
    assert (figures.total, figures.open) == (5, 2)


def test_the_median_and_slowest_time_to_disposition(alerts):
    times = {t.level: t for t in safety.alert_figures(safety.Period.default()).times}
    every = times[""]
    assert (every.raised, every.dispositioned, every.open) == (5, 3, 2)
    assert (every.median, every.slowest) == (30 * MIN, 120 * MIN)  # of 10, 30 and 120
    assert (every.median_words, every.slowest_words) == ("30 min", "2 h 00 min")
    urgent = times["URGENT"]
    assert (urgent.median, urgent.slowest) == (75 * MIN, 120 * MIN)  # of 30 and 120
    assert urgent.median_words == "1 h 15 min" and urgent.open == 1
    assert times["EMERGENCY"].median == 10 * MIN
    assert times["MONITOR"].median is None and times["MONITOR"].median_words == "—"


def test_a_shorter_period_counts_only_its_alerts(alerts):
    today = timezone.localdate()
    period = safety.Period(start=today - 4 * DAY, end=today - 3 * DAY)
    figures = safety.alert_figures(period)
    assert figures.total == 2 and figures.open == 0
    assert {t.level: t.median for t in figures.times}[""] == 75 * MIN


def test_the_share_of_episodes_with_both_outcomes(episodes):
    figures = safety.episode_figures(safety.Period.default())
    assert (figures.discharged, figures.complete, figures.incomplete) == (4, 2, 2)
    assert (figures.baseline, figures.discharge) == (3, 3)
    assert figures.share == 50.0
    listed = set(safety.episodes_behind(safety.Period.default(), which="complete"))
    assert listed == set(episodes["complete"])
    missing = set(safety.episodes_behind(safety.Period.default(), which="incomplete"))
    assert missing == set(episodes["incomplete"])


def test_no_discharge_gives_no_share():
    assert safety.episode_figures(safety.Period.default()).share is None


def test_durations_read_as_words():
    assert safety.duration_words(45 * MIN) == "45 min"
    assert safety.duration_words(185 * MIN) == "3 h 05 min"
    assert safety.duration_words(2 * DAY + 4 * 60 * MIN) == "2 days 4 h"
    assert safety.median([]) is None


# --- Fixed query counts -------------------------------------------------------------------


def test_the_selectors_make_a_fixed_number_of_queries(
    alerts, episodes, physio, django_assert_num_queries
):
    from core.models import Clinic

    Clinic.objects.current()  # made on first use: not one of the selector's queries
    period = safety.Period.default()
    with django_assert_num_queries(2):
        safety.alert_figures(period)
    with django_assert_num_queries(1):
        safety.episode_figures(period)
    with django_assert_num_queries(2):
        safety.escalated_alerts()
    for n in range(6):
        _raise("URGENT", days_ago=n, took=n * MIN, intake=IntakeFactory())
        _raise("EMERGENCY", days_ago=n, intake=IntakeFactory())
        _discharged(baseline=NPRS, discharge_findings={"back_now": n})
    with django_assert_num_queries(2):
        safety.alert_figures(period)
    with django_assert_num_queries(1):
        safety.episode_figures(period)
    with django_assert_num_queries(2):
        safety.escalated_alerts()


def test_the_lists_behind_the_figures_make_a_fixed_number_of_queries(
    admin_client_, alerts, episodes, django_assert_num_queries
):
    for url in (reverse("core:safety-alerts"), reverse("core:safety-episodes")):
        admin_client_.get(url)
        with django_assert_num_queries(14, exact=False) as few:
            admin_client_.get(url)
        count = len(few.captured_queries)  # read now: the next request clears the log
        for n in range(4):
            _raise("URGENT", days_ago=n, intake=IntakeFactory())
            _discharged(baseline=NPRS, discharge_findings={"back_now": n})
        with django_assert_num_queries(count):
            admin_client_.get(url)


# --- The page -------------------------------------------------------------------------------


def _figure(html: str, testid: str) -> str:
    match = re.search(rf'data-testid="{testid}"[^>]*>(.*?)</(?:a|td|strong)>', html, re.S)
    assert match, testid
    return re.sub(r"<[^>]+>", "", match.group(1)).strip()


def test_the_administrators_home_shows_the_figures_for_the_last_30_days(
    admin_client_, alerts, episodes
):
    html = admin_client_.get(reverse("core:home")).content.decode()
    assert 'data-testid="safety-figures"' in html
    assert _figure(html, "figure-total") == "5" and _figure(html, "figure-open") == "2"
    assert _figure(html, "figure-URGENT") == "3"
    assert _figure(html, "figure-URGENT-packet") == "1"
    assert _figure(html, "figure-source-intake") == "2"
    assert _figure(html, "median-all") == "30 min"
    assert _figure(html, "slowest-all") == "2 h 00 min"
    assert _figure(html, "median-URGENT") == "1 h 15 min"
    assert _figure(html, "outcome-share") == "50.0%"
    # Which episodes the share counts, in words.
    assert "Counts the episodes of care discharged in the period" in html


@pytest.mark.parametrize(
    "query, error",
    [
        ({"start": "2026-11-30", "end": "2026-11-01"}, "The last day cannot be before the first"),
        ({"start": "next tuesday", "end": "2026-11-01"}, "Enter the first date as a real date"),
        ({"start": "2026-11-01", "end": ""}, "Enter the last date."),
        ({"start": "2026-11-01", "end": "2999-01-01"}, "The last day cannot be in the future."),
        ({"start": "1990-01-01", "end": "2026-11-01"}, "within the last 10 years"),
    ],
)
def test_a_bad_period_says_why_keeps_what_was_typed_and_shows_the_default(
    admin_client_, alerts, query, error
):
    html = admin_client_.get(reverse("core:home"), query).content.decode()
    assert error in html
    assert "Showing the last 30 days instead." in html
    assert _figure(html, "figure-total") == "5"


def test_a_chosen_period_is_used(admin_client_, alerts):
    today = timezone.localdate()
    query = {"start": (today - 4 * DAY).isoformat(), "end": (today - 3 * DAY).isoformat()}
    html = admin_client_.get(reverse("core:home"), query).content.decode()
    assert _figure(html, "figure-total") == "2" and _figure(html, "figure-open") == "0"


def test_each_figure_drills_down_to_an_audited_list(admin_client_, alerts):
    response = admin_client_.get(
        reverse("core:safety-alerts"), {**safety.Period.default().query, "level": "URGENT"}
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert html.count('data-testid="alert-row"') == 3
    urgent = [alerts["intake"], alerts["packet"], alerts["exam"]]
    for alert in urgent:
        assert alert.patient.mrn in html
    assert alerts["before"].patient.mrn not in html
    event = AuditEvent.objects.get(summary__startswith="Viewed the safety figures' list of red")
    assert event.details["shown"] == sorted({a.patient.mrn for a in urgent})
    assert event.details["level"] == "URGENT"
    still_open = admin_client_.get(reverse("core:safety-alerts"), {"state": "open"})
    assert still_open.content.decode().count('data-testid="alert-row"') == 2
    by_source = admin_client_.get(reverse("core:safety-alerts"), {"source": "packet"})
    assert by_source.content.decode().count('data-testid="alert-row"') == 1


def test_the_episode_share_drills_down_to_an_audited_list(admin_client_, episodes):
    response = admin_client_.get(reverse("core:safety-episodes"), {"which": "incomplete"})
    html = response.content.decode()
    assert html.count('data-testid="episode-row"') == 2
    for episode in episodes["incomplete"]:
        assert episode.patient.mrn in html
    assert "Missing" in html
    event = AuditEvent.objects.get(summary__startswith="Viewed the safety figures' list of dis")
    assert event.details["shown"] == sorted(e.patient.mrn for e in episodes["incomplete"])


def test_an_unknown_filter_is_said_and_ignored(admin_client_, alerts):
    html = admin_client_.get(reverse("core:safety-alerts"), {"level": "DEFCON"}).content.decode()
    assert "There is no level “DEFCON”: showing every level." in html
    assert html.count('data-testid="alert-row"') == 5


@pytest.mark.parametrize("client_fixture", ["front_desk_client", "therapist_client"])
def test_the_front_desk_and_therapists_are_refused(request, client_fixture, alerts):
    client = request.getfixturevalue(client_fixture)
    for name in ("core:safety-alerts", "core:safety-episodes"):
        assert client.get(reverse(name)).status_code == 403
    home = client.get(reverse("core:home")).content.decode()
    assert 'data-testid="safety-figures"' not in home
    assert not AuditEvent.objects.filter(summary__startswith="Viewed the safety").exists()


def test_the_lists_take_gets_only(admin_client_):
    assert admin_client_.post(reverse("core:safety-alerts")).status_code == 405
