"""The plan-of-care catalog and its validator (clinical.md §1.5).

Pure functions: none of these tests touch the database.
"""

import json
import re

import pytest

from evaluations.plan_catalog import (
    BY_CODE,
    CATALOG,
    CATALOG_STATUS,
    CATALOG_VERSION,
    FAMILIES,
    Kind,
    describe_item,
    interventions,
    validate_item,
)
from intake.scoring.common import Verification

SNAKE = re.compile(r"[a-z][a-z0-9]*(?:_[a-z0-9]+)*", re.ASCII)

# A valid form for each item, as an HTML form would post it.
VALID = {
    "neural_mobilisation": {
        "technique": "slider",
        "nerve": "sciatic",
        "position": "supine_slr",
        "sets": "3",
        "reps": "10",
        "side": "left",
    },
    "joint_mobilisation": {
        "grade": "grade_iii",
        "level": "l4_l5",
        "technique": "central_pa",
        "sets": "3",
        "seconds": "30",
    },
    "manipulation": {
        "level": "l5_s1",
        "technique": "side_lying_rotation",
        "side": "right",
        "screened": "on",
    },
    "soft_tissue_mobilisation": {"region": "gluteals", "minutes": "10", "side": "both"},
    "directional_preference": {
        "direction": "extension",
        "position": "lying_prone",
        "reps": "10",
        "times_per_day": "6",
    },
    "strengthening": {"target": "hip", "sets": "3", "reps": "12", "load": "red band"},
    "endurance": {"target": "lateral_trunk", "hold_seconds": "20", "sets": "3", "reps": "5"},
    "motor_control": {
        "target": "transversus_abdominis",
        "position": "crook_lying",
        "sets": "2",
        "reps": "10",
        "hold_seconds": "10",
    },
    "flexibility": {"muscle_group": "hip_flexors", "hold_seconds": "30", "sets": "3"},
    "aerobic": {
        "mode": "walking",
        "minutes": "30",
        "sessions_per_week": "5",
        "rpe": "4",
        "talk_test": "can_talk",
    },
    "aquatic_exercise": {
        "pool_temperature": "33.5",
        "depth": "chest",
        "exercises": "Walking forwards and backwards, knee lifts",
        "minutes": "30",
        "contraindications": ["none"],
    },
}
EDUCATION = {"format": "written_handout", "delivered": "on", "understood": "true", "notes": "ok"}
for _item in interventions("education"):
    VALID[_item.code] = EDUCATION


# --- The catalog --------------------------------------------------------------------------------


def test_it_is_versioned_and_says_it_is_not_yet_clinician_approved():
    assert CATALOG_VERSION == "plan-catalog-2026.11-1"
    assert CATALOG_STATUS == "Product default, not yet approved by a clinician"


@pytest.mark.parametrize("family", [code for code, _ in FAMILIES])
def test_every_family_has_at_least_one_item(family):
    assert interventions(family)


def test_every_item_belongs_to_a_known_family_and_codes_are_unique():
    families = {code for code, _ in FAMILIES}
    assert all(item.family in families for item in CATALOG)
    assert len(BY_CODE) == len(CATALOG)
    assert {item.code for item in CATALOG} == set(BY_CODE)


def test_an_unknown_family_has_no_items():
    assert interventions("surgery") == ()


def test_every_choice_param_has_unique_snake_case_choices_with_labels():
    for item in CATALOG:
        assert SNAKE.fullmatch(item.code)
        names = [p.name for p in item.params]
        assert len(names) == len(set(names)), item.code
        for param in item.params:
            assert SNAKE.fullmatch(param.name)
            if param.kind in (Kind.CHOICE, Kind.MULTI):
                codes = [code for code, _ in param.choices]
                assert codes, (item.code, param.name)
                assert len(codes) == len(set(codes)), (item.code, param.name)
                assert all(SNAKE.fullmatch(code) for code in codes), (item.code, param.name)
                assert all(label.strip() for _, label in param.choices)
            else:
                assert not param.choices
            if param.kind in (Kind.INT, Kind.DECIMAL):
                assert param.min is not None and param.max is not None
                assert param.min < param.max


def test_the_catalog_is_json_ready():
    json.dumps([item.as_dict() for item in CATALOG])


def test_every_item_has_a_valid_example_in_these_tests():
    assert set(VALID) == set(BY_CODE)


