"""The McKenzie / MDT vocabulary (clinical.md §4.2-§4.4): test codes, loading, force
progression, the distal-site scale, the during / after / mechanical responses, the derived
response, role and basis codes; each standard test's label, loading and direction (table
4.2, ⚠ standard MDT usage); and the words for sites and directions. Data only.

`ALGORITHM_VERSION` lives here because every table below is part of what it names.
"""

import enum

ALGORITHM_VERSION = "mdt-1.0"
NOTE = "A suggestion from the recorded tests, never a diagnosis."

# --- Vocabulary (clinical.md §4.2-§4.4) ---------------------------------------------------


class MovementCode(enum.StrEnum):
    """Standard tests, table 4.2 (codes product-defined ⚠, common MDT abbreviations)."""

    FIS = "FIS"
    EIS = "EIS"
    FIL = "FIL"
    EIL = "EIL"
    SGIS_R = "SGIS_R"
    SGIS_L = "SGIS_L"
    EIL_HIPS_OFF_CENTRE_R = "EIL_HIPS_OFF_CENTRE_R"
    EIL_HIPS_OFF_CENTRE_L = "EIL_HIPS_OFF_CENTRE_L"
    ROT_FLEX_R = "ROT_FLEX_R"
    ROT_FLEX_L = "ROT_FLEX_L"
    # Sustained postures.
    SIT_SLOUCH = "SIT_SLOUCH"
    SIT_ERECT = "SIT_ERECT"
    STAND_SLOUCH = "STAND_SLOUCH"
    STAND_ERECT = "STAND_ERECT"
    LYING_PRONE_EXT = "LYING_PRONE_EXT"
    LONG_SIT = "LONG_SIT"
    # ⚠ product-defined: a custom test the table does not list, named by `custom_label`.
    OTHER = "OTHER"


class Loading(enum.StrEnum):
    """§4.4: loaded (standing, sitting) or unloaded (lying)."""

    LOADED = "LOADED"
    UNLOADED = "UNLOADED"


class ForceProgression(enum.StrEnum):
    """§4.4 ⚠ (§4.3 item 5: who applies the load)."""

    PATIENT = "PATIENT"
    PATIENT_OVERPRESSURE = "PATIENT_OVERPRESSURE"
    CLINICIAN_OVERPRESSURE = "CLINICIAN_OVERPRESSURE"
    MOBILISATION = "MOBILISATION"
    MANIPULATION = "MANIPULATION"


class DistalSite(enum.StrEnum):
    """The most distal symptom on the body map (§4.4 enum; §4.3 item 1).

    Declared proximal to distal. Reading the spec's listing order as a distal-ness scale is our
    interpretation ⚠: it is what makes "more proximal than" in the §4.4 centralisation rule
    computable, and it follows §4.1 ✅ [S72] (in back-only pain, widespread one-sided pain
    becoming central is centralisation, so CENTRAL_LB sits before UNILAT_LB).
    """

    NONE = "NONE"
    CENTRAL_LB = "CENTRAL_LB"
    UNILAT_LB = "UNILAT_LB"
    BUTTOCK = "BUTTOCK"
    THIGH = "THIGH"
    BELOW_KNEE = "BELOW_KNEE"
    FOOT = "FOOT"

    @property
    def rank(self) -> int:
        """0 for no symptoms, rising with distance from the spine."""
        return _SITE_ORDER.index(self)


_SITE_ORDER = tuple(DistalSite)


class DuringResponse(enum.StrEnum):
    """Symptoms during testing, multi-select (§4.3 item 2 ⚠)."""

    PRODUCES = "PRODUCES"
    ABOLISHES = "ABOLISHES"
    INCREASES = "INCREASES"
    DECREASES = "DECREASES"
    NO_EFFECT = "NO_EFFECT"
    CENTRALISING = "CENTRALISING"
    PERIPHERALISING = "PERIPHERALISING"


class AfterResponse(enum.StrEnum):
    """Symptoms after testing, one value (§4.3 item 3 ⚠, §4.4)."""

    BETTER = "BETTER"
    WORSE = "WORSE"
    NO_BETTER = "NO_BETTER"
    NO_WORSE = "NO_WORSE"
    NO_EFFECT = "NO_EFFECT"
    CENTRALISED = "CENTRALISED"
    PERIPHERALISED = "PERIPHERALISED"
    ABOLISHED = "ABOLISHED"


