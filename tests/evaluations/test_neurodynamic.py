"""Neurodynamic test findings against worked vignettes (clinical.md §5).

Pure functions: none of these tests touch the database.
"""

import json
import re

import pytest

from evaluations.neurodynamic import (
    ALGORITHM_VERSION,
    PRODUCT_DEFINED_ASYMMETRY_THRESHOLD,
    SLR_ASYMMETRY_THRESHOLD,
    SLR_POSITIVE_RANGE,
    Change,
    Interpretation,
    NeurodynamicCode,
    NeurodynamicTest,
    Overall,
    Reproduction,
    SdManoeuvre,
    Side,
    compare_angles,
    interpret,
    summarise,
)
from intake.scoring.common import Verification

FULL = Reproduction.FAMILIAR_FULL
PARTIAL = Reproduction.FAMILIAR_PARTIAL
NONE = Reproduction.NONE


def _t(code, side, reproduced=NONE, **kw) -> NeurodynamicTest:
    return NeurodynamicTest(code=code, side=side, symptoms_reproduced=reproduced, **kw)


def _negative(code, side, angle=None) -> NeurodynamicTest:
    return _t(code, side, NONE, onset_angle_deg=angle)


# --- Vignettes ------------------------------------------------------------------------------


def test_vignette_b_l5_radiculopathy_slr_left_35_with_dorsiflexion_and_slump_left_positive():
    tests = [
        _t(
            "SLR",
            "L",
            FULL,
            onset_angle_deg=35,
            measured_by="INCLINOMETER",
            symptom_location=("thigh_back_l", "calf_shin_l", "foot_l"),
            sd_manoeuvres=("ANKLE_DF",),
            sd_changed_symptoms="INCREASED",
        ),
        _negative("SLR", "R", angle=80),
        _t(
            "SLUMP",
            "L",
            FULL,
            symptom_location=("calf_shin_l", "foot_l"),
            sd_manoeuvres=("NECK_EXT",),  # release of neck flexion
            sd_changed_symptoms="DECREASED",
        ),
        _negative("SLUMP", "R"),
        _negative("PKB", "L", angle=120),
        _negative("PKB", "R", angle=118),
    ]
    result = summarise(tests)
    slr_left, slr_right, slump_left, slump_right, _, _ = result.findings
    assert slr_left.suggestion is Interpretation.POSITIVE_NEURAL
    assert slr_left.below_knee is True  # derived from the body chart regions
    assert slr_left.classic_slr_positive is True  # familiar, below the knee, 35° in 30-70°
    assert slr_right.suggestion is Interpretation.NEGATIVE
    assert slump_left.suggestion is Interpretation.POSITIVE_NEURAL
    assert [c.met for c in slump_left.criteria] == [True, True, True]  # §5.3 a, b, c
    assert slump_right.suggestion is Interpretation.NEGATIVE

    slr, pkb = result.angle_comparisons
    assert (slr.code, slr.left_deg, slr.right_deg, slr.difference_deg) == ("SLR", 35, 80, 45)
    assert slr.flagged and slr.lower_side is Side.L
    assert slr.threshold is SLR_ASYMMETRY_THRESHOLD
    assert not pkb.flagged and pkb.difference_deg == 2

    assert result.overall is Overall.SUGGESTED
    assert result.positive_tests == ("SLR L", "SLUMP L")
    assert result.symptom_sides == (Side.L,)
    assert result.nerves == ("sciatic",)
    assert result.flagged_asymmetries == ("SLR 45°",)
    assert "SLR: 45° between sides (35° left, 80° right)" in result.summary
    assert result.summary.endswith("never a diagnosis.")


