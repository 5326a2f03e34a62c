"""Lumbar neurological examination: side-to-side differences, a suggested root level and the
upper motor neuron (UMN) screen (clinical.md §6).

Pure functions over frozen dataclasses: no Django, no database. Every result carries
`ALGORITHM_VERSION`, so a stored suggestion always says which rules produced it.

What the exam can and cannot say, and why the code is shaped this way:

- The level is a **suggested level, never a diagnosis** (§6.5). Muscles have multi-root
  innervation, so weakness often shows only in severe cases ✅ [S94]; pain drawings cannot
  place a level ✅ [S22, S23], so pain distribution weighs least.
- Findings count toward a side only when that side is worse than the other (or the other
  was not tested): the spec scores "the symptomatic side vs the other side" (§6.5 ⚠).
  Symmetric abnormal findings (e.g. both ankle jerks absent at 75) are listed, not scored,
  because they do not point to a side or a root.
- We store the *movement* tested, not only the root, and derive the roots from it: the
  spec asks for this because sources disagree about some muscles (§6.1, eversion L5 vs
  S1; tibialis anterior L4 vs L5).
- Any UMN sign means radiculopathy is not an adequate explanation (§6.4): urgent medical
  referral (§2.7). Those findings, progressive weakness and the exam's cauda equina
  findings set `raises_alert`, which feeds the same staff alert as the intake's red flags.
  Where an alert has an intake red-flag code (intake/rules/red_flags.json) we reuse it
  ("NEURO-PROGRESSIVE", "CES-6") so the two sources merge into one alert.
"""

import dataclasses
import enum
from collections.abc import Iterable, Mapping
from typing import Any

from core.sources import cite
from intake.scoring.common import AsDictMixin, require_int_in_range
from intake.scoring.common import coerce_enum as _coerce

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

# --- Level-scoring weights (§6.5 "algorithm sketch" ⚠) -------------------------------------
# The spec's sketch: reflex asymmetry 3, myotome weakness (MRC <= 4) 3, dermatomal sensory
# loss 2, pain distribution 1. Each kind of finding counts once per root (its strongest
# instance), so one weak root cannot outscore a root with motor, sensory and reflex signs
# just because more of its muscles were tested. ⚠ product-defined: the once-per-kind cap.
REFLEX_WEIGHT = 3
MYOTOME_WEIGHT = 3
DERMATOME_WEIGHT = 2
PAIN_WEIGHT = 1
# ⚠ product-defined: a movement the spec files under two roots cannot separate them, so it
# gives each root 2 instead of 3.
SHARED_MYOTOME_WEIGHT = 2
# ⚠ product-defined: the patellar reflex is "L3-L4 (mainly L4)" ✅ [S86-S88], so L4 takes
# the full weight and L3 the shared weight. The medial hamstring (L5) has low reliability
# and is no standard reflex ⚠ [S87, S92]: weight 1.
REFLEX_ROOT_WEIGHTS: dict[Reflex, dict[Root, int]] = {
    Reflex.PATELLAR: {Root.L4: REFLEX_WEIGHT, Root.L3: 2},
    Reflex.ACHILLES: {Root.S1: REFLEX_WEIGHT},
    Reflex.MEDIAL_HAMSTRING: {Root.L5: 1},
}
REFLEX_LABELS = {
    Reflex.PATELLAR: "Patellar (knee jerk)",
    Reflex.ACHILLES: "Achilles (ankle jerk)",
    Reflex.MEDIAL_HAMSTRING: "Medial hamstring",
}
# ⚠ product-defined: the spec says "suggest the top root(s) only if the score passes a
# threshold" without a number. 3 = one reflex or single-root myotome finding, or two
# weaker findings (e.g. dermatomal loss plus pain in that dermatome).
SUGGEST_THRESHOLD = 3
# ⚠ product-defined: a finding must carry at least this weight to count as objective
# conduction loss (radiculopathy). Keeps a reduced medial hamstring jerk alone, a
# low-reliability reflex, from labelling anyone as having radiculopathy.
DEFICIT_MIN_WEIGHT = 2
# Acute or progressive foot drop: dorsiflexion <= 3/5 (Oxford/MRC) ✅ [S28].
FOOT_DROP_MAX_GRADE = 3
# ⚠ product-defined reading of CES-6 "severe ... bilateral neurological deficit" ✅ [S12,
# S13, S27]: the same movement <= 3/5 on both sides (the foot-drop threshold).
SEVERE_WEAKNESS_MAX_GRADE = 3

_SENSORY_LOSS = {
    SensoryFinding.NORMAL: 0,
    SensoryFinding.INCREASED: 0,  # a positive sign, not conduction loss
    SensoryFinding.REDUCED: 1,
    SensoryFinding.ABSENT: 2,
}
_REFLEX_RANK = {grade: rank for rank, grade in enumerate(ReflexGrade)}
_REDUCED_REFLEXES = frozenset({ReflexGrade.ABSENT, ReflexGrade.DIMINISHED})
_HYPERREFLEXIA = frozenset({ReflexGrade.BRISK, ReflexGrade.WITH_CLONUS})


# --- Input validation helpers --------------------------------------------------------------


def _require_bool(value: object, what: str) -> bool:
    if not isinstance(value, bool):
        raise ValueError(f"{what} must be True or False; got {value!r}.")
    return value


