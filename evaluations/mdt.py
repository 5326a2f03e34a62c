"""McKenzie / MDT repeated-movement tests: how each test changed the patient's symptoms, and
whether the tests together suggest a directional preference.

Source: clinical.md §4. Pure functions: no Django, no database. Records and results are
frozen dataclasses, and every result carries `ALGORITHM_VERSION`, so a stored finding always
says how it was derived.

What the spec gives us, and what we had to decide:

- Centralisation ✅ [S72, S73]: referred symptoms retreat distal to proximal and distal pain is
  abolished; in back-only pain, widespread pain becomes central and then goes. Peripheralisation
  is the opposite ⚠ (standard MDT usage).
- Directional preference (DP) ✅ [S75]: a repeated or sustained movement (or posture) in one
  direction that brings about centralisation or abolition of symptoms. It is usually
  accompanied by improved range ⚠. The spec's derived rule (§4.4) also accepts
  "DECREASES + BETTER", but only together with ROM_INCREASED.
- Test codes (§4.2), the distal-site scale and the during / after / mechanical vocabularies
  (§4.3, §4.4) are product-defined ⚠: the McKenzie Institute's licensed form wording is not
  verified (§10 item 9). The codes below are the spec's, spelled exactly.

A suggestion from the recorded tests, never a diagnosis: the therapist decides.
"""

import dataclasses
import enum
import math
from collections.abc import Iterable, Sequence

from intake.scoring.common import AsDictMixin, require_int_in_range
from intake.scoring.common import coerce_enum as _coerce

ALGORITHM_VERSION = "mdt-1.0"
NOTE = "A suggestion from the recorded tests, never a diagnosis."


# --- Vocabulary (clinical.md §4.2-§4.4) ---------------------------------------------------


class MovementCode(enum.StrEnum):
    """Standard tests, table 4.2 (codes product-defined ⚠, common MDT abbreviations)."""

    FIS = "FIS"
    EIS = "EIS"
    FIL = "FIL"
    EIL = "EIL"
    SGIS_R = "SGIS_R"
    SGIS_L = "SGIS_L"
    EIL_HIPS_OFF_CENTRE_R = "EIL_HIPS_OFF_CENTRE_R"
    EIL_HIPS_OFF_CENTRE_L = "EIL_HIPS_OFF_CENTRE_L"
    ROT_FLEX_R = "ROT_FLEX_R"
    ROT_FLEX_L = "ROT_FLEX_L"
    # Sustained postures.
    SIT_SLOUCH = "SIT_SLOUCH"
    SIT_ERECT = "SIT_ERECT"
    STAND_SLOUCH = "STAND_SLOUCH"
    STAND_ERECT = "STAND_ERECT"
    LYING_PRONE_EXT = "LYING_PRONE_EXT"
    LONG_SIT = "LONG_SIT"
    # ⚠ product-defined: a custom test the table does not list, named by `custom_label`.
    OTHER = "OTHER"


class Loading(enum.StrEnum):
    """§4.4: loaded (standing, sitting) or unloaded (lying)."""

    LOADED = "LOADED"
    UNLOADED = "UNLOADED"


class ForceProgression(enum.StrEnum):
    """§4.4 ⚠ (§4.3 item 5: who applies the load)."""

    PATIENT = "PATIENT"
    PATIENT_OVERPRESSURE = "PATIENT_OVERPRESSURE"
    CLINICIAN_OVERPRESSURE = "CLINICIAN_OVERPRESSURE"
    MOBILISATION = "MOBILISATION"
    MANIPULATION = "MANIPULATION"


class DistalSite(enum.StrEnum):
    """The most distal symptom on the body map (§4.4 enum; §4.3 item 1).

    Declared proximal to distal. Reading the spec's listing order as a distal-ness scale is our
    interpretation ⚠: it is what makes "more proximal than" in the §4.4 centralisation rule
    computable, and it follows §4.1 ✅ [S72] (in back-only pain, widespread one-sided pain
    becoming central is centralisation, so CENTRAL_LB sits before UNILAT_LB).
    """

    NONE = "NONE"
    CENTRAL_LB = "CENTRAL_LB"
    UNILAT_LB = "UNILAT_LB"
    BUTTOCK = "BUTTOCK"
    THIGH = "THIGH"
    BELOW_KNEE = "BELOW_KNEE"
    FOOT = "FOOT"

    @property
    def rank(self) -> int:
        """0 for no symptoms, rising with distance from the spine."""
        return _SITE_ORDER.index(self)


