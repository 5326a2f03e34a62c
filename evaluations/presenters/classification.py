"""The classification (§2) as the documents print it: the one the therapist chose beside
the one the software suggested, with the suggestion's evidence and safety notes. The
progress report prints it for this visit and the previous one."""

from __future__ import annotations

from evaluations import classification
from evaluations.presenters.common import Record, Shown, code_label, plain, printed

CATEGORY_WORDS: dict[str, str] = dict(classification.CATEGORY_LABELS.items())


def category(code: str | None) -> str:
    if not code:
        return ""
    text = CATEGORY_WORDS.get(code, code_label(code))
    return text[:1].upper() + text[1:]


def document(chosen: Record | None, suggestion: Record | None) -> Shown | None:
    """The classification chosen beside the one suggested, or None when neither is
    recorded."""
    if not chosen and not suggestion:
        return None
    chosen, suggestion = chosen or {}, suggestion or {}
    picked = (
        chosen.get("category"),
        chosen.get("side"),
        list(chosen.get("suspected_levels") or ()),
    )
    suggested = (
        suggestion.get("category"),
        suggestion.get("side"),
        list(suggestion.get("suspected_levels") or ()),
    )
    return {
        "category": category(chosen.get("category")),
        "side": code_label(chosen.get("side")),
        "levels": ", ".join(chosen.get("suspected_levels") or ()),
        "neuropathic": code_label(chosen.get("neuropathic_grade")),
        "nociplastic": code_label(chosen.get("nociplastic_grade")),
        "rationale": chosen.get("rationale", ""),
        "suggestion": printed(suggestion.get("summary", "")),
        "matches": bool(suggestion) and picked == suggested,
        "evidence_for": plain(suggestion.get("evidence_for")),
        "evidence_against": plain(suggestion.get("evidence_against")),
        "neuropathic_reasoning": plain(suggestion.get("neuropathic_reasoning")),
        "safety_notes": plain(suggestion.get("safety_notes")),
        "algorithm_version": suggestion.get("algorithm_version", ""),
    }
