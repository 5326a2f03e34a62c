"""Validation of one planned item as an HTML form posts it: each parameter cleaned by its
`Kind` (choices, numbers in range, dates, text without control characters), required ones
enforced, then the cross-field rules of some interventions (thrust screening, education
delivered before understood, endurance hold or minutes, the aquatic contraindication screen).
Messages are written for the therapist.
"""

import datetime
import math
import re
from collections.abc import Callable, Mapping

from evaluations.plan_catalog.describe import _lower
from evaluations.plan_catalog.entries import BY_CODE, CATALOG, NO_CONTRAINDICATION
from evaluations.plan_catalog.schema import Kind, Param

_INT = re.compile(r"[+-]?[0-9]{1,9}", re.ASCII)
_DECIMAL = re.compile(r"[+-]?[0-9]{1,9}(?:[.,][0-9]{1,6})?", re.ASCII)
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", re.ASCII)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_TRUE = frozenset({"on", "true", "1", "yes"})
_FALSE = frozenset({"", "off", "false", "0", "no"})


class _Invalid(Exception):
    """One parameter's value is unusable; the message is for the therapist."""


def _num(value: float | None) -> str:
    return f"{value:g}" if value is not None else ""


def _choose_message(param: Param) -> str:
    if param.name == "grade":
        return f"Choose a grade from I to {param.choices[-1][1].split()[-1]}."
    if len(param.choices) <= 4:
        return f"Choose one of: {', '.join(label for _, label in param.choices)}."
    return "Choose an option from the list."


def _range_message(param: Param) -> str:
    what = "a whole number" if param.kind is Kind.INT else "a number"
    unit = f" {param.unit}" if param.unit else ""
    return f"Enter {what} from {_num(param.min)} to {_num(param.max)}{unit}."


_NOT_A_SCALAR = object()  # a list where one value was expected: fails every check below


def _scalar(raw: object) -> object:
    if isinstance(raw, list | tuple | set | dict):
        return _NOT_A_SCALAR
    return raw.strip() if isinstance(raw, str) else raw


def _in_range(param: Param, value: float) -> None:
    finite = not isinstance(value, float) or math.isfinite(value)
    too_low = param.min is not None and value < param.min
    too_high = param.max is not None and value > param.max
    if not finite or too_low or too_high:
        raise _Invalid(_range_message(param))


def _clean(param: Param, raw: object) -> object:
    """The clean value, None when missing, or _Invalid."""
    if param.kind is Kind.MULTI:
        values = [raw] if isinstance(raw, str) else [] if raw is None else raw
        if not isinstance(values, list | tuple) or not all(isinstance(v, str) for v in values):
            raise _Invalid("Tick only options from the list.")
        picked = {v.strip() for v in values} - {""}
        codes = [code for code, _ in param.choices]
        if not picked <= set(codes):
            raise _Invalid("Tick only options from the list.")
        return [code for code in codes if code in picked] or None
    value = _scalar(raw)
    if param.kind is Kind.BOOL:
        if value is None or value is True or value is False:
            return bool(value)
        if isinstance(value, str) and value.lower() in _TRUE | _FALSE:
            return value.lower() in _TRUE
        raise _Invalid("Tick the box or leave it empty.")
    if value is None or value == "":
        return None
    if param.kind is Kind.CHOICE:
        if not isinstance(value, str) or value not in dict(param.choices):
            raise _Invalid(_choose_message(param))
        return value
    if param.kind is Kind.INT:
        if isinstance(value, bool) or not (
            isinstance(value, int) or (isinstance(value, str) and _INT.fullmatch(value))
        ):
            raise _Invalid(_range_message(param))
        number = int(value)
        _in_range(param, number)
        return number
    if param.kind is Kind.DECIMAL:
        if isinstance(value, str) and _DECIMAL.fullmatch(value):
            decimal = float(value.replace(",", "."))
        elif isinstance(value, int | float) and not isinstance(value, bool):
            try:
                decimal = float(value)
            except OverflowError:  # an int too large for a float
                raise _Invalid(_range_message(param)) from None
        else:
            raise _Invalid(_range_message(param))
        _in_range(param, decimal)
        return decimal
    if param.kind is Kind.DATE:
        try:
            if not (isinstance(value, str) and _ISO_DATE.fullmatch(value)):
                raise ValueError
            return datetime.date.fromisoformat(value).isoformat()
        except ValueError:
            raise _Invalid("Enter a date as year-month-day, e.g. 2026-11-30.") from None
    # TEXT
    if not isinstance(value, str):
        raise _Invalid("Enter text.")
    if _CONTROL.search(value):
        raise _Invalid("Remove the hidden control characters from this text.")
    if param.max is not None and len(value) > param.max:
        raise _Invalid(f"Shorten this to {_num(param.max)} characters or fewer.")
    return value


