"""Triage against the spec's default actions (clinical.md 2.1a-2.7)."""

import copy
import json
from datetime import date

import pytest

from intake.triage import (
    RULES_PATH,
    Level,
    RulesetError,
    age_items,
    default_ruleset,
    parse_ruleset,
    triage,
)

NO = "no"
YES = "yes"
UNSURE = "unsure"


@pytest.mark.parametrize("item", ["CES-1", "CES-2", "CES-3", "CES-4", "CES-5", "CES-6"])
def test_any_single_cauda_equina_item_is_an_emergency_that_stops_intake(item):
    result = triage({item: YES})
    assert result.level is Level.EMERGENCY
    assert result.ces and result.stops_intake
    assert result.items == (item,)
    assert result.hits[0].rule == "ces"


def test_unsure_on_a_cauda_equina_item_counts_as_yes():
    result = triage({"CES-3": UNSURE, "CES-2": NO})
    assert result.level is Level.EMERGENCY
    assert result.items == ("CES-3",)


def test_all_no_is_none():
    result = triage({"CES-1": NO, "CES-2": NO, "HX-CANCER": NO})
    assert result.level is Level.NONE
    assert result.items == () and result.hits == ()
    assert not result.ces


def test_cancer_history_alone_is_urgent():
    assert triage({"HX-CANCER": YES}).level is Level.URGENT


def test_cancer_history_with_new_neurology_is_an_emergency_but_not_ces():
    result = triage({"HX-CANCER": YES}, derived={"SX-NEURO"})
    assert result.level is Level.EMERGENCY
    assert result.items == ("HX-CANCER", "SX-NEURO")
    assert not result.ces


def test_two_malignancy_flags_are_urgent_and_one_is_monitor():
    assert triage({"HX-WEIGHT-LOSS": YES}, derived={"AGE-OVER-50"}).level is Level.URGENT
    assert triage({"HX-WEIGHT-LOSS": YES}).level is Level.MONITOR
    assert triage({}, derived={"AGE-OVER-50"}).level is Level.MONITOR


def test_fever_with_an_infection_risk_factor_is_an_emergency():
    assert triage({"SX-FEVER": YES, "HX-IVDU": YES}).level is Level.EMERGENCY
    assert triage({"SX-FEVER": YES}).level is Level.URGENT


def test_infection_risk_with_night_pain_is_urgent():
    result = triage({"HX-IMMUNOSUPPRESSION": YES, "SX-NIGHT-PAIN": YES})
    assert result.level is Level.URGENT
    assert "infection" in [h.rule for h in result.hits]


def test_major_trauma_is_an_emergency_and_minor_trauma_in_older_age_is_urgent():
    assert triage({"HX-MAJOR-TRAUMA": YES}).level is Level.EMERGENCY
    assert triage({"HX-MINOR-TRAUMA": YES}, derived={"AGE-OVER-65"}).level is Level.URGENT
    assert triage({"HX-MINOR-TRAUMA": YES}).level is Level.MONITOR


def test_progressive_one_sided_weakness_is_urgent():
    assert triage({"NEURO-PROGRESSIVE": YES}).level is Level.URGENT


def test_abdominal_pain_with_faintness_is_an_emergency():
    assert triage({"SX-ABDO-PAIN": YES, "SX-FAINT": YES}).level is Level.EMERGENCY
    assert triage({"SX-ABDO-PAIN": YES}, derived={"AGE-OVER-60"}).level is Level.URGENT


def test_the_highest_level_wins_and_names_only_its_items():
    result = triage({"CES-2": YES, "HX-CANCER": YES, "HX-DIABETES": YES})
    assert result.level is Level.EMERGENCY
    assert result.items == ("CES-2",)
    assert result.hits[0].level == "EMERGENCY"
    assert {h.rule for h in result.hits} >= {"ces", "cancer-history", "single-flag"}


def test_the_result_carries_the_ruleset_version_and_its_approval_status():
    result = triage({})
    assert result.ruleset_version == default_ruleset().version
    assert "not yet approved by a clinician" in result.ruleset_status
    assert result.as_dict()["level"] == "NONE"


def test_age_items_turn_on_strictly_over_each_age():
    assert age_items(date(1976, 5, 1), date(2026, 5, 1)) == set()  # exactly 50
    assert age_items(date(1975, 5, 1), date(2026, 5, 1)) == {"AGE-OVER-50"}  # 51
    assert age_items(date(1950, 1, 1), date(2026, 5, 1)) == {
        "AGE-OVER-50",
        "AGE-OVER-60",
        "AGE-OVER-65",
    }


def _rules():
    return json.loads(RULES_PATH.read_text())


@pytest.mark.parametrize(
    "weaken",
    [
        lambda d: d["rules"].remove(next(r for r in d["rules"] if r["id"] == "ces")),
        lambda d: next(r for r in d["rules"] if r["id"] == "ces").update(level="URGENT"),
        lambda d: next(r for r in d["rules"] if r["id"] == "ces")["any_of"].remove("CES-6"),
        lambda d: next(r for r in d["rules"] if r["id"] == "ces").update(locked=False),
        lambda d: next(r for r in d["rules"] if r["id"] == "ces").update(
            at_least=2, of=["CES-1", "CES-2"]
        ),
    ],
)
def test_a_ruleset_that_weakens_the_cauda_equina_rule_is_refused(weaken):
    data = copy.deepcopy(_rules())
    weaken(data)
    with pytest.raises(RulesetError):
        parse_ruleset(data)


def test_a_rule_naming_an_unknown_item_is_refused():
    data = copy.deepcopy(_rules())
    data["rules"][1]["all_of"] = ["NOT-AN-ITEM"]
    with pytest.raises(RulesetError, match="unknown items"):
        parse_ruleset(data)
