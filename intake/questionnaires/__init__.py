"""The questionnaires the patient answers on the tablet, in one registry.

Every part of the project that handles a questionnaire loops over QUESTIONNAIRES, so a
questionnaire is added in one place and no consumer can leave it out. An entry says:

- what it is: `key` (its score under Intake.scores), `code` (its engine's instrument
  code, which also names its instrument pack) and `name`, as printed;
- its screen: `step`, `title`, `intro`, `form`, and the screen it comes `after`
  (intake.steps places it; its template is templates/intake/kiosk/steps/<step>.html);
- `score`: its screen's stored answers to the result of its engine (intake/scoring/*);
- `licence` (clinical.md 3.0) and, when its wording comes in an instrument pack,
  `pack_items`: what its engine expects of a pack (intake.instruments checks packs
  against it). A clinic-loaded questionnaire is asked only where the clinic's licensed
  pack is in force; elsewhere its screen is left out and its score is "not licensed";
- `rows`: its stored score in words, one presenter for both the staff page's scores table
  and the intake summary PDF, and `summary_order`, where summaries print it;
- `notice`: the copyright statement or citation printed wherever its score is printed;
- `progress`: the outcome measures charted over visits, each reading its baseline from
  the intake.

The consumers: intake.steps (the screens, in order), intake.kiosk_views (which screens
read packs, what was not asked), intake.services (instrument_packs, submit, amend),
intake.results (the scores), manage.py load_instrument_pack (via parse_pack),
intake.summary with each form's `describe` (the review screen and staff summary rows),
templates/intake/_results.html through intake_tags (the staff scores table) and
reports.docs.intake (the PDF's score rows and notices). reports.docs.evaluation calls
`notices()`, evaluations.progress `progress_measures()` and `baseline_values()`.

Adding a questionnaire touches:

1. intake/scoring/<name>.py: its pure engine (item ids, scoring, bands, MCID and an
   ALGORITHM_VERSION that every result carries);
2. intake/forms.py: its screen's form (a `PackForm` when its wording comes from a pack);
3. templates/intake/kiosk/steps/<step>.html: its screen;
4. tests/intake/test_<name>.py: its scoring and its screen;
5. its entry: intake/questionnaires/<name>.py (the fields above, with its presenters and
   notice; see odi.py for a clinic-loaded one, psfs.py for one that ships), named in
   QUESTIONNAIRES below. The entry types and the presenters' helpers are in entry.py.

Nothing else. A clinic loads a clinic-loaded questionnaire's wording with manage.py
load_instrument_pack as it is; a shipped pack is one more file beside intake/instruments/
(<code>.<language>.json).

tests/intake/test_questionnaires.py registers made-up questionnaires and follows them
through every consumer, so a consumer that stops looping over this registry fails there
instead of quietly leaving a questionnaire out.
"""

from __future__ import annotations

import functools
from collections.abc import Collection, Iterable, Mapping
from typing import Any

from core.languages import english_name
from intake import instruments
from intake.instruments import ItemScores, Pack
from intake.questionnaires import nprs, odi, psfs, startback
from intake.questionnaires.entry import (
    DASH,
    HIGHER,
    LOWER,
    NOT_IN_LANGUAGE,
    NOT_LICENSED,
    Licence,
    NoticeKind,
    ProgressMeasure,
    Questionnaire,
    ScoreRow,
    Scores,
    band_label,
)

__all__ = [
    "HIGHER",
    "LOWER",
    "NOT_IN_LANGUAGE",
    "NOT_LICENSED",
    "ODI_NOTICE",
    "QUESTIONNAIRES",
    "Licence",
    "NoticeKind",
    "ProgressMeasure",
    "Questionnaire",
    "ScoreRow",
]

# In the order the patient meets them on the tablet.
QUESTIONNAIRES: tuple[Questionnaire, ...] = (nprs.ENTRY, startback.ENTRY, psfs.ENTRY, odi.ENTRY)

# The ODI's own statement, for documents that print its score (reports.docs.evaluation).
ODI_NOTICE = odi.NOTICE

