"""The plan's goals as the therapist enters them: a measure, at most or at least a number on
its scale, the words as a note and a date. Bad input gets a message beside its field and
is kept as typed (a draft), never dropped."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from evaluations import records
from evaluations.forms import SectionContext, build
from tests.evaluations.helpers import PLAN, post_section

TODAY = date(2026, 11, 21)
LATER = (TODAY + timedelta(days=42)).isoformat()


def _plan(*, later: str = LATER, **goal) -> dict:
    data = {**PLAN, "goal_1_by": later, "reeval_date": later}
    data.update({f"goal_1_{k}": v for k, v in goal.items()})
    return data


def _form(**goal):
    form = build("plan", SectionContext(kind="initial", today=TODAY), data=_plan(**goal))
    form.is_valid()
    return form


def test_a_structured_goal_is_stored_with_its_words_as_a_note():
    form = _form(comparator="at_most", value="3", target="Leg pain 3/10 after walking")
    assert form.is_valid(), form.errors
    content = form.content()
    assert content["schema"] == records.CURRENT["plan"] == 3
    assert content["goals"] == [
        {
            "measure": "leg_pain",
            "comparator": "at_most",
            "value": 3,
            "target": "Leg pain 3/10 after walking",
            "by": LATER,
            "outcome": "",
        }
    ]


def test_the_number_alone_is_a_target_and_the_words_alone_are_too():
    assert _form(comparator="at_least", value="7.5", measure="psfs", target="").is_valid()
    words_only = _form(comparator="", value="", target="Leg pain 3/10 or less")
    assert words_only.is_valid()
    assert words_only.content()["goals"][0]["comparator"] == ""
    assert words_only.content()["goals"][0]["value"] is None


@pytest.mark.parametrize(
    ("goal", "field", "message"),
    [
        ({"comparator": "at_most", "value": ""}, "value", "Give the score to reach."),
        ({"comparator": "", "value": "3"}, "comparator", "at most or at least"),
        ({"comparator": "at_most", "value": "11"}, "value", "Enter a score from 0 to 10."),
        (
            {"comparator": "at_most", "value": "120", "measure": "odi"},
            "value",
            "Enter a score from 0 to 100.",
        ),
        ({"comparator": "at_most", "value": "abc"}, "value", "Enter a number."),
        ({"comparator": "at_most", "value": "NaN"}, "value", "Enter a number."),
        ({"comparator": "at_most", "value": "3.123"}, "value", "two decimal places"),
        (
            {"comparator": "at_least", "value": "30", "measure": "walking"},
            "value",
            "no score to compare",
        ),
        ({"comparator": "sideways", "value": "3"}, "comparator", "Choose one of the list."),
        ({"target": "", "comparator": "", "value": ""}, "target", "Say what the target is."),
    ],
)
def test_bad_goal_input_gets_a_message_beside_its_field(goal, field, message):
    form = _form(**goal)
    assert not form.is_valid()
    assert message in " ".join(form.errors.get(f"goal_1_{field}", [])), form.errors


@pytest.mark.django_db
def test_a_refused_goal_is_kept_as_typed(therapist_client, evaluation):
    response = post_section(
        therapist_client,
        evaluation,
        "plan",
        {
            **_plan(later=(timezone.localdate() + timedelta(days=42)).isoformat(), value="11"),
            "goal_1_comparator": "at_most",
            "autosave": "0",
        },
    )
    assert response.status_code == 200
    assert "Enter a score from 0 to 10." in response.content.decode()
    evaluation.refresh_from_db()
    assert "plan" not in evaluation.content
    assert evaluation.drafts["plan"]["goal_1_value"] == ["11"]
    assert evaluation.drafts["plan"]["goal_1_comparator"] == ["at_most"]


@pytest.mark.django_db
def test_a_goal_stored_in_words_opens_with_its_number_read_from_them(evaluation):
    stored = {"goals": [{"measure": "leg_pain", "target": "Pain 2/10 or less", "by": LATER}]}
    form = build("plan", SectionContext(kind="initial", today=TODAY), stored=stored)
    assert form["goal_1_comparator"].value() == "at_most"
    assert form["goal_1_value"].value() == "2"
    assert form["goal_1_target"].value() == "Pain 2/10 or less"
