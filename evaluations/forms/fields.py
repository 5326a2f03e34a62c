"""The section forms' field makers: each field labelled for screen readers (a grid cell has
no visible label of its own), with its messages in the screen's words.

Choice lists are built once at import and shared between the forms of every request
(`SharedChoicesMixin`), which is most of what makes a 400-field page quick to build.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from django import forms
from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _

from evaluations import findings
from evaluations.forms.widgets import (
    FastCheckbox,
    FastNumberInput,
    FastSelect,
    FastTextarea,
    FastTextInput,
)
from evaluations.vocabulary import label

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

NPRS_CHOICES = [("", "—")] + [(str(n), str(n)) for n in range(11)]
TRI_CHOICES: list[tuple[str, StrOrPromise]] = [("", "—"), ("yes", _("Yes")), ("no", _("No"))]


def lazy_text(template: StrOrPromise, **values: Any) -> str:
    """`template` (marked with `_`) in the language of the page it is shown on, with
    `values` put into its `%(name)s` placeholders then: for labels built once at import."""
    return lazy(lambda: str(template) % values, str)()


def choice_list(
    values: Iterable[str], *, blank: StrOrPromise | None = "—"
) -> list[tuple[str, StrOrPromise]]:
    """Codes with their labels, after a blank choice (unless `blank` is None)."""
    out = [("", blank)] if blank is not None else []
    return out + [(str(v), label(str(v))) for v in values]


class SharedChoicesMixin(forms.Field):
    """Every new form deep-copies its fields, and Django's choice fields deep-copy and
    re-normalise their choice list twice (field and widget): with ~400 fields that was a
    fifth of the evaluation page's time. The choice lists here are built once and never
    changed in place, so a copy shares them; attributes and messages are still copied."""

    def __deepcopy__(self, memo):
        result = copy.copy(self)
        memo[id(self)] = result
        result.widget = copy.copy(self.widget)
        result.widget.attrs = self.widget.attrs.copy()
        memo[id(self.widget)] = result.widget
        result.error_messages = self.error_messages.copy()
        result.validators = self.validators[:]
        return result


class SharedChoiceField(SharedChoicesMixin, forms.ChoiceField):
    pass


class SharedMultipleChoiceField(SharedChoicesMixin, forms.MultipleChoiceField):
    pass


def select_field(choices, aria: StrOrPromise, *, required: bool = False, css: str = "form-select"):
    return SharedChoiceField(
        choices=choices,
        required=required,
        label=aria,
        widget=FastSelect(attrs={"class": css, "aria-label": aria}),
        error_messages={
            "required": _("Choose one."),
            "invalid_choice": _("Choose one of the list."),
        },
    )


def checks_field(choices, aria: StrOrPromise):
    return SharedMultipleChoiceField(
        choices=choices,
        required=False,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
        label=aria,
        error_messages={"invalid_choice": _("Choose from the list.")},
    )


def int_field(aria: StrOrPromise, low: int, high: int, *, unit: str = ""):
    whole = lazy_text(
        _("Enter a whole number from %(low)s to %(high)s%(unit)s."), low=low, high=high, unit=unit
    )
    return forms.IntegerField(
        required=False,
        label=aria,
        min_value=low,
        max_value=high,
        widget=FastNumberInput(
            attrs={"class": "form-control", "aria-label": aria, "inputmode": "numeric"}
        ),
        error_messages={
            "invalid": whole,
            "min_value": whole,
            "max_value": whole,
        },
    )


def text_field(aria: StrOrPromise, *, max_length: int = 200, rows: int | None = None):
    attrs = {"class": "form-control", "aria-label": aria, "autocomplete": "off"}
    widget = FastTextarea(attrs={**attrs, "rows": rows}) if rows else FastTextInput(attrs)
    return forms.CharField(
        required=False,
        label=aria,
        max_length=max_length,
        widget=widget,
        error_messages={
            "max_length": lazy_text(
                _("Keep it under %(max_length)s characters."), max_length=max_length
            )
        },
    )


def bool_field(aria: StrOrPromise):
    return forms.BooleanField(
        required=False,
        label=aria,
        widget=FastCheckbox(attrs={"class": "form-check-input", "aria-label": aria}),
    )


def tri_to_bool(value: str) -> bool | None:
    """A yes / no / not recorded choice as stored: True, False or None."""
    return findings.TRI_STATE.get(value)


def bool_to_tri(value: Any) -> str:
    return {True: "yes", False: "no"}.get(value, "")


def as_text(value: Any) -> str:
    """A stored number as a select's value ("" for none)."""
    return "" if value is None else str(value)


def bounded_int(value: Any, default: int, low: int, high: int) -> int:
    """A posted count kept within bounds; `default` when it is no number."""
    try:
        number = int(str(value))
    except (TypeError, ValueError):
        return default
    return max(low, min(high, number))
