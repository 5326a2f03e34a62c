"""Lumbar neurological exam (clinical.md §6): asymmetries, suggested level, UMN alerts.

Pure functions: none of these tests touch the database. Vignettes are hand-worked against
the §6.5 weights (reflex 3, single-root myotome 3, shared myotome 2, dermatome 2, pain 1).
"""

import json

import pytest

from evaluations.neuro import (
    ALGORITHM_VERSION,
    SUGGEST_THRESHOLD,
    AlertLevel,
    DermatomeTest,
    LevelConfidence,
    MyotomeTest,
    NeuroExam,
    PainArea,
    ReflexGrade,
    ReflexTest,
    Root,
    Side,
    UmnTest,
    assess_neuro,
)

L, R = "LEFT", "RIGHT"


def _both(movement: str, left: int, right: int = 5, **kw) -> list[MyotomeTest]:
    return [MyotomeTest(movement, L, left, **kw), MyotomeTest(movement, R, right)]


def _touch(root: str, left: str, right: str = "NORMAL", modality: str = "LIGHT_TOUCH"):
    return [DermatomeTest(root, modality, L, left), DermatomeTest(root, modality, R, right)]


def _reflex(reflex: str, left, right="2+") -> list[ReflexTest]:
    return [ReflexTest(reflex, L, left), ReflexTest(reflex, R, right)]


def _normal_reflexes() -> list[ReflexTest]:
    return [*_reflex("PATELLAR", "2+"), *_reflex("ACHILLES", "2+")]


def _normal_umn() -> list[UmnTest]:
    return [UmnTest(L, babinski="FLEXOR", clonus_beats=0), UmnTest(R, "FLEXOR", 0)]


def _l5_exam(**overrides) -> NeuroExam:
    """Vignette (a): weak EHL and ankle dorsiflexion on the left, reduced light touch on the
    dorsum of the foot (L5) on the left, knee and ankle jerks symmetric, medial hamstring
    slightly reduced on the left."""
    fields = {
        "myotomes": [
            *_both("GREAT_TOE_EXTENSION", 4),
            *_both("ANKLE_DORSIFLEXION", 4),
            *_both("ANKLE_PLANTARFLEXION", 5),
            *_both("KNEE_EXTENSION", 5),
        ],
        "dermatomes": [*_touch("L5", "REDUCED"), *_touch("S1", "NORMAL"), *_touch("L4", "NORMAL")],
        "reflexes": [*_normal_reflexes(), *_reflex("MEDIAL_HAMSTRING", "1+")],
        "umn": _normal_umn(),
    }
    fields.update(overrides)
    return NeuroExam(**fields)


def _s1_exam() -> NeuroExam:
    """Vignette (b): weak plantarflexion and eversion on the left, Achilles 1+ on the left,
    S1 dermatome reduced on the left."""
    return NeuroExam(
        myotomes=[
            *_both("ANKLE_PLANTARFLEXION", 4),
            *_both("FOOT_EVERSION", 4),
            *_both("GREAT_TOE_EXTENSION", 5),
        ],
        dermatomes=[*_touch("S1", "REDUCED"), *_touch("L5", "NORMAL")],
        reflexes=[*_reflex("PATELLAR", "2+"), *_reflex("ACHILLES", "1+")],
        umn=_normal_umn(),
    )


NORMAL_MOVEMENTS = (
    "HIP_FLEXION",
    "KNEE_EXTENSION",
    "ANKLE_DORSIFLEXION",
    "GREAT_TOE_EXTENSION",
    "ANKLE_PLANTARFLEXION",
)


def _normal_exam() -> NeuroExam:
    return NeuroExam(
        myotomes=[t for m in NORMAL_MOVEMENTS for t in _both(m, 5)],
        dermatomes=[t for root in ("L2", "L3", "L4", "L5", "S1") for t in _touch(root, "NORMAL")],
        reflexes=_normal_reflexes(),
        umn=_normal_umn(),
    )


# --- Vignette (a): L5 ------------------------------------------------------------------------


def test_l5_vignette_suggests_l5_on_the_left_with_motor_and_sensory_agreement():
    result = assess_neuro(_l5_exam())
    assert len(result.suggested_levels) == 1
    suggestion = result.suggested_levels[0]
    assert suggestion.side is Side.LEFT
    assert suggestion.roots == (Root.L5,)
    # EHL 3 (single root) + dermatome 2 + medial hamstring 1 = 6; the dorsiflexion 2 is
    # capped by the stronger myotome finding.
    assert suggestion.score == 6
    assert suggestion.confidence is LevelConfidence.CONSISTENT
    assert suggestion.confidence_text == "Motor and sensory findings agree on L5."
    assert any("Great-toe extension" in e for e in suggestion.evidence)
    assert result.conduction_loss is True
    assert not result.raises_alert


