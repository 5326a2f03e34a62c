"""The evaluation and plan of care (initial, re-evaluation or discharge) for the referring
physician.

Context builders only. The findings are the ones stored on the record when it was saved
(`evaluations.findings`, frozen with the signature), the words from
`evaluations.vocabulary.label`; each section's block from its presenter
(`evaluations.presenters`, the same module the page's findings box uses). Loading, the version
and the licence notices are shared with the progress report
(reports.docs.progress), which covers the visits up to this one.
"""

from __future__ import annotations

from uuid import UUID

from django.db.models import Prefetch

from evaluations import progress as progress_mod
from evaluations import records, services
from evaluations.models import Addendum, Evaluation
from evaluations.presenters.common import code_label, printed
from evaluations.presenters.neuro import alerts_printed
from evaluations.presenters.outcomes import document as reported_document
from evaluations.sections import SECTION_TITLES, documented
from intake import questionnaires, triage
from intake.models import IntakeAmendment, RedFlagAlert
from intake.scoring import nprs
from intake.services import instrument_packs
from intake.summary import summary_context
from reports.docs.common import (
    change_text,
    digest,
    header_context,
    mcid_amount,
    mcid_source,
    person_name,
)

# Tables keyed by an enum, looked up with the stored code (a str equal to its member).
TITLES: dict[str, str] = {
    Evaluation.Kind.INITIAL: "Initial evaluation and plan of care",
    Evaluation.Kind.REEVALUATION: "Re-evaluation",
    Evaluation.Kind.DISCHARGE: "Discharge evaluation",
}
# Shown when the ODI is printed and the clinic's pack carries no statement of its own.
ODI_NOTICE = questionnaires.ODI_NOTICE
TRIAGE_LEVELS = {
    "NONE": "No red flag found",
    "MONITOR": "Monitor",
    "URGENT": "Urgent",
    "EMERGENCY": "Emergency",
}
ADDENDUM_SECTIONS = dict(services.ADDENDUM_SECTIONS)


# --- Loading and versions ----------------------------------------------------------------------


def _with_everything():
    # The intake's own patient too: the intake summary reads it. The episode and its
    # referrer: the plan of care's certification block.
    return Evaluation.objects.select_related(
        "patient", "therapist", "signed_by", "intake__patient", "episode__referrer"
    ).prefetch_related(
        Prefetch("addenda", queryset=Addendum.objects.select_related("by")),
        Prefetch("alerts", queryset=RedFlagAlert.objects.select_related("acknowledged_by")),
        Prefetch("intake__amendments", queryset=IntakeAmendment.objects.select_related("by")),
        Prefetch("intake__alerts", queryset=RedFlagAlert.objects.select_related("acknowledged_by")),
    )


def load_evaluation(public_id: UUID) -> Evaluation:
    """The evaluation with everything both documents read: five queries with an intake,
    three without (the episode and its referrer come joined to the evaluation). Raises
    Evaluation.DoesNotExist."""
    return _with_everything().get(public_id=public_id)


def evaluation_version(evaluation: Evaluation) -> str:
    """Changes whenever the evaluation document would: the record (status, signed hash or
    last save), its addenda, the intake's corrections and alerts it prints, the patient's
    header details, the episode's certification and referrer. No queries when loaded with
    `load_evaluation`."""
    addenda = list(evaluation.addenda.all())
    alerts = list(evaluation.alerts.all())
    referrer = evaluation.episode.referrer
    parts: list[object] = [
        evaluation.status,
        evaluation.content_hash or evaluation.updated_at.isoformat(),
        len(addenda),
        addenda[-1].pk if addenda else 0,
        evaluation.patient.updated_at.isoformat(),
        *((a.pk, a.acknowledged_at) for a in alerts),
        evaluation.episode.updated_at.isoformat(),
        referrer.updated_at.isoformat() if referrer else "",
    ]
    if evaluation.intake is not None:
        amendments = list(evaluation.intake.amendments.all())
        parts += [len(amendments), amendments[-1].pk if amendments else 0]
        parts += [(a.pk, a.acknowledged_at) for a in evaluation.intake.alerts.all()]
    return f"{evaluation.status}-{digest(parts)}"


def evaluation_unavailable(evaluation: Evaluation) -> str:
    if not evaluation.content:
        return "Nothing has been recorded in this evaluation yet."
    return ""