_SITE_ORDER = tuple(DistalSite)


class DuringResponse(enum.StrEnum):
    """Symptoms during testing, multi-select (§4.3 item 2 ⚠)."""

    PRODUCES = "PRODUCES"
    ABOLISHES = "ABOLISHES"
    INCREASES = "INCREASES"
    DECREASES = "DECREASES"
    NO_EFFECT = "NO_EFFECT"
    CENTRALISING = "CENTRALISING"
    PERIPHERALISING = "PERIPHERALISING"


class AfterResponse(enum.StrEnum):
    """Symptoms after testing, one value (§4.3 item 3 ⚠, §4.4)."""

    BETTER = "BETTER"
    WORSE = "WORSE"
    NO_BETTER = "NO_BETTER"
    NO_WORSE = "NO_WORSE"
    NO_EFFECT = "NO_EFFECT"
    CENTRALISED = "CENTRALISED"
    PERIPHERALISED = "PERIPHERALISED"
    ABOLISHED = "ABOLISHED"


class MechanicalResponse(enum.StrEnum):
    """§4.3 item 4 ⚠. None on a record means not assessed."""

    ROM_INCREASED = "ROM_INCREASED"
    ROM_DECREASED = "ROM_DECREASED"
    NO_EFFECT = "NO_EFFECT"


class Direction(enum.StrEnum):
    """The direction a test loads the spine, for grouping tests into a preference ⚠.

    The spec names the tests but not their directions; these groupings are standard MDT usage,
    not verified here. Side suffixes follow the test code's _R / _L.
    """

    EXTENSION = "EXTENSION"
    FLEXION = "FLEXION"
    LATERAL_RIGHT = "LATERAL_RIGHT"
    LATERAL_LEFT = "LATERAL_LEFT"


class SymptomResponse(enum.StrEnum):
    """Derived: what one test did to the symptoms, judged on their lasting (after) state."""

    ABOLISHED = "ABOLISHED"
    CENTRALISING = "CENTRALISING"
    DECREASED = "DECREASED"
    NO_EFFECT = "NO_EFFECT"
    INCREASED = "INCREASED"
    PERIPHERALISING = "PERIPHERALISING"
    # The record's site change and after-response point different ways; the therapist decides.
    UNCLEAR = "UNCLEAR"


class Role(enum.StrEnum):
    """Derived: what one test says about its direction."""

    FAVOURS = "FAVOURS"  # centralised or abolished (§4.1 ✅), or DECREASES+BETTER+ROM (§4.4)
    AGAINST = "AGAINST"  # peripheralised or increased
    MECHANICS_BETTER = "MECHANICS_BETTER"  # range improved, symptoms no worse, not FAVOURS
    MECHANICS_WORSE = "MECHANICS_WORSE"  # range decreased, symptoms no worse
    NEUTRAL = "NEUTRAL"
    UNCLEAR = "UNCLEAR"
    NO_DIRECTION = "NO_DIRECTION"


class Basis(enum.StrEnum):
    """How strongly a suggested preference is supported."""

    # Meets the spec's §4.4 rule: symptom response plus ROM_INCREASED ⚠.
    SYMPTOMS_AND_MECHANICS = "SYMPTOMS_AND_MECHANICS"
    # Meets the §4.1 definition ✅ [S75] (centralisation or abolition) without a range gain.
    SYMPTOMS = "SYMPTOMS"
    # ⚠ product-defined, weakest: range improved and symptoms did not change. The spec says DP
    # is "usually accompanied by improved range" but defines it by symptoms.
    MECHANICS_ONLY = "MECHANICS_ONLY"


# Directional-preference outcomes besides a Direction.
NO_PREFERENCE = "NONE"
UNCLEAR = "UNCLEAR"

