"""What every section form shares: the context it is built in, the one-form section and the
grid section made of rows (repeated movements, neurodynamic tests).

A section validates what the therapist entered and gives the JSON to store (`content()`,
in the format `evaluations.records` reads); `initial_from` turns a stored record (already
in the current format, without its version stamp) back into the form's initial values.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django import forms

from evaluations import records
from evaluations.forms.fields import bounded_int

MAX_CUSTOM_ROWS = 12


@dataclass
class SectionContext:
    """What a section's form needs besides what was typed."""

    kind: str
    today: date
    date_of_birth: date | None = None
    psfs_activities: list[dict] = field(default_factory=list)  # [{"id", "activity"}]
    odi_licensed: bool = False
    intake_inputs: dict[str, Any] = field(default_factory=dict)
    # The outcomes' patient-reported block (evaluations.packets), kept through every save.
    patient_reported: dict[str, Any] | None = None


class SectionForm(forms.Form):
    """A single form section. `content()` is the JSON to store once valid."""

    key = ""
    title = ""
    short_title = ""  # the section link's words in the page's section navigation

    def __init__(self, *args, ctx: SectionContext, **kwargs):
        self.ctx = ctx
        # All six sections share one page, and two have a field called "notes": ids carry
        # the section so every <label for> finds its own control. Only ids change; the
        # posted names (and so the stored drafts) stay as they were.
        kwargs.setdefault("auto_id", f"id_{self.key}-%s")
        super().__init__(*args, **kwargs)

    def content(self) -> dict[str, Any]:
        """The record to store, stamped with its format's version."""
        return records.write(self.key, self.record())

    def record(self) -> dict[str, Any]:
        """The section's record from what validated."""
        return dict(self.cleaned_data)

    @classmethod
    def initial_from(cls, stored: Mapping[str, Any] | None, ctx: SectionContext) -> dict:
        return dict(stored or {})

    @property
    def error_count(self) -> int:
        return sum(len(v) for v in self.errors.values()) if self.is_bound else 0


# --- Grids ------------------------------------------------------------------------------------


class RowForm(forms.Form):
    """One row of a grid. Subclasses say by `recorded` whether the row was filled in; a
    row left blank is not stored."""

    row_key = ""  # the row's key in the stored record ("std:EIL", "custom:1")

    def __init__(self, *args, row_label: str, **kwargs):
        self.row_label = row_label
        super().__init__(*args, **kwargs)
        for f in self.fields.values():
            aria = f.widget.attrs.get("aria-label")
            if aria:
                f.widget.attrs["aria-label"] = f"{row_label}: {aria}"
            f.label = f.label or aria

    @classmethod
    def initial_from(cls, row: Mapping | None) -> dict:
        """A stored row as the row form's initial values."""
        if not row:
            return {}
        return {k: ("" if v is None else v) for k, v in row.items()}

    @property
    def recorded(self) -> bool:
        raise NotImplementedError

    def row(self) -> dict[str, Any]:
        raise NotImplementedError


class GridSection:
    """A section made of rows: standard rows always shown, plus custom rows."""

    key = ""
    title = ""
    short_title = ""
    row_form: type[RowForm]

    def __init__(self, data=None, *, ctx: SectionContext, initial=None):
        self.ctx = ctx
        self.is_bound = data is not None
        stored = initial or {}
        if data is not None:
            custom_count = bounded_int(data.get("custom_count"), 1, 0, MAX_CUSTOM_ROWS)
            if data.get("add_row"):
                custom_count = min(custom_count + 1, MAX_CUSTOM_ROWS)
        else:
            custom_count = max(1, int(stored.get("custom_count") or 1))
        self.custom_count = custom_count
        self.rows: list[Any] = []
        by_key = {r.get("key"): r for r in stored.get("rows") or ()}
        for key, standard, row_label in self.layout(custom_count):
            prefix = f"{self.key}-{key}".replace(":", "-")
            kwargs = {"prefix": prefix, "row_label": row_label, "standard": standard}
            if data is not None:
                form = self.row_form(data, **kwargs)
            else:
                form = self.row_form(initial=self.row_form.initial_from(by_key.get(key)), **kwargs)
            form.row_key = key
            self.rows.append(form)

    def layout(self, custom_count: int) -> list[tuple[str, Any, str]]:
        raise NotImplementedError

    def is_valid(self) -> bool:
        return all([form.is_valid() for form in self.rows])  # every row, for its errors

    @property
    def error_count(self) -> int:
        return sum(sum(len(v) for v in form.errors.values()) for form in self.rows if form.is_bound)

    def content(self) -> dict[str, Any]:
        rows = []
        for form in self.rows:
            if form.recorded:
                rows.append({"key": form.row_key, **form.row()})
        return records.write(self.key, {"rows": rows, "custom_count": self.custom_count})

    @classmethod
    def initial_from(cls, stored, ctx):
        return dict(stored or {})
