"""What one side's test suggests (clinical.md §5): POSITIVE_NEURAL only when familiar
symptoms change with structural differentiation, plus each test's own criteria (the slump's
between-side asymmetry, the femoral slump's easing with neck extension); the classic SLR
picture and the crossed SLR sign reported beside it; a one-line summary in plain words.
"""

import dataclasses

from evaluations.neurodynamic.record import NeurodynamicTest
from evaluations.neurodynamic.thresholds import SLR_POSITIVE_RANGE, asymmetry_threshold
from evaluations.neurodynamic.vocabulary import (
    ALGORITHM_VERSION,
    SLUMP_CODES,
    TEST_LABELS,
    Change,
    Interpretation,
    MeasuredBy,
    NeurodynamicCode,
    Reproduction,
    SdManoeuvre,
    Side,
)
from intake.scoring.common import AsDictMixin, Verification

# --- One side -----------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Criterion(AsDictMixin):
    """One of a test's criteria: met (True), not met (False) or not assessable (None)."""

    code: str
    met: bool | None
    source: str
    verification: Verification


@dataclasses.dataclass(frozen=True)
class NeurodynamicFinding(AsDictMixin):
    code: NeurodynamicCode
    label: str
    side: Side
    # The leg whose symptoms the test is about: the side tested, except for the crossed SLR.
    symptom_side: Side
    onset_angle_deg: int | None
    measured_by: MeasuredBy | None
    symptoms_reproduced: Reproduction
    symptom_location: tuple[str, ...]
    below_knee: bool | None
    sd_manoeuvres: tuple[SdManoeuvre, ...]
    sd_changed_symptoms: Change
    resistance_rom_change: Change
    suggestion: Interpretation
    criteria: tuple[Criterion, ...]
    # SLR only: the classic positive (familiar, below the knee, 30-70°) ✅ [S24]; None when it
    # cannot be judged (angle or location missing) or for other tests.
    classic_slr_positive: bool | None
    # Crossed SLR only: raising this leg reproduced the other leg's familiar pain (§5.2).
    crossed_slr_sign: bool | None
    notes: tuple[str, ...]
    summary: str
    algorithm_version: str = ALGORITHM_VERSION


_REPRODUCES = "reproduces_familiar_symptoms"
_SD_CHANGES = "structural_differentiation_changes_symptoms"


