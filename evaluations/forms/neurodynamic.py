"""Neurodynamic tests: the standard tests on each side always shown, and other tests added
as rows. A recorded row is checked here in the screen's words first (the rules whose own
messages name fields and region codes) and then by `neurodynamic`."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from evaluations import findings, neurodynamic
from evaluations.forms.base import GridSection, RowForm
from evaluations.forms.fields import (
    TRI_CHOICES,
    bool_to_tri,
    checks_field,
    choice_list,
    int_field,
    select_field,
    text_field,
    tri_to_bool,
)
from evaluations.forms.regions import REGION_CHOICES, RegionChecks, RegionField
from evaluations.forms.widgets import FastSelect
from evaluations.wording import plain_words, region_codes
from intake import bodychart

NEURODYNAMIC_STANDARD = (
    neurodynamic.NeurodynamicCode.SLR,
    neurodynamic.NeurodynamicCode.CROSSED_SLR,
    neurodynamic.NeurodynamicCode.SLUMP,
    neurodynamic.NeurodynamicCode.PKB,
    neurodynamic.NeurodynamicCode.FEMORAL_SLUMP,
)
ND_SIDES = (("L", _("left")), ("R", _("right")))
CHANGE_CHOICES = choice_list(
    sorted(neurodynamic.Change, key=lambda c: c != neurodynamic.Change.NOT_DONE), blank=None
)
ND_CUSTOM_CHOICES = [("", _("Choose a test"))] + [
    (c.value, neurodynamic.TEST_LABELS[c])
    for c in neurodynamic.NeurodynamicCode
    if c not in NEURODYNAMIC_STANDARD
]


class NeurodynamicRowForm(RowForm):
    code = forms.ChoiceField(
        choices=ND_CUSTOM_CHOICES,
        required=False,
        widget=FastSelect(attrs={"class": "form-select", "aria-label": _("test")}),
    )
    side = select_field([("", "—"), ("L", _("Left")), ("R", _("Right"))], _("side tested"))
    custom_label = text_field(_("name of the test"), max_length=80)
    onset_angle_deg = int_field(_("onset angle, degrees"), 0, 180, unit="°")
    measured_by = select_field(choice_list(neurodynamic.MeasuredBy), _("measured by"))
    symptoms_reproduced = select_field(
        choice_list(neurodynamic.Reproduction), _("symptoms reproduced")
    )
    symptom_location = RegionField(
        choices=REGION_CHOICES,
        required=False,
        label=_("where the symptoms were felt"),
        widget=RegionChecks(attrs={"aria-label": _("where the symptoms were felt")}),
    )
    below_knee = select_field(TRI_CHOICES, _("symptoms below the knee"))
    sd_manoeuvres = checks_field(
        choice_list(neurodynamic.SdManoeuvre, blank=None), _("differentiation")
    )
    # "Not done" first: it is what a browser sends for a test row left alone.
    sd_changed_symptoms = select_field(CHANGE_CHOICES, _("differentiation changed the symptoms"))
    resistance_rom_change = select_field(CHANGE_CHOICES, _("resistance or range change"))
    interpretation = select_field(
        choice_list(neurodynamic.Interpretation, blank=_("Your interpretation")),
        _("interpretation"),
    )

    def __init__(self, *args, standard: tuple[str, str] | None, **kwargs):
        self.standard = standard
        super().__init__(*args, **kwargs)
        if standard:
            for name in ("code", "side", "custom_label"):
                del self.fields[name]

    @property
    def recorded(self) -> bool:
        if not self.is_bound or not hasattr(self, "cleaned_data"):
            return False
        d = self.cleaned_data
        keys = (
            "onset_angle_deg",
            "measured_by",
            "symptoms_reproduced",
            "symptom_location",
            "below_knee",
            "sd_manoeuvres",
            "interpretation",
            "custom_label",
        )
        changed = any(
            d.get(k) not in (None, "", neurodynamic.Change.NOT_DONE)
            for k in ("sd_changed_symptoms", "resistance_rom_change")
        )
        return changed or any(d.get(k) not in (None, "", []) for k in keys)

    def clean(self):
        super().clean()
        data = self.cleaned_data
        if self.errors or not self.recorded:
            return data
        if not self.standard:
            if not data.get("code"):
                self.add_error("code", gettext("Choose which test this is."))
            if not data.get("side"):
                self.add_error("side", gettext("Choose the side tested."))
            if (
                data.get("code") == neurodynamic.NeurodynamicCode.OTHER
                and not (data.get("custom_label") or "").strip()
            ):
                self.add_error("custom_label", gettext("Name the test."))
        if not data.get("symptoms_reproduced"):
            self.add_error(
                "symptoms_reproduced", gettext("Record whether the test reproduced the symptoms.")
            )
        if data.get("onset_angle_deg") is not None and not data.get("measured_by"):
            self.add_error("measured_by", gettext("Say how the angle was measured."))
        self._check_in_words(data)
        if self.errors:
            return data
        row = self.row()
        try:
            findings.neurodynamic_test(row)
        except ValueError as exc:
            # The row names its test already: drop the rule's "SLR L: " and put its codes
            # in words.
            prefix = f"{row['custom_label'] or row['code']} {row['side']}:"
            raise forms.ValidationError(plain_words(str(exc).removeprefix(prefix))) from exc
        return data

    def _check_in_words(self, data: Mapping[str, Any]) -> None:
        """The rules whose messages from neurodynamic.py name fields and region codes
        ("below_knee=False contradicts the regions calf_shin_l"), said here in the words
        on the screen."""
        code = (self.standard or (data.get("code"), None))[0]
        angle = data.get("onset_angle_deg")
        if angle is None and data.get("measured_by"):
            self.add_error(
                "onset_angle_deg", gettext("Give the onset angle, or leave “Measured by” blank.")
            )
        if angle is not None and code and code not in neurodynamic.ANGLE_MEASURE:
            self.add_error(
                "onset_angle_deg", gettext("This test records no onset angle: leave it blank.")
            )
        regions = [bodychart.REGION_BY_CODE[c] for c in data.get("symptom_location") or ()]
        if regions and data.get("symptoms_reproduced") == neurodynamic.Reproduction.NONE:
            self.add_error(
                "symptom_location",
                gettext("No symptoms were reproduced, so leave “Where felt” empty."),
            )
            return
        below = tri_to_bool(data.get("below_knee") or "")
        lower = [r.label for r in regions if r.below_knee]
        if regions and below is False and lower:
            self.add_error(
                "below_knee",
                gettext("“No” does not fit where the symptoms were felt: %(region)s.")
                % {"region": lower[0]},
            )
        elif regions and below is True and not lower:
            self.add_error(
                "below_knee",
                gettext("“Yes” does not fit where the symptoms were felt: none is below the knee."),
            )

    def row(self) -> dict[str, Any]:
        d = self.cleaned_data
        code, side = self.standard or (d.get("code"), d.get("side"))
        return {
            "code": code,
            "side": side,
            "custom_label": (d.get("custom_label") or "").strip()
            if code == neurodynamic.NeurodynamicCode.OTHER
            else "",
            "onset_angle_deg": d.get("onset_angle_deg"),
            "measured_by": d.get("measured_by") or "",
            "symptoms_reproduced": d.get("symptoms_reproduced") or "",
            "symptom_location": ", ".join(d.get("symptom_location") or ()),
            "below_knee": tri_to_bool(d.get("below_knee") or ""),
            "sd_manoeuvres": list(d.get("sd_manoeuvres") or ()),
            "sd_changed_symptoms": d.get("sd_changed_symptoms") or "NOT_DONE",
            "resistance_rom_change": d.get("resistance_rom_change") or "NOT_DONE",
            "interpretation": d.get("interpretation") or "",
        }

    @classmethod
    def initial_from(cls, row: Mapping | None) -> dict:
        initial = super().initial_from(row)
        if row and "below_knee" in row:
            initial["below_knee"] = bool_to_tri(row["below_knee"])
        if row and "symptom_location" in row:
            initial["symptom_location"] = region_codes(row["symptom_location"] or "")
        return initial


class NeurodynamicSection(GridSection):
    key = "neurodynamic"
    title = "Neurodynamic tests"
    short_title = "Neurodynamic"
    row_form = NeurodynamicRowForm

    def layout(self, custom_count):
        rows: list[tuple[str, Any, str]] = []
        for code in NEURODYNAMIC_STANDARD:
            for side, side_word in ND_SIDES:
                rows.append(
                    (
                        f"std:{code}:{side}",
                        (code.value, side),
                        gettext("%(test)s, %(side)s")
                        % {"test": neurodynamic.TEST_LABELS[code], "side": side_word},
                    )
                )
        rows += [
            (f"custom:{n}", None, gettext("Other test %(n)s") % {"n": n})
            for n in range(1, custom_count + 1)
        ]
        return rows

    def is_valid(self) -> bool:
        valid = super().is_valid()
        # The summary takes one record per test and side (neurodynamic.summarise refuses a
        # second, which failed the save): say so beside the repeated row, in words.
        seen: set[tuple[str, str, str]] = set()
        for form in self.rows:
            if not (form.is_valid() and form.recorded):
                continue
            row = form.row()
            test = (row["code"], row["custom_label"].casefold(), row["side"])
            if test in seen:
                form.add_error(None, gettext("This test is recorded above for this side already."))
                valid = False
            seen.add(test)
        return valid