class MechanicalResponse(enum.StrEnum):
    """§4.3 item 4 ⚠. None on a record means not assessed."""

    ROM_INCREASED = "ROM_INCREASED"
    ROM_DECREASED = "ROM_DECREASED"
    NO_EFFECT = "NO_EFFECT"


class Direction(enum.StrEnum):
    """The direction a test loads the spine, for grouping tests into a preference ⚠.

    The spec names the tests but not their directions; these groupings are standard MDT usage,
    not verified here. Side suffixes follow the test code's _R / _L.
    """

    EXTENSION = "EXTENSION"
    FLEXION = "FLEXION"
    LATERAL_RIGHT = "LATERAL_RIGHT"
    LATERAL_LEFT = "LATERAL_LEFT"


class SymptomResponse(enum.StrEnum):
    """Derived: what one test did to the symptoms, judged on their lasting (after) state."""

    ABOLISHED = "ABOLISHED"
    CENTRALISING = "CENTRALISING"
    DECREASED = "DECREASED"
    NO_EFFECT = "NO_EFFECT"
    INCREASED = "INCREASED"
    PERIPHERALISING = "PERIPHERALISING"
    # The record's site change and after-response point different ways; the therapist decides.
    UNCLEAR = "UNCLEAR"


class Role(enum.StrEnum):
    """Derived: what one test says about its direction."""

    FAVOURS = "FAVOURS"  # centralised or abolished (§4.1 ✅), or DECREASES+BETTER+ROM (§4.4)
    AGAINST = "AGAINST"  # peripheralised or increased
    MECHANICS_BETTER = "MECHANICS_BETTER"  # range improved, symptoms no worse, not FAVOURS
    MECHANICS_WORSE = "MECHANICS_WORSE"  # range decreased, symptoms no worse
    NEUTRAL = "NEUTRAL"
    UNCLEAR = "UNCLEAR"
    NO_DIRECTION = "NO_DIRECTION"


class Basis(enum.StrEnum):
    """How strongly a suggested preference is supported."""

    # Meets the spec's §4.4 rule: symptom response plus ROM_INCREASED ⚠.
    SYMPTOMS_AND_MECHANICS = "SYMPTOMS_AND_MECHANICS"
    # Meets the §4.1 definition ✅ [S75] (centralisation or abolition) without a range gain.
    SYMPTOMS = "SYMPTOMS"
    # ⚠ product-defined, weakest: range improved and symptoms did not change. The spec says DP
    # is "usually accompanied by improved range" but defines it by symptoms.
    MECHANICS_ONLY = "MECHANICS_ONLY"


# Directional-preference outcomes besides a Direction.
NO_PREFERENCE = "NONE"
UNCLEAR = "UNCLEAR"

MOVEMENT_LABELS: dict[MovementCode, str] = {
    MovementCode.FIS: "Flexion in standing",
    MovementCode.EIS: "Extension in standing",
    MovementCode.FIL: "Flexion in lying",
    MovementCode.EIL: "Extension in lying",
    MovementCode.SGIS_R: "Side-gliding in standing, right",
    MovementCode.SGIS_L: "Side-gliding in standing, left",
    MovementCode.EIL_HIPS_OFF_CENTRE_R: "Extension in lying with hips off-centre, right",
    MovementCode.EIL_HIPS_OFF_CENTRE_L: "Extension in lying with hips off-centre, left",
    MovementCode.ROT_FLEX_R: "Rotation in flexion, right",
    MovementCode.ROT_FLEX_L: "Rotation in flexion, left",
    MovementCode.SIT_SLOUCH: "Sitting slouched (sustained)",
    MovementCode.SIT_ERECT: "Sitting erect (sustained)",
    MovementCode.STAND_SLOUCH: "Standing slouched (sustained)",
    MovementCode.STAND_ERECT: "Standing erect (sustained)",
    MovementCode.LYING_PRONE_EXT: "Lying prone in extension (sustained)",
    MovementCode.LONG_SIT: "Long sitting (sustained)",
    MovementCode.OTHER: "Other test",
}

SUSTAINED_POSTURES = frozenset(
    {
        MovementCode.SIT_SLOUCH,
        MovementCode.SIT_ERECT,
        MovementCode.STAND_SLOUCH,
        MovementCode.STAND_ERECT,
        MovementCode.LYING_PRONE_EXT,
        MovementCode.LONG_SIT,
    }
)

