"""The neurodynamic tests' vocabulary (clinical.md §5.5): test, side, measurement,
reproduction, structural-differentiation and interpretation codes; each test's label, the
nerve it loads and what its onset angle measures. Data, plus `display_name` for people.

`ALGORITHM_VERSION` lives here because every table below is part of what it names.
"""

import enum

ALGORITHM_VERSION = "neurodynamic-1.0"
NOTE = "A suggestion from the recorded tests, never a diagnosis."

# --- Vocabulary (clinical.md §5.5) --------------------------------------------------------


class NeurodynamicCode(enum.StrEnum):
    SLR = "SLR"
    CROSSED_SLR = "CROSSED_SLR"
    SLUMP = "SLUMP"
    SLUMP_LONG_SIT = "SLUMP_LONG_SIT"
    PKB = "PKB"
    FEMORAL_SLUMP = "FEMORAL_SLUMP"
    OTHER = "OTHER"


class Side(enum.StrEnum):
    L = "L"
    R = "R"

    @property
    def other(self) -> "Side":
        return Side.R if self is Side.L else Side.L


class MeasuredBy(enum.StrEnum):
    GONIOMETER = "GONIOMETER"
    INCLINOMETER = "INCLINOMETER"
    VISUAL = "VISUAL"


class Reproduction(enum.StrEnum):
    """§5.5 `symptoms_reproduced`. FAMILIAR_* are the patient's own symptoms."""

    NONE = "NONE"
    NON_FAMILIAR = "NON_FAMILIAR"
    FAMILIAR_PARTIAL = "FAMILIAR_PARTIAL"
    FAMILIAR_FULL = "FAMILIAR_FULL"

    @property
    def familiar(self) -> bool:
        return self in (Reproduction.FAMILIAR_PARTIAL, Reproduction.FAMILIAR_FULL)


class SdManoeuvre(enum.StrEnum):
    """§5.5 `sd_manoeuvre` (multi-select)."""

    ANKLE_DF = "ANKLE_DF"
    ANKLE_PF = "ANKLE_PF"
    HIP_IR = "HIP_IR"
    HIP_ADD = "HIP_ADD"
    NECK_FLEX = "NECK_FLEX"
    NECK_EXT = "NECK_EXT"


class Change(enum.StrEnum):
    """§5.5 `sd_changed_symptoms` and `resistance_rom_change`."""

    INCREASED = "INCREASED"
    DECREASED = "DECREASED"
    NO_CHANGE = "NO_CHANGE"
    NOT_DONE = "NOT_DONE"


class Interpretation(enum.StrEnum):
    """§5.5 `interpretation`; here the software's suggestion of it."""

    POSITIVE_NEURAL = "POSITIVE_NEURAL"
    NEGATIVE = "NEGATIVE"
    NON_NEURAL_REPRODUCTION = "NON_NEURAL_REPRODUCTION"
    INCONCLUSIVE = "INCONCLUSIVE"


class Overall(enum.StrEnum):
    """Derived: across all recorded tests, is neural mechanosensitivity suggested?"""

    SUGGESTED = "SUGGESTED"  # at least one POSITIVE_NEURAL test
    INCONCLUSIVE = "INCONCLUSIVE"  # none positive, at least one inconclusive
    NOT_SUGGESTED = "NOT_SUGGESTED"  # every test negative or a non-neural reproduction
    NOT_TESTED = "NOT_TESTED"


TEST_LABELS: dict[NeurodynamicCode, str] = {
    NeurodynamicCode.SLR: "Straight-leg raise",
    NeurodynamicCode.CROSSED_SLR: "Crossed straight-leg raise",
    NeurodynamicCode.SLUMP: "Slump test",
    NeurodynamicCode.SLUMP_LONG_SIT: "Slump test in long sitting",
    NeurodynamicCode.PKB: "Prone knee bend",
    NeurodynamicCode.FEMORAL_SLUMP: "Side-lying femoral slump",
    NeurodynamicCode.OTHER: "Other neurodynamic test",
}

SIDE_WORDS: dict[Side, str] = {Side.L: "left", Side.R: "right"}


def display_name(label: str) -> str:
    """A test's name for people from a record's or finding's `label`: a listed test's code
    gives its label; an OTHER test's label is the therapist's own name for it, kept."""
    try:
        return TEST_LABELS[NeurodynamicCode(label)]
    except ValueError:
        return label


# The nerve each test loads, for the summary. The SLR family loads the sciatic course ✅ [S24];
# §5.4 names the PKB the femoral nerve tension test. OTHER is not assumed.
NERVE: dict[NeurodynamicCode, str | None] = {
    NeurodynamicCode.SLR: "sciatic",
    NeurodynamicCode.CROSSED_SLR: "sciatic",
    NeurodynamicCode.SLUMP: "sciatic",
    NeurodynamicCode.SLUMP_LONG_SIT: "sciatic",
    NeurodynamicCode.PKB: "femoral",
    NeurodynamicCode.FEMORAL_SLUMP: "femoral",
    NeurodynamicCode.OTHER: None,
}

# What the onset angle measures, per test. §5.5: SLR hip flexion, PKB knee flexion. The crossed
# SLR is an SLR of the other leg, so hip flexion too. The slump's knee extension is
# ⚠ product-defined: §5.3 criterion (c) needs a "measurable asymmetry" and names no measure.
# OTHER records whatever its test measures. The long-sitting and femoral slumps take none.
ANGLE_MEASURE: dict[NeurodynamicCode, str] = {
    NeurodynamicCode.SLR: "hip flexion",
    NeurodynamicCode.CROSSED_SLR: "hip flexion",
    NeurodynamicCode.PKB: "knee flexion",
    NeurodynamicCode.SLUMP: "knee extension",
    NeurodynamicCode.OTHER: "angle",
}
# Catches typing slips only (no joint here passes 180°) ⚠ product-defined.
ANGLE_MIN_DEG, ANGLE_MAX_DEG = 0, 180

SLUMP_CODES = frozenset({NeurodynamicCode.SLUMP, NeurodynamicCode.SLUMP_LONG_SIT})
