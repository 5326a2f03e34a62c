"""Keele STarT Back Screening Tool (SBST, 9-item version): scoring and risk group.

Source: clinical.md §3.4 (item domains, responses, scores and stratification ✅ [S42, S59]).

What this module ships, and why (clinical.md §0.1 item 3 and §3.0):

- Keele says "No license is required for non-commercial use. To incorporate the tool in any
  commercial product, contact Keele University" ✅ [S41]. Clinics may pay to run this
  product, so we cannot assume non-commercial use. Following the spec's recommendation
  ("ship scoring engines and item IDs only"), this module ships **no question text**:
  only item ids, the non-verbatim domain codes the spec lists, response option ids and the
  scoring. The clinic loads Keele's wording as an instrument pack (§3.0, §9 item 2).
- It does ship Keele's copyright statement, which the spec requires to be shown wherever
  the tool is displayed (§3.4 "Licensing", §9 item 5).
- Only the 9-item tool lives here. The 6-item and clinical-measurement versions are
  separate instruments with their own codes (§3.4).

Counsel and Keele must confirm the commercial position before release (§3.0).
"""

import dataclasses
import enum
from collections.abc import Mapping

from .common import AsDictMixin, ChangeThreshold, member_or_none, reject_unknown_ids

ALGORITHM_VERSION = "startback-1.0"
INSTRUMENT_CODE = "keele_sbst_9"

# Verbatim from clinical.md §3.0, quoting Keele's site ✅ [S41] (the spec's bold removed).
KEELE_COPYRIGHT_STATEMENT = (
    "Copyright (©2021) University of Keele. No license is required for non-commercial use. "
    "To incorporate the tool in any commercial product, contact Keele University Impact "
    "Accelerator Unit."
)
# ⚠ Keele asks users to keep "the copyright and funding statement" verbatim [S42], but the
# spec does not reproduce the funding statement. Transcribe it from Keele before release;
# until then there is nothing correct to ship, so it is deliberately None.
KEELE_FUNDING_STATEMENT: str | None = None

ITEM_IDS = tuple(f"sbst_{n}" for n in range(1, 10))
DISTRESS_ITEM_IDS = ITEM_IDS[4:]  # items 5-9 ✅ [S42, S59]

# Domain codes (clinical.md §3.4, "domains, not verbatim text"), for reports and data exports.
ITEM_DOMAINS = {
    "sbst_1": "leg_pain_spread",
    "sbst_2": "shoulder_or_neck_pain",
    "sbst_3": "walking_distance",
    "sbst_4": "dressing",
    "sbst_5": "fear",
    "sbst_6": "anxiety",
    "sbst_7": "catastrophising",
    "sbst_8": "low_mood",
    "sbst_9": "bothersomeness",
}

# Stratification boundaries ✅ [S42, S59].
HIGH_RISK_MIN_DISTRESS = 4
LOW_RISK_MAX_TOTAL = 3


class AgreeResponse(enum.StrEnum):
    """Response option ids for items 1-8: Agree = 1, Disagree = 0."""

    AGREE = "agree"
    DISAGREE = "disagree"


class BothersomeResponse(enum.StrEnum):
    """Response option ids for item 9, the 5-point bothersomeness scale."""

    NOT_AT_ALL = "not_at_all"
    SLIGHTLY = "slightly"
    MODERATELY = "moderately"
    VERY_MUCH = "very_much"
    EXTREMELY = "extremely"


# "only 'Very much' or 'Extremely' scores 1" ✅ [S42, S59].
ITEM_9_SCORING_ONE = frozenset({BothersomeResponse.VERY_MUCH, BothersomeResponse.EXTREMELY})


class StartBackRisk(enum.StrEnum):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"


@dataclasses.dataclass(frozen=True)
class StartBackResult(AsDictMixin):
    total: int | None  # 0-9; None when incomplete
    distress: int | None  # psychosocial subscale, items 5-9, 0-5; None when incomplete
    risk_group: StartBackRisk | None  # None when incomplete
    complete: bool
    missing_items: tuple[str, ...]
    item_scores: dict[str, int]  # the 0/1 score of each answered item
    # The SBST is a stratification tool; the spec gives no MCID for it (§3.4).
    mcid: ChangeThreshold | None = None
    instrument: str = INSTRUMENT_CODE
    algorithm_version: str = ALGORITHM_VERSION
    copyright_statement: str = KEELE_COPYRIGHT_STATEMENT


def score_item(item_id: str, answer: object) -> int:
    """Score one answered item 0 or 1. Items 1-8 take agree/disagree (or a bool, True =
    agree); item 9 takes a bothersomeness option id."""
    if item_id not in ITEM_IDS:
        raise ValueError(f"Unknown STarT Back item id {item_id!r}.")
    if item_id == "sbst_9":
        response = member_or_none(BothersomeResponse, answer)
        if response is None:
            options = ", ".join(r.value for r in BothersomeResponse)
            raise ValueError(f"STarT Back item 9 must be one of {options}; got {answer!r}.")
        return int(response in ITEM_9_SCORING_ONE)
    if isinstance(answer, bool):
        return int(answer)
    agreement = member_or_none(AgreeResponse, answer)
    if agreement is None:
        raise ValueError(
            f"STarT Back item {item_id.removeprefix('sbst_')} must be 'agree' or 'disagree'; "
            f"got {answer!r}."
        )
    return int(agreement is AgreeResponse.AGREE)


def score_startback(answers: Mapping[str, object]) -> StartBackResult:
    """Score the 9-item STarT Back tool from `{item_id: answer}`.

    An item that is absent or None is missing. The spec says nothing about missing items,
    so any missing item makes the result incomplete: no total, subscale or risk group. A
    partial sum could understate risk (an unanswered item might have tipped a patient
    into medium or high), and the tool has no published proration rule in the spec.
    """
    reject_unknown_ids(answers, known=ITEM_IDS, instrument="STarT Back")
    item_scores = {
        item_id: score_item(item_id, answers[item_id])
        for item_id in ITEM_IDS
        if answers.get(item_id) is not None
    }
    missing = tuple(item_id for item_id in ITEM_IDS if item_id not in item_scores)
    if missing:
        return StartBackResult(
            total=None,
            distress=None,
            risk_group=None,
            complete=False,
            missing_items=missing,
            item_scores=item_scores,
        )
    total = sum(item_scores.values())
    distress = sum(item_scores[item_id] for item_id in DISTRESS_ITEM_IDS)
    return StartBackResult(
        total=total,
        distress=distress,
        risk_group=risk_group(total=total, distress=distress),
        complete=True,
        missing_items=(),
        item_scores=item_scores,
    )


def risk_group(*, total: int, distress: int) -> StartBackRisk:
    """Stratify as in clinical.md §3.4: distress ≥ 4 is high, whatever the total."""
    if not 0 <= distress <= 5:
        raise ValueError(f"STarT Back distress subscale must be from 0 to 5; got {distress}.")
    # Items 1-4 add at most 4 to the distress subscale.
    if not distress <= total <= distress + 4:
        raise ValueError(
            f"With a distress subscale of {distress}, the STarT Back total must be from "
            f"{distress} to {distress + 4}; got {total}."
        )
    if distress >= HIGH_RISK_MIN_DISTRESS:
        return StartBackRisk.HIGH
    if total <= LOW_RISK_MAX_TOTAL:
        return StartBackRisk.LOW
    return StartBackRisk.MEDIUM
