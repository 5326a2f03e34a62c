"""The intake summary PDF: what the patient reported, the red-flag screen with the action
taken, and the questionnaire scores with their bands (clinical.md §9.5)."""

from __future__ import annotations

import hashlib
from uuid import UUID

from django.db.models import Prefetch
from django.utils.safestring import SafeString, mark_safe

from core.languages import review_outstanding
from intake import questionnaires
from intake.bodychart import NEURO_SENSATIONS, REGIONS, SENSATIONS
from intake.models import Intake, IntakeAmendment, RedFlagAlert
from intake.services import instrument_packs
from intake.summary import summary_context
from reports.docs.formatting import dates_in_words

# Bump when the template or this context changes what a summary shows, so stored PDFs of
# an unchanged intake are not reused across the change.
LAYOUT_VERSION = "intake-summary-1"
TITLE = "Intake summary"
# Screens shown in their own part of the summary rather than as question rows.
_OWN_PART = {"where", "consent"}


def load_intake(public_id: UUID) -> Intake:
    """The intake with its patient, consent, amendments and alerts (4 queries)."""
    return (
        Intake.objects.select_related("patient", "consent")
        .prefetch_related(
            Prefetch("amendments", queryset=IntakeAmendment.objects.select_related("by")),
            Prefetch("alerts", queryset=RedFlagAlert.objects.select_related("acknowledged_by")),
        )
        .get(public_id=public_id)
    )


def intake_unavailable(intake: Intake) -> str:
    if intake.status == Intake.Status.IN_PROGRESS:
        return "The intake has not been submitted yet."
    if intake.status == Intake.Status.CANCELLED:
        return "The intake was cancelled."
    return ""


def intake_version(intake: Intake) -> str:
    """Changes with anything the summary prints: the intake's status and results, the
    patient's header details, amendments and alert acknowledgements. Reads prefetched
    rows only."""
    patient = intake.patient
    parts = [
        LAYOUT_VERSION,
        intake.status,
        str(intake.updated_at),
        str(patient.updated_at),
        *(f"a{a.pk}" for a in intake.amendments.all()),
        *(f"f{a.pk}:{a.acknowledged_at}:{a.outcome}" for a in intake.alerts.all()),
    ]
    if intake.language != "en":
        # It prints whether the translation the patient read has been reviewed yet.
        parts.append(f"{intake.language}:{review_outstanding(intake.language)}")
    return hashlib.sha256("|".join(parts).encode()).hexdigest()[:16]


def _name(user) -> str:
    if user is None:
        return ""
    return user.get_full_name() or user.get_username()


def _chart(chart: dict) -> list[dict]:
    """The marked regions in body order: label, view and what is felt there."""
    return [
        {
            "label": region.label,
            "view": region.view,
            "felt": ", ".join(SENSATIONS.get(s, s) for s in chart[region.code]),
            "neuro": bool(NEURO_SENSATIONS & set(chart[region.code])),
        }
        for region in REGIONS
        if region.code in chart
    ]


# A schematic body for the chart drawing: region code -> (view, x, y, width, height) in a
# 100 x 200 box per view. The back view shows the patient's left on the left; the front
# view is mirrored, as a clinician facing the patient sees it.
_SHAPES: dict[str, tuple[str, int, int, int, int]] = {
    "low_back_l": ("back", 30, 58, 13, 20),
    "low_back_c": ("back", 43, 58, 14, 20),
    "low_back_r": ("back", 57, 58, 13, 20),
    "buttock_l": ("back", 30, 78, 19, 22),
    "buttock_r": ("back", 51, 78, 19, 22),
    "saddle": ("back", 45, 96, 10, 9),
    "thigh_back_l": ("back", 31, 102, 17, 40),
    "thigh_back_r": ("back", 52, 102, 17, 40),
    "calf_shin_l": ("back", 33, 146, 14, 38),
    "calf_shin_r": ("back", 53, 146, 14, 38),
    "hip_r": ("front", 28, 70, 12, 16),
    "hip_l": ("front", 60, 70, 12, 16),
    "groin_r": ("front", 40, 84, 9, 14),
    "groin_l": ("front", 51, 84, 9, 14),
    "thigh_front_r": ("front", 31, 100, 17, 32),
    "thigh_front_l": ("front", 52, 100, 17, 32),
    "knee_r": ("front", 32, 132, 16, 14),
    "knee_l": ("front", 52, 132, 16, 14),
    "foot_r": ("front", 29, 184, 18, 10),
    "foot_l": ("front", 53, 184, 18, 10),
}
_PAIN, _NERVE, _BOTH = "#e06040", "#3a6ea5", "#8a4fa8"
_OUTLINE = (
    '<circle cx="50" cy="12" r="9"/><rect x="30" y="24" width="40" height="34" rx="4"/>'
    '<rect x="20" y="26" width="8" height="48" rx="3"/><rect x="72" y="26" width="8" '
    'height="48" rx="3"/><rect x="33" y="146" width="14" height="38" rx="3"/>'
    '<rect x="53" y="146" width="14" height="38" rx="3"/>'
)