def _optional_bool(value: object, what: str) -> bool | None:
    return None if value is None else _require_bool(value, what)


def _side_text(side: Side) -> str:
    return side.value.lower()


def _other(side: Side) -> Side:
    return Side.RIGHT if side is Side.LEFT else Side.LEFT


def _sorted_roots(roots: Iterable[Root]) -> tuple[Root, ...]:
    return tuple(sorted(set(roots), key=ROOT_ORDER.index))


# --- Inputs ---------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class MyotomeTest(AsDictMixin):
    """One key movement on one side, graded MRC/Oxford 0-5 ✅ [S89].

    `grade` None = could not be tested. `sub_grade` "-" or "+" gives the optional 4-/4/4+
    sub-grades ⚠, on grade 4 only. `pain_inhibited` weakness is recorded but is not
    conduction loss, so it does not count toward a level or radiculopathy.
    """

    movement: Movement
    side: Side
    grade: int | None
    sub_grade: str | None = None
    pain_inhibited: bool = False

    def __post_init__(self):
        set_ = object.__setattr__
        set_(self, "movement", _coerce(Movement, self.movement, "Myotome movement"))
        set_(self, "side", _coerce(Side, self.side, "Myotome side"))
        what = f"MRC grade for {self.movement.value} ({_side_text(self.side)})"
        if self.grade is not None:
            require_int_in_range(self.grade, low=0, high=5, what=what)
        sub = "-" if self.sub_grade == "\u2212" else self.sub_grade  # accept a real minus sign
        if sub not in (None, "-", "+"):
            raise ValueError(f"{what}: sub-grade must be '-' or '+'; got {self.sub_grade!r}.")
        if sub is not None and self.grade != 4:
            raise ValueError(f"{what}: sub-grades are defined for grade 4 only (4-/4/4+).")
        set_(self, "sub_grade", sub)
        _require_bool(self.pain_inhibited, f"{what}: pain_inhibited")

    @property
    def roots(self) -> tuple[Root, ...]:
        return MOVEMENTS[self.movement].roots

    @property
    def weak(self) -> bool:
        """Below normal and not put down to pain. The spec's "weakness <= 4" (§6.5); a 4+
        is still grade 4, so it counts."""
        return self.grade is not None and self.grade < 5 and not self.pain_inhibited

    @property
    def rank(self) -> int:
        return (self.grade or 0) * 3 + {"-": -1, None: 0, "+": 1}[self.sub_grade]

    @property
    def grade_text(self) -> str:
        return "not tested" if self.grade is None else f"{self.grade}{self.sub_grade or ''}/5"


@dataclasses.dataclass(frozen=True)
class DermatomeTest(AsDictMixin):
    root: Root
    modality: Modality
    side: Side
    finding: SensoryFinding

    def __post_init__(self):
        set_ = object.__setattr__
        if self.root in ("S3", "S4", "S5"):
            raise ValueError(
                f"Dermatome {self.root} is the saddle area: record it as saddle_sensation "
                "(cauda equina screen)."
            )
        set_(self, "root", _coerce(Root, self.root, "Dermatome root"))
        set_(self, "modality", _coerce(Modality, self.modality, "Sensory modality"))
        set_(self, "side", _coerce(Side, self.side, "Dermatome side"))
        set_(self, "finding", _coerce(SensoryFinding, self.finding, "Sensory finding"))


@dataclasses.dataclass(frozen=True)
class ReflexTest(AsDictMixin):
    """`grade` takes a ReflexGrade, its code ("0", "1+" ... "4+") or a whole number 0-4.
    `reinforced`: whether Jendrassik reinforcement was used ⚠ (§6.3)."""

    reflex: Reflex
    side: Side
    grade: ReflexGrade
    reinforced: bool = False

    def __post_init__(self):
        set_ = object.__setattr__
        set_(self, "reflex", _coerce(Reflex, self.reflex, "Reflex"))
        set_(self, "side", _coerce(Side, self.side, "Reflex side"))
        what = f"{self.reflex.value} reflex grade ({_side_text(self.side)})"
        grade = self.grade
        if isinstance(grade, bool):
            raise ValueError(f"{what} must be 0, 1+, 2+, 3+ or 4+; got {grade!r}.")
        if isinstance(grade, int):
            require_int_in_range(grade, low=0, high=4, what=what)
            grade = list(ReflexGrade)[grade]
        set_(self, "grade", _coerce(ReflexGrade, grade, what))
        _require_bool(self.reinforced, f"{what}: reinforced")


@dataclasses.dataclass(frozen=True)
class UmnTest(AsDictMixin):
    """UMN screen on one side (§6.4, §6.6): plantar response, ankle clonus (beats and
    whether sustained ⚠), optional Hoffmann."""

    side: Side
    babinski: Plantar | None = None
    clonus_beats: int | None = None
    clonus_sustained: bool = False
    hoffmann: bool | None = None

    def __post_init__(self):
        set_ = object.__setattr__
        set_(self, "side", _coerce(Side, self.side, "UMN screen side"))
        side = _side_text(self.side)
        if self.babinski is not None:
            set_(self, "babinski", _coerce(Plantar, self.babinski, f"Babinski ({side})"))
        if self.clonus_beats is not None:
            require_int_in_range(self.clonus_beats, low=0, high=1000, what=f"Clonus beats ({side})")
        _require_bool(self.clonus_sustained, f"Sustained clonus ({side})")
        if self.clonus_sustained and self.clonus_beats == 0:
            raise ValueError(f"Clonus ({side}) cannot be sustained with 0 beats.")
        _optional_bool(self.hoffmann, f"Hoffmann ({side})")


