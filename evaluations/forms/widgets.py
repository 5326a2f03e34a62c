"""The evaluation page's widgets, rendered without the template engine.

The evaluation page shows about 400 controls. Django renders each widget (and each option
of each select) through the template engine, which took ~90% of the page's time; these
render the same HTML directly (tests/evaluations/test_widget_html.py compares them).
"""

from __future__ import annotations

import functools
import html
from collections.abc import Mapping
from typing import Any

from django import forms
from django.forms.widgets import Input
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe


@functools.lru_cache(maxsize=1024)
def _option_html(choices: tuple) -> tuple[tuple[str, str, str], ...]:
    """Each option's escaped HTML, split where " selected" goes; the same choice lists
    repeat hundreds of times on the page."""
    return tuple(
        (
            str(key),
            str(format_html('<option value="{}"', key)),
            str(format_html(">{}</option>", text)),
        )
        for key, text in choices
    )


def _escape(value: Any) -> str:
    # conditional_escape without its lazy-string wrapper: safe strings are kept as they are.
    # A plain str (most values, on a page of ~7,000 escapes) skips the __html__ lookup; a
    # SafeString is a str subclass and so never takes this path.
    if type(value) is str:
        return html.escape(value)
    return str(value.__html__()) if hasattr(value, "__html__") else html.escape(str(value))


def fast_format_html(template: str, *args: Any) -> SafeString:
    """format_html for the page's hot paths: the same escaping (conditional_escape) without
    the lazy-string check Django wraps around every argument, which is most of its cost
    when called for each of the page's 400 controls."""
    # Every argument is escaped here; the template is the caller's literal markup.
    return mark_safe(template.format(*(_escape(a) for a in args)))  # noqa: S308


def flatatt(attrs: Mapping[str, Any]) -> SafeString:
    """The very string django.forms.utils.flatatt makes (key="value" pairs sorted, then the
    set boolean attributes sorted), without format_html_join: its lazy-aware escaping of
    every attribute was a quarter of the evaluation page's time under load (bench/load.py)."""
    pairs, flags = [], []
    for name, value in attrs.items():
        if isinstance(value, bool):
            if value:
                flags.append(name)
        elif value is not None:
            pairs.append((name, value))
    text = "".join(f' {_escape(k)}="{_escape(v)}"' for k, v in sorted(pairs))
    # Every name and value was escaped just above.
    return mark_safe(text + "".join(f" {_escape(k)}" for k in sorted(flags)))  # noqa: S308


class FastSelect(forms.Select):
    def render(self, name, value, attrs=None, renderer=None):
        final = self.build_attrs(self.attrs, {**(attrs or {}), "name": name})
        chosen = {str(v) for v in self.format_value(value)}
        options = "".join(
            f"{start} selected{end}" if key in chosen else start + end
            for key, start, end in _option_html(tuple(self.choices))
        )
        # Every piece was escaped by format_html in _option_html.
        return fast_format_html("<select{}>{}</select>", flatatt(final), mark_safe(options))  # noqa: S308


class FastInputMixin(Input):
    def render(self, name, value, attrs=None, renderer=None):
        final = self.build_attrs(
            self.attrs, {**(attrs or {}), "type": self.input_type, "name": name}
        )
        shown = self.format_value(value)
        if shown is not None:
            final["value"] = shown
        return fast_format_html("<input{}>", flatatt(final))


class FastNumberInput(FastInputMixin, forms.NumberInput):
    pass


class FastTextInput(FastInputMixin, forms.TextInput):
    pass


class FastDateInput(FastInputMixin, forms.DateInput):
    pass


class FastCheckbox(forms.CheckboxInput):
    def render(self, name, value, attrs=None, renderer=None):
        final = self.build_attrs(self.attrs, {**(attrs or {}), "type": "checkbox", "name": name})
        if self.check_test(value):
            final["checked"] = True
        return fast_format_html("<input{}>", flatatt(final))


class FastTextarea(forms.Textarea):
    """Django's textarea.html without the template engine. The newline after the opening
    tag is Django's too: a browser drops it, so a value starting with one keeps it."""

    def render(self, name, value, attrs=None, renderer=None):
        final = self.build_attrs(self.attrs, {**(attrs or {}), "name": name})
        shown = self.format_value(value)
        return fast_format_html("<textarea{}>\n{}</textarea>", flatatt(final), shown or "")
