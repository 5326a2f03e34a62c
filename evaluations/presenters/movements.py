"""The repeated movements (§4) in words: which tests centralised, abolished or
peripheralised the symptoms and the directional preference for the page; each test's
loading, force, pain before, role and measure for the documents."""

from __future__ import annotations

from typing import Any

from evaluations import mdt
from evaluations import progress as progress_mod
from evaluations.presenters.common import Record, Shown, code_label, printed
from evaluations.vocabulary import PREFERENCE_LABELS, label
from evaluations.wording import movement_names, movements_text

# The documents' words for a directional preference, read in a sentence ("favours
# extension", "none shown").
PREFERENCE_WORDS: dict[str, str] = {
    **mdt.DIRECTION_WORDS,
    mdt.NO_PREFERENCE: "none shown",
    mdt.UNCLEAR: "unclear",
}
ROLE_WORDS: dict[str, str] = {mdt.Role.FAVOURS: "favours", mdt.Role.AGAINST: "against"}


def page(findings: Record, content: Record) -> Shown | None:
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


def movement_label(code: str) -> str:
    try:
        return mdt.MOVEMENT_LABELS[mdt.MovementCode(code)]
    except ValueError:
        return code


def document(record: Record | None, result: Record | None) -> Shown | None:
    """Each test as the documents print it, beside the summary and the preference."""
    if not result:
        return None
    rows = list((record or {}).get("rows") or ())
    tests = []
    for test in result.get("tests") or ():
        # The stored row this result came from, for what the summary leaves out.
        row: dict[str, Any] = next(
            (r for r in rows if (r.get("custom_label") or r.get("movement_code")) == test["label"]),
            {},
        )
        if row:
            rows.remove(row)
        measure = ""
        if row.get("measure_name") and row.get("measure_value") is not None:
            value = progress_mod.format_number(row["measure_value"], 2)
            measure = f"{row['measure_name']}: {value} {row.get('measure_unit', '')}".strip()
        tests.append(
            {
                "summary": printed(test["summary"]),
                "loading": code_label(test.get("loading")),
                "force": code_label(test.get("force_progression")),
                "pain_before": row.get("pre_nprs"),
                "role": ROLE_WORDS.get(test.get("role") or "", ""),
                "measure": measure,
            }
        )
    preference = result.get("directional_preference") or mdt.NO_PREFERENCE
    return {
        "tests": tests,
        "preference": PREFERENCE_WORDS.get(preference, preference.lower()),
        "has_preference": preference not in (mdt.NO_PREFERENCE, mdt.UNCLEAR),
        "centralised": [movement_label(c) for c in result.get("centralised_tests") or ()],
        "abolished": [movement_label(c) for c in result.get("abolished_tests") or ()],
        "peripheralised": [movement_label(c) for c in result.get("peripheralised_tests") or ()],
        "centralisation_seen": result.get("centralisation_seen"),
        "summary": printed(result.get("summary", "")),
        "algorithm_version": result.get("algorithm_version", ""),
    }
