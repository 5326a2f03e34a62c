"""The evaluation documents: the evaluation and plan of care (initial, re-evaluation or
discharge) for the referring physician, and the progress (or discharge) report over the
patient's visits up to one evaluation.

Context builders only. The findings are the ones stored on the record when it was saved
(`evaluations.findings`, frozen with the signature), progress comes from
`evaluations.progress`, the charts from `evaluations.charts`, the words from
`evaluations.forms.label` and the plan catalog. The one judgement made here is reading a
goal's target number against the latest score (`goal_status`), and the PDF says so.
"""

from __future__ import annotations

import hashlib
import re
from datetime import date
from uuid import UUID

from django.db.models import Count, Max, Prefetch, Q

from core.sources import for_clinicians
from evaluations import classification, mdt, neuro, neurodynamic, plan_catalog, services
from evaluations import findings as findings_mod
from evaluations import forms as eval_forms
from evaluations import progress as progress_mod
from evaluations.charts import distal_chart_svg, measure_chart_svg
from evaluations.models import Addendum, Evaluation
from intake import triage
from intake.instruments import ODI
from intake.models import IntakeAmendment, RedFlagAlert
from intake.scoring import nprs
from intake.scoring.startback import KEELE_COPYRIGHT_STATEMENT
from intake.services import instrument_packs
from intake.summary import summary_context
from reports.docs.formatting import dates_in_words

TITLES = {
    Evaluation.Kind.INITIAL: "Initial evaluation and plan of care",
    Evaluation.Kind.REEVALUATION: "Re-evaluation",
    Evaluation.Kind.DISCHARGE: "Discharge evaluation",
}
# Shown when the ODI is printed and the clinic's pack carries no statement of its own.
ODI_NOTICE = (
    "Oswestry Disability Index (ODI) v2.1a © Jeremy Fairbank 1980, all rights reserved; "
    "distributed by Mapi Research Trust. Used under the clinic's licence."
)
CPG_CITATION = (
    "George SZ, Fritz JM, Silfies SP, et al. Interventions for the management of acute and "
    "chronic low back pain: revision 2021. J Orthop Sports Phys Ther 2021;51(11):CPG1-CPG60."
)
TRIAGE_LEVELS = {
    "NONE": "No red flag found",
    "MONITOR": "Monitor",
    "URGENT": "Urgent",
    "EMERGENCY": "Emergency",
}
PREFERENCE_WORDS = {**mdt.DIRECTION_WORDS, mdt.NO_PREFERENCE: "none shown", mdt.UNCLEAR: "unclear"}
ROLE_WORDS = {mdt.Role.FAVOURS: "favours", mdt.Role.AGAINST: "against"}
SIDE_WORDS = {"L": "Left", "R": "Right"}
HOFFMANN = {True: "Positive", False: "Negative"}
GOAL_MEASURES = dict(eval_forms.GOAL_MEASURES)
REFERRAL_TO = dict(eval_forms.REFERRAL_TO)
ADDENDUM_SECTIONS = dict(services.ADDENDUM_SECTIONS)
OUTCOME_KEYS = ("back_now", "leg_now", "odi", "psfs", "distal_site")


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


def _up_to(evaluation: Evaluation):
    """The patient's visits up to and including this one, in `for_progress` order."""
    return Evaluation.objects.for_progress(evaluation.patient).filter(
        Q(visit_date__lt=evaluation.visit_date)
        | Q(visit_date=evaluation.visit_date, created_at__lte=evaluation.created_at)
    )


def _digest(parts: list[object]) -> str:
    return hashlib.sha256("|".join(str(p) for p in parts).encode()).hexdigest()[:24]


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
    return f"{evaluation.status}-{_digest(parts)}"


def progress_version(evaluation: Evaluation) -> str:
    """The evaluation's version and the latest state of every visit up to it (one query):
    a visit added, saved or signed changes the report."""
    visits = _up_to(evaluation).aggregate(
        n=Count("pk"), saved=Max("updated_at"), signed=Count("signed_at"), last=Max("signed_at")
    )
    return f"{evaluation_version(evaluation)}-{_digest(list(visits.values()))}"


def evaluation_unavailable(evaluation: Evaluation) -> str:
    if not evaluation.content:
        return "Nothing has been recorded in this evaluation yet."
    return ""


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


# --- Small helpers --------------------------------------------------------------------------------


def _name(user) -> str:
    return (user.get_full_name() or user.username) if user is not None else ""


