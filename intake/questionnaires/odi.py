"""The Oswestry Disability Index (v2.1a) on the tablet: disability in daily life, 0 to 100
(engine: intake.scoring.odi). Restricted (clinical.md 3.0: "Do not ship item or response
text"): only its scoring and section ids ship, and each clinic loads its licensed wording
with manage.py load_instrument_pack. Without it the screen is not asked."""

from collections.abc import Mapping
from typing import Any

from django.utils.translation import gettext_lazy as _

from intake import forms as f
from intake.questionnaires.entry import (
    DASH,
    LOWER,
    Licence,
    ProgressMeasure,
    Questionnaire,
    ScoreRow,
    Scores,
    band_label,
    mcid_text,
    scored,
)
from intake.scoring import odi

NAME = "Oswestry Disability Index"
# Printed with the ODI's score when the clinic's pack carries no statement of its own.
NOTICE = (
    "Oswestry Disability Index (ODI) v2.1a © Jeremy Fairbank 1980, all rights reserved; "
    "distributed by Mapi Research Trust. Used under the clinic's licence."
)


def score(answers: Mapping[str, Any]) -> dict | None:
    sections = answers.get("sections")
    return odi.score_odi(sections).as_dict() if sections is not None else None


def rows(s: Scores) -> list[ScoreRow]:
    text = f"{s['percentage']:g}%" if s.get("percentage") is not None else "Not scorable"
    if s.get("status") == "prorated":
        text += f" (prorated; sections missing: {', '.join(s.get('missing_sections') or ())})"
    return [
        ScoreRow(
            measure=NAME,
            score=text,
            band=band_label(s.get("band"), DASH),
            mcid=mcid_text(s.get("mcid")),
            version=s.get("algorithm_version", ""),
        )
    ]


ENTRY = Questionnaire(
    key="odi",
    code=odi.INSTRUMENT_CODE,
    name=NAME,
    step="odi",
    title=_("Daily life"),
    intro=_("Choose the one statement in each section that fits best today."),
    form=f.OdiForm,
    after="psfs",
    score=score,
    licence=Licence.CLINIC_PACK,
    # The clinic's own statement ids, scored 0 to 5 once each.
    pack_items={section: None for section in odi.SECTION_IDS},
    rows=rows,
    summary_order=20,
    notice=lambda score, pack: (pack.copyright if pack else "") or NOTICE,
    progress=(
        ProgressMeasure(
            code="odi",
            title="Oswestry Disability Index (ODI)",
            unit="%",
            scale_min=0,
            scale_max=100,
            better=LOWER,
            mcid=odi.MCID,
            noun="Disability (ODI)",
            noun_mid="disability (ODI)",
            tick_step=20,
            baseline=scored("odi", "percentage"),
        ),
    ),
)