MOVEMENT_LABELS: dict[MovementCode, str] = {
    MovementCode.FIS: "Flexion in standing",
    MovementCode.EIS: "Extension in standing",
    MovementCode.FIL: "Flexion in lying",
    MovementCode.EIL: "Extension in lying",
    MovementCode.SGIS_R: "Side-gliding in standing, right",
    MovementCode.SGIS_L: "Side-gliding in standing, left",
    MovementCode.EIL_HIPS_OFF_CENTRE_R: "Extension in lying with hips off-centre, right",
    MovementCode.EIL_HIPS_OFF_CENTRE_L: "Extension in lying with hips off-centre, left",
    MovementCode.ROT_FLEX_R: "Rotation in flexion, right",
    MovementCode.ROT_FLEX_L: "Rotation in flexion, left",
    MovementCode.SIT_SLOUCH: "Sitting slouched (sustained)",
    MovementCode.SIT_ERECT: "Sitting erect (sustained)",
    MovementCode.STAND_SLOUCH: "Standing slouched (sustained)",
    MovementCode.STAND_ERECT: "Standing erect (sustained)",
    MovementCode.LYING_PRONE_EXT: "Lying prone in extension (sustained)",
    MovementCode.LONG_SIT: "Long sitting (sustained)",
    MovementCode.OTHER: "Other test",
}

SUSTAINED_POSTURES = frozenset(
    {
        MovementCode.SIT_SLOUCH,
        MovementCode.SIT_ERECT,
        MovementCode.STAND_SLOUCH,
        MovementCode.STAND_ERECT,
        MovementCode.LYING_PRONE_EXT,
        MovementCode.LONG_SIT,
    }
)

# Table 4.2 gives the position of each repeated movement (⚠, as the table is). Postures show
# "—" there; we derive theirs from the body position (upright loads the spine, lying does
# not) ⚠ product-defined. OTHER has none: the record must say.
STANDARD_LOADING: dict[MovementCode, Loading] = {
    MovementCode.FIS: Loading.LOADED,
    MovementCode.EIS: Loading.LOADED,
    MovementCode.FIL: Loading.UNLOADED,
    MovementCode.EIL: Loading.UNLOADED,
    MovementCode.SGIS_R: Loading.LOADED,
    MovementCode.SGIS_L: Loading.LOADED,
    MovementCode.EIL_HIPS_OFF_CENTRE_R: Loading.UNLOADED,
    MovementCode.EIL_HIPS_OFF_CENTRE_L: Loading.UNLOADED,
    MovementCode.ROT_FLEX_R: Loading.UNLOADED,
    MovementCode.ROT_FLEX_L: Loading.UNLOADED,
    MovementCode.SIT_SLOUCH: Loading.LOADED,
    MovementCode.SIT_ERECT: Loading.LOADED,
    MovementCode.STAND_SLOUCH: Loading.LOADED,
    MovementCode.STAND_ERECT: Loading.LOADED,
    MovementCode.LYING_PRONE_EXT: Loading.UNLOADED,
    MovementCode.LONG_SIT: Loading.LOADED,
}

# ⚠ Standard MDT usage, not verified here: hips-off-centre and rotation procedures are the
# lateral procedures; sitting erect and standing erect hold the lumbar spine in lordosis.
# Slouched standing is left without a direction (it depends on how the patient stands), as is
# OTHER: the record may name one, and a test without a direction never sways the preference.
STANDARD_DIRECTION: dict[MovementCode, Direction | None] = {
    MovementCode.FIS: Direction.FLEXION,
    MovementCode.EIS: Direction.EXTENSION,
    MovementCode.FIL: Direction.FLEXION,
    MovementCode.EIL: Direction.EXTENSION,
    MovementCode.SGIS_R: Direction.LATERAL_RIGHT,
    MovementCode.SGIS_L: Direction.LATERAL_LEFT,
    MovementCode.EIL_HIPS_OFF_CENTRE_R: Direction.LATERAL_RIGHT,
    MovementCode.EIL_HIPS_OFF_CENTRE_L: Direction.LATERAL_LEFT,
    MovementCode.ROT_FLEX_R: Direction.LATERAL_RIGHT,
    MovementCode.ROT_FLEX_L: Direction.LATERAL_LEFT,
    MovementCode.SIT_SLOUCH: Direction.FLEXION,
    MovementCode.SIT_ERECT: Direction.EXTENSION,
    MovementCode.STAND_SLOUCH: None,
    MovementCode.STAND_ERECT: Direction.EXTENSION,
    MovementCode.LYING_PRONE_EXT: Direction.EXTENSION,
    MovementCode.LONG_SIT: Direction.FLEXION,
    MovementCode.OTHER: None,
}