def _date(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


def _label(code: str | None) -> str:
    return eval_forms.label(code) if code else ""


def _printed(source: str) -> str:
    """A derived text as printed: as clinicians read it (core.sources), without the
    spec's reference ids, verification marks or notes about how far a citation was
    checked, including in texts stored before they were left out."""
    return for_clinicians(source)


def _plain(texts) -> list[str]:
    return [_printed(t) for t in texts or ()]


def _alerts(alerts) -> list[dict]:
    return [
        {**a, "text": _printed(a.get("text", "")), "basis": _printed(a.get("basis", ""))}
        for a in alerts or ()
    ]


def _mcid_amount(threshold) -> str:
    """'2 points or a 30% improvement'."""
    text = progress_mod.format_number(threshold.points)
    text += " point" if text == "1" else " points"
    if threshold.relative_percent is not None:
        text += f" or a {progress_mod.format_number(threshold.relative_percent)}% improvement"
    return text


def _source(threshold) -> str:
    # How far a source was checked is provenance for the code and docs, not for the reader
    # (tests/test_clinical_text.py).
    return _printed(threshold.source)


def mcid_text(threshold) -> str:
    """'2 points or a 30% improvement (Ostelo RWJG et al. Spine 2008;33(1):90-94)'."""
    return f"{_mcid_amount(threshold)} ({_source(threshold)})"


def verdict(m: progress_mod.MeasureProgress) -> str:
    """What the change from the baseline means against the MCID, in a few words."""
    if m.important is None:
        return "one measurement so far"
    if m.important:
        return "important improvement"
    if m.worsened_importantly:
        return "important worsening"
    return "no change" if m.change == 0 else "not an important change"


def change_text(m: progress_mod.MeasureProgress) -> str:
    """'-4 points: important improvement'."""
    if not m.change:
        return verdict(m)
    sign = "+" if m.change > 0 else "\u2212"
    amount = progress_mod.format_number(abs(m.change))
    return f"{sign}{amount} {'point' if amount == '1' else 'points'}: {verdict(m)}"


def _common(evaluation: Evaluation, title: str) -> dict:
    """The base template's keys, and who wrote and signed the record."""
    signed = evaluation.is_signed and evaluation.signed_by is not None
    return {
        "title": title,
        "patient": evaluation.patient,
        "draft": not evaluation.is_signed,
        "signature": {
            "by": _name(evaluation.signed_by),
            "at": evaluation.signed_at,
            "label": "Signed",
        }
        if signed
        else None,
        "evaluation": evaluation,
        "therapist": _name(evaluation.therapist),
        "licence_number": (evaluation.signed_by or evaluation.therapist).licence_number,
    }


def _notices(*, startback: dict | None, odi_shown: bool, packs: dict | None) -> list[str]:
    notices = []
    if startback:
        notices.append(startback.get("copyright_statement") or KEELE_COPYRIGHT_STATEMENT)
    if odi_shown:
        pack = (packs or {}).get(ODI)
        notices.append((pack.copyright if pack else "") or ODI_NOTICE)
    return list(dict.fromkeys(n for n in notices if n))


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
    content, found = evaluation.content or {}, evaluation.findings or {}
    scores = results.get("scores") or {}
    outcomes = _outcomes(evaluation, basis, scores)
    return {
        **_common(evaluation, TITLES.get(evaluation.kind, "Evaluation")),
        "intake": basis.intake,
        "red_flags": _red_flags(results, summary, evaluation, found.get("neuro")),
        "subjective": (content.get("outcomes") or {}).get("notes", ""),
        "outcomes": outcomes,
        "movements": _movements(content.get("movements"), found.get("movements")),
        "neurodynamic": _neurodynamic(content.get("neurodynamic"), found.get("neurodynamic")),
        "neuro": _neuro(content.get("neuro"), found.get("neuro")),
        "classification": _classification(
            content.get("classification"), found.get("classification")
        ),
        "plan": _plan(content.get("plan")),
        "addenda": _addenda(evaluation),
        "errors": [
            f"{eval_forms.SECTION_TITLES.get(k, k)}: {v}"
            for k, v in (found.get("errors") or {}).items()
        ],
        "notices": _notices(
            startback=outcomes["startback"], odi_shown=outcomes["odi_shown"], packs=packs
        ),
    }


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
        "acknowledged_by": _name(alert.acknowledged_by),
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
    alerts, own = {}, None
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
                "mcid": f"{_mcid_amount(m.mcid)} ({progress_mod.short_citation(m.mcid.source)})",
                "source": _source(m.mcid),
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
        "distal_site": _label(found.get("distal_site")),
        "startback": scores.get("startback"),
        "odi_shown": any(r["code"] == "odi" for r in rows),
        "nprs_bands": _printed(nprs.DEFAULT_BAND_SCHEME.source),
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
        row = next(
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
                "summary": _printed(test["summary"]),
                "loading": _label(test.get("loading")),
                "force": _label(test.get("force_progression")),
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
        "summary": _printed(result.get("summary", "")),
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
        manoeuvres = ", ".join(_label(m).lower() for m in row.get("sd_manoeuvres") or ())
        changed = row.get("sd_changed_symptoms") or neurodynamic.Change.NOT_DONE
        tests.append(
            {
                "name": row.get("custom_label") or neurodynamic.TEST_LABELS.get(code, _label(code)),
                "side": SIDE_WORDS.get(row.get("side"), ""),
                "angle": row.get("onset_angle_deg"),
                "measure": neurodynamic.ANGLE_MEASURE.get(code, ""),
                "measured_by": _label(row.get("measured_by")),
                "reproduced": _label(row.get("symptoms_reproduced")),
                "location": eval_forms.region_text(row.get("symptom_location") or ""),
                "below_knee": {True: "yes", False: "no"}.get(row.get("below_knee"), ""),
                "differentiation": f"{manoeuvres}: {_label(changed).lower()}" if manoeuvres else "",
                "interpretation": _label(row.get("interpretation")),
                "suggestion": _label(suggestion),
            }
        )
    comparisons = [
        {
            **c,
            "name": neurodynamic.TEST_LABELS.get(c["code"], c["label"]),
            "threshold_source": _printed(c["threshold"]["source"]),
        }
        for c in (result or {}).get("angle_comparisons") or ()
    ]
    return {
        "tests": tests,
        "comparisons": comparisons,
        "summary": _printed((result or {}).get("summary", "")),
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

    def grade(name: str) -> str:
        value = s.get(name)
        if value in ("", None):
            return ""
        return f"{value} (pain)" if s.get(f"{name}_pi") else str(value)

    myotomes = []
    for movement in findings_mod.MYOTOME_MOVEMENTS:
        cells = [grade(f"myo_{movement}_{side}") for side in sides]
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
    dermatomes = []
    for root in findings_mod.DERMATOME_ROOTS:
        modalities = findings_mod.DERMATOME_MODALITIES
        cells = [
            tuple(_label(s.get(f"derm_{root}_{m}_{side}")) for side in sides) for m in modalities
        ]
        if any(any(pair) for pair in cells):
            dermatomes.append(
                {
                    "root": root,
                    "area": neuro.DERMATOME_AREAS[root],
                    "cells": cells,
                    "differs": any(f"{root} {m}" in differs for m in modalities),
                }
            )
    reflexes = []
    for reflex in findings_mod.REFLEXES:
        cells = []
        for side in sides:
            value = s.get(f"reflex_{reflex}_{side}") or ""
            text = eval_forms.REFLEX_GRADE_LABELS.get(value, value)
            if value and s.get(f"reflex_{reflex}_{side}_reinforced"):
                text += ", reinforced"
            cells.append(text)
        if any(cells):
            reflexes.append(
                {"label": neuro.REFLEX_LABELS[reflex], "cells": cells, "differs": reflex in differs}
            )

    def clonus(side: str) -> str:
        beats = s.get(f"clonus_{side}")
        text = "" if beats in ("", None) else str(beats)
        if s.get(f"clonus_sustained_{side}"):
            text = f"{text}, sustained" if text else "Sustained"
        return text

    umn = []
    for text, cell in (
        ("Babinski (plantar response)", lambda side: _label(s.get(f"babinski_{side}"))),
        ("Ankle clonus (beats)", clonus),
        ("Hoffmann sign", lambda side: HOFFMANN.get(s.get(f"hoffmann_{side}"), "")),
        ("Weakness getting worse", lambda side: "Yes" if s.get(f"progressive_{side}") else ""),
    ):
        cells = [cell(side) for side in sides]
        if any(cells):
            umn.append({"label": text, "cells": cells})
    other = [
        ("Saddle sensation (S3-S5)", _label(s.get("saddle"))),
        ("Spasticity", "Noted" if s.get("spasticity") else ""),
        ("Gait ataxia", "Noted" if s.get("gait_ataxia") else ""),
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
                "side": _label(level.get("side")).lower(),
                "roots": "/".join(level.get("roots") or ()),
                "confidence": level.get("confidence_text", ""),
            }
            for level in r.get("suggested_levels") or ()
        ],
        "alerts": _alerts(r.get("alerts")),
        "to_recheck": r.get("to_recheck") or [],
        "summary": _printed(r.get("summary", "")),
        "algorithm_version": r.get("algorithm_version", ""),
    }


def _category(code: str | None) -> str:
    if not code:
        return ""
    text = classification.CATEGORY_LABELS.get(code, _label(code))
    return text[:1].upper() + text[1:]


def _classification(chosen: dict | None, suggestion: dict | None) -> dict | None:
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
        "side": _label(chosen.get("side")),
        "levels": ", ".join(chosen.get("suspected_levels") or ()),
        "neuropathic": _label(chosen.get("neuropathic_grade")),
        "nociplastic": _label(chosen.get("nociplastic_grade")),
        "rationale": chosen.get("rationale", ""),
        "suggestion": _printed(suggestion.get("summary", "")),
        "matches": bool(suggestion) and picked == suggested,
        "evidence_for": _plain(suggestion.get("evidence_for")),
        "evidence_against": _plain(suggestion.get("evidence_against")),
        "neuropathic_reasoning": _plain(suggestion.get("neuropathic_reasoning")),
        "safety_notes": _plain(suggestion.get("safety_notes")),
        "algorithm_version": suggestion.get("algorithm_version", ""),
    }