# Neuropathic screens are clinic-loaded (clinical.md 3.5) and have no engine here yet: a
# stored score of one is still printed. Each moves into QUESTIONNAIRES with its engine.
UNSCORED_SCREENS = (("paindetect", "painDETECT"), ("slanss", "S-LANSS"), ("dn4", "DN4"))


# --- Looking entries up -------------------------------------------------------------------
# Each call reads QUESTIONNAIRES afresh: it is four entries, and a test may register more.


def by_key() -> dict[str, Questionnaire]:
    return {q.key: q for q in QUESTIONNAIRES}


def by_step() -> dict[str, Questionnaire]:
    return {q.step: q for q in QUESTIONNAIRES}


def in_summary_order() -> list[Questionnaire]:
    return sorted(QUESTIONNAIRES, key=lambda q: q.summary_order)


def pack_steps() -> frozenset[str]:
    """The screens whose form reads its wording from an instrument pack."""
    return frozenset(q.step for q in QUESTIONNAIRES if q.pack_items is not None)


def not_asked(packs: Collection[str]) -> list[Questionnaire]:
    """Clinic-loaded questionnaires the tablet leaves out: no licensed pack in force."""
    return [q for q in QUESTIONNAIRES if not q.asked_with(packs)]


def without_pack(packs: Collection[str]) -> frozenset[str]:
    """The pack-worded questionnaires (codes) with no pack among `packs`: in a language
    other than English, those a form in that language leaves out."""
    return frozenset(q.code for q in QUESTIONNAIRES if q.pack_items is not None) - set(packs)


def not_in_language_when_scored(scores: Scores) -> frozenset[str]:
    """The questionnaires (codes) an intake's stored scores show were left out for want of
    a pack in the patient's language: an amendment rescored later keeps them so."""
    return frozenset(
        q.code for q in QUESTIONNAIRES if (scores.get(q.key) or {}).get("status") == NOT_IN_LANGUAGE
    )


def licensed(packs: Collection[str]) -> frozenset[str]:
    """The clinic-loaded questionnaires (codes) whose licensed pack is in force."""
    return frozenset(
        q.code for q in QUESTIONNAIRES if q.licence is Licence.CLINIC_PACK and q.code in packs
    )


def licensed_when_scored(scores: Scores) -> frozenset[str]:
    """The clinic-loaded questionnaires an intake's stored scores show were licensed when
    it was submitted: an amendment rescored later keeps to what the patient was asked."""
    return frozenset(
        q.code
        for q in QUESTIONNAIRES
        if q.licence is Licence.CLINIC_PACK
        and q.key in scores
        and scores[q.key].get("status") != NOT_LICENSED
    )


# --- Packs --------------------------------------------------------------------------------


def pack_items() -> dict[str, ItemScores]:
    return {q.code: q.pack_items for q in QUESTIONNAIRES if q.pack_items is not None}


def parse_pack(raw: bytes | str) -> Pack:
    """A pack checked against what its questionnaire's engine expects (PackError if not)."""
    return instruments.parse_pack(raw, expected=pack_items())


@functools.cache
def _shipped(code: str, language: str) -> Pack | None:
    raw = instruments.shipped_document(code, language)
    return parse_pack(raw) if raw is not None else None


def shipped_packs(language: str = "en") -> dict[str, Pack]:
    """The packs this project ships, read from disk once per process. Never a restricted
    questionnaire's, whatever lies on disk."""
    packs = {}
    for q in QUESTIONNAIRES:
        if q.licence is Licence.SHIPPED_PACK and (pack := _shipped(q.code, language)):
            packs[q.code] = pack
    return packs


# --- Results --------------------------------------------------------------------------------


