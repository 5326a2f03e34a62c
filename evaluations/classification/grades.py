"""The two grades beside the category: neuropathic pain (clinical.md §1.3, NeuPSIG:
possible, probable, definite) and nociplastic pain (§1.2, IASP 2021), each with the
reasoning a clinician reads.
"""

from evaluations.classification.category import _sides_conflict
from evaluations.classification.records import ClassificationFindings
from evaluations.classification.vocabulary import (
    CATEGORY_LABELS,
    Category,
    Neurodynamic,
    NeuropathicGrade,
    NociplasticGrade,
)

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