def _choice(summary: dict) -> tuple:
    return (summary["category"], summary["side"], summary["levels"])


def _cpg(link: plan_catalog.CpgLink | None) -> dict | None:
    if link is None:
        return None
    return {
        "category": link.category,
        "verb": link.verb,
        "grade": link.grade,
    }


def _plan_item(item: dict) -> dict:
    code = item.get("code", "")
    entry = plan_catalog.BY_CODE.get(code)
    return {
        "code": code,
        "text": dates_in_words(plan_catalog.describe_item(code, item.get("values") or {})),
        "cpg": _cpg(entry.cpg) if entry else None,
    }


def _plan(plan: dict | None) -> dict | None:
    if not plan:
        return None
    items = plan.get("items") or ()
    families = []
    for family, family_label in plan_catalog.FAMILIES:
        chosen = [
            _plan_item(i)
            for i in items
            if (entry := plan_catalog.BY_CODE.get(i.get("code"))) and entry.family == family
        ]
        if chosen:
            families.append({"label": family_label, "items": chosen})
    unknown = [_plan_item(i) for i in items if i.get("code") not in plan_catalog.BY_CODE]
    if unknown:
        families.append({"label": "Other", "items": unknown})
    return {
        "families": families,
        "frequency": plan.get("frequency_per_week"),
        "weeks": plan.get("weeks"),
        "goals": [
            {
                "measure": GOAL_MEASURES.get(g.get("measure"), _label(g.get("measure"))),
                "code": g.get("measure", ""),
                "target": g.get("target", ""),
                "by": _date(g.get("by")),
            }
            for g in plan.get("goals") or ()
        ],
        "hep": plan.get("hep", ""),
        "reeval_date": _date(plan.get("reeval_date")),
        "referral": referral(plan),
        "catalog_version": plan.get("catalog_version", ""),
        "catalog_status": plan_catalog.CATALOG_STATUS,
        "cpg_citation": CPG_CITATION,
    }


