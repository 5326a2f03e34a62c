"""From an intake's answers to what staff need: red-flag triage, PROM scores and the
provisional pattern, each with the version of the rules or algorithm that made it.

Functions of the answers alone, with no database: answers in (the per-screen dicts the
tablet stores), results out. The questionnaires scored are the registry's
(intake.questionnaires).
"""

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import date

from intake import bodychart, pattern, questionnaires, triage
from intake.questions import HISTORY_QUESTIONS, RED_FLAG_QUESTIONS, UNSURE, YES
from intake.scoring.odi import INSTRUMENT_CODE as ODI

ALGORITHM_VERSION = "intake-results-1.0"

_ASKED_CODES = frozenset(code for code, _ in RED_FLAG_QUESTIONS + HISTORY_QUESTIONS)


def red_flag_answers(answers: Mapping[str, Mapping]) -> dict[str, str]:
    """Item code -> yes/no/unsure, from the red-flag and health-history screens."""
    found = {}
    for step in ("history", "redflags"):
        for code, value in (answers.get(step) or {}).items():
            if code in _ASKED_CODES and value:
                found[code] = value
    return found


# How it started (the "When and how" screen) -> the fracture item it is (clinical.md 2.3:
# major trauma; minor trauma, or strenuous lifting in older or osteoporotic people).
_ONSET_ITEMS: Mapping[str | None, str] = {
    "major_trauma": "HX-MAJOR-TRAUMA",
    "minor_trauma": "HX-MINOR-TRAUMA",
    "lift": "HX-LIFT-ONSET",
}


def derived_items(
    answers: Mapping[str, Mapping],
    *,
    date_of_birth: date | None,
    on: date,
    sex: str | None = None,
) -> set[str]:
    """Red-flag items the other answers imply: body chart, weakness, how it started,
    night pain; and age on the day and sex from the record (none without them)."""
    items = set(bodychart.derived_red_flag_items((answers.get("where") or {}).get("chart") or {}))
    feels = answers.get("feels") or {}
    if feels.get("weakness") == YES:
        items.add("SX-NEURO")
    when = answers.get("when") or {}
    onset = _ONSET_ITEMS.get(when.get("mechanism"))
    if onset:
        items.add(onset)
    if when.get("night_pain") == "constant":
        items.add("SX-NIGHT-PAIN")
    if date_of_birth is not None:
        items |= triage.age_items(date_of_birth, on)
    return items | triage.sex_items(sex)


def run_triage(
    answers: Mapping[str, Mapping],
    *,
    date_of_birth: date | None,
    on: date,
    sex: str | None = None,
    ruleset: triage.Ruleset | None = None,
) -> triage.TriageResult:
    """`sex`: the patient record's (patients.Patient.sex); the aneurysm rules count "male"
    (clinical.md 2.6). Left out, no rule counts the patient as male."""
    return triage.triage(
        red_flag_answers(answers),
        derived=derived_items(answers, date_of_birth=date_of_birth, on=on, sex=sex),
        ruleset=ruleset,
    )


def _yes(value) -> bool | None:
    if value in (YES, UNSURE):
        return True
    if value == "no":
        return False
    return None


# The "feels" screen's answers as the pattern reads them; a question skipped looks up None.
_LEG_WORSE: Mapping[str | None, bool] = {"leg_worse": True, "back_worse": False}
_FOLLOWS_PATH: Mapping[str | None, bool] = {"path": True, "moves": False}


def suggest(answers: Mapping[str, Mapping]) -> pattern.PatternSuggestion:
    feels = answers.get("feels") or {}
    leg_vs_back = feels.get("leg_vs_back")
    follows = feels.get("follows_path")
    return pattern.suggest_pattern(
        chart=(answers.get("where") or {}).get("chart") or {},
        leg_worse_than_back=_LEG_WORSE.get(leg_vs_back),
        follows_path=_FOLLOWS_PATH.get(follows),
        worse_on_cough=_yes(feels.get("worse_on_cough")),
        attacks=_yes(feels.get("attacks")),
        qualities=frozenset(feels.get("qualities") or ()),
    )


def episode(onset: date | None, on: date) -> dict:
    """Duration since onset: acute under 6 weeks, subacute 6-12, chronic over 12
    (clinical.md 8, common definitions)."""
    if onset is None:
        return {}
    weeks = max((on - onset).days, 0) // 7
    phase = "acute" if weeks < 6 else "subacute" if weeks <= 12 else "chronic"
    return {"weeks": weeks, "phase": phase}


def scores(
    answers: Mapping[str, Mapping],
    *,
    odi_licensed: bool | None = None,
    licensed: Collection[str] | None = None,
    unavailable: Collection[str] = (),
    language: str = "en",
) -> dict[str, dict]:
    """Every registered questionnaire's score. `licensed`: the clinic-loaded
    questionnaires (instrument codes) whose licensed pack was in force, so that they were
    asked; `odi_licensed` says the same of the ODI alone, for callers from when it was
    the only one. One of the two is required: what was asked is never guessed."""
    if licensed is None:
        if odi_licensed is None:
            raise TypeError("scores() needs `licensed` (or `odi_licensed`)")
        licensed = {ODI} if odi_licensed else set()
    return questionnaires.score_all(
        answers, licensed=licensed, unavailable=unavailable, language=language
    )


@dataclass(frozen=True)
class IntakeResults:
    triage: dict
    red_flag_level: str
    ces: bool
    scores: dict
    pattern: dict
    episode: dict
    algorithm_version: str = ALGORITHM_VERSION


def compute(
    answers: Mapping[str, Mapping],
    *,
    date_of_birth: date | None,
    on: date,
    odi_licensed: bool | None = None,
    licensed: Collection[str] | None = None,
    sex: str | None = None,
    ruleset: triage.Ruleset | None = None,
    unavailable: Collection[str] = (),
    language: str = "en",
) -> IntakeResults:
    result = run_triage(answers, date_of_birth=date_of_birth, on=on, sex=sex, ruleset=ruleset)
    onset = (answers.get("when") or {}).get("onset_date")
    return IntakeResults(
        triage=result.as_dict(),
        red_flag_level=result.level.name,
        ces=result.ces,
        scores=scores(
            answers,
            odi_licensed=odi_licensed,
            licensed=licensed,
            unavailable=unavailable,
            language=language,
        ),
        pattern=suggest(answers).as_dict(),
        episode=episode(date.fromisoformat(onset) if onset else None, on),
    )
