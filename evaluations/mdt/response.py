"""What one test did (clinical.md §4.1, §4.4): its symptom response (abolished,
centralising, decreased, no effect, increased, peripheralising or unclear), judged on the
lasting state after the test, and the role it plays for its direction; with a one-line
summary in plain words.
"""

import dataclasses

from evaluations.mdt.record import RepeatedMovementTest
from evaluations.mdt.vocabulary import (
    _IMPROVED_AFTER,
    _WORSENED_AFTER,
    ALGORITHM_VERSION,
    MOVEMENT_LABELS,
    SITE_WORDS,
    AfterResponse,
    Direction,
    DistalSite,
    DuringResponse,
    ForceProgression,
    Loading,
    MechanicalResponse,
    MovementCode,
    Role,
    SymptomResponse,
)
from intake.scoring.common import AsDictMixin

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
    # The record's __post_init__ filled in the standard loading or refused the test.
    assert test.loading is not None
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
