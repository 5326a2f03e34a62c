"""A fault in a screen's form never hides a cauda equina answer (issue 16, 8b).

The screens that can show cauda equina (the body chart and the red-flag questions) are
triaged on every save. What is checked is read from the values the tablet posted, not
from the form's `answers()`: if that code is broken, a CES answer still stops the intake
and raises the alert, the fault is logged, and without a CES answer the fault is a 500
that is logged, never a save that quietly triaged nothing.
"""

import logging
from datetime import date

import pytest
from django.urls import reverse
from django.utils.datastructures import MultiValueDict
from hypothesis import given, settings
from hypothesis import strategies as st

from intake import ces_check
from intake.bodychart import REGIONS, SENSATIONS
from intake.forms import RedFlagsForm, StepContext, WhereForm
from intake.models import Intake, RedFlagAlert
from intake.questions import RED_FLAG_QUESTIONS
from intake.steps import all_steps
from patients.models import Patient
from tests.factories import hand_over_tablet
from tests.intake.answers import HAPPY

BEFORE_WHERE = ["about", "consent"]
BEFORE_REDFLAGS = ["about", "consent", "where", "feels", "when", "pain", "history"]


@pytest.fixture
def kiosk(db, front_desk_client, front_desk, patient):
    Patient.objects.filter(pk=patient.pk).update(date_of_birth=date(1985, 4, 12))
    front_desk_client.post(reverse("intake:start", args=[patient.public_id]))
    intake = Intake.objects.get(patient=patient)
    hand_over_tablet(front_desk_client, intake=intake, by=front_desk)
    front_desk_client.intake = intake
    return front_desk_client


def _fill(client, steps):
    for step in steps:
        response = client.post(reverse("kiosk:step", args=[step]), {**HAPPY[step], "nav": "next"})
        assert response.status_code == 302, step


@pytest.fixture
def broken_answers(monkeypatch):
    """Make a screen's answers() fail the way a slip in its code would."""

    def breaks(form_class, exc: Exception | None = None):
        def answers(self):
            raise exc or KeyError("chart")

        monkeypatch.setattr(form_class, "answers", answers)

    return breaks


def _stopped(client) -> Intake:
    intake = Intake.objects.get(pk=client.intake.pk)
    assert intake.status == Intake.Status.STOPPED
    assert intake.red_flag_level == "EMERGENCY"
    assert RedFlagAlert.objects.get(intake=intake).ces
    return intake


REDFLAGS_ALL_NO = {code: "no" for code in HAPPY["redflags"]}


def _faults(caplog, exc_type) -> list[logging.LogRecord]:
    return [
        r
        for r in caplog.records
        if r.levelno >= logging.ERROR and r.exc_info and r.exc_info[0] is exc_type
    ]


@pytest.mark.parametrize("exc", [KeyError("CES-3"), AttributeError("x"), TypeError("y")])
def test_a_half_answered_red_flag_screen_with_a_broken_form_still_stops_on_ces(
    kiosk, broken_answers, exc
):
    """The autosave of the first tap: the screen is not complete yet, which is where the
    old code triaged {} when answers() raised."""
    _fill(kiosk, BEFORE_REDFLAGS)
    broken_answers(RedFlagsForm, exc)
    response = kiosk.post(reverse("kiosk:autosave", args=["redflags"]), {"CES-3": "yes"})
    assert response["HX-Redirect"] == reverse("kiosk:stop")
    assert "CES-3" in _stopped(kiosk).triage["present"]


def test_a_complete_red_flag_screen_with_a_broken_form_stops_on_ces_and_logs_the_fault(
    kiosk, broken_answers, caplog
):
    """The safest answer for the patient at the tablet is the stop screen (staff come at
    once), not an error page; the fault is logged as an error with its traceback."""
    _fill(kiosk, BEFORE_REDFLAGS)
    broken_answers(RedFlagsForm)
    with caplog.at_level(logging.ERROR):
        response = kiosk.post(
            reverse("kiosk:step", args=["redflags"]),
            {**REDFLAGS_ALL_NO, "CES-2": "unsure", "nav": "next"},
        )
    assert response.url == reverse("kiosk:stop")
    assert "CES-2" in _stopped(kiosk).triage["present"]
    assert _faults(caplog, KeyError)