# "Commonly 10 per set ⚠. Store the actual number done" (§4.2). The upper bound only catches
# typing slips (several sets of 10 fit comfortably) ⚠ product-defined.
REPETITIONS_MIN, REPETITIONS_MAX = 1, 100
NPRS_MIN, NPRS_MAX = 0, 10

SITE_WORDS: dict[DistalSite, str] = {
    DistalSite.NONE: "no symptoms",
    DistalSite.CENTRAL_LB: "central low back",
    DistalSite.UNILAT_LB: "one side of the low back",
    DistalSite.BUTTOCK: "buttock",
    DistalSite.THIGH: "thigh",
    DistalSite.BELOW_KNEE: "below the knee",
    DistalSite.FOOT: "foot",
}
DIRECTION_WORDS: dict[str, str] = {
    Direction.EXTENSION: "extension",
    Direction.FLEXION: "flexion",
    Direction.LATERAL_RIGHT: "lateral, right",
    Direction.LATERAL_LEFT: "lateral, left",
}


# --- The record -----------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class RepeatedMovementTest(AsDictMixin):
    """One repeated-movement or sustained-posture test as recorded (clinical.md §4.3, §4.4).

    Codes may be given as enum members or their string values. `loading` and `direction`
    default to the standard test's; giving a different one is refused. An OTHER test must be
    named (`custom_label`) and say its loading; its direction is optional.
    """

    movement_code: MovementCode
    pre_distal_site: DistalSite
    post_distal_site: DistalSite
    after_response: AfterResponse
    repetitions: int | None = None
    during_responses: tuple[DuringResponse, ...] = ()
    mechanical_response: MechanicalResponse | None = None
    pre_nprs: int | None = None
    loading: Loading | None = None
    force_progression: ForceProgression = ForceProgression.PATIENT
    direction: Direction | None = None
    custom_label: str = ""
    measure_name: str = ""
    measure_value: float | None = None
    measure_unit: str = ""

    def __post_init__(self) -> None:
        code = _coerce(MovementCode, self.movement_code, "The movement code")
        self._set("movement_code", code)
        what = f"Test {code.value}"
        if code is MovementCode.OTHER:
            if not self.custom_label.strip():
                raise ValueError("An OTHER test needs a custom_label naming the test.")
            what = f"Test {self.custom_label.strip()!r}"
            self._set("custom_label", self.custom_label.strip())
        elif self.custom_label:
            raise ValueError(f"{what}: custom_label is only for OTHER tests.")

        pre = _coerce(DistalSite, self.pre_distal_site, f"{what}: the pre-test distal site")
        post = _coerce(DistalSite, self.post_distal_site, f"{what}: the post-test distal site")
        after = _coerce(AfterResponse, self.after_response, f"{what}: the after-response")
        self._set("pre_distal_site", pre)
        self._set("post_distal_site", post)
        self._set("after_response", after)
        during = tuple(
            _coerce(DuringResponse, v, f"{what}: a during-response") for v in self.during_responses
        )
        # Canonical order, no repeats: a multi-select is a set, stored as a JSON-ready tuple.
        self._set("during_responses", tuple(r for r in DuringResponse if r in during))
        if self.mechanical_response is not None:
            self._set(
                "mechanical_response",
                _coerce(MechanicalResponse, self.mechanical_response, f"{what}: mechanics"),
            )
        self._set(
            "force_progression",
            _coerce(ForceProgression, self.force_progression, f"{what}: the force progression"),
        )
        self._check_repetitions(code, what)
        self._check_loading_and_direction(code, what)
        if self.pre_nprs is not None:
            require_int_in_range(
                self.pre_nprs, low=NPRS_MIN, high=NPRS_MAX, what=f"{what}: the pre-test NPRS"
            )
            if self.pre_nprs > 0 and pre is DistalSite.NONE:
                raise ValueError(
                    f"{what}: a pre-test NPRS of {self.pre_nprs} needs a pre-test symptom site; "
                    "the site is NONE."
                )
        self._check_measure(what)
        self._check_consistency(what)

    def _set(self, name: str, value: object) -> None:
        object.__setattr__(self, name, value)

    def _check_repetitions(self, code: MovementCode, what: str) -> None:
        if self.repetitions is None:
            # A posture is held, not repeated; every repeated movement stores its count (§4.2).
            if code not in SUSTAINED_POSTURES:
                raise ValueError(f"{what}: record the number of repetitions done (§4.2).")
            return
        require_int_in_range(
            self.repetitions,
            low=REPETITIONS_MIN,
            high=REPETITIONS_MAX,
            what=f"{what}: repetitions",
        )

    def _check_loading_and_direction(self, code: MovementCode, what: str) -> None:
        standard = STANDARD_LOADING.get(code)
        loading = (
            None if self.loading is None else _coerce(Loading, self.loading, f"{what}: loading")
        )
        if loading is None and standard is None:
            raise ValueError(f"{what}: say whether the test was LOADED or UNLOADED.")
        if loading is not None and standard is not None and loading is not standard:
            raise ValueError(f"{what} is done {standard.value} (table 4.2), not {loading.value}.")
        self._set("loading", loading or standard)

        standard_direction = STANDARD_DIRECTION[code]
        direction = (
            None
            if self.direction is None
            else _coerce(Direction, self.direction, f"{what}: the direction")
        )
        if direction is not None and standard_direction not in (None, direction):
            raise ValueError(
                f"{what} is in direction {standard_direction.value}, not {direction.value}."
            )
        self._set("direction", direction or standard_direction)

    def _check_measure(self, what: str) -> None:
        has_name = bool(self.measure_name.strip())
        if has_name != (self.measure_value is not None):
            raise ValueError(f"{what}: give a measure's name and value together, or neither.")
        if self.measure_value is not None:
            value = self.measure_value
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise ValueError(f"{what}: the measure value must be a number; got {value!r}.")
            if not math.isfinite(value):
                raise ValueError(f"{what}: the measure value must be finite; got {value!r}.")

    def _check_consistency(self, what: str) -> None:
        """Refuse records that contradict themselves by definition; leave judgement calls to
        the classifier, which calls them UNCLEAR."""
        pre, post, after = self.pre_distal_site, self.post_distal_site, self.after_response
        during = set(self.during_responses)
        if DuringResponse.NO_EFFECT in during and len(during) > 1:
            raise ValueError(f"{what}: NO_EFFECT during testing cannot go with other responses.")
        if {DuringResponse.CENTRALISING, DuringResponse.PERIPHERALISING} <= during:
            raise ValueError(f"{what}: symptoms cannot both centralise and peripheralise.")
        if after is AfterResponse.ABOLISHED and post is not DistalSite.NONE:
            raise ValueError(
                f"{what}: ABOLISHED means no symptoms remain, but the most distal symptom after "
                f"the test is {post.value}."
            )
        if pre is DistalSite.NONE and after in _IMPROVED_AFTER:
            raise ValueError(
                f"{what}: there were no symptoms before the test, so they cannot be "
                f"{after.value} after it."
            )
        if post is DistalSite.NONE and after in _WORSENED_AFTER:
            raise ValueError(f"{what}: no symptoms remain after the test, so not {after.value}.")
        if pre is not DistalSite.NONE and post is DistalSite.NONE and after not in _IMPROVED_AFTER:
            raise ValueError(
                f"{what}: the symptoms are gone after the test (post site NONE); record "
                f"ABOLISHED, not {after.value}."
            )
        if after is AfterResponse.CENTRALISED and post.rank > pre.rank:
            raise ValueError(
                f"{what}: CENTRALISED, but the most distal symptom moved further out "
                f"({pre.value} -> {post.value})."
            )
        if after is AfterResponse.PERIPHERALISED and post.rank < pre.rank:
            raise ValueError(
                f"{what}: PERIPHERALISED, but the most distal symptom moved nearer the spine "
                f"({pre.value} -> {post.value})."
            )

    @property
    def label(self) -> str:
        return self.custom_label or self.movement_code.value


