"""Answers as readable rows (question, answer) for the review screen and staff summary."""

from intake import language as patient_language
from intake import steps as steps_mod
from intake.followup import results as packet_results
from intake.followup import steps as packet_steps
from intake.followup.presenters import packet_score_rows
from intake.forms import StepContext
from intake.steps import Step


def describe(step: str, answers: dict, context: StepContext | None) -> list[tuple[str, str]]:
    """One first-visit intake screen's stored answers as (question, answer) rows: its
    form says how."""
    if not answers:
        return []
    return describe_step(steps_mod.step_by_key()[step], answers, context)


def describe_step(step: Step, answers: dict, context: StepContext | None) -> list[tuple[str, str]]:
    """One screen's stored answers as rows, the intake's or a follow-up packet's."""
    if not answers:
        return []
    return step.form_class.describe(answers, context)


def summary_context(intake, *, packs: dict, clinic=None) -> dict:
    """Everything the staff summary of a submitted intake shows: answers as rows (with
    amendments applied), the latest results, the body chart, alerts and consent. Used by
    the intake page and at the top of an evaluation. `intake` must come with its
    amendments and alerts prefetched. A follow-up packet's shows its own screens and
    scores (no body chart, consent or pattern)."""
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
    if intake.is_packet:
        # The activities screen shows when it was answered: the first visit is not read
        # again for a summary of what the patient sent.
        steps = packet_steps.packet_steps(packs=packs, has_psfs=False, answered=answers)
    else:
        steps = steps_mod.steps_for(packs=packs, answered=answers)
    sections = [
        {
            "step": s,
            "rows": describe_step(s, answers.get(s.key) or {}, context),
            "amended": s.key in amended_steps,
            "answered": s.key in answers,
        }
        for s in steps
        if s.key != "review"
    ]
    packet = {}
    if intake.is_packet:
        triage = results.get("triage") or {}
        packet = {
            "packet_score_rows": packet_score_rows(results.get("scores") or {}),
            "baseline_hits": triage.get("baseline_hits") or [],
            "combination_version": triage.get("combination_version", ""),
            "combination_status": triage.get(
                "combination_status", packet_results.COMBINATION_STATUS
            ),
        }
    return {
        "intake": intake,
        "answers": answers,
        "sections": sections,
        "results": results,
        "chart": (answers.get("where") or {}).get("chart") or {},
        "amendments": amendments,
        "alerts": list(intake.alerts.all()),
        "ruleset_status": (results.get("triage") or {}).get("ruleset_status", ""),
        # "Answered in Spanish", and the notice while that translation is unreviewed.
        "language_note": patient_language.staff_note(intake),
        **packet,
    }