def test_vignette_c_s1_picture_slr_right_crossed_slr_and_an_undifferentiated_slump():
    tests = [
        _t(
            "SLR",
            "R",
            FULL,
            onset_angle_deg=50,
            symptom_location=("calf_shin_r", "foot_r"),  # posterior calf, lateral foot
            sd_manoeuvres=("HIP_IR",),  # the extended SLR
            sd_changed_symptoms="INCREASED",
        ),
        _negative("SLR", "L", angle=75),
        # Raising the unaffected left leg reproduces the right leg's pain.
        _t(
            "CROSSED_SLR",
            "L",
            PARTIAL,
            onset_angle_deg=70,
            symptom_location=("thigh_back_r", "calf_shin_r"),
            sd_manoeuvres=("ANKLE_DF",),
            sd_changed_symptoms="INCREASED",
        ),
        _t("SLUMP", "R", FULL, symptom_location=("foot_r",)),
    ]
    result = summarise(tests)
    slr_right, _, crossed, slump = result.findings
    assert slr_right.suggestion is Interpretation.POSITIVE_NEURAL
    assert crossed.suggestion is Interpretation.POSITIVE_NEURAL
    assert crossed.crossed_slr_sign is True
    assert crossed.side is Side.L and crossed.symptom_side is Side.R
    assert "more specific, less sensitive" in crossed.notes[0]
    assert "reproduced the right leg's symptoms" in crossed.summary
    # Familiar symptoms without structural differentiation cannot be called neural.
    assert slump.suggestion is Interpretation.INCONCLUSIVE
    assert result.angle_comparisons[0].difference_deg == 25
    assert result.angle_comparisons[0].flagged
    assert result.overall is Overall.SUGGESTED
    assert result.crossed_slr_positive
    assert result.symptom_sides == (Side.R,)  # the crossed SLR counts for the right leg
    assert result.inconclusive_tests == ("SLUMP R",)


def test_vignette_d_stenosis_picture_femoral_and_sciatic_tests_all_negative():
    tests = [
        _negative("PKB", "L", angle=125),
        _negative("PKB", "R", angle=130),
        _negative("FEMORAL_SLUMP", "L"),
        _negative("FEMORAL_SLUMP", "R"),
        _negative("SLR", "L", angle=75),
        _negative("SLR", "R", angle=80),
    ]
    result = summarise(tests)
    assert {f.suggestion for f in result.findings} == {Interpretation.NEGATIVE}
    assert result.overall is Overall.NOT_SUGGESTED
    assert result.positive_tests == () and result.nerves == ()
    assert [c.flagged for c in result.angle_comparisons] == [False, False]
    assert result.summary.startswith("Neural mechanosensitivity not suggested")


def test_vignette_a_somatic_referred_pain_reproduced_but_unchanged_by_differentiation():
    tests = [
        _t(
            "SLR",
            "L",
            PARTIAL,
            onset_angle_deg=60,
            symptom_location=("buttock_l",),
            sd_manoeuvres=("ANKLE_DF",),
            sd_changed_symptoms="NO_CHANGE",
        ),
        _negative("SLR", "R", angle=65),
    ]
    result = summarise(tests)
    assert result.findings[0].suggestion is Interpretation.NON_NEURAL_REPRODUCTION
    assert result.findings[0].classic_slr_positive is False  # buttock only
    assert result.overall is Overall.NOT_SUGGESTED
    assert result.non_neural_reproductions == ("SLR L",)
    assert not result.angle_comparisons[0].flagged


# --- One side -------------------------------------------------------------------------------


def test_slr_positive_needs_familiar_symptoms_and_a_change_on_differentiation():
    common = {"onset_angle_deg": 45, "symptom_location": ("calf_shin_l",)}
    df = {"sd_manoeuvres": ("ANKLE_DF",)}
    assert (
        interpret(_t("SLR", "L", FULL, **common, **df, sd_changed_symptoms="DECREASED")).suggestion
        is Interpretation.POSITIVE_NEURAL
    )
    assert interpret(_t("SLR", "L", FULL, **common)).suggestion is Interpretation.INCONCLUSIVE
    assert (
        interpret(_t("SLR", "L", FULL, **common, **df, sd_changed_symptoms="NO_CHANGE")).suggestion
        is Interpretation.NON_NEURAL_REPRODUCTION
    )


