"""One neurodynamic test on one side as the therapist records it (clinical.md §5.5): codes
coerced, the onset angle checked against what the test measures, symptom locations checked
against the body chart's regions (below the knee derived from them), and structural
differentiation recorded with its effect or not at all.
"""

import dataclasses

from evaluations.neurodynamic.vocabulary import (
    ANGLE_MAX_DEG,
    ANGLE_MEASURE,
    ANGLE_MIN_DEG,
    Change,
    MeasuredBy,
    NeurodynamicCode,
    Reproduction,
    SdManoeuvre,
    Side,
)
from intake.bodychart import REGION_BY_CODE
from intake.scoring.common import AsDictMixin, require_int_in_range
from intake.scoring.common import coerce_enum as _coerce

# --- The record ---------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class NeurodynamicTest(AsDictMixin):
    """One test on one side, as recorded (clinical.md §5.5).

    For the crossed SLR, `side` is the leg raised (the unaffected one) and the symptom fields
    describe the patient's symptoms in the *other* leg (§5.2). `symptom_location` takes body
    chart region codes (intake.bodychart); `below_knee` may be left None to derive it from them.
    """

    code: NeurodynamicCode
    side: Side
    symptoms_reproduced: Reproduction
    onset_angle_deg: int | None = None
    measured_by: MeasuredBy | None = None
    symptom_location: tuple[str, ...] = ()
    below_knee: bool | None = None
    sd_manoeuvres: tuple[SdManoeuvre, ...] = ()
    sd_changed_symptoms: Change = Change.NOT_DONE
    resistance_rom_change: Change = Change.NOT_DONE
    custom_label: str = ""

    def __post_init__(self) -> None:
        code = _coerce(NeurodynamicCode, self.code, "The neurodynamic test code")
        self._set("code", code)
        if code is NeurodynamicCode.OTHER:
            if not self.custom_label.strip():
                raise ValueError("An OTHER test needs a custom_label naming the test.")
            self._set("custom_label", self.custom_label.strip())
        elif self.custom_label:
            raise ValueError(f"{code.value}: custom_label is only for OTHER tests.")
        side = _coerce(Side, self.side, f"{self.label}: the side")
        self._set("side", side)
        what = f"{self.label} {side.value}"
        reproduced = _coerce(Reproduction, self.symptoms_reproduced, f"{what}: symptoms reproduced")
        self._set("symptoms_reproduced", reproduced)
        self._check_angle(code, what)
        self._check_location(reproduced, what)
        self._check_differentiation(reproduced, what)
        self._set(
            "resistance_rom_change",
            _coerce(Change, self.resistance_rom_change, f"{what}: resistance / ROM change"),
        )

    def _set(self, name: str, value: object) -> None:
        object.__setattr__(self, name, value)

    @property
    def label(self) -> str:
        return self.custom_label or self.code.value

    def _check_angle(self, code: NeurodynamicCode, what: str) -> None:
        if self.onset_angle_deg is None:
            if self.measured_by is not None:
                raise ValueError(f"{what}: measured_by is given but there is no onset angle.")
            return
        if code not in ANGLE_MEASURE:
            raise ValueError(f"{what}: this test records no onset angle.")
        require_int_in_range(
            self.onset_angle_deg,
            low=ANGLE_MIN_DEG,
            high=ANGLE_MAX_DEG,
            what=f"{what}: the onset angle ({ANGLE_MEASURE[code]}, degrees)",
        )
        if self.measured_by is not None:
            self._set("measured_by", _coerce(MeasuredBy, self.measured_by, f"{what}: measured_by"))

    def _check_location(self, reproduced: Reproduction, what: str) -> None:
        regions = tuple(dict.fromkeys(self.symptom_location))
        unknown = [r for r in regions if r not in REGION_BY_CODE]
        if unknown:
            raise ValueError(
                f"{what}: unknown body chart region(s) {', '.join(map(repr, unknown))}."
            )
        self._set("symptom_location", regions)
        if reproduced is Reproduction.NONE and (regions or self.below_knee):
            raise ValueError(f"{what}: no symptoms were reproduced, so they have no location.")
        from_chart = any(REGION_BY_CODE[r].below_knee for r in regions)
        if self.below_knee is None:
            self._set("below_knee", from_chart if regions else None)
        elif regions and self.below_knee != from_chart:
            raise ValueError(
                f"{what}: below_knee={self.below_knee} contradicts the regions "
                f"{', '.join(regions)}."
            )

    def _check_differentiation(self, reproduced: Reproduction, what: str) -> None:
        manoeuvres = tuple(
            _coerce(SdManoeuvre, m, f"{what}: a structural differentiation manoeuvre")
            for m in self.sd_manoeuvres
        )
        self._set("sd_manoeuvres", tuple(m for m in SdManoeuvre if m in manoeuvres))
        effect = _coerce(Change, self.sd_changed_symptoms, f"{what}: the SD effect")
        self._set("sd_changed_symptoms", effect)
        if effect is Change.NOT_DONE and manoeuvres:
            raise ValueError(f"{what}: a manoeuvre is recorded, so record its effect too.")
        if effect is not Change.NOT_DONE and not manoeuvres:
            raise ValueError(f"{what}: name the structural differentiation manoeuvre used.")
        if reproduced is Reproduction.NONE and effect in (Change.INCREASED, Change.DECREASED):
            raise ValueError(
                f"{what}: no symptoms were reproduced, so structural differentiation cannot "
                f"have {effect.value.lower()} them."
            )
