"""Repeated-movement (McKenzie / MDT) findings against worked vignettes (clinical.md §4).

Pure functions: none of these tests touch the database.
"""

import json
import re

import pytest

from evaluations.mdt import (
    ALGORITHM_VERSION,
    NO_PREFERENCE,
    UNCLEAR,
    AfterResponse,
    Basis,
    Direction,
    DistalSite,
    DuringResponse,
    Loading,
    MechanicalResponse,
    MovementCode,
    RepeatedMovementTest,
    Role,
    SymptomResponse,
    classify,
    summarise,
)

A = AfterResponse
D = DuringResponse
M = MechanicalResponse
S = DistalSite


def _test(code="EIL", pre=S.THIGH, post=S.THIGH, after=A.NO_EFFECT, **kw) -> RepeatedMovementTest:
    kw.setdefault("repetitions", 10)
    return RepeatedMovementTest(
        movement_code=code, pre_distal_site=pre, post_distal_site=post, after_response=after, **kw
    )


# --- Vignettes ------------------------------------------------------------------------------


def test_vignette_a_derangement_extension_abolishes_buttock_pain_and_flexion_peripheralises():
    # Somatic referred pain / derangement: right buttock pain, NPRS 5. Repeated extension in
    # lying abolishes it and range improves; repeated flexion in lying sends it to the thigh.
    tests = [
        _test(
            "FIL",
            pre=S.BUTTOCK,
            post=S.THIGH,
            after=A.PERIPHERALISED,
            during_responses=[D.INCREASES, D.PERIPHERALISING],
            mechanical_response=M.ROM_DECREASED,
            pre_nprs=5,
        ),
        _test(
            "EIL",
            pre=S.BUTTOCK,
            post=S.NONE,
            after=A.ABOLISHED,
            during_responses=[D.DECREASES, D.ABOLISHES],
            mechanical_response=M.ROM_INCREASED,
            pre_nprs=5,
        ),
    ]
    result = summarise(tests)
    assert [t.response for t in result.tests] == [
        SymptomResponse.PERIPHERALISING,
        SymptomResponse.ABOLISHED,
    ]
    assert result.directional_preference == Direction.EXTENSION
    assert result.basis is Basis.SYMPTOMS_AND_MECHANICS
    assert result.centralised_tests == ("EIL",)
    assert result.abolished_tests == ("EIL",)
    assert result.peripheralised_tests == ("FIL",)
    assert result.centralisation_seen
    assert [(e.position, e.label, e.role) for e in result.evidence] == [
        (1, "FIL", Role.AGAINST),
        (2, "EIL", Role.FAVOURS),
    ]
    assert "Suggested directional preference: extension" in result.summary
    assert "Peripheralised: FIL." in result.summary
    assert result.summary.endswith("never a diagnosis.")


def test_vignette_d_stenosis_repeated_flexion_that_decreases_leg_symptoms_suggests_flexion():
    # Neurogenic claudication picture: bilateral thigh symptoms, worse standing. Repeated
    # flexion in lying decreases them with better range; extension in standing increases them.
    tests = [
        _test(
            "EIS",
            pre=S.THIGH,
            post=S.THIGH,
            after=A.WORSE,
            during_responses=[D.INCREASES],
            mechanical_response=M.NO_EFFECT,
            pre_nprs=6,
        ),
        _test(
            "FIL",
            pre=S.THIGH,
            post=S.THIGH,
            after=A.BETTER,
            during_responses=[D.DECREASES],
            mechanical_response=M.ROM_INCREASED,
            pre_nprs=6,
        ),
    ]
    result = summarise(tests)
    assert [t.response for t in result.tests] == [
        SymptomResponse.INCREASED,
        SymptomResponse.DECREASED,
    ]
    assert result.directional_preference == Direction.FLEXION
    # DECREASES + BETTER qualifies only with ROM_INCREASED (§4.4).
    assert result.basis is Basis.SYMPTOMS_AND_MECHANICS
    assert result.centralised_tests == () and result.peripheralised_tests == ()
    assert not result.centralisation_seen


def test_vignette_c_s1_radiculopathy_with_no_lasting_change_shows_no_preference():
    tests = [
        _test("EIL", pre=S.FOOT, post=S.FOOT, after=A.NO_WORSE, during_responses=[D.INCREASES]),
        _test("FIL", pre=S.FOOT, post=S.FOOT, after=A.NO_BETTER, during_responses=[D.DECREASES]),
        _test("EIS", pre=S.FOOT, post=S.FOOT, after=A.NO_EFFECT, mechanical_response=M.NO_EFFECT),
    ]
    result = summarise(tests)
    assert {t.response for t in result.tests} == {SymptomResponse.NO_EFFECT}
    assert result.directional_preference == NO_PREFERENCE
    assert result.basis is None
    assert "No directional preference" in result.summary