def test_non_familiar_symptoms_such_as_a_hamstring_stretch_are_negative():
    finding = interpret(
        _t(
            "SLR",
            "R",
            Reproduction.NON_FAMILIAR,
            onset_angle_deg=70,
            symptom_location=("thigh_back_r",),
            sd_manoeuvres=("ANKLE_DF",),
            sd_changed_symptoms="NO_CHANGE",
        )
    )
    assert finding.suggestion is Interpretation.NEGATIVE
    assert "does not recognise" in finding.notes[0]


@pytest.mark.parametrize(("angle", "classic"), [(29, False), (30, True), (70, True), (71, False)])
def test_the_classic_slr_range_is_30_to_70_degrees_inclusive(angle, classic):
    finding = interpret(
        _t(
            "SLR",
            "L",
            FULL,
            onset_angle_deg=angle,
            below_knee=True,
            sd_manoeuvres=("ANKLE_DF",),
            sd_changed_symptoms="INCREASED",
        )
    )
    assert finding.classic_slr_positive is classic
    assert finding.suggestion is Interpretation.POSITIVE_NEURAL
    assert ("not the classic SLR picture" in " ".join(finding.notes)) is not classic


def test_the_classic_slr_cannot_be_judged_without_an_angle():
    finding = interpret(_t("SLR", "L", FULL, below_knee=True))
    assert finding.classic_slr_positive is None


def test_the_slr_range_is_the_spec_value_and_verified():
    assert (SLR_POSITIVE_RANGE.low, SLR_POSITIVE_RANGE.high) == (30, 70)
    assert SLR_POSITIVE_RANGE.verification is Verification.VERIFIED


def _slump(side, reproduced=FULL, angle=None, effect="DECREASED"):
    return _t(
        "SLUMP",
        side,
        reproduced,
        onset_angle_deg=angle,
        sd_manoeuvres=("NECK_EXT",),
        sd_changed_symptoms=effect if reproduced is not NONE else "NO_CHANGE",
    )


def test_a_slump_positive_on_one_side_needs_the_other_side_tested():
    finding = interpret(_slump("L"))
    assert finding.suggestion is Interpretation.INCONCLUSIVE
    assert "Test the other side" in finding.notes[0]


def test_a_slump_reproducing_on_both_sides_without_angle_asymmetry_is_inconclusive():
    result = summarise([_slump("L", angle=20), _slump("R", angle=25)])
    assert {f.suggestion for f in result.findings} == {Interpretation.INCONCLUSIVE}
    assert result.overall is Overall.INCONCLUSIVE
    assert result.angle_comparisons[0].threshold is PRODUCT_DEFINED_ASYMMETRY_THRESHOLD


def test_a_slump_reproducing_on_both_sides_with_a_measured_asymmetry_is_positive_on_both():
    result = summarise([_slump("L", angle=10), _slump("R", angle=30)])
    assert result.positive_tests == ("SLUMP L", "SLUMP R")
    assert result.symptom_sides == (Side.L, Side.R)
    assert "above the product-defined 10° side-to-side threshold" in result.summary


def test_a_femoral_slump_that_eases_with_neck_extension_is_positive():
    eases = _t(
        "FEMORAL_SLUMP",
        "R",
        FULL,
        symptom_location=("thigh_front_r",),
        sd_manoeuvres=("NECK_EXT",),
        sd_changed_symptoms="DECREASED",
    )
    worse = _t(
        "FEMORAL_SLUMP",
        "R",
        FULL,
        symptom_location=("thigh_front_r",),
        sd_manoeuvres=("NECK_EXT",),
        sd_changed_symptoms="INCREASED",
    )
    assert interpret(eases).suggestion is Interpretation.POSITIVE_NEURAL
    assert interpret(worse).suggestion is Interpretation.INCONCLUSIVE


