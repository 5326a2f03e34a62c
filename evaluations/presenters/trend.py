"""Initial → now across an episode of care, as the progress and discharge documents print
it: each neurodynamic angle, each myotome, reflex and dermatome whose recorded value
changed (better or worse), and the most distal symptom, from the episode's first signed
evaluation to this one. Cells recorded in only one of the two are left out: a test not
repeated is not a change.

Pure: no Django, no database. Both records in the current stored format (records.read).
"""

from __future__ import annotations

from typing import Any

from evaluations import neuro
from evaluations import neurodynamic as neurodynamic_mod
from evaluations.presenters.common import Record, Shown, code_label
from evaluations.records import NEURO
from evaluations.vocabulary import REFLEX_GRADE_LABELS

SIDE_WORDS = {"L": "left", "R": "right"}


def _recorded(value: Any) -> bool:
    return value not in (None, "")


def neurodynamic_angles(initial: Record | None, now: Record | None) -> list[Shown]:
    """Each test row (by its key) with an onset angle at both visits."""
    before = {r.get("key"): r for r in (initial or {}).get("rows") or ()}
    out = []
    for row in (now or {}).get("rows") or ():
        old = before.get(row.get("key"))
        if old is None:
            continue
        a, b = old.get("onset_angle_deg"), row.get("onset_angle_deg")
        if not (_recorded(a) and _recorded(b)):
            continue
        code = row.get("code", "")
        name = row.get("custom_label") or neurodynamic_mod.TEST_LABELS.get(code, code_label(code))
        side = SIDE_WORDS.get(row.get("side") or "", "")
        out.append(
            {
                "label": f"{name}, {side}" if side else name,
                "before": f"{a}°",
                "after": f"{b}°",
                "changed": a != b,
            }
        )
    return out


def neuro_changes(initial: Record | None, now: Record | None) -> list[Shown]:
    """The myotomes, reflexes and dermatomes recorded at both visits whose value differs."""
    s0, s1 = initial or {}, now or {}
    out: list[Shown] = []
    for movement, info in neuro.MOVEMENTS.items():
        for side in ("L", "R"):
            key = NEURO.myotome(movement, side)
            a, b = s0.get(key), s1.get(key)
            if _recorded(a) and _recorded(b) and str(a) != str(b):
                out.append(
                    {
                        "label": f"{info.label} ({'/'.join(info.roots)}), {SIDE_WORDS[side]}",
                        "before": f"{a}/5",
                        "after": f"{b}/5",
                    }
                )
    for reflex in neuro.Reflex:
        for side in ("L", "R"):
            key = NEURO.reflex(reflex, side)
            a, b = s0.get(key), s1.get(key)
            if _recorded(a) and _recorded(b) and a != b:
                out.append(
                    {
                        "label": f"{neuro.REFLEX_LABELS[reflex]}, {SIDE_WORDS[side]}",
                        "before": REFLEX_GRADE_LABELS.get(str(a), str(a)),
                        "after": REFLEX_GRADE_LABELS.get(str(b), str(b)),
                    }
                )
    for root in neuro.Root:
        for modality in (neuro.Modality.LIGHT_TOUCH, neuro.Modality.PIN_PRICK):
            for side in ("L", "R"):
                key = NEURO.dermatome(root, modality, side)
                a, b = s0.get(key), s1.get(key)
                if _recorded(a) and _recorded(b) and a != b:
                    out.append(
                        {
                            "label": f"{root} {code_label(modality).lower()}, {SIDE_WORDS[side]}",
                            "before": code_label(a),
                            "after": code_label(b),
                        }
                    )
    return out


def initial_to_now(
    initial_content: Record, now_content: Record, initial_found: Record, now_found: Record
) -> Shown:
    """The episode's first signed evaluation against this one, section by section."""
    a = (initial_found.get("outcomes") or {}).get("distal_site")
    b = (now_found.get("outcomes") or {}).get("distal_site")
    return {
        "angles": neurodynamic_angles(
            initial_content.get("neurodynamic"), now_content.get("neurodynamic")
        ),
        "neuro": neuro_changes(initial_content.get("neuro"), now_content.get("neuro")),
        "distal": {"before": code_label(a), "after": code_label(b)} if a and b else None,
    }
