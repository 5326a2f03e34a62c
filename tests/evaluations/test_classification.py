"""Suggested classification of low back-related leg pain (clinical.md §1.1-1.4) and the
neuropathic (§1.3) and nociplastic (§1.2) grades, against worked vignettes.

Pure functions: none of these tests touch the database.
"""

import json

import pytest

from evaluations.classification import (
    ALGORITHM_VERSION,
    Category,
    ClassificationFindings,
    Level,
    NeuropathicGrade,
    NociplasticGrade,
    Side,
    suggest_classification,
)
from evaluations.neuro import (
    DermatomeTest,
    MyotomeTest,
    NeuroExam,
    ReflexTest,
    UmnTest,
    assess_neuro,
)

L, R = "LEFT", "RIGHT"


def _pair(cls, code, left, right, *, modality=None):
    if modality:
        return [cls(code, modality, L, left), cls(code, modality, R, right)]
    return [cls(code, L, left), cls(code, R, right)]


def _l5_neuro() -> dict:
    """Vignette (a) exam: weak EHL and dorsiflexion on the left, reduced light touch over the
    dorsum of the foot (L5) on the left, patellar and Achilles symmetric, medial hamstring
    reduced on the left."""
    exam = NeuroExam(
        myotomes=[
            *_pair(MyotomeTest, "GREAT_TOE_EXTENSION", 4, 5),
            *_pair(MyotomeTest, "ANKLE_DORSIFLEXION", 4, 5),
        ],
        dermatomes=_pair(DermatomeTest, "L5", "REDUCED", "NORMAL", modality="LIGHT_TOUCH"),
        reflexes=[
            *_pair(ReflexTest, "PATELLAR", "2+", "2+"),
            *_pair(ReflexTest, "ACHILLES", "2+", "2+"),
            *_pair(ReflexTest, "MEDIAL_HAMSTRING", "1+", "2+"),
        ],
        umn=[UmnTest(L, "FLEXOR"), UmnTest(R, "FLEXOR")],
    )
    return assess_neuro(exam).classification_inputs()


def _s1_neuro() -> dict:
    exam = NeuroExam(
        myotomes=[
            *_pair(MyotomeTest, "ANKLE_PLANTARFLEXION", 4, 5),
            *_pair(MyotomeTest, "FOOT_EVERSION", 4, 5),
        ],
        dermatomes=_pair(DermatomeTest, "S1", "REDUCED", "NORMAL", modality="PIN_PRICK"),
        reflexes=_pair(ReflexTest, "ACHILLES", "1+", "2+"),
    )
    return assess_neuro(exam).classification_inputs()


def _normal_neuro() -> dict:
    exam = NeuroExam(
        myotomes=_pair(MyotomeTest, "GREAT_TOE_EXTENSION", 5, 5),
        dermatomes=_pair(DermatomeTest, "L5", "NORMAL", "NORMAL", modality="LIGHT_TOUCH"),
        reflexes=_pair(ReflexTest, "ACHILLES", "2+", "2+"),
    )
    return assess_neuro(exam).classification_inputs()


RADICULAR_HISTORY = {
    "leg_pain": True,
    "leg_pain_side": L,
    "pain_below_knee": True,
    "leg_worse_than_back": True,
    "dermatomal_distribution": True,
    "radicular_quality": True,
}


# --- Vignette (a): L5 radiculopathy ----------------------------------------------------------


def test_l5_vignette_is_painful_radiculopathy_left_l5_probable_neuropathic_pain():
    result = suggest_classification(
        **RADICULAR_HISTORY, neurodynamic="POSITIVE_NEURAL", **_l5_neuro()
    )
    assert result.category is Category.RADICULOPATHY_PAINFUL
    assert result.side is Side.LEFT
    assert result.suspected_levels == (Level.L5,)
    # Sensory signs in the painful distribution make it probable; definite needs a
    # confirmatory test (clinical.md 1.3).
    assert result.neuropathic_grade is NeuropathicGrade.PROBABLE
    assert any("Definite needs a diagnostic test" in r for r in result.neuropathic_reasoning)
    assert result.evidence_for[0] == (
        "Objective neurological deficit (conduction loss): left, suggested level L5"
    )
    assert result.evidence_against == ()
    assert result.keele_items == (
        "Pain below the knee",
        "Leg pain worse than back pain",
        "Positive neural tension test",
        "Neurological deficit",
    )
    assert result.summary == (
        "Suggested classification: radiculopathy with radicular pain (painful radiculopathy), "
        "left, suspected level L5. Neuropathic pain: probable. A suggestion, never a diagnosis."
    )


