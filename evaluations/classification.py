"""A suggested classification of low back-related leg pain for the therapist's evaluation
(clinical.md §1.1-1.4), with the evidence for and against, and the neuropathic-pain grade
(§1.3) and nociplastic grade (§1.2) as separate axes.

Pure functions: no Django, no database. Plain inputs (bools, strings, lists), so the same
function can be fed from the intake answers, the neurological exam
(`evaluations.neuro.NeuroResult.classification_inputs()`) and the neurodynamic tests.

The classification is clinician-authored and never auto-finalised (§1.4): this module
makes the `system_suggestion`, a suggestion, never a diagnosis. The category vocabulary is
NeuPSIG 2023's ✅ [S1]; the decision rules that weigh the features against each other are
⚠ product-defined (the spec gives per-category criteria, §1.2, but no algorithm) and need
clinical sign-off, like the red-flag ruleset.

Why the rules are shaped this way:
- Radiculopathy is defined by objective conduction loss (reflex, strength or sensation)
  matching a root ✅ [S1, S5], so a recorded deficit outranks the pain pattern.
- Somatic referred pain has no neurological signs by definition ✅ [S1, S4, S5], so it is
  only suggested when the neuro exam was done and found none.
- Radicular pain is often non-dermatomal (64%) ✅ [S22] and pain drawings cannot place a
  level ✅ [S23]: a non-dermatomal drawing is not evidence against radicular pain, and
  suspected levels come from the exam only, never from where the pain is drawn.
- Any UMN sign means radiculopathy is not an adequate explanation (§6.4): "unclear", and
  the staff alert comes from the neuro exam.
"""

import dataclasses
import enum
from collections.abc import Iterable
from typing import Any

from evaluations.neuro import Root
from intake.scoring.common import AsDictMixin, require_int_in_range
from intake.scoring.common import coerce_enum as _coerce

ALGORITHM_VERSION = "classification-1.0"
NOTE = (
    "A suggested classification for the clinician to confirm or change: a suggestion, "
    "never a diagnosis."
)

# ⚠ product-defined thresholds (the spec lists features per category, not how many).
# Mirrors the intake's pattern suggestion: three radicular features including at least
# one item of the Keele diagnostic model (Stynes 2018 ✅ [S19]).
RADICULAR_MIN_FEATURES = 3
SOMATIC_MIN_FEATURES = 2
# Somatic referred pain tolerates one radicular-looking feature: it "can go below the knee
# when severe" ✅ [S3, S5].
SOMATIC_MAX_RADICULAR_FEATURES = 1
# ⚠ product-defined: the spec gives no age for lumbar spinal stenosis; older age is
# supporting evidence only, never required.
NC_SUPPORTING_AGE_OVER = 60


class Category(enum.StrEnum):
    """clinical.md §1.4 `category` codes."""

    SOMATIC_REFERRED = "SOMATIC_REFERRED"
    RADICULAR_PAIN = "RADICULAR_PAIN"
    RADICULOPATHY_PAINFUL = "RADICULOPATHY_PAINFUL"
    RADICULOPATHY_PAINLESS = "RADICULOPATHY_PAINLESS"
    NEUROGENIC_CLAUDICATION = "NEUROGENIC_CLAUDICATION"
    MIXED = "MIXED"
    UNCLEAR = "UNCLEAR"
    LBP_ONLY_NO_LEG_PAIN = "LBP_ONLY_NO_LEG_PAIN"


CATEGORY_LABELS = {
    Category.SOMATIC_REFERRED: "somatic referred pain",
    Category.RADICULAR_PAIN: "radicular pain",
    Category.RADICULOPATHY_PAINFUL: "radiculopathy with radicular pain (painful radiculopathy)",
    Category.RADICULOPATHY_PAINLESS: "radiculopathy without pain",
    Category.NEUROGENIC_CLAUDICATION: "neurogenic claudication (lumbar spinal stenosis picture)",
    Category.MIXED: "a mixed picture",
    Category.UNCLEAR: "an unclear picture",
    Category.LBP_ONLY_NO_LEG_PAIN: "low back pain only, no leg pain",
}


class Side(enum.StrEnum):
    """clinical.md §1.4 `side`. BILATERAL goes to the cauda equina rule (§2.2)."""

    LEFT = "LEFT"
    RIGHT = "RIGHT"
    BILATERAL = "BILATERAL"


# clinical.md §1.4 `suspected_levels` multi-enum {L1..S2}: the neuro exam's roots, one
# vocabulary for both.
Level = Root


