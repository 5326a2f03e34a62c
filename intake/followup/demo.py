"""Synthetic follow-up questionnaires (packets) and red-flag alerts for the demo data. Never
real patients.

`demo_packet` stores one packet as the app would have: due and not yet handed over,
handed over and not yet answered, or answered, with its scores and red-flag triage computed
from the answers by intake.followup.results as the packet's own submit computes them, and
the alert its level asks for raised through intake.alerts.

`demo_followups` is the demo's follow-up story, on the records dashboard's seed_demo picks
for it (a `Cast`): the front desk's questionnaires due today, overdue and completed this
week, one answered before a re-evaluation the therapist still has as a draft, the
returning patient's answers 6 weeks and 3 months after a past discharge, and alerts of
every level, closed and open, so the banner, the review list, the escalated list and the
administrator's safety figures all have something to show. It draws from its own random
stream, so the rest of the demo is the same with or without it.
"""

from __future__ import annotations

import datetime
import random
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any
from uuid import uuid4

from django.conf import settings
from django.utils import timezone

from core.models import Clinic
from intake import alerts
from intake.demo import demo_answers, demo_intake
from intake.followup import results
from intake.followup.baseline import for_packet
from intake.models import Intake, IntakeAccess, RedFlagAlert, hash_token
from intake.questions import FOLLOW_UP_RED_FLAG_CODES

if TYPE_CHECKING:
    from accounts.models import User
    from care.models import Episode
    from patients.models import Patient

Purpose = Intake.Purpose