@dataclasses.dataclass(frozen=True)
class PainArea(AsDictMixin):
    """Pain the clinician places in a dermatome. Weighs least (§6.5: pain drawings cannot
    place a level ✅ [S22, S23])."""

    root: Root
    side: Side

    def __post_init__(self):
        object.__setattr__(self, "root", _coerce(Root, self.root, "Pain area root"))
        object.__setattr__(self, "side", _coerce(Side, self.side, "Pain area side"))


def _items(values: object, cls: type, what: str) -> tuple:
    """A tuple of `cls`, accepting instances or mappings of their fields (e.g. from JSON)."""
    if isinstance(values, str | bytes | Mapping) or not isinstance(values, Iterable):
        raise ValueError(f"{what} must be a list of tests; got {values!r}.")
    out = []
    for value in values:
        if isinstance(value, cls):
            out.append(value)
        elif isinstance(value, Mapping):
            try:
                out.append(cls(**value))
            except TypeError as exc:
                raise ValueError(
                    f"{what}: {value!r} is not a valid {cls.__name__} ({exc})."
                ) from None
        else:
            raise ValueError(f"{what} must hold {cls.__name__} entries; got {value!r}.")
    return tuple(out)


def _no_duplicates(tests: tuple, key, what: str) -> None:
    seen = set()
    for test in tests:
        k = key(test)
        if k in seen:
            raise ValueError(f"{what} recorded twice: {' '.join(str(part) for part in k)}.")
        seen.add(k)


@dataclasses.dataclass(frozen=True)
class NeuroExam(AsDictMixin):
    """Everything the therapist records in the lumbar neurological exam (§6.6).

    `progressive_weakness`: the side(s) where weakness is getting worse (history or serial
    exams); empty when none. `saddle_sensation`: only by an authorised clinician (§6.6).
    `spasticity` and `gait_ataxia` are UMN signs ⚠ (§6.4).
    """

    myotomes: tuple[MyotomeTest, ...] = ()
    dermatomes: tuple[DermatomeTest, ...] = ()
    reflexes: tuple[ReflexTest, ...] = ()
    umn: tuple[UmnTest, ...] = ()
    pain_areas: tuple[PainArea, ...] = ()
    progressive_weakness: frozenset[Side] = frozenset()
    saddle_sensation: SensoryFinding | None = None
    spasticity: bool = False
    gait_ataxia: bool = False

    def __post_init__(self):
        set_ = object.__setattr__
        set_(self, "myotomes", _items(self.myotomes, MyotomeTest, "Myotomes"))
        set_(self, "dermatomes", _items(self.dermatomes, DermatomeTest, "Dermatomes"))
        set_(self, "reflexes", _items(self.reflexes, ReflexTest, "Reflexes"))
        set_(self, "umn", _items(self.umn, UmnTest, "UMN screen"))
        set_(self, "pain_areas", _items(self.pain_areas, PainArea, "Pain areas"))
        _no_duplicates(self.myotomes, lambda t: (t.movement, t.side), "Myotome test")
        _no_duplicates(self.dermatomes, lambda t: (t.root, t.modality, t.side), "Dermatome test")
        _no_duplicates(self.reflexes, lambda t: (t.reflex, t.side), "Reflex")
        _no_duplicates(self.umn, lambda t: (t.side,), "UMN screen for side")
        progressive = self.progressive_weakness
        if isinstance(progressive, str | bytes | bool) or not isinstance(progressive, Iterable):
            raise ValueError(
                "progressive_weakness must be a collection of sides (LEFT, RIGHT), empty "
                f"when there is none; got {progressive!r}."
            )
        set_(
            self,
            "progressive_weakness",
            frozenset(_coerce(Side, s, "Progressive weakness side") for s in progressive),
        )
        if self.saddle_sensation is not None:
            set_(
                self,
                "saddle_sensation",
                _coerce(SensoryFinding, self.saddle_sensation, "Saddle sensation"),
            )
        _require_bool(self.spasticity, "spasticity")
        _require_bool(self.gait_ataxia, "gait_ataxia")

    @property
    def recorded(self) -> bool:
        """Whether any conduction test (myotome, dermatome or reflex) was recorded."""
        return bool(self.myotomes or self.dermatomes or self.reflexes)


# --- Results --------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Asymmetry(AsDictMixin):
    """A side-to-side difference. `affected_side` is the side further from normal; None
    when neither is clearly so (e.g. reduced on one side, increased on the other)."""

    kind: str  # "myotome", "dermatome", "reflex", "plantar", "clonus"
    code: str  # the movement, "<root> <modality>", reflex code, ...
    roots: tuple[Root, ...]
    left: str
    right: str
    affected_side: Side | None
    text: str


@dataclasses.dataclass(frozen=True)
class Deficit(AsDictMixin):
    """An objective finding on one side that counts toward a level: weakness, sensory loss
    or a reduced reflex, worse than the other side or with the other side untested."""

    side: Side
    kind: str  # "myotome", "dermatome", "reflex"
    code: str
    root_weights: dict[Root, int]
    conduction_loss: bool  # weight >= DEFICIT_MIN_WEIGHT
    text: str