_TICK_ONE = "Tick at least one option."


def _missing_message(param: Param) -> str:
    return {
        Kind.CHOICE: _choose_message(param),
        Kind.MULTI: _TICK_ONE,
        Kind.INT: _range_message(param),
        Kind.DECIMAL: _range_message(param),
        Kind.TEXT: "Fill this in.",
        Kind.BOOL: "Tick this box to confirm.",
        Kind.DATE: "Enter a date as year-month-day, e.g. 2026-11-30.",
    }[param.kind]


# Cross-field rules: each gets the clean values and the errors so far, and adds to the errors.
_Rule = Callable[[dict[str, object], dict[str, str]], None]


def _manipulation_rule(clean: dict[str, object], errors: dict[str, str]) -> None:
    if clean.get("screened") is not True:
        errors["screened"] = (
            "Screen the patient for contraindications to thrust manipulation and tick this "
            "box before planning it."
        )


def _education_rule(clean: dict[str, object], errors: dict[str, str]) -> None:
    if clean.get("delivered") is False:
        if clean.get("understood"):
            errors["understood"] = "Mark it delivered before recording that it was understood."
        if "delivered_on" in clean:
            errors["delivered_on"] = "Mark it delivered before recording the date."


def _endurance_rule(clean: dict[str, object], errors: dict[str, str]) -> None:
    if not {"hold_seconds", "minutes"} & (clean.keys() | errors.keys()):
        errors["hold_seconds"] = "Enter a hold time or minutes."


def _aquatic_rule(clean: dict[str, object], errors: dict[str, str]) -> None:
    if errors.get("contraindications") == _TICK_ONE:
        errors["contraindications"] = (
            "Complete the contraindication screen: tick each one present, or “None of these”."
        )
    picked = clean.get("contraindications")
    if not isinstance(picked, list):
        return
    if NO_CONTRAINDICATION in picked:
        if len(picked) > 1:
            errors["contraindications"] = (
                "“None of these” cannot be ticked together with a contraindication. "
                "Untick one of them."
            )
        return
    (screen,) = (p for p in BY_CODE["aquatic_exercise"].params if p.name == "contraindications")
    labels = dict(screen.choices)
    present = " and ".join(_lower(labels[code]) for code in picked)
    errors["contraindications"] = (
        f"Aquatic therapy cannot be planned while {present} {'is' if len(picked) == 1 else 'are'} "
        "present. Remove aquatic therapy from the plan. If the problem has been resolved, update "
        "the screen and record why in the rationale."
    )


_RULES: dict[str, _Rule] = {
    "manipulation": _manipulation_rule,
    "endurance": _endurance_rule,
    "aquatic_exercise": _aquatic_rule,
    **{item.code: _education_rule for item in CATALOG if item.family == "education"},
}


def validate_item(code: str, raw: Mapping[str, object]) -> tuple[dict[str, object], dict[str, str]]:
    """Clean one planned item's parameters as an HTML form posts them.

    Returns (clean, errors). `clean` is JSON-ready (MULTI: list of codes in catalog order,
    DECIMAL: float, DATE: ISO string); missing optional values are left out, except BOOL, whose
    absence means an unticked box (False). `errors` maps a param name (or "__all__") to a
    message for the therapist; store `clean` only when `errors` is empty. Keys that are not
    params are ignored. Never raises on bad input.
    """
    item = BY_CODE.get(code) if isinstance(code, str) else None
    if item is None:
        return {}, {"__all__": "Choose an intervention from the list."}
    if not isinstance(raw, Mapping):
        return {}, {"__all__": "The form could not be read. Please fill it in again."}
    clean: dict[str, object] = {}
    errors: dict[str, str] = {}
    getlist = getattr(raw, "getlist", None)  # a Django QueryDict: keep every ticked box
    for param in item.params:
        value = getlist(param.name) if param.kind is Kind.MULTI and callable(getlist) else None
        if value is None:
            value = raw.get(param.name)
        try:
            cleaned = _clean(param, value)
        except _Invalid as invalid:
            errors[param.name] = str(invalid)
            continue
        if param.required and (cleaned is None or cleaned is False):
            errors[param.name] = _missing_message(param)
        elif cleaned is not None:
            clean[param.name] = cleaned
    if rule := _RULES.get(code):
        rule(clean, errors)
    return clean, errors