def referral(plan: dict) -> dict | None:
    """The plan's referral with its urgency in words ("Urgent: seen the same day"), or None.
    Shared with the patient handout."""
    if not plan.get("referral"):
        return None
    urgency = plan.get("referral_urgency") or ""
    return {
        "to": REFERRAL_TO.get(plan.get("referral_to"), _label(plan.get("referral_to"))),
        "urgency_code": urgency,
        "urgency": eval_forms.REFERRAL_URGENCY_LABELS.get(urgency, _label(urgency))
        or "Urgency not recorded",
        "reason": plan.get("referral_reason", ""),
    }


def _addenda(evaluation: Evaluation) -> list[dict]:
    return [
        {
            "at": a.at,
            "by": _name(a.by),
            "about": ADDENDUM_SECTIONS.get(a.section, a.section) or "The whole evaluation",
            "reason": a.reason,
            "text": a.text,
        }
        for a in evaluation.addenda.all()
    ]


# --- The progress or discharge report ------------------------------------------------------------

# Wide enough for the charts' own titles, narrow enough for A4 and Letter.
CHART_WIDTH, CHART_HEIGHT = 640, 180
# Reading a goal's target: the number after removing "/10"-style denominators, and which
# side of it counts as met (⚠ product-defined; the report says it is read from the wording).
_DENOMINATOR = re.compile(r"/\s*\d+(?:[.,]\d+)?")
_NUMBER = re.compile(r"\d+(?:[.,]\d+)?")
_AT_MOST = re.compile(r"or less|or lower|or below|at most|no more than|under|below|less than|≤|<")
_AT_LEAST = re.compile(r"or more|or higher|or above|at least|no less than|over|above|more than|≥|>")