@dataclasses.dataclass(frozen=True)
class RootScore(AsDictMixin):
    side: Side
    root: Root
    score: int
    # Points per kind of finding (myotome, dermatome, reflex, pain): its strongest instance.
    points: dict[str, int]
    evidence: tuple[str, ...]


@dataclasses.dataclass(frozen=True)
class LevelSuggestion(AsDictMixin):
    """The top-scoring root(s) on one side, only when the score passes SUGGEST_THRESHOLD."""

    side: Side
    roots: tuple[Root, ...]
    score: int
    confidence: LevelConfidence
    confidence_text: str
    evidence: tuple[str, ...]
    # Other roots on this side that also pass the threshold, strongest first: shown so a
    # two-level picture is not hidden behind the top root.
    also_over_threshold: tuple[Root, ...] = ()


@dataclasses.dataclass(frozen=True)
class NeuroAlert(AsDictMixin):
    code: str
    level: AlertLevel
    text: str
    # "source: …" as clinicians read it (core.sources), shown beside the alert.
    basis: str
    # The spec's sections, reference ids and checks behind it: for reviewers, never shown.
    provenance: str = ""


# What the alerts cite, in plain words.
UMN_SOURCE = (
    "source: the upper motor neuron screen; urgent referral as in the IFOMPT red-flag "
    "framework (Finucane et al., JOSPT 2020)"
)
CES_SOURCE = cite("S12", "S13")
FOOT_DROP_SOURCE = cite("S28")
PROGRESSIVE_SOURCE = (
    "source: the IFOMPT red-flag framework (Finucane et al., JOSPT 2020); NHS Lothian RefHelp"
)


@dataclasses.dataclass(frozen=True)
class NeuroResult(AsDictMixin):
    suggested_levels: tuple[LevelSuggestion, ...]
    root_scores: tuple[RootScore, ...]
    deficits: tuple[Deficit, ...]
    conduction_loss: bool | None  # None when no conduction test was recorded
    sensory_tested: bool
    asymmetries: tuple[Asymmetry, ...]
    symmetric_findings: tuple[str, ...]
    positive_sensory_signs: tuple[str, ...]
    alerts: tuple[NeuroAlert, ...]
    raises_alert: bool
    alert_items: tuple[str, ...]  # distinct alert codes, for the staff alert
    to_recheck: tuple[str, ...]
    summary: str
    algorithm_version: str = ALGORITHM_VERSION
    note: str = NOTE

    @property
    def umn_signs(self) -> bool:
        return any(a.code.startswith("UMN-") for a in self.alerts)

    def classification_inputs(self) -> dict[str, Any]:
        """The exam's part of `evaluations.classification.suggest_classification(...)`.

        `sensory_signs` is True when sensory loss counted toward a side or a positive sign
        (increased sensation) was found; the clinician confirms it lies in the painful
        distribution (clinical.md 1.3).
        """
        sides = {d.side for d in self.deficits if d.conduction_loss}
        if len(sides) == 2:
            deficit_side = "BILATERAL"
        elif sides:
            deficit_side = next(iter(sides)).value
        else:
            deficit_side = None
        levels = _sorted_roots(r for s in self.suggested_levels for r in s.roots)
        sensory_signs = any(d.kind == "dermatome" for d in self.deficits) or bool(
            self.positive_sensory_signs
        )
        return {
            "neuro_deficit": self.conduction_loss,
            "deficit_side": deficit_side,
            "deficit_levels": tuple(r.value for r in levels),
            "sensory_signs": sensory_signs if self.sensory_tested else None,
            "umn_signs": self.umn_signs,
        }


# --- Assessment -----------------------------------------------------------------------------


def _pair(tests: Iterable, key) -> dict:
    """Group tests by `key` into {key: {Side: test}}."""
    grouped: dict = {}
    for test in tests:
        grouped.setdefault(key(test), {})[test.side] = test
    return grouped


_KINDS = ("myotome", "dermatome", "reflex", "pain")


class _Scores:
    """Per side, per root, per kind: the strongest weight and every finding's text."""

    def __init__(self):
        self.data: dict[Side, dict[Root, dict[str, list]]] = {}

    def add(self, side: Side, root: Root, kind: str, weight: int, text: str) -> None:
        slot = self.data.setdefault(side, {}).setdefault(root, {}).setdefault(kind, [0, []])
        slot[0] = max(slot[0], weight)
        slot[1].append(text)

    def root_scores(self) -> list[RootScore]:
        out = []
        for side in Side:
            for root in ROOT_ORDER:
                kinds = self.data.get(side, {}).get(root)
                if not kinds:
                    continue
                out.append(
                    RootScore(
                        side=side,
                        root=root,
                        score=sum(weight for weight, _ in kinds.values()),
                        points={k: kinds[k][0] for k in _KINDS if k in kinds},
                        evidence=tuple(t for _, texts in kinds.values() for t in texts),
                    )
                )
        return out


