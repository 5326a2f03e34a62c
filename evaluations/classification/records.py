"""What the classification takes and gives: `ClassificationFindings`, plain inputs (bools,
strings, lists, None when not recorded) refused when they contradict themselves, and the
`ClassificationSuggestion` with its evidence, grades and `ALGORITHM_VERSION`.
"""

import dataclasses
from collections.abc import Iterable

from evaluations.classification.vocabulary import (
    ALGORITHM_VERSION,
    NOTE,
    Category,
    Level,
    Neurodynamic,
    NeuropathicGrade,
    NociplasticGrade,
    Side,
)
from intake.scoring.common import AsDictMixin, require_int_in_range
from intake.scoring.common import coerce_enum as _coerce

_BOOL_FIELDS = (
    "pain_below_knee",
    "leg_worse_than_back",
    "dermatomal_distribution",
    "radicular_quality",
    "somatic_quality",
    "varies_with_back_pain",
    "worse_on_cough",
    "paroxysmal",
    "neuro_deficit",
    "sensory_signs",
    "umn_signs",
    "walking_or_standing_symptoms",
    "relieved_by_sitting",
    "relieved_by_flexion",
    "relieved_by_standing_still",
    "reduced_foot_pulses",
    "distribution_plausible",
    "nerve_lesion_history",
    "confirmatory_test",
    "pain_at_least_3_months",
    "regional_distribution",
    "not_explained_by_other_mechanisms",
    "hypersensitivity_signs",
    "hypersensitivity_history",
    "hypersensitivity_comorbidities",
)


@dataclasses.dataclass(frozen=True)
class ClassificationFindings(AsDictMixin):
    """Plain inputs, each None when not recorded (unknown is not the same as "no").

    Pain pattern (intake and history):
      leg_pain                   any leg pain (required)
      leg_pain_side              LEFT / RIGHT / BILATERAL
      pain_below_knee            Keele model item ✅ [S19]
      leg_worse_than_back        Keele model item ✅ [S19]; root-compression cluster ✅ [S20]
      dermatomal_distribution    narrow band (about 5 cm) or typical dermatomal distribution
      radicular_quality          shooting, lancinating, electric-shock ✅ [S3]
      somatic_quality            dull, deep, pressure-like ache ✅ [S3]
      varies_with_back_pain      leg pain rises and falls with the back pain ✅ [S3]
      worse_on_cough, paroxysmal root-compression cluster ✅ [S20]
    Examination:
      neurodynamic               §5.5 interpretation: POSITIVE_NEURAL, NEGATIVE,
                                 NON_NEURAL_REPRODUCTION, INCONCLUSIVE
      neuro_deficit              objective conduction loss (reflex, strength or sensation)
      deficit_side, deficit_levels   where the exam places it (suggested levels)
      sensory_signs              sensory signs (loss, or allodynia/hyperalgesia) in the painful
                                 distribution: the "probable" step of §1.3
      umn_signs                  any upper motor neuron sign (§6.4)
    Neurogenic claudication ✅ [S5]:
      walking_or_standing_symptoms, relieved_by_sitting, relieved_by_flexion
      (shopping-cart sign); against: relieved_by_standing_still, reduced_foot_pulses
      (vascular claudication ⚠), age.
    Neuropathic grade (§1.3 ⚠): distribution_plausible (neuroanatomically plausible; falls
      back to dermatomal_distribution), nerve_lesion_history (falls back to the suggested
      category), confirmatory_test (imaging or electrodiagnostics confirming a lesion that
      matches the clinical level).
    Nociplastic grade (§1.2, IASP 2021 ✅ [S6]; "probable" ⚠): pain_at_least_3_months,
      regional_distribution, not_explained_by_other_mechanisms, hypersensitivity_signs;
      for probable also hypersensitivity_history and hypersensitivity_comorbidities.
    """

    leg_pain: bool
    leg_pain_side: Side | None = None
    pain_below_knee: bool | None = None
    leg_worse_than_back: bool | None = None
    dermatomal_distribution: bool | None = None
    radicular_quality: bool | None = None
    somatic_quality: bool | None = None
    varies_with_back_pain: bool | None = None
    worse_on_cough: bool | None = None
    paroxysmal: bool | None = None
    neurodynamic: Neurodynamic | None = None
    neuro_deficit: bool | None = None
    deficit_side: Side | None = None
    deficit_levels: tuple[Level, ...] = ()
    sensory_signs: bool | None = None
    umn_signs: bool | None = None
    walking_or_standing_symptoms: bool | None = None
    relieved_by_sitting: bool | None = None
    relieved_by_flexion: bool | None = None
    relieved_by_standing_still: bool | None = None
    reduced_foot_pulses: bool | None = None
    age: int | None = None
    distribution_plausible: bool | None = None
    nerve_lesion_history: bool | None = None
    confirmatory_test: bool | None = None
    pain_at_least_3_months: bool | None = None
    regional_distribution: bool | None = None
    not_explained_by_other_mechanisms: bool | None = None
    hypersensitivity_signs: bool | None = None
    hypersensitivity_history: bool | None = None
    hypersensitivity_comorbidities: bool | None = None

    def __post_init__(self) -> None:
        set_ = object.__setattr__
        if not isinstance(self.leg_pain, bool):
            raise ValueError(f"leg_pain must be True or False; got {self.leg_pain!r}.")
        for name in _BOOL_FIELDS:
            value = getattr(self, name)
            if value is not None and not isinstance(value, bool):
                raise ValueError(f"{name} must be True, False or None; got {value!r}.")
        for name in ("leg_pain_side", "deficit_side"):
            if getattr(self, name) is not None:
                set_(self, name, _coerce(Side, getattr(self, name), name))
        if self.neurodynamic is not None:
            set_(self, "neurodynamic", _coerce(Neurodynamic, self.neurodynamic, "neurodynamic"))
        levels = self.deficit_levels
        if isinstance(levels, str | bytes) or not isinstance(levels, Iterable):
            raise ValueError(f"deficit_levels must be a list of levels; got {levels!r}.")
        levels = tuple(_coerce(Level, v, "deficit_levels entry") for v in levels)
        set_(self, "deficit_levels", tuple(sorted(set(levels), key=list(Level).index)))
        if self.age is not None:
            require_int_in_range(self.age, low=0, high=120, what="age")
        # Contradictions a form could let through: refuse them rather than guess.
        if not self.leg_pain and (self.leg_pain_side or self.pain_below_knee):
            raise ValueError("leg_pain is False but a leg-pain side or below-knee pain is given.")
        if self.neuro_deficit is not True and (self.deficit_levels or self.deficit_side):
            raise ValueError("deficit_levels or deficit_side given but neuro_deficit is not True.")


@dataclasses.dataclass(frozen=True)
class ClassificationSuggestion(AsDictMixin):
    category: Category
    summary: str
    evidence_for: tuple[str, ...]
    evidence_against: tuple[str, ...]
    side: Side | None
    suspected_levels: tuple[Level, ...]
    neuropathic_grade: NeuropathicGrade
    neuropathic_reasoning: tuple[str, ...]
    nociplastic_grade: NociplasticGrade
    nociplastic_reasoning: tuple[str, ...]
    # Keele clinical diagnostic model items present (Stynes 2018 ✅ [S19]), for the
    # §1.4 `system_suggestion`.
    keele_items: tuple[str, ...]
    safety_notes: tuple[str, ...]
    inputs: ClassificationFindings
    algorithm_version: str = ALGORITHM_VERSION
    note: str = NOTE
