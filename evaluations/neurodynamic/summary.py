"""All neurodynamic tests together: every side interpreted, left and right onset angles
compared against the thresholds, and an overall answer (is neural mechanosensitivity
suggested?) with the legs, nerves and flagged asymmetries behind it, in plain words.
"""

import dataclasses
from collections.abc import Iterable, Sequence

from evaluations.neurodynamic.finding import NeurodynamicFinding, interpret
from evaluations.neurodynamic.record import NeurodynamicTest
from evaluations.neurodynamic.thresholds import AngleThreshold, asymmetry_threshold
from evaluations.neurodynamic.vocabulary import (
    ALGORITHM_VERSION,
    ANGLE_MEASURE,
    NERVE,
    NOTE,
    Interpretation,
    NeurodynamicCode,
    Overall,
    Side,
)
from intake.scoring.common import AsDictMixin

# --- All tests ------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class AngleComparison(AsDictMixin):
    code: NeurodynamicCode
    label: str
    measure: str
    left_deg: int
    right_deg: int
    difference_deg: int
    threshold: AngleThreshold
    flagged: bool  # difference strictly above the threshold ("above roughly 10°")
    # The side that reached the smaller angle first, or None when equal.
    lower_side: Side | None


@dataclasses.dataclass(frozen=True)
class NeurodynamicSummary(AsDictMixin):
    findings: tuple[NeurodynamicFinding, ...]
    angle_comparisons: tuple[AngleComparison, ...]
    overall: Overall
    positive_tests: tuple[str, ...]  # e.g. "SLR L"
    non_neural_reproductions: tuple[str, ...]
    inconclusive_tests: tuple[str, ...]
    # Legs whose symptoms a positive test is about (the crossed SLR counts for the other leg).
    symptom_sides: tuple[Side, ...]
    nerves: tuple[str, ...]  # "sciatic", "femoral"
    crossed_slr_positive: bool
    flagged_asymmetries: tuple[str, ...]
    summary: str
    algorithm_version: str = ALGORITHM_VERSION
    note: str = NOTE


def compare_angles(left: NeurodynamicTest, right: NeurodynamicTest) -> AngleComparison | None:
    """The side-to-side onset-angle difference, or None unless both sides have an angle."""
    if left.side is not Side.L or right.side is not Side.R:
        raise ValueError("compare_angles() takes the left record, then the right one.")
    if left.code is not right.code or left.custom_label != right.custom_label:
        raise ValueError(f"Cannot compare {left.label} with {right.label}.")
    if left.onset_angle_deg is None or right.onset_angle_deg is None:
        return None
    threshold = asymmetry_threshold(left.code)
    difference = abs(left.onset_angle_deg - right.onset_angle_deg)
    lower = None
    if left.onset_angle_deg != right.onset_angle_deg:
        lower = Side.L if left.onset_angle_deg < right.onset_angle_deg else Side.R
    return AngleComparison(
        code=left.code,
        label=left.label,
        measure=ANGLE_MEASURE[left.code],
        left_deg=left.onset_angle_deg,
        right_deg=right.onset_angle_deg,
        difference_deg=difference,
        threshold=threshold,
        flagged=difference > threshold.degrees,
        lower_side=lower,
    )


def summarise(tests: Iterable[NeurodynamicTest]) -> NeurodynamicSummary:
    """Interpret every side, compare sides, and sum up. One record per test per side."""
    tests = tuple(tests)
    by_key: dict[tuple[NeurodynamicCode, str, Side], NeurodynamicTest] = {}
    for test in tests:
        if not isinstance(test, NeurodynamicTest):
            raise ValueError(f"summarise() takes NeurodynamicTest records; got {test!r}.")
        key = (test.code, test.custom_label, test.side)
        if key in by_key:
            raise ValueError(
                f"{test.label} {test.side.value} is recorded twice; keep one record per side."
            )
        by_key[key] = test

    findings = tuple(
        interpret(t, other_side=by_key.get((t.code, t.custom_label, t.side.other))) for t in tests
    )
    comparisons = []
    for (code, custom, side), left in by_key.items():
        right = by_key.get((code, custom, Side.R))
        if side is Side.L and right is not None:
            comparison = compare_angles(left, right)
            if comparison is not None:
                comparisons.append(comparison)

    def names(kind: Interpretation) -> tuple[str, ...]:
        return tuple(f"{f.label} {f.side.value}" for f in findings if f.suggestion is kind)

    positive = [f for f in findings if f.suggestion is Interpretation.POSITIVE_NEURAL]
    if positive:
        overall = Overall.SUGGESTED
    elif any(f.suggestion is Interpretation.INCONCLUSIVE for f in findings):
        overall = Overall.INCONCLUSIVE
    elif findings:
        overall = Overall.NOT_SUGGESTED
    else:
        overall = Overall.NOT_TESTED
    symptom_sides = tuple(s for s in Side if any(f.symptom_side is s for f in positive))
    nerves = tuple(dict.fromkeys(n for f in positive if (n := NERVE[f.code]) is not None))
    flagged = tuple(f"{c.label} {c.difference_deg}°" for c in comparisons if c.flagged)
    summary = NeurodynamicSummary(
        findings=findings,
        angle_comparisons=tuple(comparisons),
        overall=overall,
        positive_tests=names(Interpretation.POSITIVE_NEURAL),
        non_neural_reproductions=names(Interpretation.NON_NEURAL_REPRODUCTION),
        inconclusive_tests=names(Interpretation.INCONCLUSIVE),
        symptom_sides=symptom_sides,
        nerves=nerves,
        crossed_slr_positive=any(f.code is NeurodynamicCode.CROSSED_SLR for f in positive),
        flagged_asymmetries=flagged,
        summary="",
    )
    return dataclasses.replace(summary, summary=_summary_text(summary, comparisons))


def _summary_text(s: NeurodynamicSummary, comparisons: Sequence[AngleComparison]) -> str:
    if s.overall is Overall.NOT_TESTED:
        return "No neurodynamic tests recorded."
    sides = " and ".join("left" if side is Side.L else "right" for side in s.symptom_sides)
    parts = {
        Overall.SUGGESTED: (
            f"Neural mechanosensitivity suggested ({', '.join(s.positive_tests)}; "
            f"{sides} leg, {' and '.join(s.nerves)} nerve)."
            if s.nerves
            else f"Neural mechanosensitivity suggested ({', '.join(s.positive_tests)})."
        ),
        Overall.INCONCLUSIVE: (
            f"Neural mechanosensitivity not shown; inconclusive: {', '.join(s.inconclusive_tests)}."
        ),
        Overall.NOT_SUGGESTED: "Neural mechanosensitivity not suggested by these tests.",
    }
    text = [parts[s.overall]]
    if s.non_neural_reproductions:
        text.append(
            "Familiar symptoms not changed by structural differentiation (non-neural "
            f"reproduction): {', '.join(s.non_neural_reproductions)}."
        )
    for c in comparisons:
        if c.flagged:
            kind = "product-defined " if c.threshold.product_defined else ""
            text.append(
                f"{c.label}: {c.difference_deg}° between sides ({c.left_deg}° left, "
                f"{c.right_deg}° right), above the {kind}{c.threshold.degrees}° side-to-side "
                "threshold."
            )
    text.append(NOTE)
    return " ".join(text)
