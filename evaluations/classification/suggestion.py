"""`suggest_classification`: plain findings in, one `ClassificationSuggestion` out, with
the side, the suspected levels (from the exam only), the safety notes and the one-line
summary. A suggestion, never a diagnosis.
"""

import dataclasses
from typing import Any

from evaluations.classification.category import _category, _keele_items, _vascular_features
from evaluations.classification.grades import _neuropathic, _nociplastic
from evaluations.classification.records import ClassificationFindings, ClassificationSuggestion
from evaluations.classification.vocabulary import (
    CATEGORY_LABELS,
    Category,
    Level,
    NeuropathicGrade,
    Side,
)

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
