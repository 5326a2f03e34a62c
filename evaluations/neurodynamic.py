"""Neurodynamic tests (SLR, crossed SLR, slump, prone knee bend, femoral slump): what each
side's result suggests, side-to-side angle differences, and an overall summary.

Source: clinical.md §5 (and §1.2 for what the tests mean per category). Pure functions: no
Django, no database. Records and results are frozen dataclasses, and every result carries
`ALGORITHM_VERSION`.

The rule shared by every test: a test suggests neural mechanosensitivity (POSITIVE_NEURAL)
only when it reproduces the patient's own (familiar) symptoms AND structural differentiation
changes them. "A change in symptoms with SD suggests a neural source" ✅ [S24, S79]; familiar
symptoms that SD does not change are a non-neural reproduction (§1.2 ◐ [S24, S26]). Tests
add their own criteria on top: the slump's between-side asymmetry ✅ [S82] and the femoral
slump's easing with neck extension ✅ [S84]. The SLR's classic criterion (radiating pain below
the knee at 30-70° ✅ [S24]) is reported beside the suggestion, not folded into it.

A suggestion from the recorded tests, never a diagnosis: the therapist's interpretation
(§5.5 `interpretation`, clinician-entered) is the one that counts.
"""

import dataclasses
import enum
from collections.abc import Iterable, Sequence

from intake.bodychart import REGION_BY_CODE
from intake.scoring.common import AsDictMixin, Verification, require_int_in_range
from intake.scoring.common import coerce_enum as _coerce

ALGORITHM_VERSION = "neurodynamic-1.0"
NOTE = "A suggestion from the recorded tests, never a diagnosis."


# --- Vocabulary (clinical.md §5.5) --------------------------------------------------------


class NeurodynamicCode(enum.StrEnum):
    SLR = "SLR"
    CROSSED_SLR = "CROSSED_SLR"
    SLUMP = "SLUMP"
    SLUMP_LONG_SIT = "SLUMP_LONG_SIT"
    PKB = "PKB"
    FEMORAL_SLUMP = "FEMORAL_SLUMP"
    OTHER = "OTHER"


class Side(enum.StrEnum):
    L = "L"
    R = "R"

    @property
    def other(self) -> "Side":
        return Side.R if self is Side.L else Side.L


class MeasuredBy(enum.StrEnum):
    GONIOMETER = "GONIOMETER"
    INCLINOMETER = "INCLINOMETER"
    VISUAL = "VISUAL"


class Reproduction(enum.StrEnum):
    """§5.5 `symptoms_reproduced`. FAMILIAR_* are the patient's own symptoms."""

    NONE = "NONE"
    NON_FAMILIAR = "NON_FAMILIAR"
    FAMILIAR_PARTIAL = "FAMILIAR_PARTIAL"
    FAMILIAR_FULL = "FAMILIAR_FULL"

    @property
    def familiar(self) -> bool:
        return self in (Reproduction.FAMILIAR_PARTIAL, Reproduction.FAMILIAR_FULL)


class SdManoeuvre(enum.StrEnum):
    """§5.5 `sd_manoeuvre` (multi-select)."""

    ANKLE_DF = "ANKLE_DF"
    ANKLE_PF = "ANKLE_PF"
    HIP_IR = "HIP_IR"
    HIP_ADD = "HIP_ADD"
    NECK_FLEX = "NECK_FLEX"
    NECK_EXT = "NECK_EXT"


class Change(enum.StrEnum):
    """§5.5 `sd_changed_symptoms` and `resistance_rom_change`."""

    INCREASED = "INCREASED"
    DECREASED = "DECREASED"
    NO_CHANGE = "NO_CHANGE"
    NOT_DONE = "NOT_DONE"


class Interpretation(enum.StrEnum):
    """§5.5 `interpretation`; here the software's suggestion of it."""

    POSITIVE_NEURAL = "POSITIVE_NEURAL"
    NEGATIVE = "NEGATIVE"
    NON_NEURAL_REPRODUCTION = "NON_NEURAL_REPRODUCTION"
    INCONCLUSIVE = "INCONCLUSIVE"