def test_l5_vignette_with_matching_mri_is_definite_neuropathic_pain():
    result = suggest_classification(**RADICULAR_HISTORY, confirmatory_test=True, **_l5_neuro())
    assert result.neuropathic_grade is NeuropathicGrade.DEFINITE


def test_a_confirmatory_test_without_sensory_signs_stays_possible():
    result = suggest_classification(
        **RADICULAR_HISTORY,
        neuro_deficit=True,
        deficit_side=L,
        deficit_levels=["L5"],
        sensory_signs=False,
        confirmatory_test=True,
    )
    assert result.neuropathic_grade is NeuropathicGrade.POSSIBLE
    assert any("definite needs probable first" in r for r in result.neuropathic_reasoning)


# --- Vignette (b): S1 radiculopathy ----------------------------------------------------------


def test_s1_vignette_is_painful_radiculopathy_left_s1():
    result = suggest_classification(
        leg_pain=True, leg_pain_side=L, pain_below_knee=True, **_s1_neuro()
    )
    assert result.category is Category.RADICULOPATHY_PAINFUL
    assert (result.side, result.suspected_levels) == (Side.LEFT, (Level.S1,))


# --- Vignette (c): somatic referred pain -----------------------------------------------------


def test_somatic_vignette_is_somatic_referred_pain_with_no_level():
    result = suggest_classification(
        leg_pain=True,
        leg_pain_side=R,
        pain_below_knee=False,
        leg_worse_than_back=False,
        somatic_quality=True,
        varies_with_back_pain=True,
        neurodynamic="NEGATIVE",
        **_normal_neuro(),
    )
    assert result.category is Category.SOMATIC_REFERRED
    assert result.suspected_levels == ()
    assert result.side is Side.RIGHT
    assert "No neurological deficit" in result.evidence_for
    assert "Pain stays above the knee" in result.evidence_for
    assert result.neuropathic_grade is NeuropathicGrade.NONE
    assert result.neuropathic_reasoning[0].startswith("Unlikely")
    assert result.keele_items == ()


def test_somatic_pain_may_go_below_the_knee_once():
    # "Can go below the knee when severe" (✅ [S3, S5]): one radicular feature is tolerated.
    result = suggest_classification(
        leg_pain=True,
        pain_below_knee=True,
        leg_worse_than_back=False,
        somatic_quality=True,
        neurodynamic="NON_NEURAL_REPRODUCTION",
        neuro_deficit=False,
    )
    assert result.category is Category.SOMATIC_REFERRED
    assert result.evidence_against == ("Pain below the knee (Keele model item)",)


def test_somatic_referred_pain_is_not_suggested_without_a_neuro_exam():
    result = suggest_classification(
        leg_pain=True, pain_below_knee=False, somatic_quality=True, neurodynamic="NEGATIVE"
    )
    assert result.category is Category.UNCLEAR
    assert any("Neurological exam not recorded" in e for e in result.evidence_against)


# --- Vignette (d): neurogenic claudication ---------------------------------------------------


def test_stenosis_vignette_is_neurogenic_claudication_with_a_cauda_equina_check():
    result = suggest_classification(
        leg_pain=True,
        leg_pain_side="BILATERAL",
        pain_below_knee=False,
        walking_or_standing_symptoms=True,
        relieved_by_sitting=True,
        relieved_by_flexion=True,
        age=72,
        neurodynamic="NEGATIVE",
        **_normal_neuro(),
    )
    assert result.category is Category.NEUROGENIC_CLAUDICATION
    assert result.side is Side.BILATERAL
    assert result.suspected_levels == ()
    assert result.evidence_for == (
        "Leg symptoms brought on by walking or standing",
        "Relieved by sitting",
        "Relieved by bending forward (shopping-cart sign)",
        "Symptoms in both legs",
        "Symptoms mainly above the knees",
        "Age over 60",
    )
    assert any("cauda equina red flags" in note for note in result.safety_notes)
    # Distribution plausibility was not recorded: the grade says so instead of guessing.
    assert result.neuropathic_grade is NeuropathicGrade.NOT_ASSESSED


@pytest.mark.parametrize("age, listed", [(60, False), (61, True)])
def test_age_supports_neurogenic_claudication_only_over_60(age, listed):
    result = suggest_classification(
        leg_pain=True, walking_or_standing_symptoms=True, relieved_by_sitting=True, age=age
    )
    assert result.category is Category.NEUROGENIC_CLAUDICATION
    assert ("Age over 60" in result.evidence_for) is listed


def test_walking_symptoms_without_relief_by_sitting_or_flexion_are_not_claudication():
    result = suggest_classification(
        leg_pain=True,
        walking_or_standing_symptoms=True,
        relieved_by_sitting=False,
        relieved_by_flexion=False,
    )
    assert result.category is not Category.NEUROGENIC_CLAUDICATION


