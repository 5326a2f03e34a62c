"""The Numeric Pain Rating Scale on the tablet: back and leg pain, now and over the last
24 hours (engine: intake.scoring.nprs). Its wording ships (clinical.md 3.0: "Ship")."""

from collections.abc import Mapping
from typing import Any

from django.utils.html import format_html

from core.sources import for_clinicians
from intake import forms as f
from intake.questionnaires.entry import (
    DASH,
    EM_DASH,
    LOWER,
    MISSING,
    Baseline,
    Licence,
    ProgressMeasure,
    Questionnaire,
    ScoreRow,
    Scores,
    as_printed,
    band_label,
    lookup,
    mcid_points,
    mcid_text,
    prefixed,
)
from intake.scoring import nprs


def score(answers: Mapping[str, Any]) -> dict | None:
    return nprs.score_nprs(prefixed(answers, "nprs_")).as_dict() if answers else None


def staff_rows(s: Scores) -> list[ScoreRow]:
    schemes = {x.code: x.source for x in (nprs.BOONSTRA_2016, nprs.COMMON_1_3_4_6_7_10)}
    scheme = lookup(s, "band_scheme")
    back_now, back_worst = lookup(s, "back", "now"), lookup(s, "back", "worst_24h")
    leg_now, leg_worst = lookup(s, "leg", "now"), lookup(s, "leg", "worst_24h")
    return [
        ScoreRow(
            measure="Pain (NPRS 0\N{EN DASH}10)",
            score=f"Back now {as_printed(back_now)}, worst {as_printed(back_worst)} · "
            f"Leg now {as_printed(leg_now)}, worst {as_printed(leg_worst)}",
            band=format_html(
                'Back {} · Leg {} <span class="small text-body-secondary">(bands: {})</span>',
                band_label(lookup(s, "back", "now_band"), EM_DASH),
                band_label(lookup(s, "leg", "now_band"), EM_DASH),
                "" if scheme is MISSING else schemes.get(scheme, scheme),
            ),
            mcid=mcid_points(s.get("mcid")),
            version=as_printed(lookup(s, "algorithm_version")),
        )
    ]


def pdf_rows(s: Scores) -> list[ScoreRow]:
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
    title="Your pain now",
    intro="Choose a number from 0 to 10 for each.",
    form=f.PainForm,
    after="when",
    score=score,
    licence=Licence.OPEN,
    staff_rows=staff_rows,
    pdf_rows=pdf_rows,
    summary_order=10,
    progress=(_pain("back", "Back"), _pain("leg", "Leg")),
)