# --- One test's response --------------------------------------------------------------------


def test_extension_in_lying_that_centralises_suggests_an_extension_preference():
    result = summarise(
        [
            _test(
                "EIL",
                pre=S.BELOW_KNEE,
                post=S.BUTTOCK,
                after=A.CENTRALISED,
                during_responses=[D.CENTRALISING, D.DECREASES],
            )
        ]
    )
    assert result.tests[0].response is SymptomResponse.CENTRALISING
    assert result.tests[0].centralised
    assert result.directional_preference == Direction.EXTENSION
    # Centralisation alone meets the §4.1 definition; no range gain was recorded.
    assert result.basis is Basis.SYMPTOMS


def test_centralisation_follows_the_spec_rule_post_site_nearer_and_after_better():
    assert classify(_test(pre=S.FOOT, post=S.THIGH, after=A.BETTER)).centralised


def test_centralised_within_one_body_map_region_is_trusted_as_centralising():
    result = classify(_test(pre=S.THIGH, post=S.THIGH, after=A.CENTRALISED))
    assert result.response is SymptomResponse.CENTRALISING


def test_symptoms_spreading_further_out_and_worse_are_peripheralising():
    result = classify(_test("FIS", pre=S.BUTTOCK, post=S.BELOW_KNEE, after=A.WORSE))
    assert result.response is SymptomResponse.PERIPHERALISING
    assert result.peripheralised and result.role is Role.AGAINST


def test_back_pain_moving_from_one_side_to_the_centre_is_centralising():
    result = classify(_test(pre=S.UNILAT_LB, post=S.CENTRAL_LB, after=A.BETTER))
    assert result.response is SymptomResponse.CENTRALISING


def test_central_back_pain_that_goes_is_abolished_and_counts_as_centralised():
    result = classify(_test(pre=S.CENTRAL_LB, post=S.NONE, after=A.ABOLISHED))
    assert result.response is SymptomResponse.ABOLISHED and result.centralised


def test_a_site_nearer_the_spine_but_worse_after_is_unclear_and_mentions_central_increase():
    result = classify(_test(pre=S.THIGH, post=S.BUTTOCK, after=A.WORSE))
    assert result.response is SymptomResponse.UNCLEAR
    assert not result.centralised
    assert "Central pain may increase temporarily" in result.reason
    assert "afterwards the symptoms were worse" in result.reason


def test_spreading_further_out_but_recorded_better_is_unclear():
    assert classify(_test(pre=S.BUTTOCK, post=S.THIGH, after=A.BETTER)).response is (
        SymptomResponse.UNCLEAR
    )


def test_central_back_pain_produced_from_none_is_an_increase_not_peripheralisation():
    result = classify(_test("FIS", pre=S.NONE, post=S.CENTRAL_LB, after=A.WORSE))
    assert result.response is SymptomResponse.INCREASED


def test_produced_during_but_no_worse_after_has_no_lasting_effect():
    result = classify(
        _test("FIS", pre=S.NONE, post=S.NONE, after=A.NO_WORSE, during_responses=[D.PRODUCES])
    )
    assert result.response is SymptomResponse.NO_EFFECT
    assert result.role is Role.NEUTRAL


def test_the_distal_site_scale_runs_from_none_to_foot_in_the_spec_order():
    assert [s.rank for s in DistalSite] == list(range(7))
    assert DistalSite.CENTRAL_LB.rank < DistalSite.UNILAT_LB.rank < DistalSite.BUTTOCK.rank
    assert DistalSite.THIGH.rank < DistalSite.BELOW_KNEE.rank < DistalSite.FOOT.rank


# --- Directional preference -----------------------------------------------------------------


def test_decreased_symptoms_without_a_range_gain_do_not_make_a_preference():
    result = summarise([_test("FIL", after=A.BETTER, during_responses=[D.DECREASES])])
    assert result.tests[0].response is SymptomResponse.DECREASED
    assert result.tests[0].role is Role.NEUTRAL
    assert result.directional_preference == NO_PREFERENCE