def test_vascular_features_make_claudication_unclear_and_ask_for_pulses():
    result = suggest_classification(
        leg_pain=True,
        walking_or_standing_symptoms=True,
        relieved_by_sitting=True,
        relieved_by_standing_still=True,
        neuro_deficit=False,
    )
    assert result.category is Category.UNCLEAR
    assert "Relieved by standing still (suggests vascular claudication)" in result.evidence_against
    assert any("pulses" in note for note in result.safety_notes)


def test_claudication_with_a_root_deficit_is_mixed():
    result = suggest_classification(
        leg_pain=True,
        leg_pain_side=L,
        walking_or_standing_symptoms=True,
        relieved_by_flexion=True,
        **_l5_neuro(),
    )
    assert result.category is Category.MIXED
    assert result.suspected_levels == (Level.L5,)


# --- Vignette (e): UMN signs ----------------------------------------------------------------


def test_upper_motor_neuron_signs_make_the_picture_unclear():
    neuro = assess_neuro(
        NeuroExam(umn=[UmnTest(L, "EXTENSOR")], reflexes=[ReflexTest("ACHILLES", L, "2+")])
    )
    assert neuro.raises_alert
    result = suggest_classification(**RADICULAR_HISTORY, **neuro.classification_inputs())
    assert result.category is Category.UNCLEAR
    assert result.evidence_against == (
        "Upper motor neuron signs: radiculopathy does not explain them",
    )
    assert "urgent medical referral" in result.safety_notes[0]


# --- Radicular pain, mixed, unclear: boundaries ---------------------------------------------


def test_three_radicular_features_with_a_keele_item_is_radicular_pain():
    result = suggest_classification(
        leg_pain=True,
        pain_below_knee=True,
        radicular_quality=True,
        worse_on_cough=True,
        neuro_deficit=False,
    )
    assert result.category is Category.RADICULAR_PAIN
    assert result.suspected_levels == ()  # the pain pattern never places a level


def test_three_radicular_features_without_a_keele_item_stay_unclear():
    result = suggest_classification(
        leg_pain=True,
        radicular_quality=True,
        worse_on_cough=True,
        paroxysmal=True,
        neuro_deficit=False,
    )
    assert result.category is Category.UNCLEAR
    assert "Too few features to suggest radicular pain" in result.evidence_against


def test_two_radicular_features_stay_unclear():
    result = suggest_classification(
        leg_pain=True, pain_below_knee=True, radicular_quality=True, neuro_deficit=False
    )
    assert result.category is Category.UNCLEAR


def test_radicular_pain_without_a_neuro_exam_says_radiculopathy_is_not_excluded():
    result = suggest_classification(**RADICULAR_HISTORY)
    assert result.category is Category.RADICULAR_PAIN
    assert "Neurological exam not recorded: radiculopathy not excluded" in result.evidence_against


def test_radicular_and_somatic_features_together_are_mixed():
    result = suggest_classification(
        **RADICULAR_HISTORY, somatic_quality=True, varies_with_back_pain=True, neuro_deficit=False
    )
    assert result.category is Category.MIXED


def test_a_non_dermatomal_drawing_is_not_evidence_against_radicular_pain():
    # 64% of radicular pain is non-dermatomal (✅ [S22]).
    result = suggest_classification(
        leg_pain=True,
        pain_below_knee=True,
        leg_worse_than_back=True,
        radicular_quality=True,
        dermatomal_distribution=False,
        neuro_deficit=False,
    )
    assert result.category is Category.RADICULAR_PAIN
    assert result.evidence_against == ()


def test_a_deficit_on_the_other_side_from_the_pain_is_unclear():
    result = suggest_classification(
        leg_pain=True,
        leg_pain_side=R,
        pain_below_knee=True,
        neuro_deficit=True,
        deficit_side=L,
        deficit_levels=("L5",),
        sensory_signs=True,
        dermatomal_distribution=True,
    )
    assert result.category is Category.UNCLEAR
    assert "other side" in result.evidence_against[0]
    assert result.neuropathic_grade is NeuropathicGrade.POSSIBLE


def test_a_deficit_with_entirely_somatic_looking_pain_is_mixed():
    result = suggest_classification(
        leg_pain=True,
        pain_below_knee=False,
        somatic_quality=True,
        neuro_deficit=True,
        deficit_levels=["S1"],
    )
    assert result.category is Category.MIXED