def test_cpg_links_copy_the_spec_verbs_and_verification_markers():
    assert BY_CODE["joint_mobilisation"].cpg.verb == "should"
    assert BY_CODE["joint_mobilisation"].cpg.grade == "A"
    assert BY_CODE["manipulation"].cpg.verification is Verification.VERIFIED
    assert BY_CODE["aquatic_exercise"].cpg.verb == "should"
    assert "aquatic" in BY_CODE["aquatic_exercise"].cpg.text
    assert BY_CODE["motor_control"].cpg.category == "Chronic LBP with leg pain - exercise"
    assert BY_CODE["motor_control"].cpg.verb == "may"
    assert BY_CODE["motor_control"].cpg.verification is Verification.VERIFIED
    assert BY_CODE["soft_tissue_mobilisation"].cpg.verification is Verification.PARTLY_VERIFIED
    for code in ("neural_mobilisation", "pain_neuroscience"):
        link = BY_CODE[code].cpg
        assert link.verification is Verification.UNVERIFIED
        assert (link.verb, link.grade) == ("", "")


def test_it_links_no_cpg_row_where_the_spec_gives_none():
    assert BY_CODE["flexibility"].cpg is None
    assert BY_CODE["warning_signs"].cpg is None


def test_grades_follow_the_verb_mapping():
    mapping = {"should": "A", "may": "B", "can": "C", "": ""}
    for item in CATALOG:
        if item.cpg:
            assert mapping[item.cpg.verb] == item.cpg.grade, item.code


# --- Happy paths --------------------------------------------------------------------------------


@pytest.mark.parametrize("code", sorted(VALID))
def test_a_complete_form_validates_for_every_item(code):
    clean, errors = validate_item(code, VALID[code])
    assert errors == {}
    json.dumps(clean)


def test_it_cleans_values_into_their_types():
    clean, _ = validate_item("aquatic_exercise", VALID["aquatic_exercise"])
    assert clean["pool_temperature"] == 33.5
    assert clean["minutes"] == 30
    assert clean["contraindications"] == ["none"]
    clean, _ = validate_item("manipulation", VALID["manipulation"])
    assert clean["screened"] is True


def test_it_leaves_out_missing_optional_values_and_reads_an_unticked_box_as_false():
    clean, errors = validate_item("neural_mobilisation", {"technique": "slider", "nerve": "tibial"})
    assert errors == {}
    assert clean == {"technique": "slider", "nerve": "tibial"}
    clean, errors = validate_item("stay_active", {})
    assert errors == {}
    assert clean == {"delivered": False, "understood": False}


def test_it_trims_spaces_and_ignores_fields_it_does_not_know():
    clean, errors = validate_item(
        "strengthening", {"target": " trunk ", "sets": " 3 ", "csrfmiddlewaretoken": "x"}
    )
    assert errors == {}
    assert clean == {"target": "trunk", "sets": 3}


def test_it_accepts_a_decimal_comma_for_the_pool_temperature():
    form = {**VALID["aquatic_exercise"], "pool_temperature": "34,5"}
    clean, errors = validate_item("aquatic_exercise", form)
    assert errors == {}
    assert clean["pool_temperature"] == 34.5


def test_it_keeps_unicode_text():
    clean, errors = validate_item("pain_neuroscience", {**EDUCATION, "notes": "Ça va: 痛み 👍"})
    assert errors == {}
    assert clean["notes"] == "Ça va: 痛み 👍"


def test_it_reads_the_date_an_education_topic_was_delivered():
    clean, errors = validate_item("warning_signs", {**EDUCATION, "delivered_on": "2026-11-30"})
    assert errors == {}
    assert clean["delivered_on"] == "2026-11-30"


def test_it_reads_every_ticked_box_from_a_querydict_like_form():
    class QueryDictLike(dict):
        def getlist(self, key):
            return ["chlorine_allergy", "none"] if key == "contraindications" else []

    form = QueryDictLike({**VALID["aquatic_exercise"], "contraindications": "none"})
    _, errors = validate_item("aquatic_exercise", form)
    assert "contraindications" in errors


# --- Ranges, required values and bad input -------------------------------------------------------


def test_it_refuses_repetitions_out_of_range():
    _, errors = validate_item("neural_mobilisation", {**VALID["neural_mobilisation"], "reps": "51"})
    assert errors == {"reps": "Enter a whole number from 1 to 50 reps."}
    _, errors = validate_item("neural_mobilisation", {**VALID["neural_mobilisation"], "reps": "0"})
    assert "reps" in errors


def test_it_refuses_a_pool_colder_than_25_or_hotter_than_40_degrees():
    for temperature in ("24.9", "40.1", "-30"):
        form = {**VALID["aquatic_exercise"], "pool_temperature": temperature}
        _, errors = validate_item("aquatic_exercise", form)
        assert errors == {"pool_temperature": "Enter a number from 25 to 40 °C."}


def test_it_accepts_the_range_limits():
    for temperature in ("25", "40"):
        form = {**VALID["aquatic_exercise"], "pool_temperature": temperature}
        assert validate_item("aquatic_exercise", form)[1] == {}
    form = {**VALID["aerobic"], "rpe": "0"}
    clean, errors = validate_item("aerobic", form)
    assert errors == {}
    assert clean["rpe"] == 0


