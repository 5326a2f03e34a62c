"""Synthetic follow-up packet answers, and the first-visit answers a packet reads, as the
phone posts and the database stores them (for the tests and bench/intake.py)."""

import datetime

from intake.questions import FOLLOW_UP_RED_FLAG_CODES, HISTORY_QUESTIONS

# 41 on the tests' dates: age raises no red flag unless a test asks for it.
DOB = datetime.date(1985, 4, 12)
CLINIC_PHONE = "+44 20 7946 0000"
EMERGENCY = "999"

ACTIVITIES = [
    {"id": "a1", "name": "Sitting at work", "score": 3},
    {"id": "a2", "name": "Walking the dog", "score": 5},
    {"id": "a3", "name": "Putting on socks", "score": 4},
]


def baseline_answers(*, history=None, activities=ACTIVITIES, mechanism="lift") -> dict:
    """A first-visit intake's stored answers, as far as a packet reads them."""
    answers = {
        "history": {
            **{code: "no" for code, _ in HISTORY_QUESTIONS},
            **(history or {}),
            "medications": "",
            "imaging": "no",
            "injections": "no",
            "surgery": "no",
        },
        "when": {"onset_date": "2026-10-01", "mechanism": mechanism, "night_pain": "wakes"},
        "pain": {"nprs_back_now": 5, "nprs_leg_now": 7},
    }
    if activities:
        answers["psfs"] = {"activities": [dict(a) for a in activities]}
    return answers


# What the phone posts on each packet screen, all fine.
POSTS: dict[str, dict] = {
    "pain": {"nprs_back_now": "2", "nprs_leg_now": "4"},
    "psfs": {"score_a1": "6", "score_a2": "7", "score_a3": "5"},
    "change": {"grc": "2"},
    "redflags": {code: "no" for code in FOLLOW_UP_RED_FLAG_CODES},
}
