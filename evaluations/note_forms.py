"""The treatment note's form: the rows of the plan of care to tick and adjust, the session's
response, pain, home programme, time and the cauda equina re-check, as one autosaved form.

The form only renders and reads the fields; every rule (ranges, choices, dates, the
interventions' parameters) and every message is `evaluations.notes.clean`'s, so the
pure module is the one statement of the record.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping, Sequence
from typing import Any

from django import forms

from evaluations import notes as rules
from evaluations import plan_catalog
from evaluations.forms.fields import bool_field
from evaluations.forms.plan import _catalog_field
from evaluations.forms.widgets import FastDateInput, FastNumberInput, FastTextarea


def _radios(choices: Sequence[tuple[str, str]], label: str) -> forms.CharField:
    # A CharField: the choice is checked (with the screen's message) by notes.clean.
    return forms.CharField(
        required=False,
        label=label,
        widget=forms.RadioSelect(choices=choices, attrs={"class": "btn-check"}),
    )


def _number(label: str, low: int, high: int) -> forms.CharField:
    attrs = {
        "class": "form-control form-control-lg",
        "inputmode": "numeric",
        "min": low,
        "max": high,
        "step": 1,
    }
    return forms.CharField(
        required=False, label=label, max_length=10, widget=FastNumberInput(attrs=attrs)
    )


class NoteForm(forms.Form):
    visit_date = forms.CharField(
        required=False,
        label="Visit date",
        widget=FastDateInput(attrs={"type": "date", "class": "form-control form-control-lg"}),
    )
    minutes = _number("Time spent (minutes)", rules.MINUTES_MIN, rules.MINUTES_MAX)
    response = _radios(rules.RESPONSE_CHOICES, "Symptoms during the session")
    distal_site = _radios(rules.DISTAL_CHOICES, "Most distal symptom today")
    back_nprs = _number("Back pain now (0 to 10)", rules.NPRS_MIN, rules.NPRS_MAX)
    leg_nprs = _number("Leg pain now (0 to 10)", rules.NPRS_MIN, rules.NPRS_MAX)
    hep_adherence = _radios(rules.ADHERENCE_CHOICES, "Home exercise programme since last visit")
    notes = forms.CharField(
        required=False,
        label="Notes",
        widget=FastTextarea(attrs={"class": "form-control", "rows": 4, "autocomplete": "off"}),
    )

    def __init__(
        self,
        *args: Any,
        rows: Sequence[Mapping[str, Any]],
        earliest: datetime.date,
        latest: datetime.date,
        **kwargs: Any,
    ):
        kwargs.setdefault("auto_id", "id_note-%s")
        super().__init__(*args, **kwargs)
        self.note_rows = list(rows)
        self.earliest, self.latest = earliest, latest
        self.record: dict[str, Any] = {}
        self.visit: datetime.date | None = None
        self.ces: list[tuple[rules.CesItem, str]] = []
        for ces in rules.ces_items():
            name = rules.ces_field(ces.code)
            self.fields[name] = _radios(rules.CES_ANSWERS, ces.staff_text)
            self.ces.append((ces, name))
        self.myotomes: list[tuple[str, str, str]] = rules.myotome_fields()
        grades = [
            ("", "—"),
            *((str(g), str(g)) for g in range(rules.GRADE_MIN, rules.GRADE_MAX + 1)),
        ]
        for name, text, side in self.myotomes:
            self.fields[name] = forms.CharField(
                required=False,
                label=f"{text}, {side}",
                widget=forms.Select(
                    choices=grades, attrs={"class": "form-select", "aria-label": f"{text}, {side}"}
                ),
            )
        self.row_fields: list[tuple[int, Mapping[str, Any], str, list[str]]] = []
        for i, row in enumerate(self.note_rows):
            item = plan_catalog.BY_CODE.get(str(row.get("code", "")))
            title = item.label if item else f"Unknown intervention ({row.get('code')})"
            done = rules.done_field(i)
            self.fields[done] = bool_field(f"{title}: done today")
            self.fields[done].widget.attrs["class"] = "btn-check"
            names = []
            for param in item.params if item else ():
                name = rules.param_field(i, param.name)
                unit = f" ({param.unit})" if param.unit else ""
                self.fields[name] = _catalog_field(param, f"{title}: {param.label}{unit}")
                self.fields[name].label = param.label + unit
                names.append(name)
            self.row_fields.append((i, row, done, names))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        record, errors, visit = rules.clean(
            data, rows=self.note_rows, earliest=self.earliest, latest=self.latest
        )
        for name, message in errors.items():
            target = name if name in self.fields else None
            if target is None or not self.has_error(target):
                self.add_error(target, message)
        self.record, self.visit = record, visit
        return data

    @property
    def error_count(self) -> int:
        return sum(len(v) for v in self.errors.values()) if self.is_bound else 0

    def rows(self) -> list[dict[str, Any]]:
        """The interventions as the template shows them: the row's words, what the plan
        gave, its "done" box and its parameters."""
        out = []
        for i, row, done, names in self.row_fields:
            item = plan_catalog.BY_CODE.get(str(row.get("code", "")))
            out.append(
                {
                    "index": i,
                    "code": row.get("code"),
                    "label": item.label if item else str(row.get("code")),
                    "planned": rules.describe_row(row, planned=True),
                    "done": self[done],
                    "params": [self[name] for name in names],
                }
            )
        return out

    def myotome_rows(self) -> list[tuple[str, Any, Any]]:
        """The quick re-check as rows: (movement with its roots, left cell, right cell)."""
        rows = []
        for i in range(0, len(self.myotomes), 2):
            (left, text, _), (right, _, _) = self.myotomes[i], self.myotomes[i + 1]
            rows.append((text, self[left], self[right]))
        return rows

    def ces_rows(self) -> list[tuple[rules.CesItem, Any]]:
        return [(item, self[name]) for item, name in self.ces]