def test_a_pkb_reproducing_anterior_thigh_pain_notes_an_upper_lumbar_root_and_confounders():
    finding = interpret(
        _t(
            "PKB",
            "L",
            FULL,
            onset_angle_deg=90,
            symptom_location=("thigh_front_l",),
            sd_manoeuvres=("NECK_FLEX",),
            sd_changed_symptoms="INCREASED",
        )
    )
    assert finding.suggestion is Interpretation.POSITIVE_NEURAL
    assert any("upper lumbar root (L2-L3)" in n for n in finding.notes)
    assert any("Quadriceps tightness" in n for n in finding.notes)


def test_a_custom_test_is_named_and_uses_the_shared_rule():
    finding = interpret(
        _t(
            "OTHER",
            "L",
            FULL,
            custom_label="Sciatic slider",
            sd_manoeuvres=("NECK_FLEX",),
            sd_changed_symptoms="INCREASED",
        )
    )
    assert finding.label == "Sciatic slider"
    assert finding.suggestion is Interpretation.POSITIVE_NEURAL


# --- Angle differences ----------------------------------------------------------------------


@pytest.mark.parametrize(("right", "flagged"), [(50, False), (51, True)])
def test_an_slr_difference_is_flagged_only_above_10_degrees(right, flagged):
    comparison = compare_angles(_negative("SLR", "L", 40), _negative("SLR", "R", right))
    assert comparison.flagged is flagged
    assert SLR_ASYMMETRY_THRESHOLD.degrees == 10
    assert SLR_ASYMMETRY_THRESHOLD.verification is Verification.UNVERIFIED
    assert not SLR_ASYMMETRY_THRESHOLD.product_defined


def test_other_tests_use_the_named_product_defined_threshold():
    comparison = compare_angles(_negative("PKB", "L", 100), _negative("PKB", "R", 115))
    assert comparison.flagged
    assert comparison.threshold.product_defined
    assert comparison.measure == "knee flexion"


def test_no_comparison_without_both_angles():
    assert compare_angles(_negative("SLR", "L", 40), _negative("SLR", "R")) is None
    result = summarise([_negative("SLR", "L", 40)])
    assert result.angle_comparisons == ()


def test_compare_angles_takes_left_then_right_of_the_same_test():
    with pytest.raises(ValueError, match="left record, then the right"):
        compare_angles(_negative("SLR", "R", 40), _negative("SLR", "L", 50))
    with pytest.raises(ValueError, match="Cannot compare SLR with PKB"):
        compare_angles(_negative("SLR", "L", 40), _negative("PKB", "R", 50))


# --- Summary and output ---------------------------------------------------------------------


def test_no_tests_is_not_tested():
    result = summarise([])
    assert result.overall is Overall.NOT_TESTED
    assert result.summary == "No neurodynamic tests recorded."


def test_codes_may_be_given_as_strings_and_multi_selects_are_normalised():
    test = _t(
        "SLR",
        "L",
        "FAMILIAR_FULL",
        symptom_location=("foot_l", "foot_l"),
        sd_manoeuvres=("NECK_FLEX", "ANKLE_DF", "ANKLE_DF"),
        sd_changed_symptoms="INCREASED",
    )
    assert test.code is NeurodynamicCode.SLR and test.side is Side.L
    assert test.sd_manoeuvres == (SdManoeuvre.ANKLE_DF, SdManoeuvre.NECK_FLEX)
    assert test.symptom_location == ("foot_l",)
    assert test.sd_changed_symptoms is Change.INCREASED


