"""The neurological exam (§6) as the documents print it: compact left/right grids of the
rows with something recorded (asymmetric rows marked, normal rows listed by name), the
reflexes and upper motor neuron signs, the suggested levels and the exam's alerts. The
page shows the exam in its own form and findings box, from the same findings."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

from evaluations import findings as findings_mod
from evaluations import neuro, vocabulary
from evaluations.presenters.common import Record, Shown, code_label, printed
from evaluations.records import NEURO

HOFFMANN: dict[bool | None, str] = {True: "Positive", False: "Negative"}
SIDES = ("L", "R")


def alerts_printed(alerts: Iterable[Mapping[str, Any]] | None) -> list[Shown]:
    """The exam's alert findings with their texts as printed."""
    return [
        {**a, "text": printed(a.get("text", "")), "basis": printed(a.get("basis", ""))}
        for a in alerts or ()
    ]


def document(record: Record | None, result: Record | None) -> Shown | None:
    """The exam as compact left/right grids (only rows with something recorded), with the
    rows the findings call asymmetric marked, and normal rows listed by name."""
    s: Record = record or {}
    if not s and not result:
        return None
    differs = {a.get("code", "") for a in (result or {}).get("asymmetries") or ()}

    def grade(movement: str, side: str) -> str:
        value = s.get(NEURO.myotome(movement, side))
        if value in ("", None):
            return ""
        return f"{value} (pain)" if s.get(NEURO.myotome_pain(movement, side)) else str(value)

    myotomes: list[dict[str, Any]] = []
    for movement in findings_mod.MYOTOME_MOVEMENTS:
        cells = [grade(movement, side) for side in SIDES]
        if any(cells):
            info = neuro.MOVEMENTS[movement]
            myotomes.append(
                {
                    "label": info.label,
                    "muscle": info.muscle,
                    "roots": "/".join(info.roots),
                    "cells": cells,
                    "differs": movement in differs,
                }
            )
    dermatomes: list[dict[str, Any]] = []
    for root in findings_mod.DERMATOME_ROOTS:
        modalities = findings_mod.DERMATOME_MODALITIES
        pairs = [
            tuple(code_label(s.get(NEURO.dermatome(root, m, side))) for side in SIDES)
            for m in modalities
        ]
        if any(any(pair) for pair in pairs):
            dermatomes.append(
                {
                    "root": root,
                    "area": neuro.DERMATOME_AREAS[root],
                    "cells": pairs,
                    "differs": any(f"{root} {m}" in differs for m in modalities),
                }
            )
    reflexes = []
    for reflex in findings_mod.REFLEXES:
        cells = []
        for side in SIDES:
            value = s.get(NEURO.reflex(reflex, side)) or ""
            text = vocabulary.REFLEX_GRADE_LABELS.get(value, value)
            if value and s.get(NEURO.reflex_reinforced(reflex, side)):
                text += ", reinforced"
            cells.append(text)
        if any(cells):
            reflexes.append(
                {"label": neuro.REFLEX_LABELS[reflex], "cells": cells, "differs": reflex in differs}
            )

    def clonus(side: str) -> str:
        beats = s.get(NEURO.clonus(side))
        text = "" if beats in ("", None) else str(beats)
        if s.get(NEURO.clonus_sustained(side)):
            text = f"{text}, sustained" if text else "Sustained"
        return text

    signs: tuple[tuple[str, Callable[[str], str]], ...] = (
        ("Babinski (plantar response)", lambda side: code_label(s.get(NEURO.babinski(side)))),
        ("Ankle clonus (beats)", clonus),
        ("Hoffmann sign", lambda side: HOFFMANN.get(s.get(NEURO.hoffmann(side)), "")),
        ("Weakness getting worse", lambda side: "Yes" if s.get(NEURO.progressive(side)) else ""),
    )
    umn = []
    for text, cell in signs:
        cells = [cell(side) for side in SIDES]
        if any(cells):
            umn.append({"label": text, "cells": cells})
    other = [
        ("Saddle sensation (S3-S5)", code_label(s.get(NEURO.saddle))),
        ("Spasticity", "Noted" if s.get(NEURO.spasticity) else ""),
        ("Gait ataxia", "Noted" if s.get(NEURO.gait_ataxia) else ""),
    ]
    # Rows with a finding other than normal on both sides are printed in full; the normal
    # ones are listed by name after them, so the abnormal findings stand out.
    full = ["5", "5"]
    normal = ["Normal", "Normal"]
    r: Record = result or {}
    return {
        "myotomes": [m for m in myotomes if m["cells"] != full],
        "myotomes_normal": [
            f"{m['label'].lower()} ({m['roots']})" for m in myotomes if m["cells"] == full
        ],
        "dermatomes": [d for d in dermatomes if any(list(c) != normal for c in d["cells"])],
        "dermatomes_normal": [
            d["root"] for d in dermatomes if all(list(c) == normal for c in d["cells"])
        ],
        "signs": [*reflexes, *umn, *({"label": k, "value": v} for k, v in other if v)],
        "notes": s.get("notes", ""),
        "levels": [
            {
                "side": code_label(level.get("side")).lower(),
                "roots": "/".join(level.get("roots") or ()),
                "confidence": level.get("confidence_text", ""),
            }
            for level in r.get("suggested_levels") or ()
        ],
        "alerts": alerts_printed(r.get("alerts")),
        "to_recheck": r.get("to_recheck") or [],
        "summary": printed(r.get("summary", "")),
        "algorithm_version": r.get("algorithm_version", ""),
    }
