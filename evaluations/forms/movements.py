"""Repeated movements: the six standard tests always shown, and other tests added as rows.
Each recorded row is checked by `mdt` (through `findings.movement_test`), and a rule it
breaks is shown beside the field it is about, in the screen's words."""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from typing import Any

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from evaluations import findings, mdt
from evaluations.forms.base import GridSection, RowForm
from evaluations.forms.fields import (
    NPRS_CHOICES,
    checks_field,
    choice_list,
    int_field,
    select_field,
    text_field,
)
from evaluations.forms.widgets import FastNumberInput, FastSelect
from evaluations.wording import plain_words

_TEST_PREFIX = re.compile(r"^Test (?:'[^']*'|\"[^\"]*\"|\S+?)(:\s*|\s+)")

STANDARD_MOVEMENTS = (
    mdt.MovementCode.FIS,
    mdt.MovementCode.EIS,
    mdt.MovementCode.FIL,
    mdt.MovementCode.EIL,
    mdt.MovementCode.SGIS_R,
    mdt.MovementCode.SGIS_L,
)
CUSTOM_MOVEMENT_CHOICES = [("", _("Choose a test"))] + [
    (c.value, mdt.MOVEMENT_LABELS[c]) for c in mdt.MovementCode if c not in STANDARD_MOVEMENTS
]
FORCE_DEFAULT = mdt.ForceProgression.PATIENT.value