# Table 4.2 gives the position of each repeated movement (⚠, as the table is). Postures show
# "—" there; we derive theirs from the body position (upright loads the spine, lying does
# not) ⚠ product-defined. OTHER has none: the record must say.
STANDARD_LOADING: dict[MovementCode, Loading] = {
    MovementCode.FIS: Loading.LOADED,
    MovementCode.EIS: Loading.LOADED,
    MovementCode.FIL: Loading.UNLOADED,
    MovementCode.EIL: Loading.UNLOADED,
    MovementCode.SGIS_R: Loading.LOADED,
    MovementCode.SGIS_L: Loading.LOADED,
    MovementCode.EIL_HIPS_OFF_CENTRE_R: Loading.UNLOADED,
    MovementCode.EIL_HIPS_OFF_CENTRE_L: Loading.UNLOADED,
    MovementCode.ROT_FLEX_R: Loading.UNLOADED,
    MovementCode.ROT_FLEX_L: Loading.UNLOADED,
    MovementCode.SIT_SLOUCH: Loading.LOADED,
    MovementCode.SIT_ERECT: Loading.LOADED,
    MovementCode.STAND_SLOUCH: Loading.LOADED,
    MovementCode.STAND_ERECT: Loading.LOADED,
    MovementCode.LYING_PRONE_EXT: Loading.UNLOADED,
    MovementCode.LONG_SIT: Loading.LOADED,
}

# ⚠ Standard MDT usage, not verified here: hips-off-centre and rotation procedures are the
# lateral procedures; sitting erect and standing erect hold the lumbar spine in lordosis.
# Slouched standing is left without a direction (it depends on how the patient stands), as is
# OTHER: the record may name one, and a test without a direction never sways the preference.
STANDARD_DIRECTION: dict[MovementCode, Direction | None] = {
    MovementCode.FIS: Direction.FLEXION,
    MovementCode.EIS: Direction.EXTENSION,
    MovementCode.FIL: Direction.FLEXION,
    MovementCode.EIL: Direction.EXTENSION,
    MovementCode.SGIS_R: Direction.LATERAL_RIGHT,
    MovementCode.SGIS_L: Direction.LATERAL_LEFT,
    MovementCode.EIL_HIPS_OFF_CENTRE_R: Direction.LATERAL_RIGHT,
    MovementCode.EIL_HIPS_OFF_CENTRE_L: Direction.LATERAL_LEFT,
    MovementCode.ROT_FLEX_R: Direction.LATERAL_RIGHT,
    MovementCode.ROT_FLEX_L: Direction.LATERAL_LEFT,
    MovementCode.SIT_SLOUCH: Direction.FLEXION,
    MovementCode.SIT_ERECT: Direction.EXTENSION,
    MovementCode.STAND_SLOUCH: None,
    MovementCode.STAND_ERECT: Direction.EXTENSION,
    MovementCode.LYING_PRONE_EXT: Direction.EXTENSION,
    MovementCode.LONG_SIT: Direction.FLEXION,
    MovementCode.OTHER: None,
}

# "Commonly 10 per set ⚠. Store the actual number done" (§4.2). The upper bound only catches
# typing slips (several sets of 10 fit comfortably) ⚠ product-defined.
REPETITIONS_MIN, REPETITIONS_MAX = 1, 100
NPRS_MIN, NPRS_MAX = 0, 10

SITE_WORDS: dict[DistalSite, str] = {
    DistalSite.NONE: "no symptoms",
    DistalSite.CENTRAL_LB: "central low back",
    DistalSite.UNILAT_LB: "one side of the low back",
    DistalSite.BUTTOCK: "buttock",
    DistalSite.THIGH: "thigh",
    DistalSite.BELOW_KNEE: "below the knee",
    DistalSite.FOOT: "foot",
}
DIRECTION_WORDS: dict[str, str] = {
    Direction.EXTENSION: "extension",
    Direction.FLEXION: "flexion",
    Direction.LATERAL_RIGHT: "lateral, right",
    Direction.LATERAL_LEFT: "lateral, left",
}

_IMPROVED_AFTER = frozenset(
    {AfterResponse.BETTER, AfterResponse.CENTRALISED, AfterResponse.ABOLISHED}
)
_WORSENED_AFTER = frozenset({AfterResponse.WORSE, AfterResponse.PERIPHERALISED})
_UNCHANGED_AFTER = frozenset(
    {AfterResponse.NO_BETTER, AfterResponse.NO_WORSE, AfterResponse.NO_EFFECT}
)
