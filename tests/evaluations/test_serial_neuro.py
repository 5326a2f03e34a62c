"""Serial neuro surveillance (issue 17 point 5): what in a neuro exam is worse than in the
episode's previous signed one, against worked pairs of exams. Pure functions: none of
these tests touch the database. Records are built with `records.NEURO`, the one place
that names the neuro record's keys, and read through `records.read` as saves read them.
"""

import copy
import datetime
import json
import re

import pytest

from evaluations import progress, records
from evaluations.neuro import Modality, Movement, Reflex, Root
from evaluations.neuro.serial import ALGORITHM_VERSION, ChangeKind, compare_exams, format_date
from evaluations.neuro.serial_rules import (
    RULES_PATH,
    SerialRulesError,
    default_rules,
    load_rules,
    parse_rules,
)
from evaluations.records import NEURO

PREVIOUS_ON = datetime.date(2026, 11, 12)
SINCE = "since 12 Nov 2026"
EHL, DF = Movement.GREAT_TOE_EXTENSION, Movement.ANKLE_DORSIFLEXION
RULES = json.loads(RULES_PATH.read_text(encoding="utf-8"))


def exam(cells: dict) -> dict:
    """A stored neuro record in the current format, as `records.read` returns it."""
    return records.read("neuro", records.write("neuro", cells))


def compare(before: dict, after: dict, **kw):
    return compare_exams(exam(before), exam(after), previous_on=PREVIOUS_ON, **kw)


def myotome(movement: str, side: str, grade, *, pain: bool = False) -> dict:
    return {NEURO.myotome(movement, side): grade, NEURO.myotome_pain(movement, side): pain}


def rules_with(**changes):
    """The shipped rules with some values changed: {"myotome.min_fall": 2, ...}."""
    data = copy.deepcopy(RULES)
    for path, value in changes.items():
        *parents, last = path.split(".")
        node = data
        for key in parents:
            node = node[key]
        node[last] = value
    return data


# --- Myotomes ---------------------------------------------------------------------------------


def test_l5_weakening_from_5_to_3_on_the_right_alerts_in_plain_words():
    result = compare(myotome(EHL, "R", "5"), myotome(EHL, "R", "3"))

    assert result.alert
    (change,) = result.changes
    assert change.kind is ChangeKind.MYOTOME_WEAKER
    assert (change.code, change.side, change.before, change.after) == (EHL, "RIGHT", "5", "3")
    assert change.roots == ("L5",)
    assert change.text == f"L5 great-toe extension right 5/5 → 3/5 {SINCE}"
    assert not change.pain_limited and not change.emergency


def test_a_movement_with_two_roots_names_both():
    (change,) = compare(myotome(DF, "R", 5), myotome(DF, "R", 3)).changes

    assert change.text == f"L4/L5 ankle dorsiflexion right 5/5 → 3/5 {SINCE}"
    assert change.roots == ("L4", "L5")


def test_a_fall_of_one_grade_alerts_by_default():
    result = compare(myotome(EHL, "L", "5"), myotome(EHL, "L", "4"))

    assert result.alert
    assert result.changes[0].text == f"L5 great-toe extension left 5/5 → 4/5 {SINCE}"


@pytest.mark.parametrize("pain_before, pain_after", [(False, True), (True, False), (True, True)])
def test_a_pain_limited_fall_of_one_grade_is_reported_but_does_not_alert(pain_before, pain_after):
    result = compare(myotome(EHL, "R", 5, pain=pain_before), myotome(EHL, "R", 4, pain=pain_after))

    (change,) = result.changes
    assert change.pain_limited and not change.alert
    assert not result.alert
    assert result.summary == (
        "1 finding worse than at the neuro exam of 12 Nov 2026, none meeting the alert rules."
    )


def test_a_pain_limited_fall_of_two_grades_alerts():
    result = compare(myotome(EHL, "R", 5), myotome(EHL, "R", 3, pain=True))

    (change,) = result.changes
    assert change.pain_limited and change.alert and result.alert
    assert change.text == f"L5 great-toe extension right 5/5 → 3/5 (pain) {SINCE}"