_IMPROVED_AFTER = frozenset(
    {AfterResponse.BETTER, AfterResponse.CENTRALISED, AfterResponse.ABOLISHED}
)
_WORSENED_AFTER = frozenset({AfterResponse.WORSE, AfterResponse.PERIPHERALISED})
_UNCHANGED_AFTER = frozenset(
    {AfterResponse.NO_BETTER, AfterResponse.NO_WORSE, AfterResponse.NO_EFFECT}
)


# --- One test ------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class MovementResult(AsDictMixin):
    """What one test did. `centralised` is true for CENTRALISING and ABOLISHED (abolition is
    centralisation's end point, §4.1 ✅ [S72])."""

    movement_code: MovementCode
    label: str
    direction: Direction | None
    loading: Loading
    repetitions: int | None
    force_progression: ForceProgression
    pre_distal_site: DistalSite
    post_distal_site: DistalSite
    during_responses: tuple[DuringResponse, ...]
    after_response: AfterResponse
    mechanical_response: MechanicalResponse | None
    response: SymptomResponse
    centralised: bool
    peripheralised: bool
    role: Role
    reason: str
    summary: str
    algorithm_version: str = ALGORITHM_VERSION


def classify(test: RepeatedMovementTest) -> MovementResult:
    """Classify one test's symptom response (clinical.md §4.1, §4.4) and its directional role.

    Judged on the lasting state after the test: §4.2 ✅ [S77] warns that a single movement may
    increase pain while repetition reduces and centralises it, so the during-responses are
    kept for the record but do not decide the classification.
    """
    response, reason = _symptom_response(test)
    role = _role(test, response)
    return MovementResult(
        movement_code=test.movement_code,
        label=test.label,
        direction=test.direction,
        loading=test.loading,
        repetitions=test.repetitions,
        force_progression=test.force_progression,
        pre_distal_site=test.pre_distal_site,
        post_distal_site=test.post_distal_site,
        during_responses=test.during_responses,
        after_response=test.after_response,
        mechanical_response=test.mechanical_response,
        response=response,
        centralised=response in (SymptomResponse.CENTRALISING, SymptomResponse.ABOLISHED),
        peripheralised=response is SymptomResponse.PERIPHERALISING,
        role=role,
        reason=reason,
        summary=_test_summary(test, response),
    )