def demo_packet_answers(
    rng: random.Random,
    *,
    baseline: Mapping[str, Any],
    improvement: float,
    grc: int,
    reported: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """A packet's answers, one dict per screen as the contract stores them: back and leg
    pain now and the first visit's own activities (same ids and names) `improvement` (0 to
    1) of the way better than at the first visit, the rating of change `grc` (-3 to 3), and
    every red-flag question answered "no" except those in `reported`. No ODI: the demo
    clinic holds no licensed pack, so the packet does not ask it."""
    improvement = max(0.0, min(1.0, float(improvement)))
    pain = baseline.get("pain") or {}
    back0, leg0 = pain.get("nprs_back_now", 5), pain.get("nprs_leg_now", 6)
    answers: dict[str, Any] = {
        # Pain eases as the treatment notes' does (evaluations.demo): the leg faster.
        "pain": {
            "nprs_back_now": round(back0 * (1 - 0.6 * improvement)),
            "nprs_leg_now": round(leg0 * (1 - 0.75 * improvement)),
        },
        "change": {"grc": grc},
        "redflags": {**dict.fromkeys(FOLLOW_UP_RED_FLAG_CODES, "no"), **(reported or {})},
    }
    activities = (baseline.get("psfs") or {}).get("activities") or []
    if activities:
        answers["psfs"] = {
            "activities": [
                {
                    "id": a["id"],
                    "name": a["name"],
                    "score": min(
                        10,
                        round(a["score"] + (10 - a["score"]) * improvement * rng.uniform(0.7, 1)),
                    ),
                }
                for a in activities
                if a.get("name")
            ]
        }
    return answers


def demo_packet(
    *,
    episode: Episode,
    purpose: str,
    due_on: date,
    started: datetime.datetime,
    by: User | None = None,
    link: bool = False,
    answers: Mapping[str, Any] | None = None,
    submitted_after: timedelta | None = None,
) -> Intake:
    """A packet of `episode` for `purpose`, due on `due_on`:

    - without `by`, still due (SCHEDULED since `started`, when the plan asking for it was
      signed or the episode discharged);
    - handed over by `by` at `started` (by a one-time link when `link`: its access row
      holds the hash of a token nobody was given), and not answered yet (IN_PROGRESS);
    - or, with `answers` and `submitted_after`, answered and sent that long after: scored
      and triaged against the episode's first visit, and the alert its level asks for
      raised as it was sent.
    """
    packet = Intake(
        patient_id=episode.patient_id,
        episode=episode,
        kind=Intake.Kind.FOLLOW_UP,
        purpose=purpose,
        due_on=due_on,
        status=Intake.Status.SCHEDULED if by is None else Intake.Status.IN_PROGRESS,
        started_at=started,
        started_by=by,
    )
    found = None
    if answers is not None and submitted_after is not None:
        at = started + submitted_after
        baseline = for_packet(packet)
        patient = episode.patient
        found = results.compute(
            answers,
            baseline=baseline.answers,
            date_of_birth=patient.date_of_birth,
            sex=patient.sex,
            on=timezone.localdate(at),
            licensed=(),
        )
        packet.status = Intake.Status.SUBMITTED
        packet.submitted_at = at
        packet.submission_id = uuid4()
        packet.answers = dict(answers)
        packet.triage = {
            **found.triage,
            "baseline_intake": str(baseline.intake.public_id) if baseline.intake else None,
        }
        packet.red_flag_level = found.red_flag_level
        packet.scores = found.scores
        packet.current_step = "review"
    packet.save()
    if link and by is not None:
        IntakeAccess.objects.create(
            intake=packet,
            kind=IntakeAccess.Kind.LINK,
            token_hash=hash_token(secrets.token_urlsafe(32)),
            created_by=by,
            created_at=started,
            expires_at=started + timedelta(days=settings.FOLLOWUP_LINK_DAYS),
            used_at=packet.submitted_at,
        )
    if found is not None:
        alerts.raise_for_triage(
            packet,
            level=found.red_flag_level,
            ces=found.ces,
            items=list(found.triage["items"]),
            at=packet.submitted_at,
        )
    return packet


# --- The story ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Course:
    """An open episode of care and when its latest plan of care was signed (the packets
    that plan asks for were scheduled then)."""

    episode: Episode
    planned_at: datetime.datetime


@dataclass(frozen=True)
class Cast:
    """The records the follow-up story is told on; seed_demo picks them. A part whose
    record is missing (a demo with fewer patients) is left out."""

    desk: User
    therapist: User
    # Their re-evaluation is close: a questionnaire due today, not handed over yet.
    due_today: Sequence[Course] = ()
    # A questionnaire due two days ago that nobody handed over.
    overdue: Course | None = None
    # A questionnaire due yesterday, sent by link yesterday, not answered yet.
    link_yesterday: Course | None = None
    # Answered this morning with a fever: URGENT, dispositioned a few hours later.
    fever: Course | None = None
    # Answered two days ago with constant pain at night: MONITOR, for the next visit.
    night_pain: Course | None = None
    # A draft re-evaluation's episode and visit day: a questionnaire answered 1 to 3 days
    # before it, which pre-fills the draft (seed_demo applies it).
    before_draft: tuple[Episode, date] | None = None
    # A discharged episode: answered 6 weeks and 3 months after the discharge.
    discharged: Episode | None = None
    # A first visit's MONITOR result and when it was reviewed, with safety-net advice.
    reviewed: tuple[Intake, datetime.datetime] | None = None
    # Registered, no intake yet: in today with a history of cancer (URGENT, open), and
    # yesterday with thin bones and long-term steroids (URGENT, still open: escalated).
    cancer: Patient | None = None
    fracture: Patient | None = None


def _at(day: date, hour: int, minute: int = 0) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))


def _baseline(episode: Episode) -> Mapping[str, Any]:
    """The first visit's answers a packet of `episode` reads (amendments applied)."""
    return for_packet(Intake(episode=episode)).answers


