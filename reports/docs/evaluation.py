"""The evaluation and plan of care (initial, re-evaluation or discharge) for the referring
physician.

Context builders only. The findings are the ones stored on the record when it was saved
(`evaluations.findings`, frozen with the signature), the words from
`evaluations.vocabulary.label`, the plan of care from reports.docs.plan. Loading, the version,
the classification and the licence notices are shared with the progress report
(reports.docs.progress), which covers the visits up to this one.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.db.models import Prefetch

from evaluations import (
    classification,
    mdt,
    neuro,
    neurodynamic,
    records,
    services,
    vocabulary,
    wording,
)
from evaluations import findings as findings_mod
from evaluations import progress as progress_mod
from evaluations.models import Addendum, Evaluation
from evaluations.records import NEURO
from evaluations.sections import SECTION_TITLES
from intake import questionnaires, triage
from intake.models import IntakeAmendment, RedFlagAlert
from intake.scoring import nprs
from intake.services import instrument_packs
from intake.summary import summary_context
from reports.docs.common import (
    change_text,
    code_label,
    digest,
    header_context,
    mcid_amount,
    mcid_source,
    person_name,
    printed,
)
from reports.docs.plan import plan_context

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
PREFERENCE_WORDS = {**mdt.DIRECTION_WORDS, mdt.NO_PREFERENCE: "none shown", mdt.UNCLEAR: "unclear"}
ROLE_WORDS = {mdt.Role.FAVOURS: "favours", mdt.Role.AGAINST: "against"}
SIDE_WORDS = {"L": "Left", "R": "Right"}
HOFFMANN: dict[bool | None, str] = {True: "Positive", False: "Negative"}
CATEGORY_WORDS: dict[str, str] = dict(classification.CATEGORY_LABELS.items())
ADDENDUM_SECTIONS = dict(services.ADDENDUM_SECTIONS)


# --- Loading and versions ----------------------------------------------------------------------


def _with_everything():
    # The intake's own patient too: the intake summary reads it.
    return Evaluation.objects.select_related(
        "patient", "therapist", "signed_by", "intake__patient"
    ).prefetch_related(
        Prefetch("addenda", queryset=Addendum.objects.select_related("by")),
        Prefetch("alerts", queryset=RedFlagAlert.objects.select_related("acknowledged_by")),
        Prefetch("intake__amendments", queryset=IntakeAmendment.objects.select_related("by")),
        Prefetch("intake__alerts", queryset=RedFlagAlert.objects.select_related("acknowledged_by")),
    )


def load_evaluation(public_id: UUID) -> Evaluation:
    """The evaluation with everything both documents read: five queries with an intake,
    three without. Raises Evaluation.DoesNotExist."""
    return _with_everything().get(public_id=public_id)


def evaluation_version(evaluation: Evaluation) -> str:
    """Changes whenever the evaluation document would: the record (status, signed hash or
    last save), its addenda, the intake's corrections and alerts it prints, the patient's
    header details. No queries when loaded with `load_evaluation`."""
    addenda = list(evaluation.addenda.all())
    alerts = list(evaluation.alerts.all())
    parts: list[object] = [
        evaluation.status,
        evaluation.content_hash or evaluation.updated_at.isoformat(),
        len(addenda),
        addenda[-1].pk if addenda else 0,
        evaluation.patient.updated_at.isoformat(),
        *((a.pk, a.acknowledged_at) for a in alerts),
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
        "movements": _movements(content.get("movements"), found.get("movements")),
        "neurodynamic": _neurodynamic(content.get("neurodynamic"), found.get("neurodynamic")),
        "neuro": _neuro(content.get("neuro"), found.get("neuro")),
        "classification": classification_context(
            content.get("classification"), found.get("classification")
        ),
        "plan": plan_context(content.get("plan")),
        "addenda": _addenda(evaluation),
        "errors": [
            f"{SECTION_TITLES.get(k, k)}: {v}" for k, v in (found.get("errors") or {}).items()
        ],
        "notices": licence_notices(
            startback=outcomes["startback"], odi_shown=outcomes["odi_shown"], packs=packs
        ),
    }


def _plain(texts) -> list[str]:
    return [printed(t) for t in texts or ()]


def _alerts(alerts) -> list[dict]:
    return [
        {**a, "text": printed(a.get("text", "")), "basis": printed(a.get("basis", ""))}
        for a in alerts or ()
    ]


def _sentence(text: str) -> str:
    """The text as one sentence: stored summaries and notes sometimes end with a full stop
    and sometimes not, and the template must not print "referral.." after them."""
    text = (text or "").strip()
    return text if not text or text[-1] in ".!?" else text + "."


def _alert(alert: RedFlagAlert) -> dict:
    return {
        "raised_at": alert.raised_at,
        "source": "neuro exam" if alert.evaluation_id else "intake",
        "summary": _sentence(alert.summary),
        "acknowledged_at": alert.acknowledged_at,
        "acknowledged_by": person_name(alert.acknowledged_by),
        "outcome": alert.get_outcome_display() if alert.outcome else "",
        "referral": alert.outcome in RedFlagAlert.REFERRAL_NEEDED,
        "note": _sentence(alert.action_note),
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
        "exam_alerts": _alerts(found.get("alerts")),
        "exam_alert": _alert(own) if own else None,
    }


def _outcomes(evaluation: Evaluation, basis: services.IntakeBasis, scores: dict) -> dict:
    """This visit's scores with their bands, the intake baseline and what the change means
    against the MCID (`progress.measure_progress` over the intake and this visit)."""
    found = (evaluation.findings or {}).get("outcomes") or {}
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
            {**a, "intake": intake_psfs.get(a.get("id"))} for a in psfs.get("activities") or ()
        ],
        "distal_site": code_label(found.get("distal_site")),
        "startback": scores.get("startback"),
        "odi_shown": any(r["code"] == "odi" for r in rows),
        "nprs_bands": printed(nprs.DEFAULT_BAND_SCHEME.source),
        "sources": list(dict.fromkeys(r["source"] for r in rows)),
    }


def _movement_label(code: str) -> str:
    try:
        return mdt.MOVEMENT_LABELS[mdt.MovementCode(code)]
    except ValueError:
        return code


def _movements(section: dict | None, result: dict | None) -> dict | None:
    if not result:
        return None
    rows = list((section or {}).get("rows") or ())
    tests = []
    for test in result.get("tests") or ():
        # The stored row this result came from, for what the summary leaves out.
        row: dict[str, Any] = next(
            (r for r in rows if (r.get("custom_label") or r.get("movement_code")) == test["label"]),
            {},
        )
        if row:
            rows.remove(row)
        measure = ""
        if row.get("measure_name") and row.get("measure_value") is not None:
            value = progress_mod.format_number(row["measure_value"], 2)
            measure = f"{row['measure_name']}: {value} {row.get('measure_unit', '')}".strip()
        tests.append(
            {
                "summary": printed(test["summary"]),
                "loading": code_label(test.get("loading")),
                "force": code_label(test.get("force_progression")),
                "pain_before": row.get("pre_nprs"),
                "role": ROLE_WORDS.get(test.get("role"), ""),
                "measure": measure,
            }
        )
    preference = result.get("directional_preference") or mdt.NO_PREFERENCE
    return {
        "tests": tests,
        "preference": PREFERENCE_WORDS.get(preference, preference.lower()),
        "has_preference": preference not in (mdt.NO_PREFERENCE, mdt.UNCLEAR),
        "centralised": [_movement_label(c) for c in result.get("centralised_tests") or ()],
        "abolished": [_movement_label(c) for c in result.get("abolished_tests") or ()],
        "peripheralised": [_movement_label(c) for c in result.get("peripheralised_tests") or ()],
        "centralisation_seen": result.get("centralisation_seen"),
        "summary": printed(result.get("summary", "")),
        "algorithm_version": result.get("algorithm_version", ""),
    }


def _neurodynamic(section: dict | None, result: dict | None) -> dict | None:
    rows = (section or {}).get("rows") or ()
    if not rows:
        return None
    found = (result or {}).get("findings") or []
    tests = []
    for i, row in enumerate(rows):
        suggestion = found[i].get("suggestion", "") if i < len(found) else ""
        code = row.get("code", "")
        manoeuvres = ", ".join(code_label(m).lower() for m in row.get("sd_manoeuvres") or ())
        changed = row.get("sd_changed_symptoms") or neurodynamic.Change.NOT_DONE
        tests.append(
            {
                "name": row.get("custom_label")
                or neurodynamic.TEST_LABELS.get(code, code_label(code)),
                "side": SIDE_WORDS.get(row.get("side"), ""),
                "angle": row.get("onset_angle_deg"),
                "measure": neurodynamic.ANGLE_MEASURE.get(code, ""),
                "measured_by": code_label(row.get("measured_by")),
                "reproduced": code_label(row.get("symptoms_reproduced")),
                "location": wording.region_text(row.get("symptom_location") or ""),
                "below_knee": {True: "yes", False: "no"}.get(row.get("below_knee"), ""),
                "differentiation": f"{manoeuvres}: {code_label(changed).lower()}"
                if manoeuvres
                else "",
                "interpretation": code_label(row.get("interpretation")),
                "suggestion": code_label(suggestion),
            }
        )
    comparisons = [
        {
            **c,
            "name": neurodynamic.TEST_LABELS.get(c["code"], c["label"]),
            "threshold_source": printed(c["threshold"]["source"]),
        }
        for c in (result or {}).get("angle_comparisons") or ()
    ]
    return {
        "tests": tests,
        "comparisons": comparisons,
        "summary": printed((result or {}).get("summary", "")),
        "algorithm_version": (result or {}).get("algorithm_version", ""),
    }


def _neuro(section: dict | None, result: dict | None) -> dict | None:
    """The exam as compact left/right grids (only rows with something recorded), with the
    rows the findings call asymmetric marked, and normal rows listed by name."""
    s = section or {}
    if not s and not result:
        return None
    differs = {a.get("code", "") for a in (result or {}).get("asymmetries") or ()}
    sides = ("L", "R")

    def grade(movement: str, side: str) -> str:
        value = s.get(NEURO.myotome(movement, side))
        if value in ("", None):
            return ""
        return f"{value} (pain)" if s.get(NEURO.myotome_pain(movement, side)) else str(value)

    myotomes: list[dict[str, Any]] = []
    for movement in findings_mod.MYOTOME_MOVEMENTS:
        cells = [grade(movement, side) for side in sides]
        if any(cells):
            info = neuro.MOVEMENTS[movement]
            myotomes.append(
                {
                    "label": info.label,
                    "muscle": info.muscle,
                    "roots": "/".join(info.roots),
                    "cells": cells,
                    "differs": movement in differs,
                }
            )
    dermatomes: list[dict[str, Any]] = []
    for root in findings_mod.DERMATOME_ROOTS:
        modalities = findings_mod.DERMATOME_MODALITIES
        pairs = [
            tuple(code_label(s.get(NEURO.dermatome(root, m, side))) for side in sides)
            for m in modalities
        ]
        if any(any(pair) for pair in pairs):
            dermatomes.append(
                {
                    "root": root,
                    "area": neuro.DERMATOME_AREAS[root],
                    "cells": pairs,
                    "differs": any(f"{root} {m}" in differs for m in modalities),
                }
            )
    reflexes = []
    for reflex in findings_mod.REFLEXES:
        cells = []
        for side in sides:
            value = s.get(NEURO.reflex(reflex, side)) or ""
            text = vocabulary.REFLEX_GRADE_LABELS.get(value, value)
            if value and s.get(NEURO.reflex_reinforced(reflex, side)):
                text += ", reinforced"
            cells.append(text)
        if any(cells):
            reflexes.append(
                {"label": neuro.REFLEX_LABELS[reflex], "cells": cells, "differs": reflex in differs}
            )

    def clonus(side: str) -> str:
        beats = s.get(NEURO.clonus(side))
        text = "" if beats in ("", None) else str(beats)
        if s.get(NEURO.clonus_sustained(side)):
            text = f"{text}, sustained" if text else "Sustained"
        return text

    umn = []
    for text, cell in (
        ("Babinski (plantar response)", lambda side: code_label(s.get(NEURO.babinski(side)))),
        ("Ankle clonus (beats)", clonus),
        ("Hoffmann sign", lambda side: HOFFMANN.get(s.get(NEURO.hoffmann(side)), "")),
        ("Weakness getting worse", lambda side: "Yes" if s.get(NEURO.progressive(side)) else ""),
    ):
        cells = [cell(side) for side in sides]
        if any(cells):
            umn.append({"label": text, "cells": cells})
    other = [
        ("Saddle sensation (S3-S5)", code_label(s.get(NEURO.saddle))),
        ("Spasticity", "Noted" if s.get(NEURO.spasticity) else ""),
        ("Gait ataxia", "Noted" if s.get(NEURO.gait_ataxia) else ""),
    ]
    # Rows with a finding other than normal on both sides are printed in full; the normal
    # ones are listed by name after them, so the abnormal findings stand out.
    full = ["5", "5"]
    normal = ["Normal", "Normal"]
    r = result or {}
    return {
        "myotomes": [m for m in myotomes if m["cells"] != full],
        "myotomes_normal": [
            f"{m['label'].lower()} ({m['roots']})" for m in myotomes if m["cells"] == full
        ],
        "dermatomes": [d for d in dermatomes if any(list(c) != normal for c in d["cells"])],
        "dermatomes_normal": [
            d["root"] for d in dermatomes if all(list(c) == normal for c in d["cells"])
        ],
        "signs": [*reflexes, *umn, *({"label": k, "value": v} for k, v in other if v)],
        "notes": s.get("notes", ""),
        "levels": [
            {
                "side": code_label(level.get("side")).lower(),
                "roots": "/".join(level.get("roots") or ()),
                "confidence": level.get("confidence_text", ""),
            }
            for level in r.get("suggested_levels") or ()
        ],
        "alerts": _alerts(r.get("alerts")),
        "to_recheck": r.get("to_recheck") or [],
        "summary": printed(r.get("summary", "")),
        "algorithm_version": r.get("algorithm_version", ""),
    }


def _category(code: str | None) -> str:
    if not code:
        return ""
    text = CATEGORY_WORDS.get(code, code_label(code))
    return text[:1].upper() + text[1:]


def classification_context(chosen: dict | None, suggestion: dict | None) -> dict | None:
    """The classification chosen beside the one suggested, or None when neither is
    recorded. The progress report prints it too, for this visit and the previous one."""
    if not chosen and not suggestion:
        return None
    chosen, suggestion = chosen or {}, suggestion or {}
    picked = (
        chosen.get("category"),
        chosen.get("side"),
        list(chosen.get("suspected_levels") or ()),
    )
    suggested = (
        suggestion.get("category"),
        suggestion.get("side"),
        list(suggestion.get("suspected_levels") or ()),
    )
    return {
        "category": _category(chosen.get("category")),
        "side": code_label(chosen.get("side")),
        "levels": ", ".join(chosen.get("suspected_levels") or ()),
        "neuropathic": code_label(chosen.get("neuropathic_grade")),
        "nociplastic": code_label(chosen.get("nociplastic_grade")),
        "rationale": chosen.get("rationale", ""),
        "suggestion": printed(suggestion.get("summary", "")),
        "matches": bool(suggestion) and picked == suggested,
        "evidence_for": _plain(suggestion.get("evidence_for")),
        "evidence_against": _plain(suggestion.get("evidence_against")),
        "neuropathic_reasoning": _plain(suggestion.get("neuropathic_reasoning")),
        "safety_notes": _plain(suggestion.get("safety_notes")),
        "algorithm_version": suggestion.get("algorithm_version", ""),
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
