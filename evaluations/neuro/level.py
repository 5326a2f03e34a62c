"""Side-to-side differences and the suggested root level (clinical.md §6.5): each myotome,
dermatome and reflex finding is compared with the other side, scored toward its roots with
the weights in `rules`, and the top root per side is suggested only above the threshold,
with how far the exam agrees with itself. A suggestion, never a diagnosis.
"""

import dataclasses

from evaluations.neuro.alerts import UMN_SOURCE
from evaluations.neuro.exam import NeuroExam, _pair
from evaluations.neuro.results import (
    Asymmetry,
    Deficit,
    Findings,
    LevelSuggestion,
    NeuroAlert,
    RootScore,
)
from evaluations.neuro.rules import (
    _HYPERREFLEXIA,
    _REDUCED_REFLEXES,
    _REFLEX_RANK,
    _SENSORY_LOSS,
    DEFICIT_MIN_WEIGHT,
    DERMATOME_WEIGHT,
    MYOTOME_WEIGHT,
    REFLEX_ROOT_WEIGHTS,
    SHARED_MYOTOME_WEIGHT,
    SUGGEST_THRESHOLD,
)
from evaluations.neuro.vocabulary import (
    DERMATOME_AREAS,
    MOVEMENTS,
    REFLEX_LABELS,
    ROOT_ORDER,
    AlertLevel,
    LevelConfidence,
    Modality,
    Reflex,
    ReflexGrade,
    Root,
    SensoryFinding,
    Side,
    _other,
    _side_text,
    _sorted_roots,
)

_KINDS = ("myotome", "dermatome", "reflex", "pain")


@dataclasses.dataclass
class _Slot:
    """One kind of finding at one root on one side: the strongest weight, every text."""

    weight: int = 0
    texts: list[str] = dataclasses.field(default_factory=list)


class _Scores:
    """Per side, per root, per kind: the strongest weight and every finding's text."""

    def __init__(self) -> None:
        self.data: dict[Side, dict[Root, dict[str, _Slot]]] = {}

    def add(self, side: Side, root: Root, kind: str, weight: int, text: str) -> None:
        slot = self.data.setdefault(side, {}).setdefault(root, {}).setdefault(kind, _Slot())
        slot.weight = max(slot.weight, weight)
        slot.texts.append(text)

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
                        score=sum(slot.weight for slot in kinds.values()),
                        points={k: kinds[k].weight for k in _KINDS if k in kinds},
                        evidence=tuple(t for slot in kinds.values() for t in slot.texts),
                    )
                )
        return out


def _myotomes(exam: NeuroExam, scores: _Scores, out: Findings) -> None:
    for movement, by_side in _pair(exam.myotomes, lambda t: t.movement).items():
        info = MOVEMENTS[movement]
        name = f"{info.label} ({info.muscle}, {'/'.join(info.roots)})"
        left, right = by_side.get(Side.LEFT), by_side.get(Side.RIGHT)
        if left and right and left.grade is not None and right.grade is not None:
            if left.rank != right.rank:
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
                            f"({by_side[weaker].grade_text}) than the "
                            f"{_side_text(_other(weaker))} ({by_side[_other(weaker)].grade_text})"
                            + (" (judged pain-inhibited)" if by_side[weaker].pain_inhibited else "")
                            + "."
                        ),
                    )
                )
            if left.rank == right.rank and left.weak and right.weak:
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
            graded = other if other is not None and other.grade is not None else None
            if not test.weak or (graded is not None and graded.rank <= test.rank):
                continue
            versus = (
                f"{graded.grade_text} on the {_side_text(graded.side)}"
                if graded is not None
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


def _dermatomes(exam: NeuroExam, scores: _Scores, out: Findings) -> None:
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


def _reflexes(exam: NeuroExam, scores: _Scores, out: Findings) -> None:
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