class NeuropathicGrade(enum.StrEnum):
    """clinical.md §1.4 `neuropathic_grade`. NONE reads "unlikely" in plain language."""

    NONE = "NONE"
    POSSIBLE = "POSSIBLE"
    PROBABLE = "PROBABLE"
    DEFINITE = "DEFINITE"
    NOT_ASSESSED = "NOT_ASSESSED"


class NociplasticGrade(enum.StrEnum):
    """clinical.md §1.4 `nociplastic_grade`."""

    NONE = "NONE"
    POSSIBLE = "POSSIBLE"
    PROBABLE = "PROBABLE"
    NOT_ASSESSED = "NOT_ASSESSED"


class Neurodynamic(enum.StrEnum):
    """The clinician's interpretation of the neurodynamic tests (clinical.md §5.5)."""

    POSITIVE_NEURAL = "POSITIVE_NEURAL"
    NEGATIVE = "NEGATIVE"
    NON_NEURAL_REPRODUCTION = "NON_NEURAL_REPRODUCTION"
    INCONCLUSIVE = "INCONCLUSIVE"


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

    def __post_init__(self):
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


# --- Features --------------------------------------------------------------------------------

KEELE_BELOW_KNEE = "Pain below the knee"
KEELE_LEG_WORSE = "Leg pain worse than back pain"
KEELE_NEURAL = "Positive neural tension test"
KEELE_DEFICIT = "Neurological deficit"


def _radicular_features(f: ClassificationFindings) -> list[str]:
    out = []
    if f.pain_below_knee:
        out.append("Pain below the knee (Keele model item)")
    if f.leg_worse_than_back:
        out.append("Leg pain worse than back pain (Keele model item)")
    if f.neurodynamic is Neurodynamic.POSITIVE_NEURAL:
        out.append(
            "Neurodynamic test positive: reproduces the leg pain and changes with structural "
            "differentiation (Keele model item)"
        )
    if f.dermatomal_distribution:
        out.append("Pain in a narrow band or a typical dermatomal distribution")
    if f.radicular_quality:
        out.append("Shooting, lancinating or electric-shock pain")
    if f.worse_on_cough:
        out.append("Worse on coughing, sneezing or straining")
    if f.paroxysmal:
        out.append("Paroxysmal (attack-like) pain")
    if f.varies_with_back_pain is False:
        out.append("Leg pain does not simply rise and fall with the back pain")
    return out


def _has_keele_item(f: ClassificationFindings) -> bool:
    return bool(
        f.pain_below_knee or f.leg_worse_than_back or f.neurodynamic is Neurodynamic.POSITIVE_NEURAL
    )


def _somatic_features(f: ClassificationFindings) -> list[str]:
    out = []
    if f.leg_pain and f.pain_below_knee is False:
        out.append("Pain stays above the knee")
    if f.leg_worse_than_back is False:
        out.append("Back pain as bad as or worse than the leg pain")
    if f.somatic_quality:
        out.append("Dull, deep, pressure-like ache")
    if f.varies_with_back_pain:
        out.append("Leg pain rises and falls with the back pain")
    if f.neurodynamic is Neurodynamic.NEGATIVE:
        out.append("Neurodynamic tests negative")
    elif f.neurodynamic is Neurodynamic.NON_NEURAL_REPRODUCTION:
        out.append(
            "Neurodynamic test reproduces symptoms that do not change with structural "
            "differentiation (non-neural)"
        )
    # A non-dermatomal drawing is deliberately not listed: 64% of radicular pain is
    # non-dermatomal ✅ [S22].
    return out


def _keele_items(f: ClassificationFindings) -> list[str]:
    present = [
        (f.pain_below_knee, KEELE_BELOW_KNEE),
        (f.leg_worse_than_back, KEELE_LEG_WORSE),
        (f.neurodynamic is Neurodynamic.POSITIVE_NEURAL, KEELE_NEURAL),
        (f.neuro_deficit, KEELE_DEFICIT),
    ]
    return [label for flag, label in present if flag]


def _deficit_text(f: ClassificationFindings) -> str:
    where = []
    if f.deficit_side:
        where.append(f.deficit_side.value.lower())
    if f.deficit_levels:
        where.append("suggested level " + " or ".join(f.deficit_levels))
    return "Objective neurological deficit (conduction loss)" + (
        f": {', '.join(where)}" if where else ""
    )


def _nc_core(f: ClassificationFindings) -> bool:
    return bool(f.walking_or_standing_symptoms and (f.relieved_by_sitting or f.relieved_by_flexion))