def test_flexion_and_extension_both_centralising_is_unclear():
    result = summarise(
        [
            _test("EIL", pre=S.THIGH, post=S.BUTTOCK, after=A.CENTRALISED),
            _test("FIL", pre=S.THIGH, post=S.BUTTOCK, after=A.BETTER),
        ]
    )
    assert result.directional_preference == UNCLEAR
    assert set(result.candidates) == {Direction.EXTENSION, Direction.FLEXION}
    assert "unclear" in result.summary


def test_extension_that_centralises_lying_but_peripheralises_standing_is_unclear():
    result = summarise(
        [
            _test("EIL", pre=S.THIGH, post=S.BUTTOCK, after=A.CENTRALISED),
            _test("EIS", pre=S.THIGH, post=S.BELOW_KNEE, after=A.PERIPHERALISED),
        ]
    )
    assert result.directional_preference == UNCLEAR
    finding = result.directions[0]
    assert finding.direction is Direction.EXTENSION
    assert finding.favours == ("EIL",) and finding.against == ("EIS",)
    assert finding.conflicting


def test_a_side_glide_that_centralises_suggests_a_lateral_preference_to_that_side():
    result = summarise(
        [
            _test("SGIS_L", pre=S.THIGH, post=S.THIGH, after=A.PERIPHERALISED),
            _test("SGIS_R", pre=S.THIGH, post=S.BUTTOCK, after=A.CENTRALISED),
        ]
    )
    assert result.directional_preference == Direction.LATERAL_RIGHT
    assert result.peripheralised_tests == ("SGIS_L",)


def test_range_gain_alone_suggests_a_preference_on_mechanics_only():
    result = summarise([_test("EIL", after=A.NO_EFFECT, mechanical_response=M.ROM_INCREASED)])
    assert result.tests[0].role is Role.MECHANICS_BETTER
    assert result.directional_preference == Direction.EXTENSION
    assert result.basis is Basis.MECHANICS_ONLY
    assert "symptoms did not change" in result.summary


def test_range_gain_in_two_directions_without_symptom_change_is_unclear():
    result = summarise(
        [
            _test("EIL", mechanical_response=M.ROM_INCREASED),
            _test("FIL", mechanical_response=M.ROM_INCREASED),
        ]
    )
    assert result.directional_preference == UNCLEAR


def test_a_test_without_a_direction_never_makes_a_preference():
    result = summarise(
        [_test("STAND_SLOUCH", repetitions=None, pre=S.THIGH, post=S.BUTTOCK, after=A.BETTER)]
    )
    assert result.tests[0].response is SymptomResponse.CENTRALISING
    assert result.tests[0].role is Role.NO_DIRECTION
    assert result.directional_preference == NO_PREFERENCE
    assert result.centralised_tests == ("STAND_SLOUCH",)


def test_a_sustained_posture_can_show_a_preference():
    # DP covers "a repeated or sustained movement (or posture)" (§4.1).
    result = summarise(
        [_test("LYING_PRONE_EXT", repetitions=None, pre=S.BUTTOCK, post=S.NONE, after=A.BETTER)]
    )
    assert result.directional_preference == Direction.EXTENSION
    assert result.tests[0].loading is Loading.UNLOADED


def test_a_custom_test_counts_towards_the_direction_it_names():
    test = _test(
        "OTHER",
        custom_label="Extension in standing against a wall",
        loading=Loading.LOADED,
        direction=Direction.EXTENSION,
        pre=S.THIGH,
        post=S.BUTTOCK,
        after=A.CENTRALISED,
    )
    result = summarise([test])
    assert result.directional_preference == Direction.EXTENSION
    assert result.centralised_tests == ("Extension in standing against a wall",)


def test_no_tests_is_no_preference():
    result = summarise([])
    assert result.directional_preference == NO_PREFERENCE
    assert result.summary == "No repeated-movement tests recorded."


def test_standard_loading_and_direction_are_filled_in_and_codes_may_be_strings():
    test = RepeatedMovementTest(
        movement_code="FIS",
        pre_distal_site="THIGH",
        post_distal_site="THIGH",
        after_response="NO_EFFECT",
        repetitions=10,
        during_responses=["DECREASES", "DECREASES", "INCREASES"],
        force_progression="CLINICIAN_OVERPRESSURE",
    )
    assert test.movement_code is MovementCode.FIS
    assert test.loading is Loading.LOADED
    assert test.direction is Direction.FLEXION
    assert test.during_responses == (D.INCREASES, D.DECREASES)


