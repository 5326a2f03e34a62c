"""Small rendering helpers for the evaluation grids: a labelled field, a grid cell, touch-
sized check boxes. Rendered in Python because the neuro exam alone has over a hundred cells."""

import json
from typing import Any, cast

from django import forms, template
from django.forms import BoundField
from django.utils.html import format_html
from django.utils.safestring import SafeString

from evaluations import plan_catalog
from evaluations.forms.widgets import fast_format_html

register = template.Library()


@register.filter
def bf(form, name: str) -> BoundField:
    return form[name]


def _errors(field: BoundField) -> SafeString:
    if not field.errors:
        return SafeString("")
    return fast_format_html(
        '<div class="invalid-feedback d-block" id="{}_error">{}</div>',
        field.auto_id,
        " ".join(str(e) for e in field.errors),
    )


def _carry(field: BoundField) -> str:
    """The previous signed evaluation's value for an input left empty, as a button that
    copies it (static/js/carry.js), or nothing (evaluations.carry)."""
    last = getattr(field.form, "carry", {}).get(field.name)
    if last is None:
        return ""
    return fast_format_html(
        '<button type="button" class="btn btn-link btn-sm p-0 carry text-start" '
        'data-carry-for="{}" data-carry-name="{}" data-carry-values="{}">'
        '<span class="visually-hidden">Copy </span>last: {}</button>',
        field.auto_id,
        field.html_name,
        json.dumps(list(last.values)),
        last.text,
    )


def _widget(field: BoundField) -> str:
    attrs: dict[str, str | bool] = {}
    if field.errors:
        attrs["aria-describedby"] = f"{field.auto_id}_error"
        attrs["aria-invalid"] = "true"
        css = field.field.widget.attrs.get("class", "")
        if "is-invalid" not in css:
            attrs["class"] = f"{css} is-invalid".strip()
    return field.as_widget(attrs=attrs)


@register.simple_tag
def field(field: BoundField, label: str | None = None) -> SafeString:
    """A visible label, the widget, its help and its errors."""
    text = label or field.label or ""
    help_html = (
        fast_format_html('<div class="form-text">{}</div>', field.help_text)
        if field.help_text
        else ""
    )
    return fast_format_html(
        '<label class="form-label small mb-1" for="{}">{}</label>{}{}{}{}',
        field.auto_id,
        text,
        _widget(field),
        SafeString(_carry(field)),
        help_html,
        _errors(field),
    )


@register.simple_tag
def cell(field: BoundField) -> SafeString:
    """A grid cell: the widget names itself through aria-label."""
    return fast_format_html(
        "<div>{}{}{}</div>", _widget(field), SafeString(_carry(field)), _errors(field)
    )


@register.simple_tag
def check(field: BoundField, label: str | None = None) -> SafeString:
    """One check box with a finger-sized label."""
    return fast_format_html(
        '<div class="form-check touch-check">{}<label class="form-check-label" for="{}">{}'
        "</label>{}{}</div>",
        field.as_widget(),
        field.auto_id,
        label or field.label,
        SafeString(_carry(field)),
        _errors(field),
    )


@register.simple_tag
def checks(field: BoundField, legend: str | None = None) -> SafeString:
    """A multi-select as touch-sized toggle buttons (real check boxes underneath). Written
    from the choices, as Django's subwidgets would give them (ids `<id>_<n>`), without
    building a widget per option."""
    choice_field = field.field
    assert isinstance(choice_field, forms.ChoiceField)  # the templates pass multi-selects only
    chosen = set(choice_field.widget.format_value(field.value()))
    disabled = " disabled" if choice_field.disabled else ""
    # Django's setter normalises any choices given to a list of (value, label) pairs;
    # django-stubs types the getter as everything the setter accepts (mappings, enums...).
    choices = cast("list[tuple[Any, str]]", choice_field.choices)
    items = "".join(
        fast_format_html(
            '<input type="checkbox" class="btn-check" name="{}" value="{}" id="{}_{}"{}{}>'
            '<label class="btn btn-outline-secondary" for="{}_{}">{}</label>',
            field.html_name,
            value,
            field.auto_id,
            index,
            " checked" if str(value) in chosen else "",
            disabled,
            field.auto_id,
            index,
            text,
        )
        for index, (value, text) in enumerate(choices)
    )
    return fast_format_html(
        '<fieldset class="touch-checks"><legend class="form-label small mb-1">{}</legend>'
        '<div class="d-flex flex-wrap gap-1">{}</div>{}{}</fieldset>',
        legend or field.label or "",
        SafeString(items),
        SafeString(_carry(field)),
        _errors(field),
    )


@register.simple_tag
def neuro_asymmetries(findings: dict) -> set[str]:
    """Keys of the rows or cells where the two sides differ (from the neuro findings)."""
    result = (findings or {}).get("neuro") or {}
    return {a.get("code", "") for a in result.get("asymmetries") or ()}


@register.simple_tag
def derm_key(root, modality) -> str:
    return f"{root} {modality}"


@register.simple_tag
def nd_suggestion(findings: dict, row) -> SafeString:
    """The software's reading of one neurodynamic row, beside the therapist's choice."""
    if not getattr(row, "standard", None):
        return SafeString("")
    code, side = row.standard
    for f in ((findings or {}).get("neurodynamic") or {}).get("findings") or ():
        if (
            f.get("code") == code
            and f.get("side") == side
            and not f.get("label", "").startswith("Other")
        ):
            return format_html(
                '<div class="small text-body-secondary mt-1" data-testid="nd-suggestion">'
                "Suggested: {}</div>",
                f.get("suggestion", "").replace("_", " ").lower(),
            )
    return SafeString("")


@register.simple_tag
def describe(item: dict) -> str:
    return plan_catalog.describe_item(item.get("code", ""), item.get("values") or {})