def test_l5_vignette_lists_every_side_to_side_difference_in_plain_language():
    result = assess_neuro(_l5_exam())
    codes = {a.code for a in result.asymmetries}
    assert codes == {
        "GREAT_TOE_EXTENSION",
        "ANKLE_DORSIFLEXION",
        "L5 LIGHT_TOUCH",
        "MEDIAL_HAMSTRING",
    }
    assert all(a.affected_side is Side.LEFT for a in result.asymmetries)
    ehl = next(a for a in result.asymmetries if a.code == "GREAT_TOE_EXTENSION")
    assert ehl.text == (
        "Great-toe extension (extensor hallucis longus, L5) weaker on the left (4/5) than the "
        "right (5/5)."
    )


def test_dorsiflexion_weakness_alone_cannot_separate_l4_from_l5():
    # Tibialis anterior is L4/L5 (◐): 2 points each, below the threshold of 3.
    result = assess_neuro(NeuroExam(myotomes=_both("ANKLE_DORSIFLEXION", 4)))
    assert result.suggested_levels == ()
    assert {(s.root, s.score) for s in result.root_scores} == {(Root.L4, 2), (Root.L5, 2)}
    assert result.conduction_loss is True
    assert "too few or too scattered" in result.summary


def test_a_tie_between_roots_is_reported_as_ambiguous():
    exam = NeuroExam(
        myotomes=_both("ANKLE_DORSIFLEXION", 4),
        dermatomes=[*_touch("L4", "REDUCED"), *_touch("L5", "REDUCED")],
    )
    (suggestion,) = assess_neuro(exam).suggested_levels
    assert suggestion.roots == (Root.L4, Root.L5)
    assert suggestion.confidence is LevelConfidence.AMBIGUOUS
    assert suggestion.confidence_text == "L4 and L5 score the same: the exam cannot separate them."


# --- Vignette (b): S1 ------------------------------------------------------------------------


def test_s1_vignette_suggests_s1_with_motor_sensory_and_reflex_agreement():
    result = assess_neuro(_s1_exam())
    (suggestion,) = result.suggested_levels
    assert (suggestion.side, suggestion.roots) == (Side.LEFT, (Root.S1,))
    # Plantarflexion 3 + dermatome 2 + Achilles 3 = 8.
    assert suggestion.score == 8
    assert suggestion.confidence is LevelConfidence.CONSISTENT
    assert suggestion.confidence_text == "Motor, sensory and reflex findings agree on S1."
    # Eversion (L5/S1) gives L5 a shared 2: listed, not suggested.
    l5 = next(s for s in result.root_scores if s.root is Root.L5)
    assert l5.score == 2
    achilles = next(a for a in result.asymmetries if a.code == "ACHILLES")
    assert (achilles.left, achilles.right, achilles.affected_side) == ("1+", "2+", Side.LEFT)


# --- Vignette (c): normal exam -----------------------------------------------------------------


def test_a_normal_exam_has_no_deficit_no_level_and_no_alert():
    result = assess_neuro(_normal_exam())
    assert result.conduction_loss is False
    assert result.suggested_levels == () and result.asymmetries == () and result.deficits == ()
    assert not result.raises_alert
    assert result.summary == (
        "No objective neurological deficit found. No upper motor neuron signs. "
        "A suggestion, never a diagnosis."
    )


def test_an_empty_exam_is_not_assessed_rather_than_normal():
    result = assess_neuro(NeuroExam())
    assert result.conduction_loss is None
    assert result.classification_inputs()["neuro_deficit"] is None
    assert result.summary.startswith("No neurological tests recorded.")


# --- Vignette (e): UMN and progressive weakness -----------------------------------------------


def test_an_upgoing_great_toe_raises_an_urgent_alert():
    result = assess_neuro(NeuroExam(umn=[UmnTest(L, "EXTENSOR"), UmnTest(R, "FLEXOR")]))
    assert result.raises_alert
    assert result.alert_items == ("UMN-BABINSKI",)
    assert result.alerts[0].level is AlertLevel.URGENT
    assert "on the left" in result.alerts[0].text
    assert result.summary.startswith("ALERT (UMN-BABINSKI)")
    assert result.classification_inputs()["umn_signs"] is True


