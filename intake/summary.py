"""Answers as readable rows (question, answer) for the review screen and staff summary."""

from intake.bodychart import REGION_BY_CODE, SENSATIONS
from intake.forms import StepContext
from intake.steps import STEP_BY_KEY


def _text(field, value) -> str:
    choices = dict((str(k), v) for k, v in getattr(field, "choices", []) or [])
    if isinstance(value, list):
        return ", ".join(choices.get(str(v), str(v)) for v in value) or "None chosen"
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if value in ("", None):
        return "Not answered"
    return choices.get(str(value), str(value))


def describe(step: str, answers: dict, context: StepContext | None) -> list[tuple[str, str]]:
    if not answers:
        return []
    if step == "where":
        return [
            (REGION_BY_CODE[code].label, ", ".join(SENSATIONS[s] for s in felt))
            for code, felt in (answers.get("chart") or {}).items()
            if code in REGION_BY_CODE
        ]
    if step == "psfs":
        return [(a["name"], f"{a['score']} out of 10") for a in answers.get("activities") or []]
    if step == "consent":
        return [
            ("Consent to assessment and treatment", "Given"),
            ("Privacy notice", "Read"),
            ("Signed by", answers.get("signed_name", "")),
            ("Consent version", answers.get("consent_version", "")),
        ]
    if context is None:
        return [(k, str(v)) for k, v in answers.items()]
    form = STEP_BY_KEY[step].form_class(context=context)
    values = answers.get("choices", answers) if step == "odi" else answers
    return [
        (str(form.fields[name].label), _text(form.fields[name], value))
        for name, value in values.items()
        if name in form.fields
    ]


def summary_context(intake, *, packs: dict, clinic=None) -> dict:
    """Everything the staff summary of a submitted intake shows: answers as rows (with
    amendments applied), the latest results, the body chart, alerts and consent. Used by
    the intake page and at the top of an evaluation. `intake` must come with its
    amendments and alerts prefetched."""
    from intake.instruments import ODI
    from intake.services import effective_answers
    from intake.steps import steps_for

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
        for s in steps_for(odi_available=ODI in packs or "odi" in answers)
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