def demo_followups(cast: Cast, *, rng: random.Random, now: datetime.datetime) -> dict[str, Intake]:
    """Tell the follow-up story on `cast` (see the module); returns the packets made, by
    their part's name."""
    today = timezone.localdate(now)
    made: dict[str, Intake] = {}
    desk = cast.desk
    for n, course in enumerate(cast.due_today):
        made[f"due_today_{n}"] = demo_packet(
            episode=course.episode,
            purpose=Purpose.REEVALUATION,
            due_on=today,
            started=course.planned_at,
        )
    if cast.overdue:
        made["overdue"] = demo_packet(
            episode=cast.overdue.episode,
            purpose=Purpose.REEVALUATION,
            due_on=today - timedelta(days=2),
            started=cast.overdue.planned_at,
        )
    if cast.link_yesterday:
        made["link_yesterday"] = demo_packet(
            episode=cast.link_yesterday.episode,
            purpose=Purpose.REEVALUATION,
            due_on=today - timedelta(days=1),
            started=min(_at(today - timedelta(days=1), 16, 5), now),
            by=desk,
            link=True,
        )
    if cast.before_draft:
        episode, visit = cast.before_draft
        answered = visit - timedelta(days=rng.randint(1, 3))
        made["before_draft"] = demo_packet(
            episode=episode,
            purpose=Purpose.REEVALUATION,
            due_on=answered,
            started=_at(answered, 9, 40),
            by=desk,
            link=True,
            answers=demo_packet_answers(rng, baseline=_baseline(episode), improvement=0.7, grc=2),
            submitted_after=timedelta(hours=rng.randint(2, 9), minutes=rng.randint(0, 59)),
        )
    if cast.night_pain:
        made["night_pain"] = _night_pain(cast.night_pain, desk=desk, rng=rng, today=today)
    if cast.fever:
        made["fever"] = _fever(cast.fever, desk=desk, therapist=cast.therapist, rng=rng, now=now)
    if cast.discharged:
        made |= _after_discharge(cast.discharged, desk=desk, rng=rng)
    if cast.reviewed:
        _safety_netted(*cast.reviewed, therapist=cast.therapist)
    if cast.fracture:
        _fracture_risk(cast.fracture, desk=desk, rng=rng, today=today)
    if cast.cancer:
        _cancer_history(cast.cancer, desk=desk, rng=rng, now=now)
    return made


def _night_pain(course: Course, *, desk: User, rng: random.Random, today: date) -> Intake:
    """Better in every way but one: the pain is there all the time now, even at night. A
    single low-specificity flag: a MONITOR result for review at the next visit."""
    started = _at(today - timedelta(days=3), 10, 15)
    return demo_packet(
        episode=course.episode,
        purpose=Purpose.REEVALUATION,
        due_on=started.date(),
        started=started,
        by=desk,
        link=True,
        answers=demo_packet_answers(
            rng,
            baseline=_baseline(course.episode),
            improvement=0.4,
            grc=1,
            reported={"SX-NIGHT-PAIN": "yes"},
        ),
        submitted_after=timedelta(days=1, hours=9, minutes=25),
    )


def _fever(
    course: Course, *, desk: User, therapist: User, rng: random.Random, now: datetime.datetime
) -> Intake:
    """Sent by link yesterday afternoon and answered this morning, a little over three
    hours ago: a fever with back pain (URGENT). The demo therapist phoned and arranged a
    same-day medical review, and recorded it on the alert just now."""
    submitted = now - timedelta(hours=3, minutes=10)
    started = min(_at(timezone.localdate(now) - timedelta(days=1), 15, 30), submitted)
    packet = demo_packet(
        episode=course.episode,
        purpose=Purpose.REEVALUATION,
        due_on=started.date(),
        started=started,
        by=desk,
        link=True,
        answers=demo_packet_answers(
            rng,
            baseline=_baseline(course.episode),
            improvement=0.3,
            grc=0,
            reported={"SX-FEVER": "yes"},
        ),
        submitted_after=submitted - started,
    )
    for alert in RedFlagAlert.objects.filter(intake=packet, level=Intake.RedFlagLevel.URGENT):
        alerts.alert_disposition(
            alert=alert,
            by=therapist,
            action=RedFlagAlert.Outcome.URGENT_REFERRAL,
            note="Demo: phoned the patient. Temperature 38.4 since yesterday evening, feels "
            "shivery, back pain no worse. Booked with the GP today at 15:30 and told to go "
            "to the emergency department if the pain or fever gets worse before then.",
        )
    return packet


