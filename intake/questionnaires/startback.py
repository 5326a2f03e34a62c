"""The Keele STarT Back Screening Tool (9 items) on the tablet: risk subgroup for
stratified care (engine: intake.scoring.startback). Keele's wording ships as an instrument
pack beside intake/instruments/ (free for non-commercial use, clinical.md 3.0), and its
copyright statement is printed wherever its score is."""

from collections.abc import Mapping
from typing import Any

from django.utils.translation import gettext_lazy as _

from intake import forms as f
from intake.questionnaires.entry import (
    Licence,
    Questionnaire,
    ScoreRow,
    Scores,
    prefixed,
)
from intake.scoring import startback

# What the engine scores each of the pack's options (intake.instruments checks packs).
_AGREE = {"disagree": 0, "agree": 1}
_BOTHER = {"not_at_all": 0, "slightly": 0, "moderately": 0, "very_much": 1, "extremely": 1}


def score(answers: Mapping[str, Any]) -> dict | None:
    return startback.score_startback(prefixed(answers, "sbst_")).as_dict() if answers else None


def rows(s: Scores) -> list[ScoreRow]:
    return [
        ScoreRow(
            measure="Keele STarT Back",
            score=f"total {s.get('total')}/9, distress subscale {s.get('distress')}/5",
            band=f"{(s.get('risk_group') or '').upper()} risk subgroup",
            emphasis=True,
            version=s.get("algorithm_version", ""),
        )
    ]


def notice(score: Scores | None, pack) -> str:
    return (score or {}).get("copyright_statement") or startback.KEELE_COPYRIGHT_STATEMENT


ENTRY = Questionnaire(
    key="startback",
    code=startback.INSTRUMENT_CODE,
    name="Keele STarT Back Screening Tool",
    step="startback",
    title=_("How your back affects you"),
    intro=_("Thinking about the last 2 weeks, choose your answer to each statement."),
    form=f.StartBackForm,
    after="redflags",
    score=score,
    licence=Licence.SHIPPED_PACK,
    pack_items={item: (_BOTHER if item == "sbst_9" else _AGREE) for item in startback.ITEM_IDS},
    rows=rows,
    summary_order=40,
    notice=notice,
    notice_on_staff_page=True,
)
