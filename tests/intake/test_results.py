"""intake/results.py: from stored answers to triage, scores and the pattern, with
worked examples from clinical.md."""

from datetime import date

import pytest

from intake import results

TODAY = date(2026, 11, 21)


def _compute(answers, dob=date(1985, 4, 12), odi=False):
    return results.compute(answers, date_of_birth=dob, on=TODAY, odi_licensed=odi)


def test_no_answers_raise_no_flag():
    computed = _compute({})
    assert computed.red_flag_level == "NONE" and not computed.ces


def test_unsure_on_a_cauda_equina_question_counts_as_yes():
    computed = _compute({"redflags": {"CES-4": "unsure"}})
    assert computed.ces and computed.red_flag_level == "EMERGENCY"
    assert list(computed.triage["items"]) == ["CES-4"]


def test_both_legs_on_the_body_chart_is_a_cauda_equina_item():
    chart = {"thigh_back_l": ["pain"], "calf_shin_r": ["pain"]}
    computed = _compute({"where": {"chart": chart}})
    assert computed.ces and "CES-1" in computed.triage["present"]


def test_a_serious_accident_is_an_emergency_and_a_minor_fall_at_70_is_urgent():
    assert _compute({"when": {"mechanism": "major_trauma"}}).red_flag_level == "EMERGENCY"
    minor = _compute({"when": {"mechanism": "minor_trauma"}}, dob=date(1956, 1, 1))
    assert minor.red_flag_level == "URGENT"  # fragility fracture: minor trauma over 65
    assert {"HX-MINOR-TRAUMA", "AGE-OVER-65"} <= set(minor.triage["items"])


def test_cancer_history_with_new_leg_weakness_is_an_emergency():
    answers = {"history": {"HX-CANCER": "yes"}, "feels": {"weakness": "yes"}}
    computed = _compute(answers)
    assert computed.red_flag_level == "EMERGENCY"
    assert computed.triage["hits"][0]["rule"] == "mscc"


def test_constant_night_pain_with_fever_is_urgent_infection_risk():
    answers = {"when": {"night_pain": "constant"}, "redflags": {"SX-FEVER": "yes"}}
    assert _compute(answers).red_flag_level == "URGENT"


@pytest.mark.parametrize(
    "days, phase",
    [(0, "acute"), (41, "acute"), (42, "subacute"), (90, "subacute"), (91, "chronic")],
)
def test_episode_phase_boundaries(days, phase):
    from datetime import timedelta

    assert results.episode(TODAY - timedelta(days=days), TODAY)["phase"] == phase


def test_scores_carry_their_algorithm_versions_and_the_odi_says_when_not_licensed():
    answers = {
        "pain": {"nprs_back_now": 3, "nprs_leg_now": 7},
        "startback": {f"sbst_{n}": "agree" for n in range(1, 5)}
        | {f"sbst_{n}": "disagree" for n in range(5, 9)}
        | {"sbst_9": "not_at_all"},
        "psfs": {"activities": [{"id": "a1", "name": "Walking", "score": 4}]},
    }
    scores = _compute(answers).scores
    assert scores["nprs"]["algorithm_version"] == "nprs-1.0"
    assert scores["nprs"]["leg"]["now"] == 7 and not scores["nprs"]["complete"]
    assert scores["startback"]["risk_group"] == "medium"  # total 4, distress 0
    assert scores["psfs"]["mean"] == 4.0 and scores["psfs"]["activities"][0]["name"] == "Walking"
    assert scores["odi"]["status"] == "not_licensed"


def test_odi_with_one_missing_section_is_prorated():
    sections = {f"odi_{n}": 2 for n in range(1, 10)} | {"odi_10": None}
    odi = _compute({"odi": {"sections": sections}}, odi=True).scores["odi"]
    assert odi["status"] == "prorated" and odi["percentage"] == 40.0


def test_the_pattern_is_radicular_from_the_keele_features():
    answers = {
        "where": {"chart": {"calf_shin_l": ["pain", "numbness"]}},
        "feels": {"leg_vs_back": "leg_worse", "follows_path": "path", "worse_on_cough": "yes"},
    }
    pattern = _compute(answers).pattern
    assert pattern["pattern"] == "radicular"
    assert pattern["algorithm_version"] == "pattern-1.0"
    assert "Leg worse than back" in pattern["radicular_features"]


def test_the_pattern_leans_somatic_when_symptoms_stay_above_the_knee():
    answers = {
        "where": {"chart": {"thigh_back_l": ["pain"], "low_back_c": ["pain"]}},
        "feels": {"leg_vs_back": "back_worse", "follows_path": "moves", "qualities": ["dull_ache"]},
    }
    assert _compute(answers).pattern["pattern"] == "somatic_referred"
