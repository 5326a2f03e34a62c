"""The "where felt" of a neurodynamic test's row: the body chart's labelled regions as
touch-sized toggles, stored as their codes ("code, code")."""

from __future__ import annotations

import html

from django import forms
from django.utils.safestring import mark_safe
from django.utils.translation import gettext

from evaluations.forms.fields import SharedMultipleChoiceField
from evaluations.forms.widgets import fast_format_html, flatatt
from evaluations.wording import region_codes, region_text
from intake import bodychart

REGION_CHOICES = [(r.code, r.label) for r in bodychart.REGIONS]


def _region_areas() -> tuple[tuple[str, tuple[tuple[int, str, str, str], ...]], ...]:
    """Each area, escaped, with its regions as (n, code, escaped code, escaped label); the
    boxes are numbered down the page as Django numbers a multiple choice's (id_<name>_<n>)."""
    numbered = iter(range(len(bodychart.REGIONS)))
    return tuple(
        (
            html.escape(area),
            tuple(
                (next(numbered), r.code, html.escape(r.code), html.escape(r.label)) for r in regions
            ),
        )
        for area, regions in bodychart.regions_by_area()
    )


_REGION_AREAS = _region_areas()


class RegionChecks(forms.CheckboxSelectMultiple):
    """Where the symptoms were felt: the body chart's labelled regions as finger-sized
    toggles (real check boxes underneath), grouped by area, in a fold whose heading lists
    the regions chosen in words, so a row shows them without opening. Each box has its own
    label; the fieldset's legend names the row and question for screen readers."""

    def __init__(self, attrs=None):
        super().__init__(attrs, choices=REGION_CHOICES)

    def format_value(self, value):
        return region_codes(value)

    def render(self, name, value, attrs=None, renderer=None):
        final = self.build_attrs(self.attrs, attrs)
        base = final.get("id") or f"id_{name}"
        chosen = set(self.format_value(value))
        disabled = " disabled" if final.get("disabled") else ""
        invalid = "is-invalid" in final.get("class", "")
        described = final.get("aria-describedby")
        # ~20 toggles in each of a dozen rows: escape the row's name and id once, and each
        # region's code and label once per process (_REGION_AREAS).
        name, base_id = html.escape(name), html.escape(base)
        areas = []
        for area, regions in _REGION_AREAS:
            toggles = "".join(
                f'<input type="checkbox" class="btn-check" name="{name}" value="{code}" '
                f'id="{base_id}_{n}"{" checked" if raw in chosen else ""}{disabled}>'
                f'<label class="btn btn-outline-secondary" for="{base_id}_{n}">{text}</label>'
                for n, raw, code, text in regions
            )
            areas.append(
                '<fieldset class="region-area"><legend class="form-label small mb-1">'
                f'{area}</legend><div class="d-flex flex-wrap gap-1">{toggles}</div></fieldset>'
            )
        words = region_text(sorted(chosen)) or gettext("none chosen")
        # Open when there is something to fix, so the message sits beside the choices.
        details = flatatt(
            {"class": "region-picker is-invalid" if invalid else "region-picker", "open": invalid}
        )
        fieldset = flatatt(
            {"class": "touch-checks region-areas", "id": base, "aria-describedby": described}
        )
        return fast_format_html(
            "<details{} data-region-picker><summary>"
            '<span class="fw-semibold">{}</span> <span data-region-chosen>{}</span>'
            '</summary><fieldset{}><legend class="visually-hidden">{}</legend>{}</fieldset>'
            "</details>",
            details,
            gettext("Where felt:"),
            words,
            fieldset,
            final.get("aria-label") or gettext("Where the symptoms were felt"),
            mark_safe("".join(areas)),  # noqa: S308  (every piece escaped above)
        )


class RegionField(SharedMultipleChoiceField):
    """Body chart regions, cleaned to their codes (stored as today: "code, code"). Takes
    what a draft saved before the chooser may hold too: one value of comma-separated codes
    or labels, as a therapist typed them."""

    def to_python(self, value):
        if value in self.empty_values:
            return []
        values = [value] if isinstance(value, str) else list(value)
        unknown = [w for v in values for w in bodychart.parse_regions(str(v))[1]]
        if unknown:
            named = ", ".join(f"“{w[:40]}{'…' if len(w) > 40 else ''}”" for w in unknown[:3])
            raise forms.ValidationError(
                gettext("Not a body chart region: %(named)s. Choose the regions from the list.")
                % {"named": named}
            )
        return region_codes(values)