_AFTER_WORDS = {
    AfterResponse.BETTER: "better",
    AfterResponse.WORSE: "worse",
    AfterResponse.NO_BETTER: "no better",
    AfterResponse.NO_WORSE: "no worse",
    AfterResponse.NO_EFFECT: "unchanged",
    AfterResponse.CENTRALISED: "centralised",
    AfterResponse.PERIPHERALISED: "peripheralised",
    AfterResponse.ABOLISHED: "abolished",
}


def _after_words(after: AfterResponse) -> str:
    return _AFTER_WORDS.get(after, str(after).lower().replace("_", " "))


def _symptom_response(test: RepeatedMovementTest) -> tuple[SymptomResponse, str]:
    pre, post, after = test.pre_distal_site, test.post_distal_site, test.after_response
    change = post.rank - pre.rank
    if pre is not DistalSite.NONE and post is DistalSite.NONE:
        return SymptomResponse.ABOLISHED, "Symptoms present before the test were gone after it."
    if change < 0:
        # §4.4: centralised = post site more proximal AND after in {BETTER, CENTRALISED,
        # ABOLISHED}. ABOLISHED was handled above.
        if after in _IMPROVED_AFTER:
            return SymptomResponse.CENTRALISING, "The most distal symptom moved nearer the spine."
        note = (
            # §4.1 ✅ [S74]
            " Central pain may increase temporarily while distal pain centralises; if that "
            "is what happened, record it as centralised."
            if after is AfterResponse.WORSE
            else ""
        )
        return SymptomResponse.UNCLEAR, (
            f"The most distal symptom moved nearer the spine but afterwards the symptoms were "
            f"{_after_words(after)}.{note}"
        )
    if change > 0:
        if pre is DistalSite.NONE and post is DistalSite.CENTRAL_LB:
            # Central back pain produced from none has not spread anywhere: it is an increase,
            # not peripheralisation.
            if after is AfterResponse.WORSE:
                return SymptomResponse.INCREASED, "Central back pain was produced and remained."
            return SymptomResponse.UNCLEAR, (
                f"Central back pain remained after the test but afterwards the symptoms were "
                f"{_after_words(after)}."
            )
        if after in _WORSENED_AFTER:
            return SymptomResponse.PERIPHERALISING, "The most distal symptom moved further out."
        return SymptomResponse.UNCLEAR, (
            f"The most distal symptom moved further out but afterwards the symptoms were "
            f"{_after_words(after)}."
        )
    # Same body-map region before and after. The scale is coarse (a whole thigh is one step),
    # so the therapist's CENTRALISED / PERIPHERALISED is trusted for movement within a region:
    # ⚠ product-defined, one step beyond the §4.4 rule, which needs a site change.
    if after is AfterResponse.CENTRALISED:
        return SymptomResponse.CENTRALISING, "Symptoms centralised within the same region."
    if after is AfterResponse.PERIPHERALISED:
        return SymptomResponse.PERIPHERALISING, "Symptoms spread further within the same region."
    if after is AfterResponse.BETTER:
        return SymptomResponse.DECREASED, "Symptoms were better, in the same place."
    if after is AfterResponse.WORSE:
        return SymptomResponse.INCREASED, "Symptoms were worse, in the same place."
    return SymptomResponse.NO_EFFECT, f"No lasting change ({after.value})."