def _nc_features(f: ClassificationFindings) -> list[str]:
    out = []
    if f.walking_or_standing_symptoms:
        out.append("Leg symptoms brought on by walking or standing")
    if f.relieved_by_sitting:
        out.append("Relieved by sitting")
    if f.relieved_by_flexion:
        out.append("Relieved by bending forward (shopping-cart sign)")
    if f.leg_pain_side is Side.BILATERAL:
        out.append("Symptoms in both legs")
    if f.leg_pain and f.pain_below_knee is False:
        out.append("Symptoms mainly above the knees")
    if f.age is not None and f.age > NC_SUPPORTING_AGE_OVER:
        out.append(f"Age over {NC_SUPPORTING_AGE_OVER}")
    return out


def _vascular_features(f: ClassificationFindings) -> list[str]:
    out = []
    if f.relieved_by_standing_still:
        out.append("Relieved by standing still (suggests vascular claudication)")
    if f.reduced_foot_pulses:
        out.append("Reduced foot pulses (suggests vascular claudication)")
    return out


def _sides_conflict(f: ClassificationFindings) -> bool:
    sides = {f.leg_pain_side, f.deficit_side}
    return sides == {Side.LEFT, Side.RIGHT}


# --- Category --------------------------------------------------------------------------------


def _category(f: ClassificationFindings) -> tuple[Category, list[str], list[str]]:
    """The suggested category with its evidence for and against."""
    radicular = _radicular_features(f)
    somatic = _somatic_features(f)
    rad_ok = len(radicular) >= RADICULAR_MIN_FEATURES and _has_keele_item(f)
    som_ok = len(somatic) >= SOMATIC_MIN_FEATURES
    deficit = [_deficit_text(f)] if f.neuro_deficit else []
    conflict = (
        ["The deficit is on the other side from the leg pain: it does not match the pain"]
        if _sides_conflict(f)
        else []
    )

    if f.umn_signs:
        # §6.4: radiculopathy is not an adequate explanation.
        return (
            Category.UNCLEAR,
            deficit + radicular,
            ["Upper motor neuron signs: radiculopathy does not explain them"],
        )
    if not f.leg_pain:
        if f.neuro_deficit:
            return Category.RADICULOPATHY_PAINLESS, [*deficit, "No leg pain"], []
        against = [] if f.neuro_deficit is False else ["Neurological exam not recorded"]
        return Category.LBP_ONLY_NO_LEG_PAIN, ["No leg pain"], against
    if _nc_core(f):
        nc = _nc_features(f)
        vascular = _vascular_features(f)
        below_knee = (
            ["Symptoms go below the knee (neurogenic claudication is mainly above the knees)"]
            if f.pain_below_knee
            else []
        )
        if vascular:
            return Category.UNCLEAR, nc, [*vascular, *below_knee]
        if f.neuro_deficit:
            # ⚠ product-defined: stenosis with a root deficit is both pictures at once.
            return Category.MIXED, nc + deficit + radicular, below_knee
        return Category.NEUROGENIC_CLAUDICATION, nc, below_knee
    if f.neuro_deficit:
        if conflict:
            return Category.UNCLEAR, deficit + radicular, conflict
        if som_ok and not radicular:
            # An objective deficit with pain that looks entirely somatic: both are present.
            return Category.MIXED, deficit + somatic, []
        return Category.RADICULOPATHY_PAINFUL, deficit + radicular, somatic
    not_examined = (
        ["Neurological exam not recorded: radiculopathy not excluded"]
        if f.neuro_deficit is None
        else []
    )
    if rad_ok and som_ok:
        return Category.MIXED, radicular + somatic, not_examined
    if rad_ok:
        return Category.RADICULAR_PAIN, radicular, somatic + not_examined
    if som_ok and len(radicular) <= SOMATIC_MAX_RADICULAR_FEATURES:
        if f.neuro_deficit is None:
            # Somatic referred pain means no neurological signs: that needs the exam.
            return (
                Category.UNCLEAR,
                somatic,
                [
                    *radicular,
                    "Neurological exam not recorded: needed before suggesting "
                    "somatic referred pain (no neurological signs by definition)",
                ],
            )
        return Category.SOMATIC_REFERRED, [*somatic, "No neurological deficit"], radicular
    against = []
    if len(radicular) < RADICULAR_MIN_FEATURES or not _has_keele_item(f):
        against.append("Too few features to suggest radicular pain")
    if not som_ok:
        against.append("Too few features to suggest somatic referred pain")
    return Category.UNCLEAR, radicular + somatic, against + not_examined