def _myotomes(exam: NeuroExam, scores: _Scores, out: dict) -> None:
    for movement, by_side in _pair(exam.myotomes, lambda t: t.movement).items():
        info = MOVEMENTS[movement]
        name = f"{info.label} ({info.muscle}, {'/'.join(info.roots)})"
        left, right = by_side.get(Side.LEFT), by_side.get(Side.RIGHT)
        both = left and right and left.grade is not None and right.grade is not None
        if both and left.rank != right.rank:
            weaker = Side.LEFT if left.rank < right.rank else Side.RIGHT
            out["asymmetries"].append(
                Asymmetry(
                    kind="myotome",
                    code=movement.value,
                    roots=info.roots,
                    left=left.grade_text,
                    right=right.grade_text,
                    affected_side=weaker,
                    text=(
                        f"{name} weaker on the {_side_text(weaker)} "
                        f"({by_side[weaker].grade_text}) than the {_side_text(_other(weaker))} "
                        f"({by_side[_other(weaker)].grade_text})"
                        + (" (judged pain-inhibited)" if by_side[weaker].pain_inhibited else "")
                        + "."
                    ),
                )
            )
        if both and left.rank == right.rank and left.weak and right.weak:
            out["symmetric"].append(
                f"{name} {left.grade_text} on both sides: symmetric, does not point to a side."
            )
        for side, test in by_side.items():
            if test.grade is not None and test.grade < 5 and test.pain_inhibited:
                out["recheck"].append(
                    f"{name} {test.grade_text} on the {_side_text(side)} judged pain-inhibited: "
                    "not counted as conduction loss; re-test when pain settles."
                )
            other = by_side.get(_other(side))
            other_graded = other is not None and other.grade is not None
            if not test.weak or (other_graded and other.rank <= test.rank):
                continue
            versus = (
                f"{other.grade_text} on the {_side_text(other.side)}"
                if other_graded
                else "other side not tested"
            )
            text = f"{name} {test.grade_text} on the {_side_text(side)} ({versus})"
            weight = MYOTOME_WEIGHT if len(info.roots) == 1 else SHARED_MYOTOME_WEIGHT
            for root in info.roots:
                scores.add(side, root, "myotome", weight, text)
            out["deficits"].append(
                Deficit(
                    side=side,
                    kind="myotome",
                    code=movement.value,
                    root_weights=dict.fromkeys(info.roots, weight),
                    conduction_loss=weight >= DEFICIT_MIN_WEIGHT,
                    text=text,
                )
            )


def _dermatomes(exam: NeuroExam, scores: _Scores, out: dict) -> None:
    by_area = _pair(exam.dermatomes, lambda t: (t.root, t.modality))
    for (root, modality), by_side in sorted(
        by_area.items(), key=lambda kv: (ROOT_ORDER.index(kv[0][0]), kv[0][1])
    ):
        modality_text = modality.value.replace("_", " ").lower()
        name = f"{modality_text.capitalize()} in {root} ({DERMATOME_AREAS[root]})"
        left, right = by_side.get(Side.LEFT), by_side.get(Side.RIGHT)
        if left and right and left.finding != right.finding:
            loss_l, loss_r = _SENSORY_LOSS[left.finding], _SENSORY_LOSS[right.finding]
            if loss_l == loss_r:
                # Normal on one side, increased on the other: the increased side is affected.
                affected = Side.LEFT if left.finding is SensoryFinding.INCREASED else Side.RIGHT
            elif SensoryFinding.INCREASED in (left.finding, right.finding):
                # Loss on one side, increased on the other: neither is clearly "the" side.
                affected = None
            else:
                affected = Side.LEFT if loss_l > loss_r else Side.RIGHT
            out["asymmetries"].append(
                Asymmetry(
                    kind="dermatome",
                    code=f"{root} {modality.value}",
                    roots=(root,),
                    left=left.finding.value,
                    right=right.finding.value,
                    affected_side=affected,
                    text=(
                        f"{name}: {left.finding.value.lower()} on the left, "
                        f"{right.finding.value.lower()} on the right."
                    ),
                )
            )
        if (
            left
            and right
            and left.finding == right.finding
            and left.finding is not SensoryFinding.NORMAL
        ):
            out["symmetric"].append(
                f"{name} {left.finding.value.lower()} on both sides: symmetric, does not point "
                "to a side (consider a peripheral neuropathy or bilateral root involvement)."
            )
        for side, test in by_side.items():
            if test.finding is SensoryFinding.INCREASED:
                sign = {
                    Modality.LIGHT_TOUCH: " (possible allodynia)",
                    Modality.PIN_PRICK: " (hyperalgesia)",
                }.get(modality, "")
                out["positive"].append(
                    f"Increased {modality_text}{sign} in {root} on the {_side_text(side)}."
                )
            other = by_side.get(_other(side))
            loss = _SENSORY_LOSS[test.finding]
            if not loss or (other is not None and _SENSORY_LOSS[other.finding] >= loss):
                continue
            versus = (
                f"{other.finding.value.lower()} on the {_side_text(other.side)}"
                if other
                else "other side not tested"
            )
            text = f"{name} {test.finding.value.lower()} on the {_side_text(side)} ({versus})"
            scores.add(side, root, "dermatome", DERMATOME_WEIGHT, text)
            out["deficits"].append(
                Deficit(
                    side=side,
                    kind="dermatome",
                    code=f"{root} {modality.value}",
                    root_weights={root: DERMATOME_WEIGHT},
                    conduction_loss=DERMATOME_WEIGHT >= DEFICIT_MIN_WEIGHT,
                    text=text,
                )
            )


