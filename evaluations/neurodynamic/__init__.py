"""Neurodynamic tests (SLR, crossed SLR, slump, prone knee bend, femoral slump): what each
side's result suggests, side-to-side angle differences, and an overall summary.

Source: clinical.md §5 (and §1.2 for what the tests mean per category). Pure functions: no
Django, no database. Records and results are frozen dataclasses, and every result carries
`ALGORITHM_VERSION`.

The rule shared by every test: a test suggests neural mechanosensitivity (POSITIVE_NEURAL)
only when it reproduces the patient's own (familiar) symptoms AND structural differentiation
changes them. "A change in symptoms with SD suggests a neural source" ✅ [S24, S79]; familiar
symptoms that SD does not change are a non-neural reproduction (§1.2 ◐ [S24, S26]). Tests
add their own criteria on top: the slump's between-side asymmetry ✅ [S82] and the femoral
slump's easing with neck extension ✅ [S84]. The SLR's classic criterion (radiating pain below
the knee at 30-70° ✅ [S24]) is reported beside the suggestion, not folded into it.

A suggestion from the recorded tests, never a diagnosis: the therapist's interpretation
(§5.5 `interpretation`, clinician-entered) is the one that counts.

The package, by what each part is about:

- `vocabulary`: the codes (§5.5), test labels, the nerve each test loads and what its onset
  angle measures;
- `thresholds`: the cited SLR range and the side-to-side angle thresholds, with their sources;
- `record`: `NeurodynamicTest`, one test on one side as recorded, validated on construction;
- `finding`: `interpret`, what one side's result suggests and by which criteria;
- `summary`: `compare_angles` and `summarise`, all tests and sides together.

Import from `evaluations.neurodynamic`: the names below are its public API.
"""

from evaluations.neurodynamic.finding import Criterion, NeurodynamicFinding, interpret
from evaluations.neurodynamic.record import NeurodynamicTest
from evaluations.neurodynamic.summary import (
    AngleComparison,
    NeurodynamicSummary,
    compare_angles,
    summarise,
)
from evaluations.neurodynamic.thresholds import (
    PRODUCT_DEFINED_ASYMMETRY_THRESHOLD,
    SLR_ASYMMETRY_THRESHOLD,
    SLR_NORMAL_ASYMMETRY_DEG,
    SLR_POSITIVE_RANGE,
    AngleThreshold,
    CitedRange,
    asymmetry_threshold,
)
from evaluations.neurodynamic.vocabulary import (
    ALGORITHM_VERSION,
    ANGLE_MAX_DEG,
    ANGLE_MEASURE,
    ANGLE_MIN_DEG,
    NERVE,
    NOTE,
    SIDE_WORDS,
    SLUMP_CODES,
    TEST_LABELS,
    Change,
    Interpretation,
    MeasuredBy,
    NeurodynamicCode,
    Overall,
    Reproduction,
    SdManoeuvre,
    Side,
    display_name,
)

__all__ = [
    "ALGORITHM_VERSION",
    "ANGLE_MAX_DEG",
    "ANGLE_MEASURE",
    "ANGLE_MIN_DEG",
    "NERVE",
    "NOTE",
    "PRODUCT_DEFINED_ASYMMETRY_THRESHOLD",
    "SIDE_WORDS",
    "SLR_ASYMMETRY_THRESHOLD",
    "SLR_NORMAL_ASYMMETRY_DEG",
    "SLR_POSITIVE_RANGE",
    "SLUMP_CODES",
    "TEST_LABELS",
    "AngleComparison",
    "AngleThreshold",
    "Change",
    "CitedRange",
    "Criterion",
    "Interpretation",
    "MeasuredBy",
    "NeurodynamicCode",
    "NeurodynamicFinding",
    "NeurodynamicSummary",
    "NeurodynamicTest",
    "Overall",
    "Reproduction",
    "SdManoeuvre",
    "Side",
    "asymmetry_threshold",
    "compare_angles",
    "display_name",
    "interpret",
    "summarise",
]
