"""A follow-up packet's stored scores in words, for the staff page's scores table. The
PSFS and ODI read as the intake's do (their registry entries' presenters); pain is asked
now only, so its row says that rather than the intake's "least, worst (last 24 h)"."""

from collections.abc import Mapping
from typing import Any

from intake import questionnaires
from intake.questionnaires.entry import (
    DASH,
    NOT_IN_LANGUAGE,
    NOT_LICENSED,
    ScoreRow,
    band_label,
    mcid_text,
)
from intake.scoring import grc

_NOT_ASKED = "Not asked: not licensed on this installation"


def _pain_rows(s: Mapping[str, Any]) -> list[ScoreRow]:
    rows = []
    for region, name in (("back", "Back"), ("leg", "Leg")):
        r = s.get(region) or {}
        if r.get("now") is None:
            continue
        rows.append(
            ScoreRow(
                measure=f"{name} pain now (NPRS 0-10)",
                score=str(r["now"]),
                band=band_label(r.get("now_band"), DASH),
                mcid=mcid_text(s.get("mcid")),
                version=s.get("algorithm_version", ""),
            )
        )
    return rows


def _change_row(s: Mapping[str, Any]) -> ScoreRow:
    return ScoreRow(
        measure="Global rating of change (-3 to +3)",
        score=f"{grc.signed(s['value'])} ({s.get('label', '')})",
        note=grc.QUESTION,
        version=s.get("algorithm_version", ""),
    )


def packet_score_rows(scores: Mapping[str, Any]) -> list[ScoreRow]:
    """The packet's scores table: pain now, activities, ODI, rating of change."""
    entries = questionnaires.by_key()
    rows: list[ScoreRow] = []
    if nprs := scores.get("nprs"):
        rows.extend(_pain_rows(nprs))
    for key in ("psfs", "odi"):
        score = scores.get(key)
        if not score:
            continue
        if score.get("status") == NOT_LICENSED:
            rows.append(ScoreRow(measure=entries[key].name, unavailable=_NOT_ASKED))
        elif score.get("status") == NOT_IN_LANGUAGE:
            text = questionnaires.not_in_language_text(score.get("language", ""))
            rows.append(ScoreRow(measure=entries[key].name, unavailable=text))
        else:
            rows.extend(entries[key].rows(score))
    if change := scores.get("grc"):
        rows.append(_change_row(change))
    return rows
