"""The neuro exam record's keys: one per cell of the grid, named once here (used by the
form, the findings, the presenters, the demo and serial surveillance).

Pure: no Django.
"""

from __future__ import annotations


class NeuroKeys:
    """Where each cell of the neuro exam is kept in its record. `side` is "L" or "R"; the
    codes are `neuro`'s (movements, roots, modalities, reflexes)."""

    saddle = "saddle"
    spasticity = "spasticity"
    gait_ataxia = "gait_ataxia"
    notes = "notes"

    @staticmethod
    def myotome(movement: str, side: str) -> str:
        return f"myo_{movement}_{side}"

    @staticmethod
    def myotome_pain(movement: str, side: str) -> str:
        """Whether the grade was limited by pain."""
        return f"myo_{movement}_{side}_pi"

    @staticmethod
    def dermatome(root: str, modality: str, side: str) -> str:
        return f"derm_{root}_{modality}_{side}"

    @staticmethod
    def reflex(reflex: str, side: str) -> str:
        return f"reflex_{reflex}_{side}"

    @staticmethod
    def reflex_reinforced(reflex: str, side: str) -> str:
        return f"reflex_{reflex}_{side}_reinforced"

    @staticmethod
    def babinski(side: str) -> str:
        return f"babinski_{side}"

    @staticmethod
    def clonus(side: str) -> str:
        """Ankle clonus, in beats."""
        return f"clonus_{side}"

    @staticmethod
    def clonus_sustained(side: str) -> str:
        return f"clonus_sustained_{side}"

    @staticmethod
    def hoffmann(side: str) -> str:
        """True, False or None (not tested)."""
        return f"hoffmann_{side}"

    @staticmethod
    def progressive(side: str) -> str:
        """Weakness getting worse on that side."""
        return f"progressive_{side}"


NEURO = NeuroKeys()
