"""What the therapist records in the lumbar neurological exam (clinical.md §6.6): one frozen
dataclass per test, validated on construction (codes or their strings, JSON mappings), and
`NeuroExam`, which holds them all and refuses duplicates.
"""

import dataclasses
from collections.abc import Callable, Hashable, Iterable, Mapping
from typing import Protocol, TypeVar

from evaluations.neuro.vocabulary import (
    MOVEMENTS,
    Modality,
    Movement,
    Plantar,
    Reflex,
    ReflexGrade,
    Root,
    SensoryFinding,
    Side,
    _side_text,
)
from intake.scoring.common import AsDictMixin, require_int_in_range
from intake.scoring.common import coerce_enum as _coerce

# --- Input validation helpers --------------------------------------------------------------


def _require_bool(value: object, what: str) -> bool:
    if not isinstance(value, bool):
        raise ValueError(f"{what} must be True or False; got {value!r}.")
    return value


def _optional_bool(value: object, what: str) -> bool | None:
    return None if value is None else _require_bool(value, what)


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

    def __post_init__(self) -> None:
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

    def __post_init__(self) -> None:
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

    def __post_init__(self) -> None:
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

    def __post_init__(self) -> None:
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

    def __post_init__(self) -> None:
        object.__setattr__(self, "root", _coerce(Root, self.root, "Pain area root"))
        object.__setattr__(self, "side", _coerce(Side, self.side, "Pain area side"))


_Test = TypeVar("_Test")
_Key = TypeVar("_Key", bound=Hashable)


def _items(values: object, cls: type[_Test], what: str) -> tuple[_Test, ...]:
    """A tuple of `cls`, accepting instances or mappings of their fields (e.g. from JSON)."""
    if isinstance(values, str | bytes | Mapping) or not isinstance(values, Iterable):
        raise ValueError(f"{what} must be a list of tests; got {values!r}.")
    out: list[_Test] = []
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


def _no_duplicates(
    tests: tuple[_Test, ...], key: Callable[[_Test], tuple[object, ...]], what: str
) -> None:
    seen: set[tuple[object, ...]] = set()
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

    def __post_init__(self) -> None:
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


# --- Grouping, for the level finding and the alerts -----------------------------------------


class _OneSide(Protocol):
    """A test done on one side (every test `_pair` groups)."""

    @property
    def side(self) -> Side: ...


_Sided = TypeVar("_Sided", bound=_OneSide)


def _pair(tests: Iterable[_Sided], key: Callable[[_Sided], _Key]) -> dict[_Key, dict[Side, _Sided]]:
    """Group tests by `key` into {key: {Side: test}}."""
    grouped: dict[_Key, dict[Side, _Sided]] = {}
    for test in tests:
        grouped.setdefault(key(test), {})[test.side] = test
    return grouped