def _reflexes(exam: NeuroExam, scores: _Scores, out: dict) -> None:
    for reflex in Reflex:
        by_side = {t.side: t for t in exam.reflexes if t.reflex is reflex}
        if not by_side:
            continue
        weights = REFLEX_ROOT_WEIGHTS[reflex]
        roots = _sorted_roots(weights)
        name = f"{REFLEX_LABELS[reflex]} reflex ({'/'.join(roots)})"
        left, right = by_side.get(Side.LEFT), by_side.get(Side.RIGHT)
        if left and right and left.grade != right.grade:
            # Further from 2+ (normal) is the affected side; equally far either way: neither.
            dist_l = abs(_REFLEX_RANK[left.grade] - 2)
            dist_r = abs(_REFLEX_RANK[right.grade] - 2)
            affected = None if dist_l == dist_r else (Side.LEFT if dist_l > dist_r else Side.RIGHT)
            out["asymmetries"].append(
                Asymmetry(
                    kind="reflex",
                    code=reflex.value,
                    roots=roots,
                    left=left.grade.value,
                    right=right.grade.value,
                    affected_side=affected,
                    text=(
                        f"{name}: {left.grade.value} on the left, {right.grade.value} on the right."
                    ),
                )
            )
        if left and right and left.grade == right.grade and left.grade in _REDUCED_REFLEXES:
            out["symmetric"].append(
                f"{name} {left.grade.value} on both sides: symmetric, does not point to a side."
            )
        for side, test in by_side.items():
            if test.grade is ReflexGrade.ABSENT and not test.reinforced:
                out["recheck"].append(
                    f"{name} absent on the {_side_text(side)} without reinforcement: "
                    "re-test with Jendrassik reinforcement."
                )
            if test.grade in _HYPERREFLEXIA:
                out["alerts"].append(
                    NeuroAlert(
                        code="UMN-HYPERREFLEXIA",
                        level=AlertLevel.URGENT,
                        text=(
                            f"{name} {test.grade.value} on the {_side_text(side)}: "
                            "hyperreflexia is an upper motor neuron sign; radiculopathy does "
                            "not explain it. Urgent medical referral."
                        ),
                        # 4+ with clonus is pathological ✅ [S89, S93]; 3+/4+ as a UMN sign
                        # and the referral ⚠ (§6.4, §2.7).
                        basis=UMN_SOURCE,
                        provenance="clinical.md 6.3 ✅, 6.4 ⚠, 2.7 ⚠",
                    )
                )
            other = by_side.get(_other(side))
            if test.grade not in _REDUCED_REFLEXES or (
                other is not None and _REFLEX_RANK[other.grade] <= _REFLEX_RANK[test.grade]
            ):
                continue
            versus = (
                f"{other.grade.value} on the {_side_text(other.side)}"
                if other
                else "other side not tested"
            )
            text = f"{name} {test.grade.value} on the {_side_text(side)} ({versus})"
            for root, weight in weights.items():
                scores.add(side, root, "reflex", weight, text)
            out["deficits"].append(
                Deficit(
                    side=side,
                    kind="reflex",
                    code=reflex.value,
                    root_weights=dict(weights),
                    conduction_loss=max(weights.values()) >= DEFICIT_MIN_WEIGHT,
                    text=text,
                )
            )


def _umn(exam: NeuroExam, out: dict) -> None:
    urgent = "Upper motor neuron sign: radiculopathy does not explain it. Urgent medical referral."
    by_side = {t.side: t for t in exam.umn}
    left, right = by_side.get(Side.LEFT), by_side.get(Side.RIGHT)
    if left and right and left.babinski and right.babinski and left.babinski != right.babinski:
        out["asymmetries"].append(
            Asymmetry(
                kind="plantar",
                code="BABINSKI",
                roots=(),
                left=left.babinski.value,
                right=right.babinski.value,
                affected_side=None,
                text=(
                    f"Plantar response: {left.babinski.value.lower()} on the left, "
                    f"{right.babinski.value.lower()} on the right."
                ),
            )
        )
    if (
        left
        and right
        and left.clonus_beats is not None
        and right.clonus_beats is not None
        and left.clonus_beats != right.clonus_beats
    ):
        more = Side.LEFT if left.clonus_beats > right.clonus_beats else Side.RIGHT
        out["asymmetries"].append(
            Asymmetry(
                kind="clonus",
                code="ANKLE_CLONUS",
                roots=(),
                left=str(left.clonus_beats),
                right=str(right.clonus_beats),
                affected_side=more,
                text=(
                    f"Ankle clonus: {left.clonus_beats} beat(s) on the left, "
                    f"{right.clonus_beats} on the right."
                ),
            )
        )
    for side in Side:
        test = by_side.get(side)
        if test is None:
            continue
        where = f"on the {_side_text(side)}"
        if test.babinski is Plantar.EXTENSOR:
            out["alerts"].append(
                NeuroAlert(
                    code="UMN-BABINSKI",
                    level=AlertLevel.URGENT,
                    text=f"Upgoing great toe (extensor plantar response) {where}. {urgent}",
                    basis=UMN_SOURCE,
                    provenance="clinical.md 6.4 ✅ [S93]; referral 2.7 ⚠, 2.1a ◐",
                )
            )
        elif test.babinski is Plantar.EQUIVOCAL:
            # ⚠ product-defined: equivocal is not an alert (withdrawal is common), but it
            # must not be silently read as normal.
            out["recheck"].append(f"Plantar response equivocal {where}: re-test.")
        if test.clonus_sustained:
            beats = f" ({test.clonus_beats} beats)" if test.clonus_beats else ""
            out["alerts"].append(
                NeuroAlert(
                    code="UMN-CLONUS",
                    level=AlertLevel.URGENT,
                    text=f"Sustained ankle clonus{beats} {where}. {urgent}",
                    basis=UMN_SOURCE,
                    provenance="clinical.md 6.4 ✅ [S89] (sustained ⚠); 2.1a ◐",
                )
            )
        elif test.clonus_beats:
            # ⚠ product-defined: a few unsustained beats can be normal; only sustained
            # clonus alerts (the spec's 2.1a row names "sustained clonus").
            out["recheck"].append(
                f"Ankle clonus {where}: {test.clonus_beats} unsustained beat(s); compare sides "
                "and re-test."
            )
        if test.hoffmann:
            out["alerts"].append(
                NeuroAlert(
                    code="UMN-HOFFMANN",
                    level=AlertLevel.URGENT,
                    text=f"Positive Hoffmann sign {where}. {urgent}",
                    basis=UMN_SOURCE,
                    provenance="clinical.md 6.6 (optional test), 6.4 ⚠",
                )
            )
    for flag, code, label in (
        (exam.spasticity, "UMN-SPASTICITY", "Spasticity"),
        (exam.gait_ataxia, "UMN-GAIT-ATAXIA", "Gait ataxia"),
    ):
        if flag:
            out["alerts"].append(
                NeuroAlert(
                    code=code,
                    level=AlertLevel.URGENT,
                    text=f"{label}. {urgent}",
                    basis=UMN_SOURCE,
                    provenance="clinical.md 6.4 ⚠, 2.7 ⚠",
                )
            )