def test_results_are_json_ready_and_carry_the_algorithm_version():
    result = summarise(
        [
            _test(
                "EIL",
                pre=S.BUTTOCK,
                post=S.NONE,
                after=A.ABOLISHED,
                measure_name="Schober",
                measure_value=4.5,
                measure_unit="cm",
            )
        ]
    )
    data = json.loads(json.dumps(result.as_dict()))
    assert data["algorithm_version"] == ALGORITHM_VERSION == "mdt-1.0"
    assert data["directional_preference"] == "EXTENSION"
    assert data["tests"][0]["response"] == "ABOLISHED"
    assert data["note"] == "A suggestion from the recorded tests, never a diagnosis."


# --- Boundaries and bad input ---------------------------------------------------------------


@pytest.mark.parametrize("nprs", [0, 10])
def test_pre_test_nprs_accepts_both_ends_of_0_to_10(nprs):
    assert _test(pre_nprs=nprs).pre_nprs == nprs


@pytest.mark.parametrize("reps", [1, 100])
def test_repetitions_accept_1_to_100(reps):
    assert _test(repetitions=reps).repetitions == reps


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"pre_nprs": 11}, "NPRS must be from 0 to 10; got 11"),
        ({"pre_nprs": -1}, "NPRS must be from 0 to 10; got -1"),
        ({"pre_nprs": True}, "NPRS must be a whole number"),
        ({"pre_nprs": 4.5}, "NPRS must be a whole number"),
        ({"repetitions": 0}, "repetitions must be from 1 to 100; got 0"),
        ({"repetitions": 101}, "repetitions must be from 1 to 100; got 101"),
        ({"repetitions": None}, "record the number of repetitions"),
        ({"code": "XYZ"}, "The movement code must be one of FIS, EIS"),
        ({"pre": "KNEE"}, "pre-test distal site must be one of NONE, CENTRAL_LB"),
        ({"after": "GONE"}, "after-response must be one of BETTER"),
        ({"during_responses": ["MAYBE"]}, "a during-response must be one of"),
        ({"mechanical_response": "FASTER"}, "mechanics must be one of"),
        ({"force_progression": "ROBOT"}, "force progression must be one of"),
        ({"loading": Loading.LOADED}, "Test EIL is done UNLOADED (table 4.2), not LOADED"),
        ({"direction": Direction.FLEXION}, "Test EIL is in direction EXTENSION, not FLEXION"),
        ({"code": "OTHER", "loading": "LOADED"}, "OTHER test needs a custom_label"),
        ({"code": "OTHER", "custom_label": "Wall"}, "say whether the test was LOADED"),
        ({"custom_label": "Mine"}, "custom_label is only for OTHER tests"),
        ({"measure_name": "Schober"}, "name and value together"),
        ({"measure_name": "Schober", "measure_value": float("nan")}, "must be finite"),
        ({"measure_name": "Schober", "measure_value": "4"}, "must be a number"),
        ({"pre": S.NONE, "post": S.NONE, "pre_nprs": 3}, "needs a pre-test symptom site"),
    ],
)
def test_out_of_range_or_unknown_values_are_refused_with_a_clear_message(kwargs, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        _test(**kwargs)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"after": A.ABOLISHED, "post": S.BUTTOCK}, "ABOLISHED means no symptoms remain"),
        ({"pre": S.NONE, "post": S.NONE, "after": A.BETTER}, "no symptoms before the test"),
        ({"pre": S.BUTTOCK, "post": S.NONE, "after": A.NO_BETTER}, "record ABOLISHED"),
        ({"pre": S.NONE, "post": S.NONE, "after": A.WORSE}, "no symptoms remain"),
        ({"pre": S.BUTTOCK, "post": S.THIGH, "after": A.CENTRALISED}, "moved further out"),
        ({"pre": S.THIGH, "post": S.BUTTOCK, "after": A.PERIPHERALISED}, "nearer the spine"),
        ({"during_responses": [D.NO_EFFECT, D.DECREASES]}, "NO_EFFECT during testing"),
        (
            {"during_responses": [D.CENTRALISING, D.PERIPHERALISING]},
            "both centralise and peripheralise",
        ),
    ],
)
def test_records_that_contradict_themselves_are_refused(kwargs, message):
    with pytest.raises(ValueError, match=message):
        _test(**kwargs)


def test_summarise_refuses_anything_but_records():
    with pytest.raises(ValueError, match="RepeatedMovementTest"):
        summarise([{"movement_code": "EIL"}])
