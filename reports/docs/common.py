"""What the evaluation and the progress (or discharge) documents print alike: the header
and signature, people's names, coded answers and derived texts in the words clinicians
read, and what a change in an outcome measure means against its minimal important change.
"""

from __future__ import annotations

import hashlib

from evaluations import progress as progress_mod
from evaluations.models import Evaluation
from evaluations.presenters.common import printed


def digest(parts: list[object]) -> str:
    return hashlib.sha256("|".join(str(p) for p in parts).encode()).hexdigest()[:24]


def person_name(user) -> str:
    return (user.get_full_name() or user.username) if user is not None else ""


def mcid_amount(threshold) -> str:
    """'2 points or a 30% improvement'."""
    text = progress_mod.format_number(threshold.points)
    text += " point" if text == "1" else " points"
    if threshold.relative_percent is not None:
        text += f" or a {progress_mod.format_number(threshold.relative_percent)}% improvement"
    return text


def mcid_source(threshold) -> str:
    # How far a source was checked is provenance for the code and docs, not for the reader
    # (tests/test_clinical_text.py).
    return printed(threshold.source)


def mcid_text(threshold) -> str:
    """'2 points or a 30% improvement (Ostelo RWJG et al. Spine 2008;33(1):90-94)'."""
    return f"{mcid_amount(threshold)} ({mcid_source(threshold)})"


def verdict(m: progress_mod.MeasureProgress) -> str:
    """What the change from the baseline means against the MCID, in a few words."""
    if m.important is None:
        return "one measurement so far"
    if m.important:
        return "important improvement"
    if m.worsened_importantly:
        return "important worsening"
    return "no change" if m.change == 0 else "not an important change"


def change_text(m: progress_mod.MeasureProgress) -> str:
    """'-4 points: important improvement'."""
    if not m.change:
        return verdict(m)
    sign = "+" if m.change > 0 else "\u2212"
    amount = progress_mod.format_number(abs(m.change))
    return f"{sign}{amount} {'point' if amount == '1' else 'points'}: {verdict(m)}"


def header_context(evaluation: Evaluation, title: str) -> dict:
    """The base template's keys, and who wrote and signed the record."""
    signed = evaluation.is_signed and evaluation.signed_by is not None
    return {
        "title": title,
        "patient": evaluation.patient,
        "draft": not evaluation.is_signed,
        "signature": {
            "by": person_name(evaluation.signed_by),
            "at": evaluation.signed_at,
            "label": "Signed",
        }
        if signed
        else None,
        "evaluation": evaluation,
        "therapist": person_name(evaluation.therapist),
        "licence_number": (evaluation.signed_by or evaluation.therapist).licence_number,
    }
