"""Patient-Specific Functional Scale (PSFS): mean activity rating.

Source: clinical.md §3.3. The PSFS is free to use and its text may ship with a citation
(§3.0 ✅ [S39, S40]; ⚠ confirm with the authors before commercial distribution).

The patient names the activities, so there is no fixed item text. The intake stores each
activity's free text under a stable id and passes `{activity_id: rating}` here; at
follow-up the same ids must be rated again (§3.3).
"""

import dataclasses
from collections.abc import Mapping
from fractions import Fraction

from .common import AsDictMixin, ChangeThreshold, Verification, require_int_in_range, round_half_up

ALGORITHM_VERSION = "psfs-1.0"
INSTRUMENT_CODE = "psfs"

# The spec names "Stratford et al. 1995" (§3.0). ⚠ The full reference below is from general
# knowledge, not from the spec; check it before printing it on reports.
CITATION = (
    "Stratford P, Gill C, Westaway M, Binkley J. Assessing disability and change on "
    "individual patients: a report of a patient specific measure. Physiother Can. "
    "1995;47:258-263."
)
# Scale anchors as the spec gives them ✅ [S39].
ANCHORS = {0: "Unable to perform", 10: "Able to perform at the pre-injury level"}

MIN_ACTIVITIES = 1
MAX_ACTIVITIES = 5  # "up to 3-5 important activities" ✅ [S40, S57]
RATING_MIN, RATING_MAX = 0, 10

MCID = ChangeThreshold(
    kind="MCID",
    points=2,
    source="The value published PSFS studies commonly use",
    verification=Verification.PARTLY_VERIFIED,
    note="Applies to the mean score.",
    provenance="clinical.md 3.3 ◐: several secondary implementations [S38]; primary source "
    "not verified",
)
MDC_MEAN = ChangeThreshold(
    kind="MDC90",
    points=2,
    source="PSFS scoring guide",
    verification=Verification.VERIFIED,
    note="For the mean score.",
    provenance="clinical.md 3.3 ✅ [S40]",
)
MDC_SINGLE_ACTIVITY = ChangeThreshold(
    kind="MDC90",
    points=3,
    source="PSFS scoring guide",
    verification=Verification.VERIFIED,
    note="For one activity's rating.",
    provenance="clinical.md 3.3 ✅ [S40]",
)


@dataclasses.dataclass(frozen=True)
class PsfsResult(AsDictMixin):
    mean: float | None  # 0-10, higher is better, one decimal place; None when incomplete
    total: int | None
    activity_count: int
    ratings: dict[str, int]  # the rated activities
    complete: bool
    missing_activities: tuple[str, ...]  # named but not rated
    # The spec gives no severity bands for the PSFS, so the result carries none.
    mcid: ChangeThreshold = MCID
    mdc: ChangeThreshold = MDC_MEAN
    mdc_single_activity: ChangeThreshold = MDC_SINGLE_ACTIVITY
    instrument: str = INSTRUMENT_CODE
    algorithm_version: str = ALGORITHM_VERSION


def score_psfs(activities: Mapping[str, int | None]) -> PsfsResult:
    """Score the PSFS from `{activity_id: 0-10 or None}` for 1 to 5 named activities.

    A named activity with no rating (None) makes the result incomplete, with no mean. The
    spec is silent here; averaging only the rated activities would change what the score
    measures and break comparison with follow-up, which must rate the same activities.
    """
    count = len(activities)
    if not MIN_ACTIVITIES <= count <= MAX_ACTIVITIES:
        raise ValueError(
            f"The PSFS needs from {MIN_ACTIVITIES} to {MAX_ACTIVITIES} activities; got {count}."
        )
    for activity_id in activities:
        if not isinstance(activity_id, str) or not activity_id.strip():
            raise ValueError(f"Each PSFS activity needs a non-empty id; got {activity_id!r}.")
    ratings = {
        activity_id: require_int_in_range(
            rating, low=RATING_MIN, high=RATING_MAX, what=f"The PSFS rating for {activity_id!r}"
        )
        for activity_id, rating in activities.items()
        if rating is not None
    }
    missing = tuple(activity_id for activity_id in activities if activity_id not in ratings)
    if missing:
        return PsfsResult(
            mean=None,
            total=None,
            activity_count=count,
            ratings=ratings,
            complete=False,
            missing_activities=missing,
        )
    total = sum(ratings.values())
    return PsfsResult(
        mean=round_half_up(Fraction(total, count), 1),
        total=total,
        activity_count=count,
        ratings=ratings,
        complete=True,
        missing_activities=(),
    )