# --- Notices -------------------------------------------------------------------------------------


def licence_notices(*, startback: dict | None, odi_shown: bool, packs: dict | None) -> list[str]:
    """The questionnaires' licence and copyright statements a document must print: STarT
    Back's when its result is shown, the ODI's when the ODI is printed (the clinic's pack's
    own statement, else ODI_NOTICE). `packs` are the clinic's instrument packs
    (intake.services.instrument_packs). The evaluation and the progress report both print
    them."""
    keys = (["startback"] if startback else []) + (["odi"] if odi_shown else [])
    return questionnaires.notices(
        keys, scores={"startback": startback} if startback else {}, packs=packs
    )


# --- The evaluation document ----------------------------------------------------------------------


def evaluation_context(evaluation: Evaluation, clinic) -> dict:
    """Everything templates/reports/pdf/evaluation.html prints. One query (the clinic's
    instrument packs) beyond `load_evaluation`."""
    packs = instrument_packs()
    summary = None
    if evaluation.intake is not None:
        summary = summary_context(evaluation.intake, packs=packs, clinic=clinic)
    basis = services.intake_basis(evaluation, answers=summary["answers"] if summary else None)
    results = summary["results"] if summary else {}
    content, found = records.read_content(evaluation.content), evaluation.findings or {}
    scores = results.get("scores") or {}
    outcomes = _outcomes(evaluation, basis, scores)
    return {
        **header_context(evaluation, TITLES.get(evaluation.kind, "Evaluation")),
        "intake": basis.intake,
        "red_flags": _red_flags(results, summary, evaluation, found.get("neuro")),
        "subjective": (content.get("outcomes") or {}).get("notes", ""),
        "outcomes": outcomes,
        # movements, neurodynamic, neuro, classification and plan, in the page's words.
        **documented(content, found),
        "addenda": _addenda(evaluation),
        "certification": certification(evaluation.episode)
        if evaluation.kind != Evaluation.Kind.DISCHARGE
        else None,
        "errors": [
            f"{SECTION_TITLES.get(k, k)}: {v}" for k, v in (found.get("errors") or {}).items()
        ],
        "notices": licence_notices(
            startback=outcomes["startback"], odi_shown=outcomes["odi_shown"], packs=packs
        ),
    }


def certification(episode) -> dict:
    """The plan of care's certification by the referring clinician: the period, the
    recertification date, when the plan was sent and came back signed, and who signs."""
    referrer = episode.referrer
    return {
        "start": episode.certification_start,
        "end": episode.certification_end,
        "recertification_due": episode.recertification_due,
        "sent_on": episode.plan_sent_on,
        "signed_on": episode.plan_signed_on,
        "referrer": {
            "name": referrer.name,
            "profession": referrer.profession,
            "organisation": referrer.organisation,
        }
        if referrer is not None
        else None,
    }


def _sentence(text: str) -> str:
    """The text as one sentence: stored summaries and notes sometimes end with a full stop
    and sometimes not, and the template must not print "referral.." after them."""
    text = (text or "").strip()
    return text if not text or text[-1] in ".!?" else text + "."


def _alert(alert: RedFlagAlert) -> dict:
    return {
        "raised_at": alert.raised_at,
        # The alert list is prefetched from its intake, so reading it costs no query.
        "source": alert.get_source_display().lower(),
        "summary": _sentence(alert.summary),
        "acknowledged_at": alert.acknowledged_at,
        "acknowledged_by": person_name(alert.acknowledged_by),
        "outcome": alert.get_outcome_display() if alert.outcome else "",
        "referral": alert.outcome in RedFlagAlert.REFERRAL_NEEDED,
        "note": _sentence(alert.action_note),
        "material": (
            f"{alert.safety_net_material_label} (version {alert.safety_net_version})"
            if alert.safety_net_material_label
            else ""
        ),
    }