def _weakness_alerts(exam: NeuroExam, out: dict) -> None:
    progressive = exam.progressive_weakness
    if progressive == set(Side):
        out["alerts"].append(
            NeuroAlert(
                code="CES-6",
                level=AlertLevel.EMERGENCY,
                text=(
                    "Progressive weakness in both legs: possible cauda equina syndrome. "
                    "Emergency (same-hours) hospital referral."
                ),
                basis=CES_SOURCE,
                provenance="clinical.md 2.2 CES-6 ✅ [S12, S13, S27]",
            )
        )
    elif progressive:
        side = _side_text(next(iter(progressive)))
        out["alerts"].append(
            NeuroAlert(
                code="NEURO-PROGRESSIVE",
                level=AlertLevel.URGENT,
                text=(
                    f"Progressive weakness on the {side}: urgent (same-day) medical or "
                    "surgical opinion."
                ),
                basis=PROGRESSIVE_SOURCE,
                provenance="clinical.md 2.7, 2.1a ◐ [S28, S93]; timing ⚠",
            )
        )
    for movement, by_side in _pair(exam.myotomes, lambda t: t.movement).items():
        severe = [
            t
            for t in by_side.values()
            if t.grade is not None and t.grade <= SEVERE_WEAKNESS_MAX_GRADE and not t.pain_inhibited
        ]
        label = MOVEMENTS[movement].label
        if len(severe) == 2 and progressive != set(Side):
            out["alerts"].append(
                NeuroAlert(
                    code="CES-6",
                    level=AlertLevel.EMERGENCY,
                    text=(
                        f"{label} {severe[0].grade_text} or weaker on both sides: severe "
                        "bilateral weakness, possible cauda equina syndrome. Emergency "
                        "(same-hours) hospital referral."
                    ),
                    basis=CES_SOURCE,
                    provenance="clinical.md 2.2 CES-6 ✅ [S12, S13, S27]; the 3/5 cut-off ⚠",
                )
            )
    for test in exam.myotomes:
        if (
            test.movement is Movement.ANKLE_DORSIFLEXION
            and test.grade is not None
            and test.grade <= FOOT_DROP_MAX_GRADE
            and not test.pain_inhibited
        ):
            out["alerts"].append(
                NeuroAlert(
                    code="FOOT-DROP",
                    level=AlertLevel.URGENT,
                    text=(
                        f"Foot drop on the {_side_text(test.side)} (ankle dorsiflexion "
                        f"{test.grade_text}): if new or worsening, urgent (same-day) surgical "
                        "opinion."
                    ),
                    basis=FOOT_DROP_SOURCE,
                    provenance="clinical.md 2.7 ✅ [S28]; urgency ⚠",
                )
            )
    # Perianal sensory loss is CES-7 ✅; ⚠ safety-first: increased (altered) saddle sensation
    # alerts too, as "altered sensation" in the saddle is a CES item (CES-2).
    if exam.saddle_sensation not in (None, SensoryFinding.NORMAL):
        out["alerts"].append(
            NeuroAlert(
                code="CES-7",
                level=AlertLevel.EMERGENCY,
                text=(
                    f"Saddle (perianal) sensation {exam.saddle_sensation.value.lower()}: "
                    "possible cauda equina syndrome. Emergency (same-hours) hospital referral."
                ),
                basis=CES_SOURCE,
                provenance="clinical.md 2.2 CES-7 ✅ [S12, S28]",
            )
        )


