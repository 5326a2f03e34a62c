"""What a screen the patient is still filling in says about cauda equina.

The body chart and the red-flag questions can show cauda equina (clinical.md 2.2). Every
save of either is triaged at once, and a CES answer stops the intake
(intake.services.intake_save_step). The answers triaged are read here from what the
tablet posted, by the rules of the screen's own fields (a radio answer counts only when
it is one of the screen's choices, a chart region only when every sensation marked there
is one the chart offers), never through the form's `answers()`: a fault in a form's code
must not hide a CES answer.

Pure functions: posted values in, answers in the shape the screen stores them out.
"""

from collections.abc import Callable, Mapping, Sequence

from intake.bodychart import REGIONS, SENSATIONS, validate_chart
from intake.questions import RED_FLAG_QUESTIONS, YES_NO_UNSURE

Posted = Mapping[str, Sequence[str] | str]
_CHOICES = frozenset(code for code, _label in YES_NO_UNSURE)


def _values(posted: Posted, name: str) -> list[str]:
    # A QueryDict (the request's POST) or a plain mapping of lists, as drafts are kept.
    if hasattr(posted, "getlist"):
        return list(posted.getlist(name))
    value = posted.get(name)
    if value is None:
        return []
    return [value] if isinstance(value, str) else list(value)


def _red_flags(posted: Posted) -> dict[str, str]:
    found = {}
    for code, _question in RED_FLAG_QUESTIONS:
        values = _values(posted, code)
        # A radio button's answer is the last value sent, as Django's widget reads it.
        value = values[-1] if values else ""
        if value in _CHOICES:
            found[code] = value
    return found


def _chart(posted: Posted) -> dict[str, dict[str, list[str]]]:
    marks = {}
    for region in REGIONS:
        felt = _values(posted, f"chart_{region.code}")
        # The region's box refuses the whole list if one sensation is unknown.
        if felt and all(s in SENSATIONS for s in felt):
            marks[region.code] = felt
    return {"chart": validate_chart(marks)}


READERS: dict[str, Callable[[Posted], dict]] = {"where": _chart, "redflags": _red_flags}
SCREENS = frozenset(READERS)


def submitted_answers(step: str, posted: Posted) -> dict:
    """The answers of screen `step` that the CES check reads, from the posted values."""
    return READERS[step](posted)