@pytest.mark.parametrize("before, after", [("3", "5"), ("4", "4"), (0, 2)])
def test_a_grade_that_improves_or_holds_is_not_a_change(before, after):
    result = compare(myotome(EHL, "R", before), myotome(EHL, "R", after))

    assert result.changes == ()
    assert not result.alert
    assert result.summary == "Nothing worse than at the neuro exam of 12 Nov 2026."


@pytest.mark.parametrize("before, after", [("", "3"), ("5", ""), (None, "3"), ("5", None)])
def test_a_grade_blank_in_either_exam_is_not_a_change(before, after):
    assert compare(myotome(EHL, "R", before), myotome(EHL, "R", after)).changes == ()


def test_a_value_missing_from_either_record_is_not_a_change():
    assert compare({}, myotome(EHL, "R", 0)).changes == ()
    assert compare_exams(None, exam(myotome(EHL, "R", 0)), previous_on=PREVIOUS_ON).changes == ()
    assert compare(myotome(EHL, "R", 5), {}).changes == ()


def test_a_fall_on_one_side_is_not_read_from_the_other_side():
    assert compare(myotome(EHL, "L", 5), myotome(EHL, "R", 3)).changes == ()


# --- Reflexes and dermatomes -------------------------------------------------------------------


def reflex(grade: str, name: str = Reflex.ACHILLES, side: str = "L") -> dict:
    return {NEURO.reflex(name, side): grade}


def test_a_normal_reflex_that_is_now_absent_alerts():
    result = compare(reflex("2+"), reflex("0"))

    (change,) = result.changes
    assert result.alert
    assert change.kind is ChangeKind.REFLEX_REDUCED
    assert change.text == f"S1 Achilles (ankle jerk) left 2+ normal → 0 absent {SINCE}"
    assert change.roots == ("S1",)


@pytest.mark.parametrize(
    "before, after, alerts",
    [
        ("2+", "1+", True),
        ("3+", "1+", True),
        ("1+", "0", True),
        ("0", "0", False),
        ("1+", "1+", False),
        ("0", "2+", False),
        ("3+", "2+", False),
    ],
)
def test_a_reflex_alerts_only_when_newly_reduced_or_absent(before, after, alerts):
    result = compare(reflex(before), reflex(after))

    assert result.alert is alerts
    assert bool(result.changes) is alerts


def test_a_newly_brisk_reflex_is_a_new_upper_motor_neuron_sign():
    (change,) = compare(reflex("2+", Reflex.PATELLAR), reflex("3+", Reflex.PATELLAR)).changes

    assert change.kind is ChangeKind.UMN_NEW and change.alert
    assert change.text == f"L3/L4 patellar (knee jerk) left 2+ normal → 3+ brisk {SINCE}"


def dermatome(finding: str, root: str = Root.L5, modality: str = Modality.LIGHT_TOUCH) -> dict:
    return {NEURO.dermatome(root, modality, "L"): finding}


def test_a_normal_dermatome_that_is_now_reduced_alerts():
    result = compare(dermatome("NORMAL"), dermatome("REDUCED"))

    (change,) = result.changes
    assert result.alert
    assert change.kind is ChangeKind.DERMATOME_IMPAIRED
    assert (change.code, change.roots) == ("L5 LIGHT_TOUCH", ("L5",))
    assert change.text == f"L5 light touch left normal → reduced {SINCE}"


@pytest.mark.parametrize(
    "before, after, alerts",
    [
        ("NORMAL", "ABSENT", True),
        ("NORMAL", "INCREASED", True),
        ("REDUCED", "ABSENT", True),
        ("REDUCED", "REDUCED", False),
        ("REDUCED", "NORMAL", False),
        ("", "ABSENT", False),
    ],
)
def test_a_dermatome_alerts_only_when_newly_impaired(before, after, alerts):
    assert compare(dermatome(before), dermatome(after)).alert is alerts


