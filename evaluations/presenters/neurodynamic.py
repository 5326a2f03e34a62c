"""The neurodynamic tests (§5) in words: the side-to-side angle comparisons for the page;
each test's angle, reproduction, differentiation and interpretation for the documents;
and the software's reading beside each row of the form."""

from __future__ import annotations

from typing import Any

from evaluations import neurodynamic as neurodynamic_mod
from evaluations import wording
from evaluations.presenters.common import Record, Shown, code_label, printed
from evaluations.vocabulary import label
from evaluations.wording import neurodynamic_text

SIDE_WORDS = {"L": "Left", "R": "Right"}
YES_NO: dict[bool | None, str] = {True: "yes", False: "no"}


def page(findings: Record, content: Record) -> Shown | None:
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


def document(record: Record | None, result: Record | None) -> Shown | None:
    """Each test row as the documents print it, the angle comparisons with their
    thresholds' sources, and the summary."""
    rows = (record or {}).get("rows") or ()
    if not rows:
        return None
    found = (result or {}).get("findings") or []
    tests = []
    for i, row in enumerate(rows):
        suggestion = found[i].get("suggestion", "") if i < len(found) else ""
        code = row.get("code", "")
        manoeuvres = ", ".join(code_label(m).lower() for m in row.get("sd_manoeuvres") or ())
        changed = row.get("sd_changed_symptoms") or neurodynamic_mod.Change.NOT_DONE
        tests.append(
            {
                "name": row.get("custom_label")
                or neurodynamic_mod.TEST_LABELS.get(code, code_label(code)),
                "side": SIDE_WORDS.get(row.get("side") or "", ""),
                "angle": row.get("onset_angle_deg"),
                "measure": neurodynamic_mod.ANGLE_MEASURE.get(code, ""),
                "measured_by": code_label(row.get("measured_by")),
                "reproduced": code_label(row.get("symptoms_reproduced")),
                "location": wording.region_text(row.get("symptom_location") or ""),
                "below_knee": YES_NO.get(row.get("below_knee"), ""),
                "differentiation": f"{manoeuvres}: {code_label(changed).lower()}"
                if manoeuvres
                else "",
                "interpretation": code_label(row.get("interpretation")),
                "suggestion": code_label(suggestion),
            }
        )
    comparisons = [
        {
            **c,
            "name": neurodynamic_mod.TEST_LABELS.get(c["code"], c["label"]),
            "threshold_source": printed(c["threshold"]["source"]),
        }
        for c in (result or {}).get("angle_comparisons") or ()
    ]
    return {
        "tests": tests,
        "comparisons": comparisons,
        "summary": printed((result or {}).get("summary", "")),
        "algorithm_version": (result or {}).get("algorithm_version", ""),
    }


def suggestions(section: Any, content: Record, findings: Record) -> None:
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
