"""The lumbar neurological exam's vocabulary: the codes of clinical.md §6.6's data model,
the key movements with their muscles and roots (§6.1), the dermatome testing areas (§6.2)
and the reflex names (§6.3). Data, plus the small side and root helpers every part of the
exam uses.

`ALGORITHM_VERSION` lives here because every rule table below is part of what it names.
"""

import dataclasses
import enum
from collections.abc import Iterable

ALGORITHM_VERSION = "neuro-1.0"
NOTE = "A suggested level from the examination findings: a suggestion, never a diagnosis."

# --- Vocabulary (clinical.md §6.6 data model codes) ----------------------------------------


class Side(enum.StrEnum):
    LEFT = "LEFT"
    RIGHT = "RIGHT"


class Root(enum.StrEnum):
    """Lumbosacral roots the exam tests (§6.1 myotomes L2-S1, §6.2 dermatomes L1-S2).
    S3-S5 are the saddle: recorded as `saddle_sensation`, because they belong to the
    cauda equina screen (§2.2), not to level-finding."""

    L1 = "L1"
    L2 = "L2"
    L3 = "L3"
    L4 = "L4"
    L5 = "L5"
    S1 = "S1"
    S2 = "S2"


ROOT_ORDER = tuple(Root)


class Movement(enum.StrEnum):
    """Movement codes are ⚠ product-defined: the spec's data model names a `movement_code`
    but lists no codes. One code per key movement in §6.1."""

    HIP_FLEXION = "HIP_FLEXION"
    HIP_ADDUCTION = "HIP_ADDUCTION"
    KNEE_EXTENSION = "KNEE_EXTENSION"
    ANKLE_DORSIFLEXION = "ANKLE_DORSIFLEXION"
    ANKLE_INVERSION = "ANKLE_INVERSION"
    GREAT_TOE_EXTENSION = "GREAT_TOE_EXTENSION"
    FOOT_EVERSION = "FOOT_EVERSION"
    HIP_ABDUCTION = "HIP_ABDUCTION"
    ANKLE_PLANTARFLEXION = "ANKLE_PLANTARFLEXION"
    TOE_FLEXION = "TOE_FLEXION"
    HIP_EXTENSION = "HIP_EXTENSION"


class Modality(enum.StrEnum):
    LIGHT_TOUCH = "LIGHT_TOUCH"
    PIN_PRICK = "PIN_PRICK"
    # Optional modalities ⚠ (§6.2).
    VIBRATION = "VIBRATION"
    TEMPERATURE = "TEMPERATURE"


class SensoryFinding(enum.StrEnum):
    """§6.2 ⚠: record normal / reduced / absent / increased and compare sides."""

    NORMAL = "NORMAL"
    REDUCED = "REDUCED"
    ABSENT = "ABSENT"
    INCREASED = "INCREASED"


class Reflex(enum.StrEnum):
    PATELLAR = "PATELLAR"
    ACHILLES = "ACHILLES"
    MEDIAL_HAMSTRING = "MEDIAL_HAMSTRING"


class ReflexGrade(enum.StrEnum):
    """Deep tendon reflex grading 0-4+ ✅ [S89, S93]."""

    ABSENT = "0"
    DIMINISHED = "1+"
    NORMAL = "2+"
    BRISK = "3+"  # hyperactive without clonus
    WITH_CLONUS = "4+"  # hyperactive with clonus (pathological)


class Plantar(enum.StrEnum):
    """Plantar response (Babinski), §6.6 data model."""

    FLEXOR = "FLEXOR"
    EXTENSOR = "EXTENSOR"  # upgoing great toe: a pyramidal tract sign after age 3 ✅ [S93]
    EQUIVOCAL = "EQUIVOCAL"


class LevelConfidence(enum.StrEnum):
    """How much the exam agrees with itself about a level. ⚠ product-defined wording: the
    spec asks for a "suggested level" and a threshold but gives no confidence scale."""

    CONSISTENT = "CONSISTENT"  # two or more kinds of objective finding agree on one root
    LIMITED = "LIMITED"  # one kind of objective finding only
    AMBIGUOUS = "AMBIGUOUS"  # two or more roots score the same