_CONFIDENCE_TEXT = {
    LevelConfidence.CONSISTENT: "{Kinds} findings agree on {roots}.",
    LevelConfidence.LIMITED: (
        "Only {kinds} findings point to {roots}: a weak suggestion; re-examine and weigh the "
        "history."
    ),
    LevelConfidence.AMBIGUOUS: "{roots} score the same: the exam cannot separate them.",
}


def _suggest(root_scores: list[RootScore]) -> list[LevelSuggestion]:
    suggestions = []
    for side in Side:
        over = sorted(
            (s for s in root_scores if s.side is side and s.score >= SUGGEST_THRESHOLD),
            key=lambda s: (-s.score, ROOT_ORDER.index(s.root)),
        )
        if not over:
            continue
        top = [s for s in over if s.score == over[0].score]
        # Kinds that agree: objective findings strong enough to count as conduction loss
        # (a low-reliability medial hamstring jerk adds points but not agreement).
        objective = [
            k for k in _KINDS[:3] if any(s.points.get(k, 0) >= DEFICIT_MIN_WEIGHT for s in top)
        ]
        if len(top) > 1:
            confidence = LevelConfidence.AMBIGUOUS
        elif len(objective) >= 2:
            confidence = LevelConfidence.CONSISTENT
        else:
            confidence = LevelConfidence.LIMITED
        kinds = {"myotome": "motor", "dermatome": "sensory", "reflex": "reflex"}
        roots = tuple(s.root for s in top)
        names = [kinds[k] for k in objective] or ["pain-distribution"]
        kinds_text = " and ".join(names) if len(names) < 3 else "motor, sensory and reflex"
        suggestions.append(
            LevelSuggestion(
                side=side,
                roots=roots,
                score=over[0].score,
                confidence=confidence,
                confidence_text=_CONFIDENCE_TEXT[confidence].format(
                    kinds=kinds_text, Kinds=kinds_text.capitalize(), roots=" and ".join(roots)
                ),
                evidence=tuple(e for s in top for e in s.evidence),
                also_over_threshold=tuple(s.root for s in over[len(top) :]),
            )
        )
    return suggestions


def _summary(
    exam: NeuroExam,
    suggestions: list[LevelSuggestion],
    conduction_loss: bool | None,
    asymmetries: list[Asymmetry],
    alerts: list[NeuroAlert],
) -> str:
    parts = []
    if alerts:
        codes = sorted({a.code for a in alerts})
        parts.append(f"ALERT ({', '.join(codes)}): {alerts[0].text}")
    for s in suggestions:
        parts.append(
            f"Suggested level on the {_side_text(s.side)}: {' or '.join(s.roots)}. "
            f"{s.confidence_text}"
        )
    if not suggestions:
        if conduction_loss:
            parts.append(
                "Objective deficits found, but too few or too scattered to suggest a level."
            )
        elif conduction_loss is False:
            parts.append("No objective neurological deficit found.")
        elif not exam.umn:
            parts.append("No neurological tests recorded.")
    if asymmetries:
        n = len(asymmetries)
        parts.append(f"{n} side-to-side difference{'s' if n != 1 else ''}.")
    if not alerts and exam.umn:
        parts.append("No upper motor neuron signs.")
    parts.append("A suggestion, never a diagnosis.")
    return " ".join(parts)


def assess_neuro(exam: NeuroExam) -> NeuroResult:
    """Derive asymmetries, a suggested level per side (§6.5) and UMN/progressive-weakness
    alerts (§6.4, §2.7) from one lumbar neurological exam."""
    if not isinstance(exam, NeuroExam):
        raise ValueError(f"assess_neuro needs a NeuroExam; got {type(exam).__name__}.")
    scores = _Scores()
    out: dict[str, list] = {
        k: [] for k in ("asymmetries", "symmetric", "positive", "deficits", "alerts", "recheck")
    }
    _myotomes(exam, scores, out)
    _dermatomes(exam, scores, out)
    _reflexes(exam, scores, out)
    for area in exam.pain_areas:
        scores.add(
            area.side,
            area.root,
            "pain",
            PAIN_WEIGHT,
            f"Pain in the {area.root} dermatome on the {_side_text(area.side)}",
        )
    _umn(exam, out)
    _weakness_alerts(exam, out)

    root_scores = scores.root_scores()
    suggestions = _suggest(root_scores)
    deficits = out["deficits"]
    conduction_loss = any(d.conduction_loss for d in deficits) if exam.recorded else None
    alerts = sorted(out["alerts"], key=lambda a: a.level is not AlertLevel.EMERGENCY)
    return NeuroResult(
        suggested_levels=tuple(suggestions),
        root_scores=tuple(root_scores),
        deficits=tuple(deficits),
        conduction_loss=conduction_loss,
        sensory_tested=bool(exam.dermatomes),
        asymmetries=tuple(out["asymmetries"]),
        symmetric_findings=tuple(out["symmetric"]),
        positive_sensory_signs=tuple(out["positive"]),
        alerts=tuple(alerts),
        raises_alert=bool(alerts),
        alert_items=tuple(dict.fromkeys(a.code for a in alerts)),
        to_recheck=tuple(out["recheck"]),
        summary=_summary(exam, suggestions, conduction_loss, out["asymmetries"], alerts),
    )