def body_chart_svg(chart: dict) -> SafeString:
    """The marked regions on a schematic back and front view. Only our own constants and
    numbers go into the markup (never patient text), so it is safe to print unescaped."""
    parts = []
    for offset, view, sides in ((0, "back", ("L", "R")), (110, "front", ("R", "L"))):
        parts.append(
            f'<g transform="translate({offset} 0)"><g fill="none" stroke="#bbb" '
            f'stroke-width="0.8">{_OUTLINE}</g>'
        )
        for code, (shape_view, x, y, w, h) in _SHAPES.items():
            if shape_view != view:
                continue
            felt = set(chart.get(code) or ())
            nerve = bool(felt & NEURO_SENSATIONS)
            pain = bool(felt - NEURO_SENSATIONS)
            fill = _BOTH if nerve and pain else _NERVE if nerve else _PAIN if pain else "none"
            parts.append(
                f'<rect x="{x}" y="{y}" width="{w}" height="{h}" rx="2" fill="{fill}" '
                f'fill-opacity="0.75" stroke="#888" stroke-width="0.6"/>'
            )
        parts.append(
            f'<text x="50" y="207" font-size="8" text-anchor="middle">{view.title()}</text>'
            f'<text x="4" y="50" font-size="7">{sides[0]}</text>'
            f'<text x="92" y="50" font-size="7">{sides[1]}</text></g>'
        )
    return mark_safe(  # noqa: S308 - built from the constants above only
        '<svg class="body-chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 210 212" '
        'font-family="DejaVu Sans" role="img" aria-label="Body chart">' + "".join(parts) + "</svg>"
    )


def _alerts(alerts) -> list[dict]:
    return [
        {
            "summary": a.summary,
            "level": a.level,
            "raised_at": a.raised_at,
            "acknowledged_at": a.acknowledged_at,
            "acknowledged_by": _name(a.acknowledged_by),
            "outcome": a.get_outcome_display() if a.outcome else "",
            "action_note": a.action_note,
            "safety_net_material_label": a.safety_net_material_label,
            "safety_net_version": a.safety_net_version,
        }
        for a in alerts
    ]


def intake_context(intake: Intake, clinic) -> dict:
    packs = instrument_packs()
    summary = summary_context(intake, packs=packs, clinic=clinic)
    results = summary["results"]
    scores = results.get("scores") or {}
    submitted = intake.status == Intake.Status.SUBMITTED
    consent = getattr(intake, "consent", None)
    triage = results.get("triage") or {}
    return {
        "title": TITLE,
        "patient": intake.patient,
        "draft": not submitted,
        "signature": (
            {"by": intake.patient.full_name, "at": intake.submitted_at, "label": "Submitted"}
            if submitted and intake.submitted_at
            else None
        ),
        # Copyright statements and citations of every questionnaire printed.
        "notices": questionnaires.notices(
            questionnaires.printed(scores), scores=scores, packs=packs
        ),
        "intake": intake,
        "status_label": intake.get_status_display(),
        "triage": triage,
        "red_flag_level": results.get("red_flag_level") or intake.red_flag_level,
        "episode": triage.get("episode") or {},
        "alerts": _alerts(summary["alerts"]),
        "pattern": results.get("pattern") or {},
        "score_rows": questionnaires.pdf_score_rows(scores),
        "chart": _chart(summary["chart"]),
        "chart_svg": body_chart_svg(summary["chart"]) if summary["chart"] else "",
        "chart_colours": {"pain": _PAIN, "nerve": _NERVE, "both": _BOTH},
        "sections": [
            {**s, "rows": [(label, dates_in_words(str(value))) for label, value in s["rows"]]}
            for s in summary["sections"]
            if s["step"].key not in _OWN_PART
        ],
        "consent": consent,
        "amendments": [
            {"at": a.at, "by": _name(a.by), "step": a.step, "reason": a.reason}
            for a in summary["amendments"]
        ],
        "ruleset_status": summary["ruleset_status"],
        "language_note": summary["language_note"],
    }
