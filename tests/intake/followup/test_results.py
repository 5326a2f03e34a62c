"""The packet's results as pure functions of its answers and its baseline's: the triage
that combines the two, and the scores in the intake's shape."""

import datetime

import pytest

from intake.followup import results
from intake.questions import FOLLOW_UP_RED_FLAG_CODES
from tests.intake.followup.answers import baseline_answers

ON = datetime.date(2026, 12, 3)
YOUNG = datetime.date(1985, 4, 12)  # 41
OLD = datetime.date(1955, 1, 1)  # 71


def _packet(**flags) -> dict:
    return {"redflags": {**{c: "no" for c in FOLLOW_UP_RED_FLAG_CODES}, **flags}}


def _triage(packet, *, history=None, dob=YOUNG, mechanism="lift"):
    return results.run_triage(
        packet,
        baseline=baseline_answers(history=history, mechanism=mechanism),
        date_of_birth=dob,
        on=ON,
    )


def _rules(found) -> set[str]:
    return {h.rule for h in found.result.hits}


def test_a_history_of_cancer_and_a_leg_getting_weaker_now_is_an_emergency():
    found = _triage(_packet(**{"NEURO-PROGRESSIVE": "yes"}), history={"HX-CANCER": "yes"})
    assert found.result.level.name == "EMERGENCY"
    assert "mscc" in _rules(found)  # suspected spinal cord compression
    assert set(found.result.items) == {"HX-CANCER", "NEURO-PROGRESSIVE"}
    assert "HX-CANCER" in found.from_baseline
    assert found.reported == ("NEURO-PROGRESSIVE",)


def test_not_sure_about_a_weaker_leg_counts_as_yes():
    found = _triage(_packet(**{"NEURO-PROGRESSIVE": "unsure"}), history={"HX-CANCER": "yes"})
    assert found.result.level.name == "EMERGENCY"


def test_a_weaker_leg_without_a_history_of_cancer_is_urgent():
    found = _triage(_packet(**{"NEURO-PROGRESSIVE": "yes"}))
    assert found.result.level.name == "URGENT"
    assert _rules(found) == {"progressive-neurology"}


def test_the_first_visits_history_alone_raises_nothing_again():
    found = _triage(_packet(), history={"HX-CANCER": "yes", "HX-STEROIDS": "yes"}, dob=OLD)
    assert found.result.level.name == "NONE" and found.result.hits == ()
    # Kept for staff to read, not counted.
    assert {"cancer-history", "fracture-flags", "single-flag"} <= {
        h.rule for h in found.baseline_hits
    }
    assert found.as_dict()["level"] == "NONE"


def test_a_major_trauma_at_the_first_visit_is_not_raised_again():
    found = _triage(_packet(), mechanism="major_trauma")
    assert found.result.level.name == "NONE"
    assert [h.rule for h in found.baseline_hits] == ["major-trauma"]


def test_a_fever_now_with_drug_use_in_the_history_is_an_emergency():
    found = _triage(_packet(**{"SX-FEVER": "yes"}), history={"HX-IVDU": "yes"})
    assert found.result.level.name == "EMERGENCY"
    assert "infection-systemic" in _rules(found)


def test_belly_pain_now_at_71_is_urgent_by_the_age_of_today():
    found = _triage(_packet(**{"SX-ABDO-PAIN": "yes"}), dob=OLD)
    assert found.result.level.name == "URGENT" and "aaa-risk" in _rules(found)
    assert "AGE-OVER-60" in found.from_baseline


def test_any_cauda_equina_answer_is_an_emergency_and_ces():
    for code in ("CES-1", "CES-2", "CES-3", "CES-4", "CES-5", "CES-6"):
        found = _triage(_packet(**{code: "unsure"}))
        assert found.result.ces and found.result.level.name == "EMERGENCY", code
    assert not _triage(_packet()).result.ces


def test_the_stored_triage_says_how_it_was_combined():
    stored = _triage(_packet(), history={"HX-CANCER": "yes"}).as_dict()
    assert stored["combination_version"] == "followup-triage-1.0"
    assert "not yet approved by a clinician" in stored["combination_status"]
    assert stored["ruleset_version"] and stored["ruleset_status"]
    assert stored["baseline_hits"][0]["rule"] == "cancer-history"
    assert {"level", "items", "hits", "ces", "present", "reported", "from_baseline"} <= set(stored)


def test_the_patient_records_sex_and_age_today_are_counted():
    found = _triage(_packet(**{"SX-ABDO-PAIN": "yes"}), dob=OLD)
    assert "SEX-MALE" not in found.result.present
    male = results.run_triage(
        _packet(**{"SX-ABDO-PAIN": "yes"}),
        baseline=baseline_answers(),
        date_of_birth=OLD,
        sex="male",
        on=ON,
    )
    assert {"SEX-MALE", "AGE-OVER-65"} <= set(male.from_baseline)


def test_the_scores_have_the_intakes_shape_and_the_rating_of_change():
    answers = {
        "pain": {"nprs_back_now": 0, "nprs_leg_now": 10},
        "psfs": {"activities": [{"id": "a1", "name": "Gardening", "score": 4}]},
        "change": {"grc": -3},
    }
    scores = results.scores(answers, licensed=set())
    assert scores["nprs"]["back"]["now"] == 0 and scores["nprs"]["leg"]["now"] == 10
    assert scores["nprs"]["leg"]["now_band"]["code"] == "severe"
    assert scores["nprs"]["complete"] is False  # the 24-hour ratings were not asked
    assert scores["psfs"]["mean"] == 4.0 and scores["psfs"]["activities"][0]["name"] == "Gardening"
    assert scores["odi"] == {"status": "not_licensed", "instrument": "odi_v2_1a"}
    assert scores["grc"] == {"value": -3, "label": "Much worse", "algorithm_version": "grc-1.0"}
    assert "startback" not in scores  # not asked again


def test_a_licensed_odi_is_scored_as_the_intakes():
    sections = {f"odi_{n}": 2 for n in range(1, 11)}
    scores = results.scores(
        {"odi": {"sections": sections, "choices": {}, "pack_version": "t"}},
        licensed={"odi_v2_1a"},
    )
    assert scores["odi"]["percentage"] == 40.0


def test_compute_returns_the_level_and_the_versions():
    found = results.compute(
        {**_packet(**{"SX-FEVER": "yes"}), "change": {"grc": 0}},
        baseline=baseline_answers(),
        date_of_birth=YOUNG,
        on=ON,
        licensed=(),
    )
    assert found.red_flag_level == "URGENT" and not found.ces
    assert found.algorithm_version == "followup-results-1.0"
    assert found.scores["grc"]["label"] == "About the same"


@pytest.mark.parametrize("bad", ["yes", 4, "x"])
def test_unknown_red_flag_answers_and_codes_are_ignored(bad):
    found = results.run_triage(
        {"redflags": {"NOT-A-CODE": "yes", "CES-3": bad}},
        baseline={},
        date_of_birth=None,
        on=ON,
    )
    assert found.result.ces is (bad == "yes")
