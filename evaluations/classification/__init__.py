"""A suggested classification of low back-related leg pain for the therapist's evaluation
(clinical.md §1.1-1.4), with the evidence for and against, and the neuropathic-pain grade
(§1.3) and nociplastic grade (§1.2) as separate axes.

Pure functions: no Django, no database. Plain inputs (bools, strings, lists), so the same
function can be fed from the intake answers, the neurological exam
(`evaluations.neuro.NeuroResult.classification_inputs()`) and the neurodynamic tests.

The classification is clinician-authored and never auto-finalised (§1.4): this package
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

The package, by what each part is about:

- `vocabulary`: the §1.4 codes (category, side, levels, grades) and the category labels;
- `records`: `ClassificationFindings`, the plain inputs, validated, and the
  `ClassificationSuggestion` that comes out;
- `category`: the features for and against each category and the rules that pick one;
- `grades`: the neuropathic (§1.3) and nociplastic (§1.2) grades, each with its reasoning;
- `suggestion`: `suggest_classification`, which runs them and words the summary.

Import from `evaluations.classification`: the names below are its public API.
"""

from evaluations.classification.category import (
    KEELE_BELOW_KNEE,
    KEELE_DEFICIT,
    KEELE_LEG_WORSE,
    KEELE_NEURAL,
    NC_SUPPORTING_AGE_OVER,
    RADICULAR_MIN_FEATURES,
    SOMATIC_MAX_RADICULAR_FEATURES,
    SOMATIC_MIN_FEATURES,
)
from evaluations.classification.records import ClassificationFindings, ClassificationSuggestion
from evaluations.classification.suggestion import suggest_classification
from evaluations.classification.vocabulary import (
    ALGORITHM_VERSION,
    CATEGORY_LABELS,
    NOTE,
    Category,
    Level,
    Neurodynamic,
    NeuropathicGrade,
    NociplasticGrade,
    Side,
)

__all__ = [
    "ALGORITHM_VERSION",
    "CATEGORY_LABELS",
    "KEELE_BELOW_KNEE",
    "KEELE_DEFICIT",
    "KEELE_LEG_WORSE",
    "KEELE_NEURAL",
    "NC_SUPPORTING_AGE_OVER",
    "NOTE",
    "RADICULAR_MIN_FEATURES",
    "SOMATIC_MAX_RADICULAR_FEATURES",
    "SOMATIC_MIN_FEATURES",
    "Category",
    "ClassificationFindings",
    "ClassificationSuggestion",
    "Level",
    "Neurodynamic",
    "NeuropathicGrade",
    "NociplasticGrade",
    "Side",
    "suggest_classification",
]
