"""Answers as readable rows (question, answer) for the review screen and staff summary."""

from intake import steps as steps_mod
from intake.forms import StepContext


def describe(step: str, answers: dict, context: StepContext | None) -> list[tuple[str, str]]:
    """One screen's stored answers as (question, answer) rows: its form says how."""
    if not answers:
        return []
    return steps_mod.step_by_key()[step].form_class.describe(answers, context)


def summary_context(intake, *, packs: dict, clinic=None) -> dict:
    """Everything the staff summary of a submitted intake shows: answers as rows (with
    amendments applied), the latest results, the body chart, alerts and consent. Used by
    the intake page and at the top of an evaluation. `intake` must come with its
    amendments and alerts prefetched."""
    from intake.services import effective_answers

    context = StepContext(patient=intake.patient, clinic=clinic, packs=packs)
    amendments = list(intake.amendments.all())
    answers = effective_answers(intake, amendments)
    latest = amendments[-1].results if amendments else None
    results = latest or {
        "triage": intake.triage,
        "red_flag_level": intake.red_flag_level,
        "scores": intake.scores,
        "pattern": intake.pattern,
    }
    amended_steps = {a.step for a in amendments}
    sections = [
        {
            "step": s,
            "rows": describe(s.key, answers.get(s.key) or {}, context),
            "amended": s.key in amended_steps,
            "answered": s.key in answers,
        }
        for s in steps_mod.steps_for(packs=packs, answered=answers)
        if s.key != "review"
    ]
    return {
        "intake": intake,
        "answers": answers,
        "sections": sections,
        "results": results,
        "chart": (answers.get("where") or {}).get("chart") or {},
        "amendments": amendments,
        "alerts": list(intake.alerts.all()),
        "ruleset_status": (results.get("triage") or {}).get("ruleset_status", ""),
    }
