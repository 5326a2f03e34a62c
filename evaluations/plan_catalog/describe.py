"""One planned item in one line for the plan and the PDF ("Neural mobilisation: slider,
sciatic nerve, 3 sets x 10"), from the catalog's labels and units; stored values from an
older catalog are tolerated.
"""

from collections.abc import Callable, Mapping

from evaluations.plan_catalog.entries import BY_CODE
from evaluations.plan_catalog.schema import Intervention, Kind, Param

_FORMATS = {"rpe": "RPE {}/10", "times_per_day": "{}x a day", "sessions_per_week": "{}x a week"}


def _lower(label: str) -> str:
    """Lower-case the first letter ("Slider" -> "slider") unless it starts an acronym or a
    level ("SLR", "L4-L5")."""
    return label[:1].lower() + label[1:] if label[1:2].islower() else label


def _describe_value(param: Param, value: object) -> str | None:
    labels = dict(param.choices)
    if param.kind is Kind.CHOICE:
        return _lower(labels.get(str(value), str(value)))
    if param.kind is Kind.MULTI:
        values = value if isinstance(value, list | tuple) else [value]
        return f"{_lower(param.label)}: " + ", ".join(
            _lower(labels.get(str(v), str(v))) for v in values
        )
    if param.kind is Kind.BOOL:
        return _lower(param.label) if value is True else None
    if param.kind in (Kind.INT, Kind.DECIMAL):
        number = f"{value:g}" if isinstance(value, float) else str(value)
        if param.name in _FORMATS:
            return _FORMATS[param.name].format(number)
        return f"{number} {param.unit}" if param.unit else f"{_lower(param.label)} {number}"
    text = " ".join(str(value).split())  # one line, whatever the notes hold
    separator = ": " if param.kind is Kind.TEXT else " "
    return f"{_lower(param.label)}{separator}{text}"


def item_parts(
    item: Intervention,
    values: Mapping[str, object],
    *,
    sets_of_reps: Callable[[object, object], str],
    value_words: Callable[[Param, object], str | None],
) -> list[str]:
    """A planned item's filled-in parameters in words, in the catalog's order: sets and
    reps given together as one part (`sets_of_reps`), every other parameter through
    `value_words`; empty ones left out. The plan's line (describe_item) and the patient's
    handout (reports.docs.handout_exercises) word them each their own way."""
    parts: list[str] = []
    sets, reps = values.get("sets"), values.get("reps")
    for param in item.params:
        value = values.get(param.name)
        if value is None or value == "" or value == []:
            continue
        if param.name == "sets" and reps is not None:
            part: str | None = sets_of_reps(sets, reps)
        elif param.name == "reps" and sets is not None:
            continue
        else:
            part = value_words(param, value)
        if part:
            parts.append(part)
    return parts


def describe_item(code: str, values: Mapping[str, object]) -> str:
    """One line for the plan and the PDF, e.g. "Neural mobilisation: slider, sciatic nerve,
    supine (SLR position), 3 sets x 10". Tolerates stored values from an older catalog."""
    item = BY_CODE.get(code)
    if item is None:
        return f"Unknown intervention ({code})"
    parts = item_parts(
        item,
        values,
        sets_of_reps=lambda sets, reps: f"{sets} {'set' if sets == 1 else 'sets'} x {reps}",
        value_words=_describe_value,
    )
    return f"{item.label}: {', '.join(parts)}" if parts else item.label
