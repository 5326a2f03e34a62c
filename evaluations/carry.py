"""Carrying forward: a re-evaluation or discharge shows, beside each input left empty, what
the last signed evaluation of the same episode of care recorded there ("last: 4/5", "last:
40°"), and one tap copies a value, a row or a whole section. Copied values are saved as
newly recorded (the therapist re-examined and chose to keep them) and the save's audit
entry names each copied field and the evaluation it came from.

The previous values are read by building the previous record's form with the current
section's form class, so a field's "last" value is exactly what that form would show for
it, matched by its HTML name (rows by their row key).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from django import forms

from evaluations import sections
from evaluations.forms import SectionContext
from evaluations.models import Evaluation

# Never carried: the date of this visit is this visit's own.
NOT_CARRIED = frozenset({"outcomes-visit_date", "visit_date"})
MAX_COPIED = 400


@dataclass(frozen=True)
class Last:
    values: tuple[str, ...]  # what the input takes (several for a multi-select)
    text: str  # as the therapist reads it


def previous_signed(evaluation: Evaluation) -> Evaluation | None:
    """The latest signed evaluation of the same episode, for a draft re-evaluation or
    discharge (an initial evaluation starts the episode: nothing to carry). One query."""
    if evaluation.is_signed or evaluation.kind == Evaluation.Kind.INITIAL:
        return None
    return (
        Evaluation.objects.filter(episode_id=evaluation.episode_id, status=Evaluation.Status.SIGNED)
        .exclude(pk=evaluation.pk)
        .order_by("-visit_date", "-signed_at")
        .only("public_id", "visit_date", "kind", "content", "episode_id")
        .first()
    )


def _forms(form: Any) -> Iterator[forms.BaseForm]:
    """The Django forms a section is made of: itself, or its rows."""
    if isinstance(form, forms.BaseForm):
        yield form
    yield from getattr(form, "rows", ())


def _suffix(name: str) -> str:
    if name.endswith("angle_deg"):
        return "°"
    if name.startswith("myo_") and "pain" not in name:
        return "/5"
    if name.endswith(("_nprs", "_now", "worst_24h")):
        return "/10"
    return ""


def _choice_text(field: forms.Field, value: str) -> str:
    for key, label in getattr(field, "choices", ()):
        if isinstance(label, list | tuple):  # grouped choices
            for sub_key, sub_label in label:
                if str(sub_key) == value:
                    return str(sub_label)
        elif str(key) == value:
            return str(label)
    return value


def _last(bound: forms.BoundField) -> Last | None:
    field, value = bound.field, bound.value()
    if isinstance(field, forms.BooleanField):
        return Last(values=("on",), text="yes") if value else None
    if isinstance(field, forms.MultipleChoiceField):
        chosen = [str(v) for v in value or () if str(v)]
        if not chosen:
            return None
        return Last(values=tuple(chosen), text=", ".join(_choice_text(field, v) for v in chosen))
    if value in (None, "") or (isinstance(value, list | tuple) and not value):
        return None
    text = str(value).strip()
    if not text:
        return None
    shown = _choice_text(field, text) if isinstance(field, forms.ChoiceField) else text
    if len(shown) > 60:
        shown = shown[:57].rstrip() + "…"
    return Last(values=(text,), text=f"{shown}{_suffix(bound.name)}")


def _is_empty(bound: forms.BoundField) -> bool:
    value = bound.value()
    if isinstance(bound.field, forms.BooleanField):
        return not value
    return value in (None, "", [], ()) or (isinstance(value, str) and not value.strip())


def annotate(form: Any, previous: Any) -> int:
    """Give each of `form`'s Django forms a `carry` dict: field name -> Last, for the
    fields left empty that `previous` (the same section's form, built from the previous
    record) has a value for. Returns how many fields can be carried."""
    last: dict[str, Last] = {}
    for old in _forms(previous):
        for bound in old:
            if bound.html_name not in NOT_CARRIED and (found := _last(bound)) is not None:
                last[bound.html_name] = found
    count = 0
    for current in _forms(form):
        carry = {}
        for bound in current:
            if bound.html_name in last and _is_empty(bound):
                carry[bound.name] = last[bound.html_name]
        setattr(current, "carry", carry)  # noqa: B010  (read by eval_tags; forms have no slot)
        count += len(carry)
    return count


def previous_form(key: str, ctx: SectionContext, previous: Evaluation) -> Any:
    section = sections.SECTIONS[key]
    return section.build(ctx, stored=(previous.content or {}).get(key))


def copied_fields(form: Any, names: Iterable[str]) -> list[str]:
    """The posted `copied` names that are fields of this section's form, in order, once
    each: what the audit entry records as copied."""
    known = {bound.html_name for current in _forms(form) for bound in current}
    out: list[str] = []
    for name in names:
        name = name.strip()
        if name in known and name not in out:
            out.append(name)
        if len(out) >= MAX_COPIED:
            break
    return out