def goal_status(goal: dict, measures: dict, *, on: date, final: bool = False) -> dict:
    """Whether a goal is met on the latest recorded score of its measure, on day `on`
    (`final`: at discharge, when a goal not met is not "not yet" met).

    Only goals on a scored measure (NPRS, ODI, PSFS) whose target holds exactly one number
    on the measure's scale are judged; "or less"/"or more" words decide the side, else the
    measure's better direction. Everything else is left to the therapist."""
    m = measures.get(goal.get("code"))
    numbers = _NUMBER.findall(_DENOMINATOR.sub("", goal.get("target", "")))
    by = goal.get("by")
    if m is None or not m.points:
        return {"status": "not_judged", "text": "Not judged: no score recorded for this goal"}
    latest = m.latest
    value = progress_mod.format_value(latest.value, m.unit)
    where = f"latest {value}, {progress_mod.occasion(latest)}"
    if len(numbers) != 1:
        return {"status": "not_judged", "text": f"Not judged from the wording ({where})"}
    target = float(numbers[0].replace(",", "."))
    if not m.scale_min <= target <= m.scale_max:
        return {"status": "not_judged", "text": f"Not judged from the wording ({where})"}
    wording = goal.get("target", "").lower()
    at_most = bool(_AT_MOST.search(wording)) or (
        not _AT_LEAST.search(wording) and m.better == progress_mod.LOWER
    )
    met = latest.value <= target if at_most else latest.value >= target
    if met:
        return {"status": "met", "text": f"Met ({where})"}
    if by and by > on and not final:
        due = progress_mod.format_date(by)
        return {"status": "not_yet", "text": f"Not yet met, due {due} ({where})"}
    return {"status": "not_met", "text": f"Not met ({where})"}


def _chart_rows(data: progress_mod.PatientProgress) -> tuple[list[dict], dict | None]:
    measures = []
    for n, m in enumerate(data.measures):
        if not m.points:
            continue
        measures.append(
            {
                "progress": m,
                "svg": measure_chart_svg(m, width=CHART_WIDTH, height=CHART_HEIGHT, id_suffix=n),
                "baseline": progress_mod.format_value(m.baseline.value, m.unit),
                "latest": progress_mod.format_value(m.latest.value, m.unit),
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


def progress_context(evaluation: Evaluation, clinic) -> dict:
    """Everything templates/reports/pdf/progress.html prints: the visits up to and including
    this evaluation (one query), their outcomes against the MCID with charts, the goals
    set at the previous visit, and what changed in the classification and the plan."""
    visits = list(_up_to(evaluation))
    basis = services.intake_basis(evaluation)
    data = progress_mod.from_records(basis.intake, basis.answers, visits)
    measures, distal = _chart_rows(data)
    by_code = {m.code: m for m in data.measures}
    earlier = [v for v in visits if v.public_id != evaluation.public_id]
    previous = earlier[-1] if earlier else None
    reviewed_from = next(
        (v for v in reversed(earlier) if ((v.content or {}).get("plan") or {}).get("goals")),
        evaluation,
    )
    goals = (_plan((reviewed_from.content or {}).get("plan")) or {}).get("goals") or []
    discharge = evaluation.kind == Evaluation.Kind.DISCHARGE
    for goal in goals:
        goal.update(goal_status(goal, by_code, on=evaluation.visit_date, final=discharge))
    content = evaluation.content or {}
    before = (
        _classification((previous.content or {}).get("classification"), None) if previous else None
    )
    now = _classification(content.get("classification"), evaluation.findings.get("classification"))
    odi_shown = any(m["progress"].code == "odi" for m in measures)
    return {
        **_common(evaluation, "Discharge report" if discharge else "Progress report"),
        "discharge": discharge,
        "visits": visits,
        "first_visit": visits[0] if visits else evaluation,
        "intake": basis.intake,
        "measures": measures,
        "distal": distal,
        "has_drafts": any(v.status != Evaluation.Status.SIGNED for v in visits),
        "goals": goals,
        "goals_from": reviewed_from,
        "classification": now,
        "previous": previous,
        "classification_changed": bool(before and now) and _choice(before) != _choice(now),
        "previous_classification": before,
        "plan": _plan(content.get("plan")),
        "changes": _plan_changes(
            (previous.content or {}).get("plan") if previous else None, content.get("plan")
        ),
        "subjective": (content.get("outcomes") or {}).get("notes", ""),
        "notices": _notices(
            startback=None,
            odi_shown=odi_shown,
            packs=instrument_packs() if odi_shown else None,
        ),
    }
