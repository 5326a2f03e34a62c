"""What `assess_neuro` returns: side-to-side differences, deficits, root scores, the
suggested level per side, alerts, and the result that carries them with
`ALGORITHM_VERSION`. `NeuroResult.classification_inputs()` is the exam's part of the
classification suggestion (evaluations.classification).
"""

import dataclasses
from typing import Any, TypedDict

from evaluations.neuro.vocabulary import (
    ALGORITHM_VERSION,
    NOTE,
    AlertLevel,
    LevelConfidence,
    Root,
    Side,
    _sorted_roots,
)
from intake.scoring.common import AsDictMixin


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


class Findings(TypedDict):
    """What `assess_neuro`'s steps (level finding, alerts) collect before it builds the
    `NeuroResult`: one list per kind, in the order the steps found them."""

    asymmetries: list[Asymmetry]
    symmetric: list[str]
    positive: list[str]
    deficits: list[Deficit]
    alerts: list[NeuroAlert]
    recheck: list[str]


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
