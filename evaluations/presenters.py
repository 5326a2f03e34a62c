"""Each section's findings as the page shows them: one presenter per section, from the
stored findings and the section records to the words the findings box prints.

A presenter is `present(findings, content) -> dict | None` (None: nothing to show);
`evaluations.sections` names each section's presenter, and `sections.shown_findings`
gathers them for a page. Pure: no Django, no database.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from evaluations import neurodynamic as neurodynamic_mod
from evaluations.vocabulary import (
    PREFERENCE_LABELS,
    REFERRAL_TO,
    REFERRAL_URGENCY_LABELS,
    label,
)
from evaluations.wording import movement_names, movements_text, neurodynamic_text


def movements(findings: Mapping[str, Any], content: Mapping[str, Any]) -> dict[str, Any] | None:
    """The repeated movements' summary: which tests centralised, abolished or
    peripheralised the symptoms, and the directional preference, in words."""
    m = findings.get("movements")
    if not m:
        return None
    preference = m.get("directional_preference") or ""
    return {
        "centralised": movement_names(m.get("centralised_tests") or ()),
        "abolished": movement_names(m.get("abolished_tests") or ()),
        "peripheralised": movement_names(m.get("peripheralised_tests") or ()),
        "preference": PREFERENCE_LABELS.get(preference) or label(preference),
        "summary": movements_text(m.get("summary") or ""),
    }


def neurodynamic(findings: Mapping[str, Any], content: Mapping[str, Any]) -> dict[str, Any] | None:
    """The side-to-side angle comparisons with their tests named, and the summary."""
    n = findings.get("neurodynamic")
    if not n:
        return None
    found = n.get("findings") or ()
    return {
        "comparisons": [
            {**c, "name": neurodynamic_mod.display_name(c.get("label") or "")}
            for c in n.get("angle_comparisons") or ()
        ],
        "summary": neurodynamic_text(n.get("summary") or "", found),
    }


def plan(findings: Mapping[str, Any], content: Mapping[str, Any]) -> dict[str, Any] | None:
    """The plan's referral in words and its re-evaluation date as a date."""
    record = content.get("plan") or {}
    if not record:
        return None
    urgency = record.get("referral_urgency") or "routine"
    try:
        reeval = date.fromisoformat(record.get("reeval_date") or "")
    except ValueError:
        reeval = None
    return {
        "referral_to": dict(REFERRAL_TO).get(record.get("referral_to") or "")
        or label(record.get("referral_to") or ""),
        "referral_urgency": REFERRAL_URGENCY_LABELS.get(urgency) or label(urgency),
        "reeval_date": reeval,
    }


def neurodynamic_suggestions(
    section: Any, content: Mapping[str, Any], findings: Mapping[str, Any]
) -> None:
    """Give each neurodynamic row the software's reading of it (`row.suggestion`, in
    words), matched through the stored rows: the findings list them in the same order."""
    rows = (content.get("neurodynamic") or {}).get("rows") or ()
    found = (findings.get("neurodynamic") or {}).get("findings") or ()
    by_key = {
        row.get("key"): label(f.get("suggestion"))
        for row, f in zip(rows, found, strict=False)
        if f.get("suggestion")
    }
    for row in getattr(section, "rows", ()):
        row.suggestion = by_key.get(getattr(row, "row_key", None), "")