def test_it_refuses_a_grade_v_mobilisation():
    form = {**VALID["joint_mobilisation"], "grade": "grade_v"}
    _, errors = validate_item("joint_mobilisation", form)
    assert errors == {"grade": "Choose a grade from I to IV."}


def test_it_lists_the_choices_when_a_short_choice_is_wrong():
    form = {**VALID["neural_mobilisation"], "technique": "flosser"}
    _, errors = validate_item("neural_mobilisation", form)
    assert errors == {"technique": "Choose one of: Slider, Tensioner."}


def test_it_reports_every_missing_required_value():
    clean, errors = validate_item("joint_mobilisation", {})
    assert clean == {}
    assert set(errors) == {"grade", "level", "technique"}
    _, errors = validate_item("aquatic_exercise", {"contraindications": ["none"]})
    assert set(errors) == {"pool_temperature", "exercises"}
    assert errors["exercises"] == "Fill this in."


def test_endurance_needs_a_hold_time_or_minutes():
    _, errors = validate_item("endurance", {"target": "trunk_extensors", "sets": "3"})
    assert errors == {"hold_seconds": "Enter a hold time or minutes."}
    _, errors = validate_item("endurance", {"target": "trunk_extensors", "minutes": "5"})
    assert errors == {}


@pytest.mark.parametrize(
    "bad",
    [
        "abc",
        "1e999",
        "1e3",
        "nan",
        "inf",
        "-inf",
        "3.5",
        "99999999999999999999999999999",
        "9" * 5000,
        "\uff13",  # fullwidth digit
        "\u0663",  # Arabic-Indic digit
        "1_0",
        "0x10",
        ["3"],
        {"a": 1},
        3.0,
        float("nan"),
        True,
        object(),
    ],
)
def test_it_refuses_a_bad_whole_number_without_raising(bad):
    form = {**VALID["neural_mobilisation"], "sets": bad}
    clean, errors = validate_item("neural_mobilisation", form)
    assert "sets" in errors
    assert "sets" not in clean
    assert isinstance(errors["sets"], str)


@pytest.mark.parametrize(
    "bad",
    [
        "abc",
        "1e999",
        "nan",
        "NaN",
        "inf",
        "34.5.1",
        "34 °C",
        "9" * 5000,
        ["34"],
        float("nan"),
        float("inf"),
        pytest.param(10**5000, id="huge_int"),
        False,
    ],
)
def test_it_refuses_a_bad_pool_temperature_without_raising(bad):
    form = {**VALID["aquatic_exercise"], "pool_temperature": bad}
    _, errors = validate_item("aquatic_exercise", form)
    assert errors == {"pool_temperature": "Enter a number from 25 to 40 °C."}


def test_a_huge_python_integer_is_out_of_range_not_an_exception():
    _, errors = validate_item(
        "neural_mobilisation", {**VALID["neural_mobilisation"], "reps": 10**5000}
    )
    assert "reps" in errors


@pytest.mark.parametrize("bad", [["slider"], ("slider",), 3, None.__class__, {"x": 1}, "Slider"])
def test_it_refuses_a_bad_choice_without_raising(bad):
    form = {**VALID["neural_mobilisation"], "technique": bad}
    _, errors = validate_item("neural_mobilisation", form)
    assert "technique" in errors


@pytest.mark.parametrize("bad", [["a"], 42, "a\x00b", "x" * 501])
def test_it_refuses_bad_text_without_raising(bad):
    _, errors = validate_item("pain_neuroscience", {**EDUCATION, "notes": bad})
    assert "notes" in errors


@pytest.mark.parametrize("bad", ["maybe", "ja", ["on"], 2])
def test_it_refuses_a_checkbox_that_is_neither_ticked_nor_empty(bad):
    _, errors = validate_item("manipulation", {**VALID["manipulation"], "screened": bad})
    assert "screened" in errors


@pytest.mark.parametrize(
    "bad", ["30/11/2026", "2026-02-30", "2026-1-1", "\uff12\uff10\uff12\uff16-11-30", ["2026"]]
)
def test_it_refuses_a_bad_date(bad):
    _, errors = validate_item("warning_signs", {**EDUCATION, "delivered_on": bad})
    assert errors == {"delivered_on": "Enter a date as year-month-day, e.g. 2026-11-30."}


@pytest.mark.parametrize("bad", [[1], [["none"]], {"none": True}, 5, ["unknown_thing"]])
def test_it_refuses_a_bad_contraindication_screen_without_raising(bad):
    form = {**VALID["aquatic_exercise"], "contraindications": bad}
    _, errors = validate_item("aquatic_exercise", form)
    assert "contraindications" in errors


def test_it_refuses_an_unknown_intervention():
    for code in ("dry_needling", "", None, ["manipulation"]):
        clean, errors = validate_item(code, {})
        assert clean == {}
        assert set(errors) == {"__all__"}


