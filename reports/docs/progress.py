"""The progress (or discharge) report over the patient's visits up to one evaluation: the
outcomes against the MCID with charts, the goals set at the previous visit and whether
they are met, and what changed in the classification and the plan.

Context builders only. Progress comes from `evaluations.progress` and the charts from
`evaluations.charts`; the header, the classification and the notices are the evaluation
document's (reports.docs.evaluation). The one judgement made here is reading a goal's
target number against the latest score (`goal_status`), and the PDF says so.
"""

from __future__ import annotations

from django.db.models import Count, Max, Q

from evaluations import followups, packets, plan_catalog, records, services
from evaluations import progress as progress_mod
from evaluations.charts import distal_chart_svg, measure_chart_svg
from evaluations.goals import goal_status
from evaluations.models import Evaluation, TreatmentNote
from evaluations.presenters import classification as classification_words
from evaluations.presenters import plan as plan_words
from evaluations.presenters.trend import initial_to_now
from intake.services import instrument_packs
from reports.docs.common import change_text, digest, header_context, mcid_text, verdict
from reports.docs.evaluation import (
    evaluation_unavailable,
    evaluation_version,
    licence_notices,
)
from reports.docs.formatting import dates_in_words

OUTCOME_KEYS = ("back_now", "leg_now", "odi", "psfs", "distal_site")
# Wide enough for the charts' own titles, narrow enough for A4 and Letter.
CHART_WIDTH, CHART_HEIGHT = 640, 180


# --- Visits and versions -------------------------------------------------------------------------


def _up_to(evaluation: Evaluation):
    """The episode's visits up to and including this one, in `for_progress` order."""
    return Evaluation.objects.for_progress(evaluation.episode_id).filter(
        Q(visit_date__lt=evaluation.visit_date)
        | Q(visit_date=evaluation.visit_date, created_at__lte=evaluation.created_at)
    )


def _notes_up_to(evaluation: Evaluation):
    """The episode's treatment notes up to this visit's date, in `for_progress` order: their
    pain and most distal symptom join the charts."""
    return TreatmentNote.objects.for_progress(evaluation.episode_id).filter(
        visit_date__lte=evaluation.visit_date
    )


def progress_version(evaluation: Evaluation) -> str:
    """The evaluation's version and the latest state of every visit, treatment note and
    follow-up packet it charts (three queries): one added, saved, signed or amended
    changes the report."""
    visits = _up_to(evaluation).aggregate(
        n=Count("pk"), saved=Max("updated_at"), signed=Count("signed_at"), last=Max("signed_at")
    )
    notes = _notes_up_to(evaluation).aggregate(
        n=Count("pk"), saved=Max("updated_at"), signed=Count("signed_at")
    )
    answered = followups.report_packets(evaluation).aggregate(
        n=Count("pk"), saved=Max("updated_at")
    )
    parts = [*visits.values(), *notes.values(), *answered.values()]
    return f"{evaluation_version(evaluation)}-{digest(parts)}"


def progress_unavailable(evaluation: Evaluation) -> str:
    if reason := evaluation_unavailable(evaluation):
        return reason
    outcomes = (evaluation.findings or {}).get("outcomes") or {}
    if not any(outcomes.get(key) is not None for key in OUTCOME_KEYS):
        return (
            "This evaluation has no outcome measures recorded yet, so there is no progress "
            "to report."
        )
    return ""


# --- The report ----------------------------------------------------------------------------------


def _chart_rows(data: progress_mod.PatientProgress) -> tuple[list[dict], dict | None]:
    measures = []
    for n, m in enumerate(data.measures):
        baseline, latest = m.baseline, m.latest
        if baseline is None or latest is None:  # no points: nothing to chart
            continue
        measures.append(
            {
                "progress": m,
                "svg": measure_chart_svg(m, width=CHART_WIDTH, height=CHART_HEIGHT, id_suffix=n),
                "baseline": progress_mod.format_value(baseline.value, m.unit),
                "latest": progress_mod.format_value(latest.value, m.unit),
                "verdict": verdict(m),
                "change": change_text(m),
                "mcid": mcid_text(m.mcid),
            }
        )
    distal = None
    if data.distal.points:
        distal = {
            "progress": data.distal,
            "svg": distal_chart_svg(data.distal, width=CHART_WIDTH, height=CHART_HEIGHT),
        }
    return measures, distal


def _status_rows(data: progress_mod.PatientProgress) -> list[dict]:
    """Each measure's baseline and latest value up to this visit, and the change."""
    return [
        {
            "progress": m,
            "baseline": progress_mod.format_value(m.baseline.value, m.unit),
            "latest": progress_mod.format_value(m.latest.value, m.unit),
            "change": change_text(m),
        }
        for m in data.measures
        if m.baseline is not None and m.latest is not None
    ]


def _packet_values(p: packets.Answered) -> str:
    """A follow-up's values in one line: "back pain 2, leg pain 1, ODI 12%"."""
    words = {"back_pain": "back pain", "leg_pain": "leg pain", "psfs": "PSFS mean", "odi": "ODI"}
    values = packets.progress_values(p.scores)
    return ", ".join(
        f"{words[code]} {progress_mod.format_value(value, progress_mod.MEASURES[code].unit)}"
        for code, value in values.items()
    )