# --- Grades ----------------------------------------------------------------------------------

# clinical.md 1.3 ⚠: the grading structure is the spec author's recollection of the NeuPSIG
# 2016 system; the 2023 spine adaptation [S1] was not extracted word for word. To be
# checked against Schmid et al. 2023 before clinical use (docs); clinicians read this:
_GRADING_CAVEAT = (
    "Grading follows the NeuPSIG system (possible, probable, definite), as adapted for the "
    "spine by Schmid et al. 2023."
)
_NERVE_CATEGORIES = frozenset(
    {
        Category.RADICULAR_PAIN,
        Category.RADICULOPATHY_PAINFUL,
        Category.NEUROGENIC_CLAUDICATION,
        Category.MIXED,
    }
)


def _neuropathic(
    f: ClassificationFindings, category: Category
) -> tuple[NeuropathicGrade, list[str]]:
    if not f.leg_pain:
        return NeuropathicGrade.NONE, ["No leg pain to grade.", _GRADING_CAVEAT]
    if f.nerve_lesion_history is not None:
        history = f.nerve_lesion_history
        why = "recorded by the clinician"
    elif category in _NERVE_CATEGORIES:
        # MIXED here always includes a nerve-root component (radicular, deficit or stenosis).
        history = True
        why = f"from the suggested category, {CATEGORY_LABELS[category]}"
    else:
        # An unclear picture can still hold evidence of a nerve lesion. ⚠ product-defined.
        history = bool(f.neuro_deficit or f.neurodynamic is Neurodynamic.POSITIVE_NEURAL)
        why = (
            "objective deficit or positive neural test"
            if history
            else f"suggested category, {CATEGORY_LABELS[category]}"
        )
    if not history:
        return NeuropathicGrade.NONE, [
            f"Unlikely: no history of a relevant nerve lesion. Lesion history: {why}.",
            _GRADING_CAVEAT,
        ]
    plausible = f.distribution_plausible
    if plausible is None:
        plausible = f.dermatomal_distribution
    if plausible is None:
        return NeuropathicGrade.NOT_ASSESSED, [
            f"History suggests a nerve-root lesion ({why}); whether the pain distribution "
            "is neuroanatomically plausible was not recorded.",
            _GRADING_CAVEAT,
        ]
    if not plausible:
        return NeuropathicGrade.NONE, [
            "Unlikely: the pain distribution is not neuroanatomically plausible.",
            _GRADING_CAVEAT,
        ]
    reasons = [
        "Possible: history of a relevant lesion and a neuroanatomically plausible pain "
        f"distribution. Lesion history: {why}."
    ]
    if not f.sensory_signs or _sides_conflict(f):
        if f.sensory_signs is None:
            reasons.append("Sensory signs not recorded: probable needs them.")
        elif _sides_conflict(f):
            reasons.append("Sensory signs are on the other side from the pain: not probable.")
        else:
            reasons.append("No sensory signs in the painful distribution: not probable.")
        if f.confirmatory_test:
            reasons.append("A confirmatory test is noted, but definite needs probable first.")
        return NeuropathicGrade.POSSIBLE, [*reasons, _GRADING_CAVEAT]
    reasons.append(
        "Probable: sensory signs (loss such as hypoaesthesia, or allodynia/hyperalgesia) in "
        "the same distribution."
    )
    if not f.confirmatory_test:
        reasons.append(
            "Definite needs a diagnostic test confirming a lesion that explains the pain "
            "(e.g. MRI matching the clinical level, or electrodiagnostics)."
        )
        return NeuropathicGrade.PROBABLE, [*reasons, _GRADING_CAVEAT]
    reasons.append("Definite: a diagnostic test confirms a lesion that explains the pain.")
    return NeuropathicGrade.DEFINITE, [*reasons, _GRADING_CAVEAT]