def interpret(
    test: NeurodynamicTest, *, other_side: NeurodynamicTest | None = None
) -> NeurodynamicFinding:
    """Suggest an interpretation for one side (clinical.md §5).

    `other_side` is the same test on the other leg, if recorded; only the slump needs it,
    for its between-side asymmetry criterion (§5.3 c).
    """
    if other_side is not None and (
        other_side.code is not test.code
        or other_side.custom_label != test.custom_label
        or other_side.side is test.side
    ):
        raise ValueError(
            f"other_side must be {test.label} on side {test.side.other.value}; got "
            f"{other_side.label} {other_side.side.value}."
        )
    code, reproduced, effect = test.code, test.symptoms_reproduced, test.sd_changed_symptoms
    sd_changed = effect in (Change.INCREASED, Change.DECREASED)
    criteria = [
        Criterion(
            _REPRODUCES, reproduced.familiar, "clinical.md 5.1, 5.3 a", Verification.VERIFIED
        ),
        Criterion(
            _SD_CHANGES,
            None if effect is Change.NOT_DONE or not reproduced.familiar else sd_changed,
            "clinical.md 5.1 [S24, S79], 5.3 b [S82]",
            Verification.VERIFIED,
        ),
    ]
    notes: list[str] = []

    if reproduced is Reproduction.NONE:
        suggestion = Interpretation.NEGATIVE
    elif reproduced is Reproduction.NON_FAMILIAR:
        # A stretch or pain the patient does not recognise is not their symptom.
        suggestion = Interpretation.NEGATIVE
        notes.append("Reproduced symptoms the patient does not recognise as theirs.")
    elif effect is Change.NOT_DONE:
        suggestion = Interpretation.INCONCLUSIVE
        notes.append(
            "Familiar symptoms, but without structural differentiation a neural source cannot "
            "be told apart from a non-neural one."
        )
    elif effect is Change.NO_CHANGE:
        suggestion = Interpretation.NON_NEURAL_REPRODUCTION
    elif code is NeurodynamicCode.FEMORAL_SLUMP:
        # "Symptoms that ease with neck extension -> positive" ✅ [S84].
        eased = effect is Change.DECREASED and SdManoeuvre.NECK_EXT in test.sd_manoeuvres
        criteria.append(
            Criterion(
                "eases_with_neck_extension", eased, "clinical.md 5.4 [S84]", Verification.VERIFIED
            )
        )
        if eased:
            suggestion = Interpretation.POSITIVE_NEURAL
        else:
            suggestion = Interpretation.INCONCLUSIVE
            notes.append("The femoral slump is positive when symptoms ease with neck extension.")
    elif code in SLUMP_CODES:
        # Positive when (a) reproduced, (b) changed by the sensitising or differentiating
        # movement and (c) repeatable, measurable asymmetry between sides ✅ [S82] (the source
        # page covers the long-sitting slump too).
        asymmetric = _slump_asymmetry(test, other_side)
        criteria.append(
            Criterion(
                "between_side_asymmetry",
                asymmetric,
                "clinical.md 5.3 c [S82]",
                Verification.VERIFIED,
            )
        )
        if asymmetric:
            suggestion = Interpretation.POSITIVE_NEURAL
        else:
            suggestion = Interpretation.INCONCLUSIVE
            notes.append(
                "Test the other side: the slump also needs an asymmetry between sides."
                if asymmetric is None
                else "No asymmetry between sides, which the slump's criteria need."
            )
    else:
        suggestion = Interpretation.POSITIVE_NEURAL

    classic = _classic_slr(test) if code is NeurodynamicCode.SLR else None
    if classic is not None:
        criteria.append(
            Criterion(
                "classic_slr_below_knee_30_to_70_deg",
                classic,
                SLR_POSITIVE_RANGE.source,
                SLR_POSITIVE_RANGE.verification,
            )
        )
    if classic is False and suggestion is Interpretation.POSITIVE_NEURAL:
        notes.append(
            f"Positive on structural differentiation, but not the classic SLR picture (familiar "
            f"pain below the knee at {SLR_POSITIVE_RANGE.low}-{SLR_POSITIVE_RANGE.high}°)."
        )
    crossed = reproduced.familiar if code is NeurodynamicCode.CROSSED_SLR else None
    if crossed:
        # ◐ [S80]: sensitivity 28-43%, specificity 83-88% for disc herniation.
        notes.append(
            "Crossed SLR sign: more specific, less sensitive than the SLR for disc herniation."
        )
    if code is NeurodynamicCode.PKB and reproduced.familiar:
        if any(r.startswith("thigh_front") for r in test.symptom_location):
            # ◐ [S80, S83]: anterior thigh pain (L2-L3) or medial leg pain (L4).
            notes.append("Anterior thigh symptoms suggest an upper lumbar root (L2-L3).")
        # ◐ [S80, S83].
        notes.append("Quadriceps tightness and hip pathology can confound the prone knee bend.")

    symptom_side = test.side.other if code is NeurodynamicCode.CROSSED_SLR else test.side
    return NeurodynamicFinding(
        code=code,
        label=test.label,
        side=test.side,
        symptom_side=symptom_side,
        onset_angle_deg=test.onset_angle_deg,
        measured_by=test.measured_by,
        symptoms_reproduced=reproduced,
        symptom_location=test.symptom_location,
        below_knee=test.below_knee,
        sd_manoeuvres=test.sd_manoeuvres,
        sd_changed_symptoms=effect,
        resistance_rom_change=test.resistance_rom_change,
        suggestion=suggestion,
        criteria=tuple(criteria),
        classic_slr_positive=classic,
        crossed_slr_sign=crossed,
        notes=tuple(notes),
        summary=_finding_summary(test, suggestion, symptom_side),
    )


def _slump_asymmetry(test: NeurodynamicTest, other: NeurodynamicTest | None) -> bool | None:
    """§5.3 (c). Asymmetric when the other side does not reproduce the familiar symptoms, or
    both sides have onset angles differing by more than the threshold ⚠ (our reading of
    "measurable": the spec names no measure or cut-off). Repeatability cannot be judged from
    one record per side; the therapist confirms it."""
    if other is None:
        return None
    if not other.symptoms_reproduced.familiar:
        return True
    if test.onset_angle_deg is not None and other.onset_angle_deg is not None:
        difference = abs(test.onset_angle_deg - other.onset_angle_deg)
        return difference > asymmetry_threshold(test.code).degrees
    return False


def _classic_slr(test: NeurodynamicTest) -> bool | None:
    if not test.symptoms_reproduced.familiar:
        return False
    if test.onset_angle_deg is None or test.below_knee is None:
        return None
    in_range = SLR_POSITIVE_RANGE.low <= test.onset_angle_deg <= SLR_POSITIVE_RANGE.high
    return bool(test.below_knee and in_range)


_SUGGESTION_WORDS = {
    Interpretation.POSITIVE_NEURAL: "suggests neural mechanosensitivity",
    Interpretation.NEGATIVE: "negative",
    Interpretation.NON_NEURAL_REPRODUCTION: (
        "reproduced familiar symptoms that structural differentiation did not change "
        "(non-neural reproduction)"
    ),
    Interpretation.INCONCLUSIVE: "inconclusive",
}


def _finding_summary(test: NeurodynamicTest, suggestion: Interpretation, symptom_side: Side) -> str:
    name = test.custom_label or TEST_LABELS[test.code]
    side = "left" if test.side is Side.L else "right"
    angle = f" at {test.onset_angle_deg}°" if test.onset_angle_deg is not None else ""
    text = f"{name}, {side}{angle}: {_SUGGESTION_WORDS[suggestion]}"
    if test.code is NeurodynamicCode.CROSSED_SLR and test.symptoms_reproduced.familiar:
        other = "left" if symptom_side is Side.L else "right"
        text += f" (reproduced the {other} leg's symptoms)"
    return text + "."