def _role(test: RepeatedMovementTest, response: SymptomResponse) -> Role:
    if test.direction is None:
        return Role.NO_DIRECTION
    rom = test.mechanical_response
    if response in (SymptomResponse.CENTRALISING, SymptomResponse.ABOLISHED):
        return Role.FAVOURS  # §4.1 ✅ [S75]
    if response is SymptomResponse.DECREASED and (
        DuringResponse.DECREASES in test.during_responses
        and rom is MechanicalResponse.ROM_INCREASED
    ):
        return Role.FAVOURS  # §4.4: DECREASES + BETTER, with ROM_INCREASED ⚠
    if response in (SymptomResponse.PERIPHERALISING, SymptomResponse.INCREASED):
        return Role.AGAINST
    if response is SymptomResponse.UNCLEAR:
        return Role.UNCLEAR
    if rom is MechanicalResponse.ROM_INCREASED:
        return Role.MECHANICS_BETTER
    if rom is MechanicalResponse.ROM_DECREASED:
        return Role.MECHANICS_WORSE
    return Role.NEUTRAL


_RESPONSE_WORDS = {
    SymptomResponse.ABOLISHED: "abolished the symptoms",
    SymptomResponse.CENTRALISING: "centralised the symptoms",
    SymptomResponse.DECREASED: "decreased the symptoms",
    SymptomResponse.NO_EFFECT: "had no lasting effect on the symptoms",
    SymptomResponse.INCREASED: "increased the symptoms",
    SymptomResponse.PERIPHERALISING: "peripheralised the symptoms",
    SymptomResponse.UNCLEAR: "had an unclear effect (the record points both ways)",
}
_ROM_WORDS = {
    MechanicalResponse.ROM_INCREASED: "range of movement increased",
    MechanicalResponse.ROM_DECREASED: "range of movement decreased",
    MechanicalResponse.NO_EFFECT: "range of movement unchanged",
}


def _test_summary(test: RepeatedMovementTest, response: SymptomResponse) -> str:
    name = test.custom_label or MOVEMENT_LABELS[test.movement_code]
    reps = f" x{test.repetitions}" if test.repetitions is not None else ""
    where = f"{SITE_WORDS[test.pre_distal_site]} -> {SITE_WORDS[test.post_distal_site]}"
    text = f"{name}{reps}: {_RESPONSE_WORDS[response]} ({where})"
    if test.mechanical_response is not None:
        text += f"; {_ROM_WORDS[test.mechanical_response]}"
    return text + "."


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


def _labels(results: Sequence[MovementResult], direction: Direction, role: Role):
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