def score_all(
    answers: Mapping[str, Mapping],
    *,
    licensed: Collection[str],
    unavailable: Collection[str] = (),
    language: str = "en",
) -> dict[str, dict]:
    """Every questionnaire's score from an intake's answers (by screen). A clinic-loaded
    questionnaire not in `licensed` was not asked: its score says so. Nor was one in
    `unavailable` (no pack in the form's `language`) that has no answers: its score says
    that (answers given before the patient switched language are scored as usual)."""
    out: dict[str, dict] = {}
    for q in QUESTIONNAIRES:
        if q.licence is Licence.CLINIC_PACK and q.code not in licensed:
            out[q.key] = {"status": NOT_LICENSED, "instrument": q.code}
            continue
        if q.code in unavailable and not answers.get(q.step):
            out[q.key] = {"status": NOT_IN_LANGUAGE, "instrument": q.code, "language": language}
            continue
        result = q.score(answers.get(q.step) or {})
        if result is not None:
            out[q.key] = result
    return out


_NOT_LICENSED_HERE = "Not licensed on this installation"


def not_in_language_text(language: str) -> str:
    return f"Not available in {english_name(language)} on this installation"


def _score_rows(order: Iterable[Questionnaire], scores: Scores) -> list[ScoreRow]:
    rows = []
    for q in order:
        if score := scores.get(q.key):
            if score.get("status") == NOT_LICENSED:
                rows.append(ScoreRow(measure=q.name, unavailable=_NOT_LICENSED_HERE))
            elif score.get("status") == NOT_IN_LANGUAGE:
                text = not_in_language_text(score.get("language", ""))
                rows.append(ScoreRow(measure=q.name, unavailable=text))
            else:
                rows.extend(q.rows(score))
    return rows


def staff_score_rows(scores: Scores) -> list[ScoreRow]:
    """The staff page's scores table, in the order the patient answered. A clinic-loaded
    questionnaire that was not asked says so in its row."""
    return _score_rows(QUESTIONNAIRES, scores)


def staff_notices(scores: Scores) -> list[str]:
    return [
        text
        for q in QUESTIONNAIRES
        if q.notice and q.notice_on_staff_page and scores.get(q.key)
        if (text := q.notice(scores[q.key], None))
    ]


def pdf_score_rows(scores: Scores) -> list[ScoreRow]:
    """The intake summary PDF's scores: the staff page's rows in summary order, then the
    neuropathic screens the tablet does not score."""
    rows = _score_rows(in_summary_order(), scores)
    for key, label in UNSCORED_SCREENS:
        if screen := scores.get(key):
            rows.append(
                ScoreRow(
                    measure=f"Neuropathic screen ({label})",
                    score=str(screen.get("total", screen.get("score", DASH))),
                    band=band_label(screen.get("band"), DASH) if screen.get("band") else "",
                    version=screen.get("algorithm_version", ""),
                )
            )
    return rows


def printed(scores: Scores) -> list[str]:
    """The questionnaires (keys) whose score a summary prints: every one scored here."""
    return [
        q.key
        for q in QUESTIONNAIRES
        if scores.get(q.key) and scores[q.key].get("status") not in (NOT_LICENSED, NOT_IN_LANGUAGE)
    ]


def notices(keys: Iterable[str], *, scores: Scores, packs: Mapping[str, Pack] | None) -> list[str]:
    """The copyright statements, then the citations, of the questionnaires `keys`, once
    each: a clinic's pack's own statement where it carries one."""
    wanted = set(keys)
    chosen = sorted(
        (q for q in QUESTIONNAIRES if q.key in wanted and q.notice), key=lambda q: q.notice_kind
    )
    texts = [q.notice(scores.get(q.key), (packs or {}).get(q.code)) for q in chosen if q.notice]
    return list(dict.fromkeys(text for text in texts if text))


# --- Progress over visits -----------------------------------------------------------------


def progress_measures() -> tuple[ProgressMeasure, ...]:
    """The outcome measures charted over visits, in the order summaries print them."""
    return tuple(m for q in in_summary_order() for m in q.progress)


def baseline_values(answers: Mapping[str, Any], scores: Scores) -> dict[str, float]:
    """Each progress measure's baseline from a submitted intake: `answers` with
    amendments applied, `scores` as stored."""
    values = {}
    for measure in progress_measures():
        value = measure.baseline(answers, scores)
        if value is not None:
            values[measure.code] = value
    return values