class Overall(enum.StrEnum):
    """Derived: across all recorded tests, is neural mechanosensitivity suggested?"""

    SUGGESTED = "SUGGESTED"  # at least one POSITIVE_NEURAL test
    INCONCLUSIVE = "INCONCLUSIVE"  # none positive, at least one inconclusive
    NOT_SUGGESTED = "NOT_SUGGESTED"  # every test negative or a non-neural reproduction
    NOT_TESTED = "NOT_TESTED"


TEST_LABELS: dict[NeurodynamicCode, str] = {
    NeurodynamicCode.SLR: "Straight-leg raise",
    NeurodynamicCode.CROSSED_SLR: "Crossed straight-leg raise",
    NeurodynamicCode.SLUMP: "Slump test",
    NeurodynamicCode.SLUMP_LONG_SIT: "Slump test in long sitting",
    NeurodynamicCode.PKB: "Prone knee bend",
    NeurodynamicCode.FEMORAL_SLUMP: "Side-lying femoral slump",
    NeurodynamicCode.OTHER: "Other neurodynamic test",
}

SIDE_WORDS: dict[Side, str] = {Side.L: "left", Side.R: "right"}


def display_name(label: str) -> str:
    """A test's name for people from a record's or finding's `label`: a listed test's code
    gives its label; an OTHER test's label is the therapist's own name for it, kept."""
    try:
        return TEST_LABELS[NeurodynamicCode(label)]
    except ValueError:
        return label


# The nerve each test loads, for the summary. The SLR family loads the sciatic course ✅ [S24];
# §5.4 names the PKB the femoral nerve tension test. OTHER is not assumed.
NERVE: dict[NeurodynamicCode, str | None] = {
    NeurodynamicCode.SLR: "sciatic",
    NeurodynamicCode.CROSSED_SLR: "sciatic",
    NeurodynamicCode.SLUMP: "sciatic",
    NeurodynamicCode.SLUMP_LONG_SIT: "sciatic",
    NeurodynamicCode.PKB: "femoral",
    NeurodynamicCode.FEMORAL_SLUMP: "femoral",
    NeurodynamicCode.OTHER: None,
}

# What the onset angle measures, per test. §5.5: SLR hip flexion, PKB knee flexion. The crossed
# SLR is an SLR of the other leg, so hip flexion too. The slump's knee extension is
# ⚠ product-defined: §5.3 criterion (c) needs a "measurable asymmetry" and names no measure.
# OTHER records whatever its test measures. The long-sitting and femoral slumps take none.
ANGLE_MEASURE: dict[NeurodynamicCode, str] = {
    NeurodynamicCode.SLR: "hip flexion",
    NeurodynamicCode.CROSSED_SLR: "hip flexion",
    NeurodynamicCode.PKB: "knee flexion",
    NeurodynamicCode.SLUMP: "knee extension",
    NeurodynamicCode.OTHER: "angle",
}
# Catches typing slips only (no joint here passes 180°) ⚠ product-defined.
ANGLE_MIN_DEG, ANGLE_MAX_DEG = 0, 180

SLUMP_CODES = frozenset({NeurodynamicCode.SLUMP, NeurodynamicCode.SLUMP_LONG_SIT})


@dataclasses.dataclass(frozen=True)
class CitedRange(AsDictMixin):
    low: int
    high: int
    source: str  # as clinicians read it (core.sources)
    verification: Verification
    provenance: str = ""  # the spec's reference ids and checks: never shown


@dataclasses.dataclass(frozen=True)
class AngleThreshold(AsDictMixin):
    """A side-to-side onset-angle difference above `degrees` is flagged."""

    degrees: int
    source: str  # as clinicians read it (core.sources)
    verification: Verification
    product_defined: bool
    provenance: str = ""  # the spec's reference ids and checks: never shown


