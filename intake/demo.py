"""Synthetic intakes for demo data and benchmarks: answers, results and the intake
records themselves (dashboard's seed_demo decides who gets which). Never real patients."""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING

from care.demo import demo_episode
from care.models import Episode
from core.languages import patient_language
from intake import questionnaires, results
from intake.models import Intake, RedFlagAlert
from intake.questions import HISTORY_QUESTIONS, RED_FLAG_QUESTIONS

if TYPE_CHECKING:
    from accounts.models import User
    from patients.models import Patient

ACTIVITIES = (
    "Sitting at work",
    "Walking the dog",
    "Putting on socks",
    "Lifting my child",
    "Gardening",
    "Driving for an hour",
    "Playing football",
    "Climbing stairs",
)


def demo_answers(rng: random.Random, *, today: date, radicular: bool = True) -> dict:
    side = rng.choice(["l", "r"])
    chart = {f"low_back_{side}": ["pain"], f"buttock_{side}": ["pain"]}
    if radicular:
        chart[f"thigh_back_{side}"] = ["pain"]
        chart[f"calf_shin_{side}"] = ["pain", rng.choice(["pins_needles", "burning"])]
        if rng.random() < 0.5:
            chart[f"foot_{side}"] = ["numbness"]
    else:
        chart["low_back_c"] = ["pain"]
        chart[f"thigh_back_{side}"] = ["pain"]
    agree = lambda p: "agree" if rng.random() < p else "disagree"  # noqa: E731
    acts = rng.sample(ACTIVITIES, 3)
    return {
        "about": {"details_confirmed": True},
        "consent": {"treatment_consent": True, "privacy_ack": True, "signed_name": "Demo"},
        "where": {"chart": chart},
        "feels": {
            "qualities": ["shooting", "electric"] if radicular else ["dull_ache"],
            "follows_path": "path" if radicular else "moves",
            "leg_vs_back": "leg_worse" if radicular else "back_worse",
            "attacks": "yes" if radicular else "no",
            "worse_on_cough": "yes" if radicular and rng.random() < 0.6 else "no",
            "weakness": "no",
        },
        "when": {
            "onset_date": (today - timedelta(days=rng.randint(10, 200))).isoformat(),
            "mechanism": rng.choice(["none", "lift", "lift", "other"]),
            "previous_episodes": rng.choice(["none", "once_twice", "several"]),
            "worse_with": rng.sample(["bending", "sitting", "standing", "walking"], 2),
            "better_with": ["lying"],
            "pattern_24h": rng.choice(["morning", "evening", "varies"]),
            "night_pain": rng.choice(["none", "wakes"]),
            "walking": rng.choice(["5_15", "15_30", "30_60", "over_60"]),
            "sitting_relief": "no",
            "cart_relief": "no",
        },
        "pain": {
            "nprs_back_now": rng.randint(2, 6),
            "nprs_back_best_24h": rng.randint(0, 2),
            "nprs_back_worst_24h": rng.randint(6, 8),
            "nprs_leg_now": rng.randint(3, 8) if radicular else rng.randint(0, 3),
            "nprs_leg_best_24h": rng.randint(0, 3),
            "nprs_leg_worst_24h": rng.randint(6, 10) if radicular else rng.randint(2, 5),
        },
        "history": {
            **{code: "no" for code, _ in HISTORY_QUESTIONS},
            "medications": "",
            "imaging": "no",
            "injections": "no",
            "surgery": "no",
        },
        "redflags": {code: "no" for code, _ in RED_FLAG_QUESTIONS},
        "startback": {
            **{f"sbst_{n}": agree(0.5) for n in range(1, 5)},
            **{f"sbst_{n}": agree(0.35) for n in range(5, 9)},
            "sbst_9": rng.choice(["slightly", "moderately", "very_much"]),
        },
        "psfs": {
            "activities": [
                {"id": f"a{n}", "name": name, "score": rng.randint(2, 7)}
                for n, name in enumerate(acts, 1)
            ]
        },
    }


def demo_results(
    answers: dict, *, date_of_birth: date, on: date, sex: str = "", language: str = "en"
) -> dict:
    # In Spanish the demo has no STarT Back pack (none ships): the screen was left out.
    unavailable = questionnaires.without_pack(questionnaires.shipped_packs(language))
    computed = results.compute(
        answers,
        date_of_birth=date_of_birth,
        sex=sex or None,
        on=on,
        odi_licensed=False,
        unavailable=unavailable if language != "en" else (),
        language=language,
    )
    return {
        "triage": {**computed.triage, "episode": computed.episode},
        "red_flag_level": computed.red_flag_level,
        "scores": computed.scores,
        "pattern": computed.pattern,
    }


# --- Records -------------------------------------------------------------------------------------
# The intake app's own demo records; dashboard's seed_demo decides who gets which.


def demo_intake(
    *,
    patient: Patient,
    started_by: User,
    started: datetime,
    answers: dict,
    submitted_after: timedelta | None,
    current_step: str = "",
    episode: Episode | None = None,
) -> Intake:
    """An intake started at `started`: submitted `submitted_after` later with its results
    computed from `answers`, or (None) still in progress at `current_step` with the
    answers given so far. In the patient's preferred language where the project has it
    (a Spanish-speaking patient answers in Spanish, without the STarT Back screen)."""
    language = patient_language(patient.preferred_language)
    if language != "en":
        answers = {k: v for k, v in answers.items() if k != "startback"}
    if submitted_after is not None:
        extra = demo_results(
            answers,
            date_of_birth=patient.date_of_birth,
            sex=patient.sex,
            on=started.date(),
            language=language,
        )
        return Intake.objects.create(
            patient=patient,
            episode=episode or demo_episode(patient=patient, on=started.date(), by=started_by),
            started_by=started_by,
            started_at=started,
            status=Intake.Status.SUBMITTED,
            submitted_at=started + submitted_after,
            answers=answers,
            language=language,
            **extra,
        )
    return Intake.objects.create(
        patient=patient,
        episode=episode or demo_episode(patient=patient, on=started.date(), by=started_by),
        started_by=started_by,
        started_at=started,
        status=Intake.Status.IN_PROGRESS,
        answers=answers,
        language=language,
        current_step=current_step,
    )


def demo_stopped_intake(intake: Intake, *, therapist: User) -> None:
    """Turn `intake` into one stopped by a cauda equina answer, already acknowledged by a
    therapist as a false positive, so the demo shows the whole path without an open alert
    covering every screen."""
    intake.status = Intake.Status.STOPPED
    intake.submitted_at = None
    intake.stopped_at = intake.started_at + timedelta(minutes=6)
    intake.answers = {k: intake.answers[k] for k in ("about", "consent", "where")}
    intake.answers["redflags"] = {"CES-3": "unsure"}
    intake.red_flag_level = Intake.RedFlagLevel.EMERGENCY
    intake.triage = {"level": "EMERGENCY", "items": ["CES-3"], "ces": True, "hits": []}
    intake.scores, intake.pattern = {}, {}
    intake.save()
    RedFlagAlert.objects.create(
        intake=intake,
        patient=intake.patient,
        level="EMERGENCY",
        ces=True,
        items=["CES-3"],
        summary="Possible cauda equina syndrome (CES-3)",
        raised_at=intake.stopped_at,
        acknowledged_at=intake.stopped_at + timedelta(minutes=3),
        acknowledged_by=therapist,
        outcome=RedFlagAlert.Outcome.FALSE_POSITIVE,
        action_note="Demo: patient meant long-standing frequency since prostate surgery "
        "in 2019; no new change, saddle sensation normal on questioning. Safety-netted.",
    )
