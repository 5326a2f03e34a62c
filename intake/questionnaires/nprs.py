"""The Numeric Pain Rating Scale on the tablet: back and leg pain, now and over the last
24 hours (engine: intake.scoring.nprs). Its wording ships (clinical.md 3.0: "Ship")."""

from collections.abc import Mapping
from typing import Any

from django.utils.translation import gettext_lazy as _

from core.sources import for_clinicians
from intake import forms as f
from intake.questionnaires.entry import (
    DASH,
    LOWER,
    Baseline,
    Licence,
    ProgressMeasure,
    Questionnaire,
    ScoreRow,
    Scores,
    band_label,
    mcid_text,
    prefixed,
)
from intake.scoring import nprs


def score(answers: Mapping[str, Any]) -> dict | None:
    return nprs.score_nprs(prefixed(answers, "nprs_")).as_dict() if answers else None


def rows(s: Scores) -> list[ScoreRow]:
    rows = []
    for region, name in (("back", "Back"), ("leg", "Leg")):
        r = s.get(region) or {}
        if r.get("now") is None and r.get("worst_24h") is None:
            continue
        rows.append(
            ScoreRow(
                measure=f"{name} pain (NPRS 0-10)",
                score=f"now {r.get('now', DASH)}, least {r.get('best_24h', DASH)}, "
                f"worst {r.get('worst_24h', DASH)} (last 24 h)",
                band=f"now {band_label(r.get('now_band'), DASH)}, "
                f"worst {band_label(r.get('worst_24h_band'), DASH)}",
                note="Bands: "
                + (for_clinicians(s.get("band_scheme_source") or "") or s.get("band_scheme", "")),
                mcid=mcid_text(s.get("mcid")),
                version=s.get("algorithm_version", ""),
            )
        )
    return rows


def _now(item: str) -> Baseline:
    def baseline(answers: Mapping[str, Any], scores: Scores) -> float | None:
        value = (answers.get("pain") or {}).get(item)
        return value if isinstance(value, int) else None

    return baseline


def _pain(region: str, noun: str) -> ProgressMeasure:
    return ProgressMeasure(
        code=f"{region}_pain",
        title=f"{noun} pain (NPRS)",
        unit="points",
        scale_min=0,
        scale_max=10,
        better=LOWER,
        mcid=nprs.MCID,
        noun=f"{noun} pain",
        noun_mid=f"{region} pain",
        tick_step=2,
        baseline=_now(f"nprs_{region}_now"),
    )


ENTRY = Questionnaire(
    key="nprs",
    code=nprs.INSTRUMENT_CODE,
    name="Numeric Pain Rating Scale",
    step="pain",
    title=_("Your pain now"),
    intro=_("Choose a number from 0 to 10 for each."),
    form=f.PainForm,
    after="when",
    score=score,
    licence=Licence.OPEN,
    rows=rows,
    summary_order=10,
    progress=(_pain("back", "Back"), _pain("leg", "Leg")),
)