# "reproduces the patient's radiating pain along the sciatic course and below the knee at
# 30-70° of hip flexion" ✅ [S24]. Inclusive at both ends.
SLR_POSITIVE_RANGE = CitedRange(
    low=30,
    high=70,
    source="Pesonen J et al. BMC Musculoskelet Disord 2021",
    verification=Verification.VERIFIED,
    provenance="clinical.md 5.1 ✅ [S24]",
)
# Normal SLR asymmetry ✅ [S81]: mean inter-limb difference about 5° (SD 3.5) with the ankle
# plantarflexed and about 4° (SD 3.2) dorsiflexed. Kept for reports; the flag uses the next.
SLR_NORMAL_ASYMMETRY_DEG = {"ankle_plantarflexed": (5.0, 3.5), "ankle_dorsiflexed": (4.0, 3.2)}
# "An inter-limb difference above roughly 10° may be abnormal" ⚠: the spec's own value,
# derived from [S81]'s data, not stated in the source.
SLR_ASYMMETRY_THRESHOLD = AngleThreshold(
    degrees=10,
    source="Derived from the side-to-side differences in Boyd & Villa 2012",
    verification=Verification.UNVERIFIED,
    product_defined=False,
    provenance="clinical.md 5.1 ⚠: derived from [S81]'s data, not stated there",
)
# ⚠ Product-defined: the spec gives no between-side threshold for any other test, so the
# SLR's 10° is reused (the crossed SLR included: [S81]'s data are for the plain SLR). Named
# separately so it can be changed without touching the SLR's cited value.
PRODUCT_DEFINED_ASYMMETRY_THRESHOLD = AngleThreshold(
    degrees=10,
    source="Set by this product: no published side-to-side threshold for this test",
    verification=Verification.UNVERIFIED,
    product_defined=True,
    provenance="clinical.md 5: no between-side threshold for this test ⚠",
)


def asymmetry_threshold(code: NeurodynamicCode) -> AngleThreshold:
    if code is NeurodynamicCode.SLR:
        return SLR_ASYMMETRY_THRESHOLD
    return PRODUCT_DEFINED_ASYMMETRY_THRESHOLD


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


def _finding_summary(test: NeurodynamicTest, suggestion: Interpretation, symptom_side: Side):
    name = test.custom_label or TEST_LABELS[test.code]
    side = "left" if test.side is Side.L else "right"
    angle = f" at {test.onset_angle_deg}°" if test.onset_angle_deg is not None else ""
    text = f"{name}, {side}{angle}: {_SUGGESTION_WORDS[suggestion]}"
    if test.code is NeurodynamicCode.CROSSED_SLR and test.symptoms_reproduced.familiar:
        other = "left" if symptom_side is Side.L else "right"
        text += f" (reproduced the {other} leg's symptoms)"
    return text + "."


# --- All tests ------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class AngleComparison(AsDictMixin):
    code: NeurodynamicCode
    label: str
    measure: str
    left_deg: int
    right_deg: int
    difference_deg: int
    threshold: AngleThreshold
    flagged: bool  # difference strictly above the threshold ("above roughly 10°")
    # The side that reached the smaller angle first, or None when equal.
    lower_side: Side | None


@dataclasses.dataclass(frozen=True)
class NeurodynamicSummary(AsDictMixin):
    findings: tuple[NeurodynamicFinding, ...]
    angle_comparisons: tuple[AngleComparison, ...]
    overall: Overall
    positive_tests: tuple[str, ...]  # e.g. "SLR L"
    non_neural_reproductions: tuple[str, ...]
    inconclusive_tests: tuple[str, ...]
    # Legs whose symptoms a positive test is about (the crossed SLR counts for the other leg).
    symptom_sides: tuple[Side, ...]
    nerves: tuple[str, ...]  # "sciatic", "femoral"
    crossed_slr_positive: bool
    flagged_asymmetries: tuple[str, ...]
    summary: str
    algorithm_version: str = ALGORITHM_VERSION
    note: str = NOTE


def compare_angles(left: NeurodynamicTest, right: NeurodynamicTest) -> AngleComparison | None:
    """The side-to-side onset-angle difference, or None unless both sides have an angle."""
    if left.side is not Side.L or right.side is not Side.R:
        raise ValueError("compare_angles() takes the left record, then the right one.")
    if left.code is not right.code or left.custom_label != right.custom_label:
        raise ValueError(f"Cannot compare {left.label} with {right.label}.")
    if left.onset_angle_deg is None or right.onset_angle_deg is None:
        return None
    threshold = asymmetry_threshold(left.code)
    difference = abs(left.onset_angle_deg - right.onset_angle_deg)
    lower = None
    if left.onset_angle_deg != right.onset_angle_deg:
        lower = Side.L if left.onset_angle_deg < right.onset_angle_deg else Side.R
    return AngleComparison(
        code=left.code,
        label=left.label,
        measure=ANGLE_MEASURE[left.code],
        left_deg=left.onset_angle_deg,
        right_deg=right.onset_angle_deg,
        difference_deg=difference,
        threshold=threshold,
        flagged=difference > threshold.degrees,
        lower_side=lower,
    )