def test_results_are_json_ready_and_carry_the_algorithm_version():
    result = summarise([_negative("SLR", "L", 35), _negative("SLR", "R", 80)])
    data = json.loads(json.dumps(result.as_dict()))
    assert data["algorithm_version"] == ALGORITHM_VERSION == "neurodynamic-1.0"
    assert data["angle_comparisons"][0]["threshold"]["verification"] == "unverified"
    assert data["findings"][0]["suggestion"] == "NEGATIVE"
    assert data["note"] == "A suggestion from the recorded tests, never a diagnosis."


# --- Boundaries and bad input ---------------------------------------------------------------


@pytest.mark.parametrize("angle", [0, 180])
def test_onset_angles_accept_0_to_180_degrees(angle):
    assert _negative("SLR", "L", angle).onset_angle_deg == angle


@pytest.mark.parametrize(
    ("args", "kwargs", "message"),
    [
        (
            ("SLR", "L"),
            {"onset_angle_deg": -1},
            "onset angle (hip flexion, degrees) must be from 0 to 180; got -1",
        ),
        (("SLR", "L"), {"onset_angle_deg": 181}, "must be from 0 to 180; got 181"),
        (("SLR", "L"), {"onset_angle_deg": 40.5}, "must be a whole number"),
        (("FEMORAL_SLUMP", "L"), {"onset_angle_deg": 90}, "records no onset angle"),
        (("SLR", "L"), {"measured_by": "GONIOMETER"}, "there is no onset angle"),
        (
            ("SLR", "L"),
            {"onset_angle_deg": 40, "measured_by": "TAPE"},
            "measured_by must be one of",
        ),
        (("SLR", "LEFT"), {}, "the side must be one of L, R; got 'LEFT'"),
        (("LASEGUE", "L"), {}, "test code must be one of SLR, CROSSED_SLR"),
        (("SLR", "L", "YES"), {}, "symptoms reproduced must be one of NONE"),
        (
            ("SLR", "L", FULL),
            {"symptom_location": ("moon",)},
            "unknown body chart region(s) 'moon'",
        ),
        (("SLR", "L"), {"symptom_location": ("foot_l",)}, "no symptoms were reproduced"),
        (
            ("SLR", "L", FULL),
            {"symptom_location": ("foot_l",), "below_knee": False},
            "below_knee=False contradicts the regions foot_l",
        ),
        (("SLR", "L", FULL), {"sd_changed_symptoms": "INCREASED"}, "name the structural"),
        (("SLR", "L", FULL), {"sd_manoeuvres": ("ANKLE_DF",)}, "record its effect too"),
        (("SLR", "L", FULL), {"sd_manoeuvres": ("TOE_WIGGLE",)}, "manoeuvre must be one of"),
        (
            ("SLR", "L"),
            {"sd_manoeuvres": ("ANKLE_DF",), "sd_changed_symptoms": "DECREASED"},
            "cannot have decreased them",
        ),
        (("OTHER", "L"), {}, "OTHER test needs a custom_label"),
        (("SLR", "L"), {"custom_label": "Mine"}, "custom_label is only for OTHER tests"),
    ],
)
def test_out_of_range_or_inconsistent_values_are_refused_with_a_clear_message(
    args, kwargs, message
):
    with pytest.raises(ValueError, match=re.escape(message)):
        _t(*args, **kwargs)


def test_a_test_recorded_twice_on_one_side_is_refused():
    with pytest.raises(ValueError, match="SLR L is recorded twice"):
        summarise([_negative("SLR", "L", 40), _negative("SLR", "L", 45)])


def test_interpret_refuses_an_other_side_that_is_not_the_same_test_on_the_other_leg():
    with pytest.raises(ValueError, match="other_side must be SLUMP on side R"):
        interpret(_slump("L"), other_side=_slump("L"))
    with pytest.raises(ValueError, match="other_side must be SLUMP on side R"):
        interpret(_slump("L"), other_side=_negative("SLR", "R"))


def test_summarise_refuses_anything_but_records():
    with pytest.raises(ValueError, match="NeurodynamicTest"):
        summarise([{"code": "SLR"}])
