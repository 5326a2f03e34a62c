"""The exam's alerts: upper motor neuron signs (clinical.md §6.4, urgent referral §2.7),
progressive weakness, severe bilateral weakness and saddle sensory loss as cauda equina
findings (§2.2 CES-6, CES-7), and foot drop (§2.7). Codes shared with the intake's red
flags ("NEURO-PROGRESSIVE", "CES-6", "CES-7") let the two sources merge into one staff alert.
"""

from core.sources import cite
from evaluations.neuro.exam import NeuroExam, _pair
from evaluations.neuro.results import Asymmetry, Findings, NeuroAlert
from evaluations.neuro.rules import FOOT_DROP_MAX_GRADE, SEVERE_WEAKNESS_MAX_GRADE
from evaluations.neuro.vocabulary import (
    MOVEMENTS,
    AlertLevel,
    Movement,
    Plantar,
    SensoryFinding,
    Side,
    _side_text,
)

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


def _umn(exam: NeuroExam, out: Findings) -> None:
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


def _weakness_alerts(exam: NeuroExam, out: Findings) -> None:
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
    saddle = exam.saddle_sensation
    if saddle is not None and saddle != SensoryFinding.NORMAL:
        out["alerts"].append(
            NeuroAlert(
                code="CES-7",
                level=AlertLevel.EMERGENCY,
                text=(
                    f"Saddle (perianal) sensation {saddle.value.lower()}: "
                    "possible cauda equina syndrome. Emergency (same-hours) hospital referral."
                ),
                basis=CES_SOURCE,
                provenance="clinical.md 2.2 CES-7 ✅ [S12, S28]",
            )
        )