class MovementRowForm(RowForm):
    movement_code = forms.ChoiceField(
        choices=CUSTOM_MOVEMENT_CHOICES,
        required=False,
        widget=FastSelect(attrs={"class": "form-select", "aria-label": _("test")}),
    )
    custom_label = text_field(_("name of the test"), max_length=80)
    direction = select_field(choice_list(mdt.Direction), _("direction it loads"))
    order = int_field(_("order done"), 1, 50)
    loading = select_field(choice_list(mdt.Loading, blank=_("Default for the test")), _("loading"))
    repetitions = int_field(_("repetitions"), 1, 200)
    force_progression = select_field(
        choice_list(mdt.ForceProgression, blank=None), _("force progression")
    )
    pre_distal_site = select_field(choice_list(mdt.DistalSite), _("most distal symptom before"))
    pre_nprs = select_field(NPRS_CHOICES, _("pain before, 0 to 10"))
    during_responses = checks_field(choice_list(mdt.DuringResponse, blank=None), _("during"))
    after_response = select_field(choice_list(mdt.AfterResponse), _("after"))
    post_distal_site = select_field(choice_list(mdt.DistalSite), _("most distal symptom after"))
    mechanical_response = select_field(
        choice_list(mdt.MechanicalResponse), _("mechanical response")
    )
    measure_name = text_field(_("measure (e.g. fingertip to floor)"), max_length=60)
    measure_value = forms.DecimalField(
        required=False,
        max_digits=7,
        decimal_places=2,
        widget=FastNumberInput(
            attrs={"class": "form-control", "aria-label": _("measure value"), "step": "any"}
        ),
        error_messages={
            "invalid": _("Enter a number."),
            "max_digits": _("Enter a smaller number."),
        },
    )
    measure_unit = text_field(_("unit"), max_length=20)

    def __init__(self, *args, standard: str | None, **kwargs):
        self.standard = standard
        super().__init__(*args, **kwargs)
        if standard:
            for name in ("movement_code", "custom_label", "direction"):
                del self.fields[name]

    def clean_measure_value(self):
        value = self.cleaned_data["measure_value"]
        if value is not None and not math.isfinite(float(value)):
            raise forms.ValidationError(gettext("Enter a number."))
        return value

    def clean(self):
        super().clean()
        data = self.cleaned_data
        if self.errors or not self.recorded:
            return data
        code = self.standard or data.get("movement_code")
        if not code:
            self.add_error("movement_code", gettext("Choose which test this is."))
            return data
        if code == mdt.MovementCode.OTHER and not (data.get("custom_label") or "").strip():
            self.add_error("custom_label", gettext("Name the test."))
        for name, what in (
            ("pre_distal_site", gettext("Record the most distal symptom before the test.")),
            ("after_response", gettext("Record how the symptoms were after the test.")),
            ("post_distal_site", gettext("Record the most distal symptom after the test.")),
        ):
            if not data.get(name):
                self.add_error(name, what)
        if code == mdt.MovementCode.OTHER and not data.get("direction"):
            self.add_error("direction", gettext("Choose the direction this test loads."))
        if self.errors:
            return data
        try:
            findings.movement_test(self.row())
        except ValueError as exc:
            self._attach(str(exc))
        return data

    # Which field a rule from the pure function is about, by the words it uses.
    _RULE_FIELDS = (
        ("repetitions", "repetitions"),
        ("during", "during_responses"),
        ("after", "after_response"),
        ("mechanic", "mechanical_response"),
        ("loading", "loading"),
        ("force", "force_progression"),
        ("pain", "pre_nprs"),
        ("measure", "measure_value"),
    )

    def _attach(self, message: str) -> None:
        """Put a rule's message next to the field it concerns, in plain words."""
        # The row names its test already: "Test EIL: record ..." reads "Record ...", and
        # "Test EIL is done ..." reads "This test is done ...".
        text = _TEST_PREFIX.sub(
            lambda m: "" if m.group(1).startswith(":") else "This test ", message
        )
        lowered = text.lower()
        text = plain_words(text)
        for word, name in self._RULE_FIELDS:
            if word in lowered and name in self.fields:
                self.add_error(name, text)
                return
        self.add_error(None, text)

    @property
    def recorded(self) -> bool:
        if not self.is_bound or not hasattr(self, "cleaned_data"):
            return False
        d = self.cleaned_data
        keys = (
            "pre_distal_site",
            "pre_nprs",
            "during_responses",
            "after_response",
            "post_distal_site",
            "mechanical_response",
            "repetitions",
            "measure_name",
            "measure_value",
            "custom_label",
            "order",
        )
        return any(d.get(k) not in (None, "", []) for k in keys)

    def row(self) -> dict[str, Any]:
        d = self.cleaned_data
        code = self.standard or d.get("movement_code")
        value = d.get("measure_value")
        return {
            "movement_code": code,
            "custom_label": (d.get("custom_label") or "").strip()
            if code == mdt.MovementCode.OTHER
            else "",
            "direction": d.get("direction") or "" if not self.standard else "",
            "order": d.get("order"),
            "loading": d.get("loading") or "",
            "repetitions": d.get("repetitions"),
            "force_progression": d.get("force_progression") or FORCE_DEFAULT,
            "pre_distal_site": d.get("pre_distal_site") or "",
            "pre_nprs": int(d["pre_nprs"]) if d.get("pre_nprs") not in ("", None) else None,
            "during_responses": list(d.get("during_responses") or ()),
            "after_response": d.get("after_response") or "",
            "post_distal_site": d.get("post_distal_site") or "",
            "mechanical_response": d.get("mechanical_response") or "",
            "measure_name": d.get("measure_name") or "",
            "measure_value": float(value) if value is not None else None,
            "measure_unit": d.get("measure_unit") or "",
        }

    @classmethod
    def initial_from(cls, row: Mapping | None) -> dict:
        initial = super().initial_from(row)
        if row and row.get("pre_nprs") is not None:
            initial["pre_nprs"] = str(row["pre_nprs"])
        return initial


class MovementsSection(GridSection):
    key = "movements"
    title = "Repeated movements"
    short_title = "Movements"
    row_form = MovementRowForm

    def layout(self, custom_count):
        rows: list[tuple[str, Any, str]] = [
            (f"std:{c}", c.value, mdt.MOVEMENT_LABELS[c]) for c in STANDARD_MOVEMENTS
        ]
        rows += [
            (f"custom:{n}", None, gettext("Other test %(n)s") % {"n": n})
            for n in range(1, custom_count + 1)
        ]
        return rows
