"""The Patient-Specific Functional Scale on the tablet: 3 to 5 activities the patient
names and rates (engine: intake.scoring.psfs). Its wording ships, with its citation
printed wherever its score is (clinical.md 3.0: "Ship, with citation")."""

from collections.abc import Mapping
from typing import Any

from django.utils.translation import gettext_lazy as _

from intake import forms as f
from intake.questionnaires.entry import (
    HIGHER,
    Licence,
    NoticeKind,
    ProgressMeasure,
    Questionnaire,
    ScoreRow,
    Scores,
    mcid_text,
    scored,
)
from intake.scoring import psfs


def score(answers: Mapping[str, Any]) -> dict | None:
    activities = answers.get("activities")
    if not activities:
        return None
    result = psfs.score_psfs({a["id"]: a["score"] for a in activities}).as_dict()
    result["activities"] = activities
    return result


def rows(s: Scores) -> list[ScoreRow]:
    activities = "; ".join(f"{a['name']} {a['score']}/10" for a in s.get("activities") or ())
    return [
        ScoreRow(
            measure="Patient-Specific Functional Scale",
            score=f"mean {s.get('mean')}/10 over {s.get('activity_count')} activities",
            band="no bands defined",
            note=activities,
            mcid=mcid_text(s.get("mcid")),
            version=s.get("algorithm_version", ""),
        )
    ]


ENTRY = Questionnaire(
    key="psfs",
    code=psfs.INSTRUMENT_CODE,
    name="Patient-Specific Functional Scale",
    step="psfs",
    title=_("Activities you find hard"),
    intro=_(
        "Name 3 to 5 activities you cannot do or find hard because of your problem, "
        "and say how well you can do each today."
    ),
    form=f.PsfsForm,
    after="startback",
    score=score,
    licence=Licence.OPEN,
    rows=rows,
    summary_order=30,
    notice=lambda score, pack: f"Patient-Specific Functional Scale: {psfs.CITATION}",
    notice_kind=NoticeKind.CITATION,
    progress=(
        ProgressMeasure(
            code="psfs",
            title="Patient-Specific Functional Scale (PSFS mean)",
            unit="points",
            scale_min=0,
            scale_max=10,
            better=HIGHER,
            mcid=psfs.MCID,
            noun="PSFS mean",
            noun_mid="PSFS mean",
            tick_step=2,
            baseline=scored("psfs", "mean"),
        ),
    ),
)