def _nociplastic(f: ClassificationFindings) -> tuple[NociplasticGrade, list[str]]:
    # IASP 2021 "possible": all 4 criteria ✅ [S6].
    criteria = {
        "pain for at least 3 months": f.pain_at_least_3_months,
        "regional rather than discrete distribution": f.regional_distribution,
        "not entirely explained by nociceptive or neuropathic mechanisms": (
            f.not_explained_by_other_mechanisms
        ),
        "clinical signs of pain hypersensitivity in the painful region": (f.hypersensitivity_signs),
    }
    unmet = [name for name, value in criteria.items() if value is False]
    if unmet:
        return NociplasticGrade.NONE, [f"Not met: {'; '.join(unmet)}."]
    unknown = [name for name, value in criteria.items() if value is None]
    if unknown:
        return NociplasticGrade.NOT_ASSESSED, [f"Not recorded: {'; '.join(unknown)}."]
    reasons = ["Possible: all four IASP 2021 criteria met."]
    # "Probable" ⚠ (clinical.md 1.2): adds a history of hypersensitivity and comorbidities;
    # to be checked against Kosek et al. 2021 before clinical use.
    if f.hypersensitivity_history and f.hypersensitivity_comorbidities:
        reasons.append(
            "Probable: plus a history of pain hypersensitivity and comorbidities (IASP "
            "clinical criteria, Kosek et al. 2021)."
        )
        return NociplasticGrade.PROBABLE, reasons
    return NociplasticGrade.POSSIBLE, reasons


# --- Entry point ------------------------------------------------------------------------------


def _side(f: ClassificationFindings, category: Category) -> Side | None:
    if category is Category.LBP_ONLY_NO_LEG_PAIN:
        return None
    if category is Category.RADICULOPATHY_PAINLESS:
        return f.deficit_side
    return f.leg_pain_side or f.deficit_side


def _safety_notes(f: ClassificationFindings, side: Side | None) -> list[str]:
    notes = []
    if f.umn_signs:
        notes.append(
            "Upper motor neuron signs: urgent medical referral; the neuro exam raises the "
            "staff alert."
        )
    if side is Side.BILATERAL:
        notes.append(
            "Symptoms in both legs: check the cauda equina red flags (bilateral leg symptoms "
            "are one of them)."
        )
    if _vascular_features(f):
        notes.append("Vascular features: check foot pulses and vascular risk.")
    return notes


def _summary(
    category: Category, side: Side | None, levels: tuple[Level, ...], grade: NeuropathicGrade
) -> str:
    parts = [f"Suggested classification: {CATEGORY_LABELS[category]}"]
    if side:
        parts.append(f"{'both sides' if side is Side.BILATERAL else side.value.lower()}")
    if levels:
        parts.append(f"suspected level {' or '.join(levels)}")
    grade_text = {
        NeuropathicGrade.NONE: "unlikely",
        NeuropathicGrade.NOT_ASSESSED: "not assessed",
    }.get(grade, grade.value.lower())
    return f"{', '.join(parts)}. Neuropathic pain: {grade_text}. A suggestion, never a diagnosis."


def suggest_classification(
    findings: ClassificationFindings | None = None, /, **fields: Any
) -> ClassificationSuggestion:
    """Suggest a §1.4 classification from plain findings.

    Pass a `ClassificationFindings`, or its fields as keyword arguments, e.g.
    `suggest_classification(leg_pain=True, pain_below_knee=True, **neuro.classification_inputs())`.
    """
    if findings is not None and fields:
        raise ValueError("Pass either a ClassificationFindings or keyword fields, not both.")
    if findings is None:
        known = {f.name for f in dataclasses.fields(ClassificationFindings)}
        unknown = sorted(set(fields) - known)
        if unknown:
            raise ValueError(
                f"Unknown classification input(s): {', '.join(unknown)}. "
                f"Known inputs: {', '.join(sorted(known))}."
            )
        if "leg_pain" not in fields:
            raise ValueError("leg_pain (True or False) is required.")
        findings = ClassificationFindings(**fields)
    elif not isinstance(findings, ClassificationFindings):
        raise ValueError(
            f"suggest_classification needs ClassificationFindings; got {type(findings).__name__}."
        )
    category, evidence_for, evidence_against = _category(findings)
    side = _side(findings, category)
    # Levels come from the neurological exam only: pain drawings cannot place a level
    # ✅ [S22, S23].
    levels = findings.deficit_levels
    grade, grade_reasons = _neuropathic(findings, category)
    noci, noci_reasons = _nociplastic(findings)
    return ClassificationSuggestion(
        category=category,
        summary=_summary(category, side, levels, grade),
        evidence_for=tuple(dict.fromkeys(evidence_for)),
        evidence_against=tuple(dict.fromkeys(evidence_against)),
        side=side,
        suspected_levels=levels,
        neuropathic_grade=grade,
        neuropathic_reasoning=tuple(grade_reasons),
        nociplastic_grade=noci,
        nociplastic_reasoning=tuple(noci_reasons),
        keele_items=tuple(_keele_items(findings)),
        safety_notes=tuple(_safety_notes(findings, side)),
        inputs=findings,
    )