def test_a_broken_body_chart_form_still_stops_on_both_legs(kiosk, broken_answers, caplog):
    _fill(kiosk, BEFORE_WHERE)
    broken_answers(WhereForm)
    with caplog.at_level(logging.ERROR):
        response = kiosk.post(
            reverse("kiosk:autosave", args=["where"]),
            {"chart_calf_shin_l": ["pain"], "chart_calf_shin_r": ["pain"]},
        )
    assert response["HX-Redirect"] == reverse("kiosk:stop")
    _stopped(kiosk)
    assert _faults(caplog, KeyError)


@pytest.mark.parametrize("view", ["kiosk:autosave", "kiosk:step"])
def test_a_broken_form_without_a_ces_answer_fails_loudly(kiosk, broken_answers, view):
    """No CES answer: nothing to stop for, and the fault is an error (a 500, logged by
    Django), not a quiet save. What the patient typed is kept as the screen's draft."""
    _fill(kiosk, BEFORE_REDFLAGS)
    broken_answers(RedFlagsForm)
    with pytest.raises(KeyError):
        kiosk.post(reverse(view, args=["redflags"]), {**REDFLAGS_ALL_NO, "nav": "next"})
    intake = Intake.objects.get(pk=kiosk.intake.pk)
    assert intake.status == Intake.Status.IN_PROGRESS
    assert "redflags" not in intake.answers
    assert intake.drafts["redflags"]["SX-FEVER"] == ["no"]


@pytest.mark.parametrize(
    "step, data",
    [
        ("redflags", {"CES-3": "maybe"}),  # not one of the screen's choices
        ("where", {"chart_saddle": ["numbness", "tickles"]}),  # the box refuses the region
    ],
)
def test_the_check_is_as_strict_as_the_screen_and_no_looser(kiosk, step, data):
    """A value the screen itself would refuse is not an answer to the check either."""
    _fill(kiosk, BEFORE_REDFLAGS if step == "redflags" else BEFORE_WHERE)
    response = kiosk.post(reverse("kiosk:autosave", args=[step]), data)
    assert response.status_code == 200
    assert Intake.objects.get(pk=kiosk.intake.pk).status == Intake.Status.IN_PROGRESS


# --- The check reads a screen as its form would -------------------------------------------

_VALUES = st.lists(st.sampled_from(["yes", "no", "unsure", "maybe", ""]), max_size=2)
_FELT = st.lists(st.sampled_from([*SENSATIONS, "tickles"]), max_size=3)


def _posted(draw_map) -> MultiValueDict:
    return MultiValueDict({name: list(values) for name, values in draw_map.items()})


@settings(max_examples=150, deadline=None)
@given(st.dictionaries(st.sampled_from([code for code, _ in RED_FLAG_QUESTIONS]), _VALUES))
def test_the_red_flag_answers_checked_are_those_the_form_accepts(posted):
    data = _posted(posted)
    form = RedFlagsForm(data, context=StepContext(patient=Patient()))
    form.is_valid()
    assert ces_check.submitted_answers("redflags", data) == form.answers()


@settings(max_examples=150, deadline=None)
@given(st.dictionaries(st.sampled_from([f"chart_{r.code}" for r in REGIONS]), _FELT))
def test_the_body_chart_checked_is_the_one_the_form_accepts(posted):
    data = _posted(posted)
    form = WhereForm(data, context=StepContext(patient=Patient()))
    form.is_valid()
    assert ces_check.submitted_answers("where", data) == form.answers()


def test_every_screen_that_checks_for_ces_has_a_reader():
    assert {s.key for s in all_steps() if s.checks_ces} == ces_check.SCREENS