def test_it_refuses_a_form_that_is_not_a_mapping():
    _, errors = validate_item("manipulation", ["level", "l4_l5"])
    assert set(errors) == {"__all__"}


# --- Safety rules -------------------------------------------------------------------------------


def test_it_refuses_a_manipulation_without_screening_for_contraindications():
    for screened in (None, "", "off", "false"):
        form = {**VALID["manipulation"], "screened": screened}
        _, errors = validate_item("manipulation", form)
        assert set(errors) == {"screened"}
        assert "contraindications to thrust" in errors["screened"]


def test_it_refuses_education_understood_but_not_delivered():
    form = {"format": "verbal", "understood": "on"}
    _, errors = validate_item("nerve_sensitivity", form)
    assert errors == {"understood": "Mark it delivered before recording that it was understood."}


def test_it_refuses_a_delivery_date_for_education_not_delivered():
    _, errors = validate_item("stay_active", {"delivered_on": "2026-11-30"})
    assert set(errors) == {"delivered_on"}


def test_it_refuses_aquatic_therapy_with_an_open_wound():
    form = {**VALID["aquatic_exercise"], "contraindications": ["open_wound_or_skin_infection"]}
    _, errors = validate_item("aquatic_exercise", form)
    assert errors == {
        "contraindications": "Aquatic therapy cannot be planned while open wound or skin "
        "infection is present. Remove aquatic therapy from the plan. If the problem has been "
        "resolved, update the screen and record why in the rationale."
    }


def test_it_names_every_contraindication_present():
    form = {
        **VALID["aquatic_exercise"],
        "contraindications": ["chlorine_allergy", "uncontrolled_epilepsy"],
    }
    _, errors = validate_item("aquatic_exercise", form)
    message = errors["contraindications"]
    assert "uncontrolled epilepsy and chlorine allergy are present" in message


def test_it_refuses_none_ticked_together_with_a_contraindication():
    form = {**VALID["aquatic_exercise"], "contraindications": ["none", "incontinence"]}
    _, errors = validate_item("aquatic_exercise", form)
    assert errors == {
        "contraindications": "“None of these” cannot be ticked together with a "
        "contraindication. Untick one of them."
    }


@pytest.mark.parametrize("empty", [None, [], [""], ""])
def test_it_refuses_aquatic_therapy_without_a_contraindication_screen(empty):
    form = {**VALID["aquatic_exercise"], "contraindications": empty}
    if empty is None:
        del form["contraindications"]
    _, errors = validate_item("aquatic_exercise", form)
    assert errors == {
        "contraindications": "Complete the contraindication screen: tick each one present, "
        "or “None of these”."
    }


def test_a_single_string_counts_as_one_ticked_box():
    form = {**VALID["aquatic_exercise"], "contraindications": "none"}
    clean, errors = validate_item("aquatic_exercise", form)
    assert errors == {}
    assert clean["contraindications"] == ["none"]


# --- Descriptions -------------------------------------------------------------------------------


def test_it_describes_a_neural_mobilisation_in_one_line():
    form = {k: v for k, v in VALID["neural_mobilisation"].items() if k != "side"}
    clean, _ = validate_item("neural_mobilisation", form)
    assert describe_item("neural_mobilisation", clean) == (
        "Neural mobilisation: slider, sciatic nerve, supine (SLR position), 3 sets x 10"
    )


def test_it_describes_a_joint_mobilisation_keeping_level_capitals():
    clean, _ = validate_item("joint_mobilisation", VALID["joint_mobilisation"])
    assert describe_item("joint_mobilisation", clean) == (
        "Joint mobilisation (non-thrust): grade III, L4-L5, central posteroanterior (PA), "
        "3 sets, 30 s"
    )


def test_it_describes_aerobic_exercise_and_education():
    clean, _ = validate_item("aerobic", VALID["aerobic"])
    assert describe_item("aerobic", clean) == (
        "Aerobic exercise: walking, 30 min, 5x a week, RPE 4/10, can talk but not sing (moderate)"
    )
    clean, _ = validate_item("pain_neuroscience", {**EDUCATION, "notes": "asked\nabout scans"})
    assert describe_item("pain_neuroscience", clean) == (
        "Pain neuroscience education: written handout, delivered, "
        "patient understood (teach-back), notes: asked about scans"
    )


def test_every_valid_example_describes_in_one_line():
    for code, form in VALID.items():
        clean, _ = validate_item(code, form)
        line = describe_item(code, clean)
        assert line.startswith(BY_CODE[code].label)
        assert "\n" not in line


def test_it_describes_an_unknown_code_without_raising():
    assert describe_item("retired_item", {"x": 1}) == "Unknown intervention (retired_item)"
    assert describe_item("manipulation", {}) == "Manipulation (thrust)"