def _after_discharge(episode: Episode, *, desk: User, rng: random.Random) -> dict[str, Intake]:
    """The follow-ups the demo clinic asks for after discharge (6 weeks and 3 months),
    each answered by link a day or two after it fell due: still well, a little less so by
    3 months. They are the episode's "after discharge" points on the progress charts."""
    discharged_on = episode.discharged_on
    if discharged_on is None:
        return {}
    baseline = _baseline(episode)
    made: dict[str, Intake] = {}
    for purpose, days, improvement, grc in (
        (Purpose.AFTER_6W, 42, 0.95, 3),
        (Purpose.AFTER_3M, 91, 0.85, 2),
    ):
        due_on = discharged_on + timedelta(days=days)
        made[purpose] = demo_packet(
            episode=episode,
            purpose=purpose,
            due_on=due_on,
            started=_at(due_on, 9, 30),
            by=desk,
            link=True,
            answers=demo_packet_answers(rng, baseline=baseline, improvement=improvement, grc=grc),
            submitted_after=timedelta(days=rng.randint(1, 2), hours=rng.randint(0, 8)),
        )
    return made


def _safety_netted(intake: Intake, at: datetime.datetime, *, therapist: User) -> None:
    """The MONITOR result the intake's submit raises, reviewed at the visit at `at` with
    the warning-signs handout (the disposition is made through the service, then dated to
    the visit, as the demo's treatment notes are)."""
    alert = alerts.raise_for_triage(
        intake,
        level=intake.red_flag_level,
        ces=bool(intake.triage.get("ces")),
        items=list(intake.triage.get("items") or ()),
        at=intake.submitted_at,
    )
    if alert is None:
        return
    alerts.alert_disposition(
        alert=alert,
        by=therapist,
        action=RedFlagAlert.Outcome.SAFETY_NET_ADVICE,
        material="handout-warning-signs",
        note="Demo: reviewed at the first visit. Nothing beyond the single flag on "
        "questioning. Went through the warning signs on the handout: when to go to hospital "
        "at once and when to call the clinic the same day.",
    )
    RedFlagAlert.objects.filter(pk=alert.pk).update(acknowledged_at=max(at, alert.raised_at))


def _flagged_intake(
    patient: Patient,
    *,
    desk: User,
    rng: random.Random,
    started: datetime.datetime,
    submitted_after: timedelta,
    history: Mapping[str, str],
    medications: str = "",
) -> RedFlagAlert | None:
    """A submitted first-visit intake with these health-history answers, and the alert its
    submit raises."""
    answers = demo_answers(rng, today=started.date(), radicular=False)
    answers["history"].update(history, medications=medications)
    intake = demo_intake(
        patient=patient,
        started_by=desk,
        started=started,
        answers=answers,
        submitted_after=submitted_after,
    )
    return alerts.raise_for_triage(
        intake,
        level=intake.red_flag_level,
        ces=bool(intake.triage.get("ces")),
        items=list(intake.triage.get("items") or ()),
        at=intake.submitted_at,
    )


def _fracture_risk(patient: Patient, *, desk: User, rng: random.Random, today: date) -> None:
    """Yesterday's intake: osteoporosis and steroid tablets for years (URGENT: fracture
    risk factors). Nobody has dispositioned it, and the clinic day it was raised in has
    ended, so it is on the administrator's home as escalated."""
    _flagged_intake(
        patient,
        desk=desk,
        rng=rng,
        started=_at(today - timedelta(days=1), 10, 40),
        submitted_after=timedelta(minutes=rng.randint(11, 16)),
        history={"HX-OSTEOPOROSIS": "yes", "HX-STEROIDS": "yes"},
        medications="Prednisolone 5 mg daily; alendronic acid weekly",
    )


def _cancer_history(
    patient: Patient, *, desk: User, rng: random.Random, now: datetime.datetime
) -> None:
    """This morning's intake: treated for breast cancer some years ago, now new back pain
    (URGENT). Still open, on every staff banner; raised within today's clinic day so it is
    not yet escalated."""
    day_ends_at = Clinic.objects.current().day_ends_at
    cutoff = alerts.escalation_cutoff(now, day_ends_at)
    submitted = max(now - timedelta(minutes=50), cutoff + (now - cutoff) / 2)
    _flagged_intake(
        patient,
        desk=desk,
        rng=rng,
        started=submitted - timedelta(minutes=14),
        submitted_after=timedelta(minutes=14),
        history={"HX-CANCER": "yes"},
        medications="Letrozole 2.5 mg daily",
    )