def test_no_leg_pain_is_low_back_pain_only_or_painless_radiculopathy():
    lbp = suggest_classification(leg_pain=False, neuro_deficit=False)
    assert lbp.category is Category.LBP_ONLY_NO_LEG_PAIN
    assert lbp.side is None
    assert lbp.neuropathic_grade is NeuropathicGrade.NONE
    painless = suggest_classification(
        leg_pain=False, neuro_deficit=True, deficit_side=R, deficit_levels=["L4"]
    )
    assert painless.category is Category.RADICULOPATHY_PAINLESS
    assert (painless.side, painless.suspected_levels) == (Side.RIGHT, (Level.L4,))


def test_an_implausible_distribution_makes_neuropathic_pain_unlikely():
    result = suggest_classification(**{**RADICULAR_HISTORY, "distribution_plausible": False})
    assert result.neuropathic_grade is NeuropathicGrade.NONE


def test_the_clinicians_lesion_history_overrides_the_category_for_the_grade():
    result = suggest_classification(
        leg_pain=True, nerve_lesion_history=True, distribution_plausible=True, sensory_signs=True
    )
    assert result.category is Category.UNCLEAR
    assert result.neuropathic_grade is NeuropathicGrade.PROBABLE


# --- Nociplastic grade (separate axis) ------------------------------------------------------

IASP_POSSIBLE = {
    "pain_at_least_3_months": True,
    "regional_distribution": True,
    "not_explained_by_other_mechanisms": True,
    "hypersensitivity_signs": True,
}


def test_nociplastic_grade_needs_all_four_iasp_criteria():
    assert (
        suggest_classification(leg_pain=True, **IASP_POSSIBLE).nociplastic_grade
        is NociplasticGrade.POSSIBLE
    )
    unmet = suggest_classification(
        leg_pain=True, **{**IASP_POSSIBLE, "regional_distribution": False}
    )
    assert unmet.nociplastic_grade is NociplasticGrade.NONE
    missing = {k: v for k, v in IASP_POSSIBLE.items() if k != "hypersensitivity_signs"}
    assert (
        suggest_classification(leg_pain=True, **missing).nociplastic_grade
        is NociplasticGrade.NOT_ASSESSED
    )
    probable = suggest_classification(
        leg_pain=True,
        **IASP_POSSIBLE,
        hypersensitivity_history=True,
        hypersensitivity_comorbidities=True,
    )
    assert probable.nociplastic_grade is NociplasticGrade.PROBABLE


# --- Output ----------------------------------------------------------------------------------


def test_results_are_json_ready_and_carry_the_algorithm_version_and_inputs():
    data = suggest_classification(**RADICULAR_HISTORY, **_l5_neuro()).as_dict()
    assert data["algorithm_version"] == ALGORITHM_VERSION
    assert data["category"] == "RADICULOPATHY_PAINFUL"
    assert data["suspected_levels"] == ["L5"]
    assert data["inputs"]["deficit_levels"] == ["L5"]
    assert "never a diagnosis" in data["note"]
    json.dumps(data)


def test_a_findings_dataclass_and_keyword_fields_give_the_same_result():
    findings = ClassificationFindings(**RADICULAR_HISTORY)
    assert suggest_classification(findings) == suggest_classification(**RADICULAR_HISTORY)


# --- Bad input -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "fields, message",
    [
        ({}, "leg_pain .* is required"),
        ({"leg_pain": "yes"}, "leg_pain must be True or False"),
        ({"leg_pain": True, "pain_below_knee": "yes"}, "pain_below_knee must be True"),
        ({"leg_pain": True, "age": 150}, "age must be from 0 to 120"),
        ({"leg_pain": True, "age": 70.5}, "age must be a whole number"),
        ({"leg_pain": True, "leg_pain_side": "BOTH"}, "leg_pain_side must be one of"),
        ({"leg_pain": True, "neurodynamic": "POSITIVE"}, "neurodynamic must be one of"),
        ({"leg_pain": True, "neuro_deficit": True, "deficit_levels": "L5"}, "list of levels"),
        ({"leg_pain": True, "neuro_deficit": True, "deficit_levels": ["S3"]}, "deficit_levels"),
        ({"leg_pain": True, "neuro_deficit": False, "deficit_levels": ["L5"]}, "not True"),
        ({"leg_pain": False, "leg_pain_side": "LEFT"}, "leg_pain is False"),
        ({"leg_pain": True, "sciatica": True}, "Unknown classification input"),
    ],
)
def test_bad_input_is_refused_with_a_clear_message(fields, message):
    with pytest.raises(ValueError, match=message):
        suggest_classification(**fields)


def test_passing_both_a_findings_object_and_fields_is_refused():
    with pytest.raises(ValueError, match="not both"):
        suggest_classification(ClassificationFindings(leg_pain=True), leg_pain=False)
    with pytest.raises(ValueError, match="needs ClassificationFindings"):
        suggest_classification({"leg_pain": True})