class AlertLevel(enum.StrEnum):
    """Same names as intake.triage.Level, so the staff alert can take the higher of the two."""

    URGENT = "URGENT"
    EMERGENCY = "EMERGENCY"


# --- Reference tables (clinical.md §6.1-6.3) -----------------------------------------------


@dataclasses.dataclass(frozen=True)
class MovementInfo:
    label: str
    muscle: str
    roots: tuple[Root, ...]


MOVEMENTS: dict[Movement, MovementInfo] = {
    # L2 hip flexion (iliopsoas); L3 also lists hip flexion ✅ [S86, S87].
    Movement.HIP_FLEXION: MovementInfo("Hip flexion", "iliopsoas", (Root.L2, Root.L3)),
    Movement.HIP_ADDUCTION: MovementInfo("Hip adduction", "hip adductors", (Root.L3,)),  # ✅
    # Quadriceps under L3 and L4 ✅ [S86, S87, S88].
    Movement.KNEE_EXTENSION: MovementInfo("Knee extension", "quadriceps", (Root.L3, Root.L4)),
    # Tibialis anterior: L4 per [S87], L5 per Harrison's [S86]; "treat TA as L4/L5" ◐.
    Movement.ANKLE_DORSIFLEXION: MovementInfo(
        "Ankle dorsiflexion", "tibialis anterior", (Root.L4, Root.L5)
    ),
    Movement.ANKLE_INVERSION: MovementInfo(
        "Ankle inversion", "tibialis anterior", (Root.L4, Root.L5)
    ),
    # EHL is the L5 key muscle ✅ [S86, S87, S88].
    Movement.GREAT_TOE_EXTENSION: MovementInfo(
        "Great-toe extension", "extensor hallucis longus", (Root.L5,)
    ),
    # Peronei: L5 per Harrison's ✅ [S86]; S1 per other schemes ⚠.
    Movement.FOOT_EVERSION: MovementInfo("Foot eversion", "peronei", (Root.L5, Root.S1)),
    Movement.HIP_ABDUCTION: MovementInfo("Hip abduction", "gluteus medius", (Root.L5,)),  # ✅
    Movement.ANKLE_PLANTARFLEXION: MovementInfo(
        "Ankle plantarflexion", "gastrocnemius/soleus", (Root.S1,)
    ),  # ✅ [S86, S87]
    Movement.TOE_FLEXION: MovementInfo("Toe flexion", "toe flexors", (Root.S1,)),  # ✅
    Movement.HIP_EXTENSION: MovementInfo("Hip extension", "gluteus maximus", (Root.S1,)),  # ✅
}

# Sensory testing areas ✅ (§6.2: L1 [S87], L2 [S86], L3 [S86, S87], L4 [S86, S90],
# L5 [S86, S91], S1 [S86, S88], S2 [S87]).
DERMATOME_AREAS: dict[Root, str] = {
    Root.L1: "groin / inguinal area",
    Root.L2: "upper anterior thigh",
    Root.L3: "lower anterior thigh / medial knee",
    Root.L4: "medial calf to the medial malleolus",
    Root.L5: "lateral calf, dorsum of the foot, great toe and first web space",
    Root.S1: "lateral border of the foot, sole, little toe, posterior calf",
    Root.S2: "posterior thigh",
}

REFLEX_LABELS = {
    Reflex.PATELLAR: "Patellar (knee jerk)",
    Reflex.ACHILLES: "Achilles (ankle jerk)",
    Reflex.MEDIAL_HAMSTRING: "Medial hamstring",
}

# --- Sides and roots -----------------------------------------------------------------------


def _side_text(side: Side) -> str:
    return side.value.lower()


def _other(side: Side) -> Side:
    return Side.RIGHT if side is Side.LEFT else Side.LEFT


def _sorted_roots(roots: Iterable[Root]) -> tuple[Root, ...]:
    return tuple(sorted(set(roots), key=ROOT_ORDER.index))