def test_sustained_clonus_raises_an_alert_but_a_few_unsustained_beats_only_ask_for_a_recheck():
    sustained = assess_neuro(NeuroExam(umn=[UmnTest(R, clonus_beats=12, clonus_sustained=True)]))
    assert sustained.raises_alert and sustained.alert_items == ("UMN-CLONUS",)
    unsustained = assess_neuro(NeuroExam(umn=[UmnTest(R, clonus_beats=3), UmnTest(L, None, 0)]))
    assert not unsustained.raises_alert
    assert any("3 unsustained beat" in note for note in unsustained.to_recheck)
    assert unsustained.asymmetries[0].kind == "clonus"


def test_progressive_weakness_on_one_side_raises_the_intakes_progressive_neurology_item():
    result = assess_neuro(_l5_exam(progressive_weakness={L}))
    assert result.raises_alert
    # Same code as intake/rules/red_flags.json, so the two merge into one staff alert.
    assert result.alert_items == ("NEURO-PROGRESSIVE",)
    assert result.alerts[0].level is AlertLevel.URGENT
    # The level suggestion still stands alongside the alert.
    assert result.suggested_levels[0].roots == (Root.L5,)


def test_progressive_weakness_in_both_legs_is_the_cauda_equina_emergency():
    result = assess_neuro(NeuroExam(progressive_weakness=[L, R]))
    assert result.alert_items == ("CES-6",)
    assert result.alerts[0].level is AlertLevel.EMERGENCY


@pytest.mark.parametrize("grade", ["3+", "4+", 3, 4])
def test_hyperreflexia_is_an_upper_motor_neuron_alert(grade):
    result = assess_neuro(NeuroExam(reflexes=_reflex("PATELLAR", grade)))
    assert result.alert_items == ("UMN-HYPERREFLEXIA",)


def test_a_normal_reflex_is_not_an_alert():
    assert not assess_neuro(NeuroExam(reflexes=_reflex("PATELLAR", "2+"))).raises_alert


@pytest.mark.parametrize(
    "exam_kw, code",
    [
        ({"umn": [UmnTest(L, hoffmann=True)]}, "UMN-HOFFMANN"),
        ({"spasticity": True}, "UMN-SPASTICITY"),
        ({"gait_ataxia": True}, "UMN-GAIT-ATAXIA"),
        ({"saddle_sensation": "REDUCED"}, "CES-7"),
    ],
)
def test_other_upper_motor_neuron_and_saddle_findings_raise_alerts(exam_kw, code):
    result = assess_neuro(NeuroExam(**exam_kw))
    assert result.raises_alert and result.alert_items == (code,)


def test_an_equivocal_plantar_response_asks_for_a_recheck_without_alerting():
    result = assess_neuro(NeuroExam(umn=[UmnTest(L, "EQUIVOCAL"), UmnTest(R, "FLEXOR")]))
    assert not result.raises_alert
    assert result.to_recheck == ("Plantar response equivocal on the left: re-test.",)


def test_emergency_alerts_are_listed_before_urgent_ones():
    result = assess_neuro(NeuroExam(umn=[UmnTest(L, "EXTENSOR")], saddle_sensation="ABSENT"))
    assert result.alert_items == ("CES-7", "UMN-BABINSKI")
    assert result.alerts[0].level is AlertLevel.EMERGENCY


# --- Boundaries ------------------------------------------------------------------------------


@pytest.mark.parametrize("grade, alerts", [(3, ("FOOT-DROP",)), (4, ())])
def test_foot_drop_alerts_at_dorsiflexion_3_of_5_not_4(grade, alerts):
    assert (
        assess_neuro(NeuroExam(myotomes=_both("ANKLE_DORSIFLEXION", grade))).alert_items == alerts
    )


def test_severe_weakness_of_the_same_movement_on_both_sides_is_the_cauda_equina_emergency():
    result = assess_neuro(NeuroExam(myotomes=_both("ANKLE_PLANTARFLEXION", 3, 2)))
    assert result.alert_items == ("CES-6",)


