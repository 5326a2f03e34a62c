"""Goals are structured (measure, at most / at least, a number, a date) and whether one is
met is a pure function of them and the latest score. Goals written before held only words;
those are read strictly: comparator words as whole words ("over" is not in
"recovering"), one number on the scale, and anything unclear is not judged."""

from datetime import date, timedelta

import pytest

from evaluations import goals, progress, records
from evaluations.goals import AT_LEAST, AT_MOST, Target, goal_status, read_wording
from evaluations.progress import Point, measure_progress

ON = date(2026, 11, 21)


def _measures(code: str, latest: float | None) -> dict:
    if latest is None:
        return {}
    point = Point(on=ON, value=latest, label="Re-evaluation", source="evaluation")
    return {code: measure_progress(code, [point])}


@pytest.mark.parametrize(
    ("target", "code", "latest", "status"),
    [
        # The safety bug: "recovering" holds "over", once read as "3 or more".
        ("leg pain 3/10 when recovering", "leg_pain", 2, "met"),
        ("leg pain 3/10 when recovering", "leg_pain", 4, "not_met"),
        ("Pain 2/10 or less on most days", "leg_pain", 2, "met"),
        ("Pain 2/10 or less on most days", "leg_pain", 3, "not_met"),
        ("PSFS average 7/10 or more", "psfs", 7.5, "met"),
        ("ODI under 20%", "odi", 24, "not_met"),
        ("Leg pain 3", "leg_pain", 2, "met"),  # no words: the measure's better direction
        ("No more than 3/10", "back_pain", 3, "met"),
        ("Between 2 and 4", "leg_pain", 3, "not_judged"),
        ("Pain under 3 over the whole day", "leg_pain", 2, "not_judged"),  # both ways
        ("Never over 3/10", "leg_pain", 2, "not_judged"),  # a negation not understood
        ("Pain 12 or less", "leg_pain", 2, "not_judged"),  # off the scale
        ("Walk 30 minutes", "walking", None, "not_judged"),
    ],
)
def test_a_goal_written_in_words_is_read_strictly(target, code, latest, status):
    goal = {"code": code, "target": target, "by": ON - timedelta(days=1)}
    assert goal_status(goal, _measures(code, latest), on=ON)["status"] == status


def test_the_recovering_case_is_read_as_at_most_not_at_least():
    assert read_wording("leg pain 3/10 when recovering", progress.MEASURES["leg_pain"]) == Target(
        AT_MOST, 3.0
    )
    assert read_wording("over 6/10", progress.MEASURES["psfs"]) == Target(AT_LEAST, 6.0)
    assert read_wording("Pain <3", progress.MEASURES["leg_pain"]) == Target(AT_MOST, 3.0)


@pytest.mark.parametrize(
    ("comparator", "value", "latest", "final", "status"),
    [
        (AT_MOST, 3, 3, False, "met"),
        (AT_MOST, 3, 4, False, "not_yet"),
        (AT_MOST, 3, 4, True, "not_met"),
        (AT_LEAST, 7, 6.5, False, "not_yet"),
        (AT_LEAST, 7, 7, False, "met"),
        ("", None, 2, False, "not_judged"),
    ],
)
def test_a_structured_goal_is_judged_on_its_number_only(comparator, value, latest, final, status):
    code = "psfs" if comparator == AT_LEAST else "leg_pain"
    goal = {
        "measure": code,
        "comparator": comparator,
        "value": value,
        # The words never decide a structured goal, even when they say otherwise.
        "target": "over 9, when recovering",
        "by": (ON + timedelta(days=14)).isoformat(),
    }
    result = goal_status(goal, _measures(code, latest), on=ON, final=final)
    assert result["status"] == status
    assert set(result) == {"status", "text"}


def test_the_texts_say_what_was_read():
    measures = _measures("leg_pain", 4)
    due = {"measure": "leg_pain", "comparator": AT_MOST, "value": 3, "by": "2026-12-19"}
    assert goal_status(due, measures, on=ON)["text"].startswith("Not yet met, due 19 Dec 2026")
    unset = {"measure": "leg_pain", "comparator": "", "value": None, "target": "less pain"}
    assert goal_status(unset, measures, on=ON)["text"].startswith("Not judged: no target score")
    none = goal_status({"code": "odi", "target": "ODI under 20"}, measures, on=ON)
    assert none == {"status": "not_judged", "text": "Not judged: no score recorded for this goal"}


def test_a_plan_record_of_version_1_is_upgraded_when_read_and_left_as_stored():
    stored = {
        "goals": [
            {"measure": "leg_pain", "target": "leg pain 3/10 when recovering", "by": "2027-01-01"},
            {"measure": "psfs", "target": "Between 6 and 8", "by": "2027-01-01"},
            {"measure": "walking", "target": "Walk 30 minutes", "by": "2027-01-01"},
        ],
        "items": [],
    }
    read = records.read("plan", stored)
    assert read["schema"] == 3
    assert [(g["comparator"], g["value"]) for g in read["goals"]] == [
        (AT_MOST, 3),
        ("", None),
        ("", None),
    ]
    assert [g["target"] for g in read["goals"]] == [g["target"] for g in stored["goals"]]
    assert "schema" not in stored and "comparator" not in stored["goals"][0]
    # Reading again changes nothing.
    assert records.read("plan", read) == read


@pytest.mark.parametrize(
    ("measure", "comparator", "value", "errors"),
    [
        ("leg_pain", AT_MOST, 3.0, set()),
        ("leg_pain", "", None, set()),
        ("leg_pain", AT_MOST, None, {"value"}),
        ("leg_pain", "", 3.0, {"comparator"}),
        ("leg_pain", AT_MOST, 11.0, {"value"}),
        ("odi", AT_MOST, 40.0, set()),
        ("walking", AT_LEAST, 30.0, {"value"}),
    ],
)
def test_a_goal_target_is_checked_in_words(measure, comparator, value, errors):
    assert set(goals.check_target(measure, comparator, value)) == errors