def _plan_changes(before: dict | None, after: dict | None) -> dict:
    def described(plan):
        """Each item's description without its dates: education delivered again at this
        visit is continued, not changed."""
        out = {}
        for item in (plan or {}).get("items") or ():
            code = item.get("code", "")
            entry = plan_catalog.BY_CODE.get(code)
            dates = (
                {p.name for p in entry.params if p.kind is plan_catalog.Kind.DATE} if entry else ()
            )
            values = {k: v for k, v in (item.get("values") or {}).items() if k not in dates}
            out[code] = dates_in_words(plan_catalog.describe_item(code, values))
        return out

    def dose(plan):
        plan = plan or {}
        if not plan.get("frequency_per_week"):
            return ""
        return f"{plan['frequency_per_week']} a week for {plan.get('weeks') or '?'} weeks"

    # A re-evaluation's plan is recorded afresh, not carried over, so an earlier item it
    # leaves out is one it did not record: nothing says it was stopped.
    old, new = described(before), described(after)
    return {
        "added": [text for code, text in new.items() if code not in old],
        "not_recorded": [text for code, text in old.items() if code not in new],
        "changed": [(old[c], text) for c, text in new.items() if c in old and old[c] != text],
        "dose_before": dose(before),
        "dose_after": dose(after),
    }


def _choice(summary: dict) -> tuple:
    return (summary["category"], summary["side"], summary["levels"])


def progress_context(evaluation: Evaluation, clinic) -> dict:
    """Everything templates/reports/pdf/progress.html prints: the visits up to and including
    this evaluation (one query), their outcomes against the MCID with charts, the goals
    set at the previous visit, and what changed in the classification and the plan."""
    visits = list(_up_to(evaluation))
    basis = services.intake_basis(evaluation)
    notes = list(_notes_up_to(evaluation))
    answered = followups.for_report(evaluation)
    # The goals and the status at this visit read the clinicians' records, as before; the
    # charts add the patient's own answers (packets no evaluation was pre-filled from, and
    # a discharge's post-discharge follow-ups: followups.report_packets).
    data = progress_mod.from_records(basis.intake, basis.answers, visits, notes=notes)
    discharged_on = evaluation.episode.discharged_on
    charted = data
    if answered:
        charted = progress_mod.from_records(
            basis.intake,
            basis.answers,
            visits,
            notes=notes,
            packets=answered,
            discharged_on=discharged_on,
        )
    measures, distal = _chart_rows(charted)
    by_code = {m.code: m for m in data.measures}
    earlier = [v for v in visits if v.public_id != evaluation.public_id]
    previous = earlier[-1] if earlier else None
    reviewed_from = next(
        (v for v in reversed(earlier) if ((v.content or {}).get("plan") or {}).get("goals")),
        evaluation,
    )
    reviewed_plan = plan_words.document((reviewed_from.content or {}).get("plan")) or {}
    goals = reviewed_plan.get("goals") or []
    discharge = evaluation.kind == Evaluation.Kind.DISCHARGE
    content = records.read_content(evaluation.content)
    # The therapist's own judgement, recorded on this visit's goal rows (carried forward
    # from the goals reviewed, in the same order).
    judged = (plan_words.document(content.get("plan")) or {}).get("goals") or []
    for n, goal in enumerate(goals):
        goal.update(goal_status(goal, by_code, on=evaluation.visit_date, final=discharge))
        same = judged[n] if n < len(judged) and judged[n]["code"] == goal["code"] else None
        goal["judged"] = same["outcome"] if same and evaluation is not reviewed_from else ""
    before = (
        classification_words.document(
            records.read_content(previous.content).get("classification"), None
        )
        if previous
        else None
    )
    now = classification_words.document(
        content.get("classification"), evaluation.findings.get("classification")
    )
    odi_shown = any(m["progress"].code == "odi" for m in measures)
    first_signed = next(
        (v for v in visits if v.status == Evaluation.Status.SIGNED and v.pk != evaluation.pk),
        None,
    )
    trend = (
        initial_to_now(
            records.read_content(first_signed.content),
            content,
            first_signed.findings or {},
            evaluation.findings or {},
        )
        if first_signed is not None
        else None
    )
    return {
        "trend": trend,
        "trend_from": first_signed,
        **header_context(evaluation, "Discharge report" if discharge else "Progress report"),
        "discharge": discharge,
        "visits": visits,
        "notes": notes,
        "first_visit": visits[0] if visits else evaluation,
        "intake": basis.intake,
        "measures": measures,
        "distal": distal,
        "at_visit": _status_rows(data),
        "after_discharge": [
            {
                "label": packets.point_label(p.purpose, p.submitted_on, discharged_on),
                "on": p.submitted_on,
                "values": _packet_values(p),
                "grc": packets.grc_text(packets.grc_of(p.scores)),
            }
            for p in answered
            if p.submitted_on > evaluation.visit_date
        ],
        "has_drafts": any(v.status != Evaluation.Status.SIGNED for v in visits),
        "goals": goals,
        "goals_from": reviewed_from,
        "classification": now,
        "previous": previous,
        "classification_changed": bool(before and now and _choice(before) != _choice(now)),
        "previous_classification": before,
        "plan": plan_words.document(content.get("plan")),
        "changes": _plan_changes(
            records.read_content(previous.content).get("plan") if previous else None,
            content.get("plan"),
        ),
        "subjective": (content.get("outcomes") or {}).get("notes", ""),
        "notices": licence_notices(
            startback=None,
            odi_shown=odi_shown,
            packs=instrument_packs() if odi_shown else None,
        ),
    }
