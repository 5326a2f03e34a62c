"""All the tests together (clinical.md §4.1, §4.4): which centralised, abolished or
peripheralised the symptoms, each direction's evidence by role, and the suggested
directional preference with its basis, or NONE, or UNCLEAR when the evidence conflicts.
"""

import dataclasses
from collections.abc import Iterable, Sequence

from evaluations.mdt.record import RepeatedMovementTest
from evaluations.mdt.response import MovementResult, classify
from evaluations.mdt.vocabulary import (
    ALGORITHM_VERSION,
    DIRECTION_WORDS,
    NO_PREFERENCE,
    NOTE,
    UNCLEAR,
    Basis,
    Direction,
    ForceProgression,
    Loading,
    MechanicalResponse,
    Role,
    SymptomResponse,
)
from intake.scoring.common import AsDictMixin

# --- All tests: directional preference ----------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Evidence(AsDictMixin):
    """One test's part in the preference. `position` is 1-based, in the order given."""

    position: int
    label: str
    direction: Direction | None
    loading: Loading
    force_progression: ForceProgression
    response: SymptomResponse
    mechanical_response: MechanicalResponse | None
    role: Role


@dataclasses.dataclass(frozen=True)
class DirectionFinding(AsDictMixin):
    """Every test in one direction, grouped by role (labels in test order)."""

    direction: Direction
    favours: tuple[str, ...]
    against: tuple[str, ...]
    mechanics_better: tuple[str, ...]
    mechanics_worse: tuple[str, ...]

    @property
    def conflicting(self) -> bool:
        return bool(self.favours and self.against)


@dataclasses.dataclass(frozen=True)
class MdtSummary(AsDictMixin):
    tests: tuple[MovementResult, ...]
    centralised_tests: tuple[str, ...]
    abolished_tests: tuple[str, ...]
    peripheralised_tests: tuple[str, ...]
    centralisation_seen: bool
    # A Direction value, NO_PREFERENCE ("NONE") or UNCLEAR.
    directional_preference: str
    basis: Basis | None
    candidates: tuple[Direction, ...]
    directions: tuple[DirectionFinding, ...]
    evidence: tuple[Evidence, ...]
    summary: str
    algorithm_version: str = ALGORITHM_VERSION
    note: str = NOTE


def summarise(tests: Iterable[RepeatedMovementTest]) -> MdtSummary:
    """Which tests centralised or peripheralised, and a suggested directional preference.

    The preference is the one direction with a FAVOURS test and no AGAINST test. The spec's
    §4.4 rule takes the *first* such direction; we refuse to let test order decide and call it
    UNCLEAR when two directions qualify, or when the favoured direction also made symptoms
    worse (e.g. extension in lying centralises but extension in standing peripheralises): the
    therapist weighs that, not the software ⚠ product-defined. With no symptom-based
    candidate, a single direction whose range improved, with no test in that direction making
    symptoms or range worse, is suggested on MECHANICS_ONLY ⚠; two such directions are
    UNCLEAR. Otherwise NONE.
    """
    tests = tuple(tests)
    for test in tests:
        if not isinstance(test, RepeatedMovementTest):
            raise ValueError(f"summarise() takes RepeatedMovementTest records; got {test!r}.")
    results = tuple(classify(t) for t in tests)
    evidence = tuple(
        Evidence(
            position=i,
            label=r.label,
            direction=r.direction,
            loading=r.loading,
            force_progression=r.force_progression,
            response=r.response,
            mechanical_response=r.mechanical_response,
            role=r.role,
        )
        for i, r in enumerate(results, start=1)
    )
    directions = tuple(
        DirectionFinding(
            direction=d,
            favours=_labels(results, d, Role.FAVOURS),
            against=_labels(results, d, Role.AGAINST),
            mechanics_better=_labels(results, d, Role.MECHANICS_BETTER),
            mechanics_worse=_labels(results, d, Role.MECHANICS_WORSE),
        )
        for d in Direction
        if any(r.direction is d for r in results)
    )
    preference, basis, candidates = _preference(directions, results)
    centralised = _unique(r.label for r in results if r.centralised)
    abolished = _unique(r.label for r in results if r.response is SymptomResponse.ABOLISHED)
    peripheralised = _unique(r.label for r in results if r.peripheralised)
    return MdtSummary(
        tests=results,
        centralised_tests=centralised,
        abolished_tests=abolished,
        peripheralised_tests=peripheralised,
        centralisation_seen=bool(centralised),
        directional_preference=preference,
        basis=basis,
        candidates=candidates,
        directions=directions,
        evidence=evidence,
        summary=_summary_text(preference, basis, candidates, directions, results),
    )


def _labels(results: Sequence[MovementResult], direction: Direction, role: Role) -> tuple[str, ...]:
    return _unique(r.label for r in results if r.direction is direction and r.role is role)


def _unique(labels: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(labels))


def _preference(
    directions: Sequence[DirectionFinding], results: Sequence[MovementResult]
) -> tuple[str, Basis | None, tuple[Direction, ...]]:
    favoured = [d for d in directions if d.favours]
    if favoured:
        candidates = tuple(d.direction for d in favoured)
        if len(favoured) > 1 or favoured[0].conflicting:
            return UNCLEAR, None, candidates
        chosen = favoured[0].direction
        with_rom = any(
            r.direction is chosen
            and r.role is Role.FAVOURS
            and r.mechanical_response is MechanicalResponse.ROM_INCREASED
            for r in results
        )
        return (
            chosen.value,
            (Basis.SYMPTOMS_AND_MECHANICS if with_rom else Basis.SYMPTOMS),
            (chosen,),
        )
    mechanical = [d for d in directions if d.mechanics_better and not d.against]
    if len(mechanical) == 1 and not mechanical[0].mechanics_worse:
        chosen = mechanical[0].direction
        return chosen.value, Basis.MECHANICS_ONLY, (chosen,)
    if len(mechanical) > 1:
        return UNCLEAR, None, tuple(d.direction for d in mechanical)
    return NO_PREFERENCE, None, ()


def _summary_text(
    preference: str,
    basis: Basis | None,
    candidates: Sequence[Direction],
    directions: Sequence[DirectionFinding],
    results: Sequence[MovementResult],
) -> str:
    if not results:
        return "No repeated-movement tests recorded."
    parts = []
    if preference == UNCLEAR:
        named = " and ".join(DIRECTION_WORDS[c] for c in candidates)
        parts.append(f"Directional preference unclear: the evidence conflicts ({named}).")
    elif preference == NO_PREFERENCE:
        parts.append("No directional preference shown by these tests.")
    else:
        # `_preference` names a direction only together with the basis it rests on.
        assert basis is not None
        finding = next(d for d in directions if d.direction.value == preference)
        how = {
            Basis.SYMPTOMS_AND_MECHANICS: "symptoms and range of movement improved",
            Basis.SYMPTOMS: "symptoms centralised or were abolished",
            Basis.MECHANICS_ONLY: "range of movement improved; symptoms did not change",
        }[basis]
        tests = ", ".join(finding.favours or finding.mechanics_better)
        parts.append(
            f"Suggested directional preference: {DIRECTION_WORDS[preference]} ({how}: {tests})."
        )
    centralised = _unique(r.label for r in results if r.centralised)
    peripheralised = _unique(r.label for r in results if r.peripheralised)
    if centralised:
        parts.append(
            f"Centralised or abolished: {', '.join(centralised)}; MDT sees centralisation only "
            "in derangement (§4.1)."
        )
    if peripheralised:
        parts.append(f"Peripheralised: {', '.join(peripheralised)}.")
    parts.append(NOTE)
    return " ".join(parts)
