"""The plan of care in words: the page's referral and re-evaluation date; for the
documents, its interventions by family with their CPG links, dose, goals, home programme,
re-evaluation date and referral. The evaluation document prints it in full, the progress
report its goals and changes, and the patient handout the referral (`referral`)."""

from __future__ import annotations

from datetime import date

from evaluations import goals, plan_catalog, records, vocabulary
from evaluations.presenters.common import Record, Shown, code_label
from evaluations.vocabulary import REFERRAL_TO, REFERRAL_URGENCY_LABELS, label
from evaluations.wording import dates_in_words

CPG_CITATION = (
    "George SZ, Fritz JM, Silfies SP, et al. Interventions for the management of acute and "
    "chronic low back pain: revision 2021. J Orthop Sports Phys Ther 2021;51(11):CPG1-CPG60."
)
GOAL_MEASURES = dict(goals.GOAL_MEASURES)
# Looked up with the plan's stored code, None when the plan names no one.
REFERRAL_WORDS: dict[str | None, str] = dict(vocabulary.REFERRAL_TO)


def _date(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


def page(findings: Record, content: Record) -> Shown | None:
    """The plan's referral in words and its re-evaluation date as a date."""
    record = content.get("plan") or {}
    if not record:
        return None
    urgency = record.get("referral_urgency") or "routine"
    return {
        "referral_to": dict(REFERRAL_TO).get(record.get("referral_to") or "")
        or label(record.get("referral_to") or ""),
        "referral_urgency": REFERRAL_URGENCY_LABELS.get(urgency) or label(urgency),
        "reeval_date": _date(record.get("reeval_date") or ""),
    }


def _cpg(link: plan_catalog.CpgLink | None) -> Shown | None:
    if link is None:
        return None
    return {
        "category": link.category,
        "verb": link.verb,
        "grade": link.grade,
    }


def _plan_item(item: Record) -> Shown:
    code = item.get("code", "")
    entry = plan_catalog.BY_CODE.get(code)
    return {
        "code": code,
        "text": dates_in_words(plan_catalog.describe_item(code, item.get("values") or {})),
        "cpg": _cpg(entry.cpg) if entry else None,
    }


def document(plan: Record | None, found: Record | None = None) -> Shown | None:
    """The plan of care section, or None when no plan was recorded."""
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
                "measure": GOAL_MEASURES.get(g.get("measure"), code_label(g.get("measure"))),
                "code": g.get("measure", ""),
                "target": goal_target(g),
                "comparator": g.get("comparator", ""),
                "value": g.get("value"),
                "words": g.get("target", ""),
                "by": _date(g.get("by")),
                "outcome": goals.GOAL_OUTCOME_LABELS.get(g.get("outcome") or "", ""),
            }
            for g in records.read("plan", plan).get("goals") or ()
        ],
        "hep": plan.get("hep", ""),
        "reeval_date": _date(plan.get("reeval_date")),
        "referral": referral(plan),
        "catalog_version": plan.get("catalog_version", ""),
        "catalog_status": plan_catalog.CATALOG_STATUS,
        "cpg_citation": CPG_CITATION,
    }


def goal_target(goal: Record) -> str:
    """The target as printed: the therapist's words, or the structured target in words
    ("at most 3") for a goal set only as a number. The status is judged on the number
    (evaluations.goals), never on these words."""
    return (goal.get("target") or "").strip() or goals.target_words(goal)


def referral(plan: Record) -> Shown | None:
    """The plan's referral with its urgency in words ("Urgent: seen the same day"), or None.
    Shared with the patient handout."""
    if not plan.get("referral"):
        return None
    urgency = plan.get("referral_urgency") or ""
    return {
        "to": REFERRAL_WORDS.get(plan.get("referral_to"), code_label(plan.get("referral_to"))),
        "urgency_code": urgency,
        "urgency": REFERRAL_URGENCY_LABELS.get(urgency, code_label(urgency))
        or "Urgency not recorded",
        "reason": plan.get("referral_reason", ""),
    }