def _red_flags(results: dict, summary: dict | None, evaluation: Evaluation, neuro_found) -> dict:
    """The intake's screen, and every alert once: an alert the neuro exam raised belongs to
    the evaluation and to its intake, so both lists hold it. The exam's own alert (raised
    for the findings printed) is printed with those findings, not again as an alert."""
    result = results.get("triage") or {}
    items = triage.default_ruleset().items
    found = neuro_found or {}
    raised = sorted(found.get("alert_items") or ())
    alerts: dict[int, RedFlagAlert] = {}
    own: RedFlagAlert | None = None
    for alert in [*(summary["alerts"] if summary else ()), *evaluation.alerts.all()]:
        if alert.evaluation_id == evaluation.pk and raised and sorted(alert.items) == raised:
            own = own or alert
            continue
        alerts.setdefault(alert.pk, alert)
    return {
        "screened": bool(result.get("level")),
        "on": evaluation.intake.submitted_at if evaluation.intake else None,
        "level": result.get("level", ""),
        "outcome": TRIAGE_LEVELS.get(result.get("level", ""), result.get("level", "")),
        "hits": [
            {
                "level": TRIAGE_LEVELS.get(hit["level"], hit["level"]),
                "action": _sentence(hit["action"]),
                "items": [items.get(i, i) for i in hit.get("items") or ()],
            }
            for hit in result.get("hits") or ()
        ],
        "present": [items.get(i, i) for i in result.get("present") or ()],
        "ruleset": f"{result.get('ruleset_version', '')}: {result.get('ruleset_status', '')}"
        if result.get("ruleset_version")
        else "",
        "alerts": [_alert(a) for a in sorted(alerts.values(), key=lambda a: a.raised_at)],
        "exam_alerts": alerts_printed(found.get("alerts")),
        "exam_alert": _alert(own) if own else None,
    }


def _outcomes(evaluation: Evaluation, basis: services.IntakeBasis, scores: dict) -> dict:
    """This visit's scores with their bands, the intake baseline and what the change means
    against the MCID (`progress.measure_progress` over the intake and this visit)."""
    found = (evaluation.findings or {}).get("outcomes") or {}
    # What the patient reported in the packet that pre-filled the section, if one did.
    reported = reported_document(
        records.read("outcomes", evaluation.content.get("outcomes")), found
    )
    notes = (reported or {}).get("measures") or {}
    measures = progress_mod.from_records(basis.intake, basis.answers, [evaluation]).measures
    rows = []
    for m in measures:
        now = next((p for p in m.points if p.source == "evaluation"), None)
        if now is None:
            continue
        baseline = next((p for p in m.points if p.source == "intake"), None)
        if m.code in ("back_pain", "leg_pain"):
            band = nprs.DEFAULT_BAND_SCHEME.band_for(int(now.value)).label
        elif m.code == "odi":
            band = ((found.get("odi") or {}).get("band") or {}).get("label", "")
        else:
            band = ""
        rows.append(
            {
                "code": m.code,
                "title": m.title,
                "value": progress_mod.format_value(now.value, m.unit),
                "band": band,
                "baseline": baseline,
                "baseline_value": progress_mod.format_value(baseline.value, m.unit)
                if baseline
                else "",
                "change": change_text(m) if baseline else "",
                "mcid": f"{mcid_amount(m.mcid)} ({progress_mod.short_citation(m.mcid.source)})",
                "source": mcid_source(m.mcid),
                "reported": notes.get(m.code, ""),
            }
        )
    psfs = found.get("psfs") or {}
    intake_psfs = {
        a.get("id"): a.get("score")
        for a in (basis.answers.get("psfs") or {}).get("activities") or ()
    }
    return {
        "rows": rows,
        "psfs_activities": [
            {
                **a,
                "intake": intake_psfs.get(a.get("id")),
                "reported": ((reported or {}).get("activities") or {}).get(a.get("id"), ""),
            }
            for a in psfs.get("activities") or ()
        ],
        "reported": reported,
        "distal_site": code_label(found.get("distal_site")),
        "startback": scores.get("startback"),
        "odi_shown": any(r["code"] == "odi" for r in rows),
        "nprs_bands": printed(nprs.DEFAULT_BAND_SCHEME.source),
        "sources": list(dict.fromkeys(r["source"] for r in rows)),
    }


def _addenda(evaluation: Evaluation) -> list[dict]:
    return [
        {
            "at": a.at,
            "by": person_name(a.by),
            "about": ADDENDUM_SECTIONS.get(a.section, a.section) or "The whole evaluation",
            "reason": a.reason,
            "text": a.text,
        }
        for a in evaluation.addenda.all()
    ]
