"""Synthetic intake answers for demo data and benchmarks. Never real patients."""

import random
from datetime import date, timedelta

from intake import results
from intake.questions import HISTORY_QUESTIONS, RED_FLAG_QUESTIONS

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


def demo_results(answers: dict, *, date_of_birth: date, on: date) -> dict:
    computed = results.compute(answers, date_of_birth=date_of_birth, on=on, odi_licensed=False)
    return {
        "triage": {**computed.triage, "episode": computed.episode},
        "red_flag_level": computed.red_flag_level,
        "scores": computed.scores,
        "pattern": computed.pattern,
    }