# --- Upper motor neuron signs and the saddle ----------------------------------------------------


def test_a_new_upgoing_toe_alerts():
    result = compare({NEURO.babinski("R"): "FLEXOR"}, {NEURO.babinski("R"): "EXTENSOR"})

    (change,) = result.changes
    assert result.alert and change.kind is ChangeKind.UMN_NEW
    assert change.text == (
        f"Babinski (plantar response) right flexor (down-going) → extensor (up-going) {SINCE}"
    )


@pytest.mark.parametrize(
    "before, after", [("EXTENSOR", "EXTENSOR"), ("FLEXOR", "EQUIVOCAL"), ("", "EXTENSOR")]
)
def test_an_upgoing_toe_already_there_equivocal_or_not_compared_is_no_change(before, after):
    assert compare({NEURO.babinski("R"): before}, {NEURO.babinski("R"): after}).changes == ()


def clonus(beats, sustained: bool = False) -> dict:
    return {NEURO.clonus("L"): beats, NEURO.clonus_sustained("L"): sustained}


@pytest.mark.parametrize(
    "before, after, text",
    [
        (clonus(2), clonus(8, sustained=True), "2 beats → sustained (8 beats)"),
        (clonus(1), clonus(5), "1 beat → 5 beats"),
        (clonus(None), clonus(None, sustained=True), "not sustained → sustained"),
    ],
)
def test_newly_sustained_clonus_or_more_beats_than_the_threshold_alerts(before, after, text):
    (change,) = compare(before, after).changes

    assert change.kind is ChangeKind.UMN_NEW and change.alert
    assert change.text == f"Ankle clonus left {text} {SINCE}"


@pytest.mark.parametrize(
    "before, after", [(clonus(0), clonus(4)), (clonus(6), clonus(9)), (clonus(None), clonus(9))]
)
def test_clonus_beats_up_to_the_threshold_or_already_above_it_are_no_change(before, after):
    assert compare(before, after).changes == ()


def test_a_new_hoffmann_sign_alerts_but_not_when_it_was_not_tested_before():
    positive = {NEURO.hoffmann("R"): True}

    (change,) = compare({NEURO.hoffmann("R"): False}, positive).changes
    assert change.text == f"Hoffmann sign right negative → positive {SINCE}"
    assert compare({NEURO.hoffmann("R"): None}, positive).changes == ()


def test_newly_noted_spasticity_alerts():
    (change,) = compare({NEURO.spasticity: False}, {NEURO.spasticity: True}).changes

    assert change.alert and change.side is None
    assert change.text == f"Spasticity not noted → noted {SINCE}"


def test_newly_reduced_saddle_sensation_is_an_emergency_listed_first():
    before = {NEURO.saddle: "NORMAL", **myotome(EHL, "R", 5)}
    after = {NEURO.saddle: "REDUCED", **myotome(EHL, "R", 4)}

    result = compare(before, after)

    assert result.alert and result.emergency
    saddle, weaker = result.changes
    assert saddle.emergency and saddle.alert and saddle.side is None
    assert saddle.roots == ("S3", "S4", "S5")
    assert saddle.text == f"Saddle sensation (S3-S5) normal → reduced {SINCE}"
    assert not weaker.emergency
    assert "possible cauda equina syndrome" in result.summary


# --- The rules as data --------------------------------------------------------------------------


def test_a_higher_threshold_in_the_rules_file_changes_the_outcome(tmp_path):
    path = tmp_path / "serial_neuro.json"
    path.write_text(json.dumps(rules_with(**{"myotome.min_fall": 2})), encoding="utf-8")
    stricter = load_rules(path)

    one_grade = compare(myotome(EHL, "R", 5), myotome(EHL, "R", 4), rules=stricter)
    assert one_grade.changes and not one_grade.alert
    # A fall to 3/5 or below still counts, whatever the fall.
    assert compare(myotome(EHL, "R", 4), myotome(EHL, "R", 3), rules=stricter).alert


