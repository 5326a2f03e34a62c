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