def test_mrc_5_is_normal_and_4_plus_still_counts_as_weakness():
    assert assess_neuro(NeuroExam(myotomes=_both("GREAT_TOE_EXTENSION", 5))).deficits == ()
    result = assess_neuro(NeuroExam(myotomes=_both("GREAT_TOE_EXTENSION", 4, sub_grade="+")))
    assert result.deficits[0].text.startswith(
        "Great-toe extension (extensor hallucis longus, L5) 4+/5"
    )


def test_a_score_exactly_at_the_threshold_is_suggested_with_limited_confidence():
    # Dermatome 2 + pain in that dermatome 1 = 3 = SUGGEST_THRESHOLD.
    exam = NeuroExam(dermatomes=_touch("L4", "ABSENT"), pain_areas=[PainArea("L4", L)])
    (suggestion,) = assess_neuro(exam).suggested_levels
    assert suggestion.score == SUGGEST_THRESHOLD
    assert suggestion.confidence is LevelConfidence.LIMITED
    assert suggestion.confidence_text.startswith("Only sensory findings point to L4")
    # One point less (no pain area) is not suggested.
    assert assess_neuro(NeuroExam(dermatomes=_touch("L4", "ABSENT"))).suggested_levels == ()


def test_a_reduced_medial_hamstring_alone_is_not_conduction_loss():
    # Low reliability (⚠): 1 point, no radiculopathy on its own.
    result = assess_neuro(NeuroExam(reflexes=_reflex("MEDIAL_HAMSTRING", "1+")))
    assert result.conduction_loss is False
    assert result.root_scores[0].points == {"reflex": 1}


def test_pain_inhibited_weakness_is_not_counted_but_asks_for_a_recheck():
    result = assess_neuro(NeuroExam(myotomes=_both("GREAT_TOE_EXTENSION", 4, pain_inhibited=True)))
    assert result.deficits == () and result.conduction_loss is False
    assert "judged pain-inhibited" in result.asymmetries[0].text
    assert "re-test when pain settles" in result.to_recheck[0]


def test_symmetric_findings_are_listed_but_do_not_point_to_a_side():
    result = assess_neuro(NeuroExam(reflexes=_reflex("ACHILLES", "0", "0")))
    assert result.deficits == () and result.suggested_levels == ()
    assert "symmetric" in result.symmetric_findings[0]
    # Absent without reinforcement: re-test with Jendrassik (⚠ §6.3).
    assert len(result.to_recheck) == 2


def test_a_finding_with_the_other_side_untested_still_counts():
    result = assess_neuro(NeuroExam(reflexes=[ReflexTest("ACHILLES", L, "0", reinforced=True)]))
    assert result.deficits[0].text.endswith("(other side not tested)")
    assert result.root_scores[0].score == 3
    assert result.to_recheck == ()


def test_a_two_level_picture_shows_the_second_root_over_threshold():
    exam = NeuroExam(
        myotomes=[*_both("GREAT_TOE_EXTENSION", 3), *_both("ANKLE_PLANTARFLEXION", 4)],
        dermatomes=_touch("L5", "ABSENT"),
        reflexes=_reflex("ACHILLES", "1+"),
    )
    # S1: plantarflexion 3 + Achilles 3 = 6. L5: EHL 3 + dermatome 2 = 5.
    (suggestion,) = assess_neuro(exam).suggested_levels
    assert (suggestion.roots, suggestion.score) == ((Root.S1,), 6)
    assert suggestion.also_over_threshold == (Root.L5,)


def test_increased_sensation_is_a_positive_sign_not_conduction_loss():
    result = assess_neuro(NeuroExam(dermatomes=_touch("L5", "INCREASED", modality="PIN_PRICK")))
    assert result.positive_sensory_signs == (
        "Increased pin prick (hyperalgesia) in L5 on the left.",
    )
    assert result.conduction_loss is False
    assert result.asymmetries[0].affected_side is Side.LEFT
    assert result.classification_inputs()["sensory_signs"] is True


def test_bilateral_deficits_are_reported_as_a_bilateral_deficit_side():
    exam = NeuroExam(
        myotomes=[MyotomeTest("GREAT_TOE_EXTENSION", L, 4), MyotomeTest("HIP_EXTENSION", R, 4)]
    )
    inputs = assess_neuro(exam).classification_inputs()
    assert inputs["deficit_side"] == "BILATERAL"
    assert inputs["deficit_levels"] == ("L5", "S1")