def test_the_rules_can_stop_pain_limited_falls_from_alerting():
    rules = parse_rules(rules_with(**{"myotome.pain_limited_min_fall": 5}))

    assert not compare(myotome(EHL, "R", 5), myotome(EHL, "R", 2, pain=True), rules=rules).alert


@pytest.mark.parametrize(
    "changes, message",
    [
        ({"myotome.min_fall": 0}, "myotome.min_fall must be a whole number 1-5"),
        ({"myotome.min_fall": "1"}, "myotome.min_fall must be a whole number"),
        ({"reflex.worse": {"2+": ["1"]}}, "unknown codes ['1']"),
        ({"umn.babinski": ["UPGOING"]}, "umn.babinski names unknown codes"),
        ({"umn.hoffmann": "yes"}, "umn.hoffmann must be true or false"),
        ({"saddle.locked": False}, "the saddle rule is locked"),
        ({"saddle.worse": {"NORMAL": ["ABSENT"]}}, "the saddle rule is locked"),
        ({"version": ""}, "non-empty strings"),
        ({"approved_by": 3}, "approved_by must be a name or null"),
    ],
)
def test_a_malformed_rules_document_is_refused_with_a_clear_message(changes, message):
    with pytest.raises(SerialRulesError, match=re.escape(message)):
        parse_rules(rules_with(**changes))


def test_a_rules_document_missing_a_section_is_refused():
    data = copy.deepcopy(RULES)
    del data["umn"]

    with pytest.raises(SerialRulesError, match=re.escape("'umn.alert' is missing")):
        parse_rules(data)


def test_a_rules_file_that_is_not_json_is_refused(tmp_path):
    path = tmp_path / "serial_neuro.json"
    path.write_text("{not json", encoding="utf-8")

    with pytest.raises(SerialRulesError, match=re.escape("serial_neuro.json is not valid JSON")):
        load_rules(path)


def test_the_shipped_rules_are_a_product_default_awaiting_a_clinician():
    rules = default_rules()

    assert rules is default_rules()  # loaded once
    assert rules.status == "product default: a clinician must approve"
    assert rules.approved_by is None
    assert (rules.min_fall, rules.alert_at_or_below, rules.pain_limited_min_fall) == (1, 3, 2)


# --- The result --------------------------------------------------------------------------------


def test_the_result_carries_the_algorithm_and_rules_versions():
    result = compare(myotome(EHL, "R", 5), myotome(EHL, "R", 3))

    assert result.algorithm_version == ALGORITHM_VERSION
    assert result.rules_version == RULES["version"]
    assert result.rules_status == RULES["status"]
    assert result.rules_approved_by is None


def test_the_result_round_trips_through_json():
    before = {**myotome(EHL, "R", 5), NEURO.saddle: "NORMAL", **reflex("2+")}
    after = {**myotome(EHL, "R", 3), NEURO.saddle: "ABSENT", **reflex("0")}

    data = compare(before, after).as_dict()

    assert json.loads(json.dumps(data)) == data
    assert data["previous_on"] == "2026-11-12"
    assert data["alert"] is True and data["emergency"] is True
    assert data["changes"][0] == {
        "kind": "DERMATOME_IMPAIRED",
        "code": "SADDLE",
        "side": None,
        "before": "NORMAL",
        "after": "ABSENT",
        "roots": ["S3", "S4", "S5"],
        "text": f"Saddle sensation (S3-S5) normal → absent {SINCE}",
        "alert": True,
        "emergency": True,
        "pain_limited": False,
    }
    assert {"algorithm_version", "rules_version", "rules_status", "summary"} <= data.keys()


def test_dates_are_worded_as_the_progress_pages_word_them():
    for day in (PREVIOUS_ON, datetime.date(2027, 1, 3)):
        assert format_date(day) == progress.format_date(day)
