"""From a follow-up packet's answers to what staff need: its scores, in the same shape as
the first-visit intake's, and its red-flag triage. Functions of the answers alone (the
packet's and its baseline's), with no database.

The triage runs the intake's ruleset (intake.triage) over what the packet reports now
together with what the first visit told us that still holds: the health history (cancer,
osteoporosis, steroids, drug use...), how the pain started (trauma, lifting) and, from the
patient record, age today and sex. So a history of cancer given at the first visit and a
leg getting weaker reported now are seen together (suspected spinal cord compression).

A rule is counted for the packet only when something the packet reported is among its
items. A rule that the first visit's answers fire on their own was the intake's finding,
raised and dispositioned then: raising it again with every packet would bury the new
findings under old ones. Such rules are kept beside the result (`baseline_hits`), for staff
to read, and do not set the packet's level. How the two are combined is versioned
(COMBINATION_VERSION) and, like the ruleset, a product default not yet approved by a
clinician.
"""

from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any

from intake import questionnaires, triage
from intake import results as intake_results
from intake.questions import HISTORY_QUESTIONS, RED_FLAG_QUESTIONS
from intake.scoring import grc

ALGORITHM_VERSION = "followup-results-1.0"
COMBINATION_VERSION = "followup-triage-1.0"
COMBINATION_STATUS = "product default, not yet approved by a clinician"

# The questionnaires a packet asks again; their scores have the intake's shape.
MEASURES = ("nprs", "psfs", "odi")

_REPORTABLE = frozenset(code for code, _ in RED_FLAG_QUESTIONS)
_HISTORY = frozenset(code for code, _ in HISTORY_QUESTIONS)


def reported_answers(answers: Mapping[str, Mapping]) -> dict[str, str]:
    """Item code -> yes/no/unsure, from the packet's red-flag screen."""
    return {
        code: value
        for code, value in (answers.get("redflags") or {}).items()
        if code in _REPORTABLE and value
    }


def reported_items(reported: Mapping[str, str]) -> frozenset[str]:
    """The items the packet reports present: answered yes or unsure."""
    return triage.present_items(reported)


def baseline_answers(baseline: Mapping[str, Mapping]) -> dict[str, str]:
    """Item code -> yes/no/unsure, from the first visit's health history."""
    return {
        code: value
        for code, value in (baseline.get("history") or {}).items()
        if code in _HISTORY and value
    }


def baseline_derived(
    baseline: Mapping[str, Mapping], *, date_of_birth: date | None, on: date, sex: str | None
) -> set[str]:
    """How the pain started (trauma, lifting), from the first visit, and age today and sex
    from the record, as the intake derives them. Not the first visit's body chart, night
    pain or weakness: those were symptoms then; the packet asks about now."""
    mechanism = (baseline.get("when") or {}).get("mechanism")
    return intake_results.derived_items(
        {"when": {"mechanism": mechanism}}, date_of_birth=date_of_birth, on=on, sex=sex
    )


@dataclass(frozen=True)
class PacketTriage:
    # The packet's result: its level, items and hits are those of the rules counted.
    result: triage.TriageResult
    reported: tuple[str, ...] = ()
    from_baseline: tuple[str, ...] = ()
    baseline_hits: tuple[triage.RuleHit, ...] = field(default=())

    def as_dict(self) -> dict[str, Any]:
        return {
            **self.result.as_dict(),
            "reported": list(self.reported),
            "from_baseline": list(self.from_baseline),
            "baseline_hits": [asdict(hit) for hit in self.baseline_hits],
            "combination_version": COMBINATION_VERSION,
            "combination_status": COMBINATION_STATUS,
        }


def run_triage(
    answers: Mapping[str, Mapping],
    *,
    baseline: Mapping[str, Mapping],
    date_of_birth: date | None,
    on: date,
    sex: str | None = None,
    ruleset: triage.Ruleset | None = None,
) -> PacketTriage:
    """`sex`: the patient record's, as intake.results.run_triage takes it."""
    reported = reported_answers(answers)
    new = reported_items(reported)
    derived = baseline_derived(baseline, date_of_birth=date_of_birth, on=on, sex=sex)
    # What the packet reports wins over the first visit's answer to the same item.
    combined = triage.triage(
        {**baseline_answers(baseline), **reported}, derived=derived, ruleset=ruleset
    )
    counted = tuple(h for h in combined.hits if new.intersection(h.items))
    level = max((triage.Level[h.level] for h in counted), default=triage.Level.NONE)
    items = sorted({c for h in counted if triage.Level[h.level] == level for c in h.items})
    result = triage.TriageResult(
        level=level,
        items=tuple(items),
        hits=counted,
        ces=bool(triage.CES_ITEMS & new),
        ruleset_version=combined.ruleset_version,
        ruleset_status=combined.ruleset_status,
        present=combined.present,
    )
    return PacketTriage(
        result=result,
        reported=tuple(sorted(new)),
        from_baseline=tuple(sorted(set(combined.present) - new)),
        baseline_hits=tuple(h for h in combined.hits if h not in counted),
    )


def scores(
    answers: Mapping[str, Mapping],
    *,
    licensed: Iterable[str],
    unavailable: Iterable[str] = (),
    language: str = "en",
) -> dict[str, dict]:
    """The packet's scores: NPRS, PSFS and ODI as the intake scores them (the ODI "not
    licensed" where it was not asked, or not available in the packet's language), and the
    rating of change."""
    found = questionnaires.score_all(
        answers, licensed=set(licensed), unavailable=set(unavailable), language=language
    )
    out = {key: value for key, value in found.items() if key in MEASURES}
    change = (answers.get("change") or {}).get("grc")
    if change is not None:
        out["grc"] = grc.score_grc(change).as_dict()
    return out


@dataclass(frozen=True)
class PacketResults:
    triage: dict
    red_flag_level: str
    ces: bool
    scores: dict
    algorithm_version: str = ALGORITHM_VERSION


def compute(
    answers: Mapping[str, Mapping],
    *,
    baseline: Mapping[str, Mapping],
    date_of_birth: date | None,
    on: date,
    licensed: Iterable[str],
    sex: str | None = None,
    ruleset: triage.Ruleset | None = None,
    unavailable: Iterable[str] = (),
    language: str = "en",
) -> PacketResults:
    found = run_triage(
        answers, baseline=baseline, date_of_birth=date_of_birth, on=on, sex=sex, ruleset=ruleset
    )
    return PacketResults(
        triage=found.as_dict(),
        red_flag_level=found.result.level.name,
        ces=found.result.ces,
        scores=scores(answers, licensed=licensed, unavailable=unavailable, language=language),
    )
