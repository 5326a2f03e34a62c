"""One repeated-movement or sustained-posture test as the therapist records it (clinical.md
§4.3, §4.4): codes coerced, the standard loading and direction filled in, and records that
contradict themselves by definition refused. Judgement calls are left to `classify`.
"""

import dataclasses
import math

from evaluations.mdt.vocabulary import (
    _IMPROVED_AFTER,
    _WORSENED_AFTER,
    NPRS_MAX,
    NPRS_MIN,
    REPETITIONS_MAX,
    REPETITIONS_MIN,
    STANDARD_DIRECTION,
    STANDARD_LOADING,
    SUSTAINED_POSTURES,
    AfterResponse,
    Direction,
    DistalSite,
    DuringResponse,
    ForceProgression,
    Loading,
    MechanicalResponse,
    MovementCode,
)
from intake.scoring.common import AsDictMixin, require_int_in_range
from intake.scoring.common import coerce_enum as _coerce

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
        if (
            direction is not None
            and standard_direction is not None
            and standard_direction != direction
        ):
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