def summarise(tests: Iterable[NeurodynamicTest]) -> NeurodynamicSummary:
    """Interpret every side, compare sides, and sum up. One record per test per side."""
    tests = tuple(tests)
    by_key: dict[tuple[NeurodynamicCode, str, Side], NeurodynamicTest] = {}
    for test in tests:
        if not isinstance(test, NeurodynamicTest):
            raise ValueError(f"summarise() takes NeurodynamicTest records; got {test!r}.")
        key = (test.code, test.custom_label, test.side)
        if key in by_key:
            raise ValueError(
                f"{test.label} {test.side.value} is recorded twice; keep one record per side."
            )
        by_key[key] = test

    findings = tuple(
        interpret(t, other_side=by_key.get((t.code, t.custom_label, t.side.other))) for t in tests
    )
    comparisons = []
    for (code, custom, side), left in by_key.items():
        right = by_key.get((code, custom, Side.R))
        if side is Side.L and right is not None:
            comparison = compare_angles(left, right)
            if comparison is not None:
                comparisons.append(comparison)

    def names(kind: Interpretation) -> tuple[str, ...]:
        return tuple(f"{f.label} {f.side.value}" for f in findings if f.suggestion is kind)

    positive = [f for f in findings if f.suggestion is Interpretation.POSITIVE_NEURAL]
    if positive:
        overall = Overall.SUGGESTED
    elif any(f.suggestion is Interpretation.INCONCLUSIVE for f in findings):
        overall = Overall.INCONCLUSIVE
    elif findings:
        overall = Overall.NOT_SUGGESTED
    else:
        overall = Overall.NOT_TESTED
    symptom_sides = tuple(s for s in Side if any(f.symptom_side is s for f in positive))
    nerves = tuple(dict.fromkeys(NERVE[f.code] for f in positive if NERVE[f.code] is not None))
    flagged = tuple(f"{c.label} {c.difference_deg}°" for c in comparisons if c.flagged)
    summary = NeurodynamicSummary(
        findings=findings,
        angle_comparisons=tuple(comparisons),
        overall=overall,
        positive_tests=names(Interpretation.POSITIVE_NEURAL),
        non_neural_reproductions=names(Interpretation.NON_NEURAL_REPRODUCTION),
        inconclusive_tests=names(Interpretation.INCONCLUSIVE),
        symptom_sides=symptom_sides,
        nerves=nerves,
        crossed_slr_positive=any(f.code is NeurodynamicCode.CROSSED_SLR for f in positive),
        flagged_asymmetries=flagged,
        summary="",
    )
    return dataclasses.replace(summary, summary=_summary_text(summary, comparisons))


def _summary_text(s: NeurodynamicSummary, comparisons: Sequence[AngleComparison]) -> str:
    if s.overall is Overall.NOT_TESTED:
        return "No neurodynamic tests recorded."
    sides = " and ".join("left" if side is Side.L else "right" for side in s.symptom_sides)
    parts = {
        Overall.SUGGESTED: (
            f"Neural mechanosensitivity suggested ({', '.join(s.positive_tests)}; "
            f"{sides} leg, {' and '.join(s.nerves)} nerve)."
            if s.nerves
            else f"Neural mechanosensitivity suggested ({', '.join(s.positive_tests)})."
        ),
        Overall.INCONCLUSIVE: (
            f"Neural mechanosensitivity not shown; inconclusive: {', '.join(s.inconclusive_tests)}."
        ),
        Overall.NOT_SUGGESTED: "Neural mechanosensitivity not suggested by these tests.",
    }
    text = [parts[s.overall]]
    if s.non_neural_reproductions:
        text.append(
            "Familiar symptoms not changed by structural differentiation (non-neural "
            f"reproduction): {', '.join(s.non_neural_reproductions)}."
        )
    for c in comparisons:
        if c.flagged:
            kind = "product-defined " if c.threshold.product_defined else ""
            text.append(
                f"{c.label}: {c.difference_deg}° between sides ({c.left_deg}° left, "
                f"{c.right_deg}° right), above the {kind}{c.threshold.degrees}° side-to-side "
                "threshold."
            )
    text.append(NOTE)
    return " ".join(text)
