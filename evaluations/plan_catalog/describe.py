"""One planned item in one line for the plan and the PDF ("Neural mobilisation: slider,
sciatic nerve, 3 sets x 10"), from the catalog's labels and units; stored values from an
older catalog are tolerated.
"""

from collections.abc import Mapping

from evaluations.plan_catalog.entries import BY_CODE
from evaluations.plan_catalog.schema import Kind, Param

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


def describe_item(code: str, values: Mapping[str, object]) -> str:
    """One line for the plan and the PDF, e.g. "Neural mobilisation: slider, sciatic nerve,
    supine (SLR position), 3 sets x 10". Tolerates stored values from an older catalog."""
    item = BY_CODE.get(code)
    if item is None:
        return f"Unknown intervention ({code})"
    parts: list[str] = []
    sets, reps = values.get("sets"), values.get("reps")
    for param in item.params:
        value = values.get(param.name)
        if value is None or value == "" or value == []:
            continue
        if param.name == "sets" and reps is not None:
            part: str | None = f"{sets} {'set' if sets == 1 else 'sets'} x {reps}"
        elif param.name == "reps" and sets is not None:
            continue
        else:
            part = _describe_value(param, value)
        if part:
            parts.append(part)
    return f"{item.label}: {', '.join(parts)}" if parts else item.label