def test_results_are_json_ready_and_carry_the_algorithm_version():
    data = assess_neuro(_l5_exam()).as_dict()
    assert data["algorithm_version"] == ALGORITHM_VERSION
    assert data["suggested_levels"][0]["roots"] == ["L5"]
    assert data["suggested_levels"][0]["side"] == "LEFT"
    assert "never a diagnosis" in data["note"]
    json.dumps(data)


def test_exams_can_be_built_from_plain_mappings():
    exam = NeuroExam(
        myotomes=[{"movement": "HIP_ABDUCTION", "side": "LEFT", "grade": 4}],
        reflexes=[{"reflex": "PATELLAR", "side": "RIGHT", "grade": 1}],
    )
    assert exam.reflexes[0].grade is ReflexGrade.DIMINISHED
    assert assess_neuro(exam).conduction_loss is True


# --- Bad input -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "build, message",
    [
        (lambda: MyotomeTest("GREAT_TOE_EXTENSION", L, 6), "from 0 to 5"),
        (lambda: MyotomeTest("GREAT_TOE_EXTENSION", L, -1), "from 0 to 5"),
        (lambda: MyotomeTest("GREAT_TOE_EXTENSION", L, True), "whole number"),
        (lambda: MyotomeTest("GREAT_TOE_EXTENSION", L, "4"), "whole number"),
        (lambda: MyotomeTest("GREAT_TOE_EXTENSION", L, 3, "+"), "grade 4 only"),
        (lambda: MyotomeTest("GREAT_TOE_EXTENSION", L, 4, "++"), "sub-grade"),
        (lambda: MyotomeTest("BIG_TOE", L, 4), "Myotome movement must be one of"),
        (lambda: MyotomeTest("GREAT_TOE_EXTENSION", "BOTH", 4), "Myotome side must be one of"),
        (lambda: MyotomeTest("GREAT_TOE_EXTENSION", L, 4, pain_inhibited="no"), "True or False"),
        (lambda: DermatomeTest("S3", "LIGHT_TOUCH", L, "REDUCED"), "saddle_sensation"),
        (lambda: DermatomeTest("T12", "LIGHT_TOUCH", L, "REDUCED"), "Dermatome root"),
        (lambda: DermatomeTest("L5", "LIGHT_TOUCH", L, "NUMB"), "Sensory finding"),
        (lambda: ReflexTest("ACHILLES", L, "5+"), "ACHILLES reflex grade"),
        (lambda: ReflexTest("ACHILLES", L, 5), "from 0 to 4"),
        (lambda: ReflexTest("ACHILLES", L, True), "must be 0, 1+"),
        (lambda: ReflexTest("JAW", L, "2+"), "Reflex must be one of"),
        (lambda: UmnTest(L, "UPGOING"), "Babinski"),
        (lambda: UmnTest(L, clonus_beats=-2), "Clonus beats"),
        (lambda: UmnTest(L, clonus_beats=0, clonus_sustained=True), "cannot be sustained"),
        (lambda: NeuroExam(progressive_weakness="LEFT"), "collection of sides"),
        (lambda: NeuroExam(progressive_weakness=True), "collection of sides"),
        (lambda: NeuroExam(progressive_weakness=["UP"]), "Progressive weakness side"),
        (lambda: NeuroExam(myotomes=MyotomeTest("HIP_FLEXION", L, 5)), "list of tests"),
        (lambda: NeuroExam(myotomes=["HIP_FLEXION"]), "must hold MyotomeTest"),
        (lambda: NeuroExam(myotomes=[{"movement": "HIP_FLEXION"}]), "not a valid MyotomeTest"),
        (lambda: NeuroExam(saddle_sensation="TINGLY"), "Saddle sensation"),
        (lambda: NeuroExam(spasticity=None), "spasticity"),
        (lambda: assess_neuro({"myotomes": []}), "needs a NeuroExam"),
    ],
)
def test_bad_input_is_refused_with_a_clear_message(build, message):
    with pytest.raises(ValueError, match=message):
        build()


def test_the_same_test_recorded_twice_is_refused():
    with pytest.raises(ValueError, match="Myotome test recorded twice: GREAT_TOE_EXTENSION LEFT"):
        NeuroExam(
            myotomes=[*_both("GREAT_TOE_EXTENSION", 4), MyotomeTest("GREAT_TOE_EXTENSION", L, 5)]
        )
    with pytest.raises(ValueError, match="Reflex recorded twice"):
        NeuroExam(reflexes=[*_reflex("ACHILLES", "2+"), ReflexTest("ACHILLES", R, "1+")])
