"""The visit and its outcome measures: the date, pain now, the most distal symptom, the
patient's PSFS activities from the intake and (where the clinic holds the licence) the ODI.

A re-evaluation or discharge may open pre-filled from the patient's follow-up packet
(`evaluations.packets`): each pre-filled field is marked "Patient-reported on <date>" with
the patient's answer, the global rating of change is shown read-only, and every save keeps
the patient's answers (`patient_reported`, the record's version 2) beside the therapist's
values, which stay in the usual keys."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from evaluations import mdt, packets
from evaluations.forms.base import SectionContext, SectionForm
from evaluations.forms.fields import NPRS_CHOICES, as_text, choice_list, select_field, text_field
from evaluations.forms.widgets import FastDateInput
from evaluations.wording import unbroken_date
from intake.scoring.odi import SECTION_IDS as ODI_SECTION_IDS

ODI_CHOICES = [("", _("Not answered"))] + [(str(n), str(n)) for n in range(6)]


class OutcomesForm(SectionForm):
    key = "outcomes"
    title = "Visit and outcome measures"
    short_title = "Outcomes"

    visit_date = forms.DateField(
        widget=FastDateInput(attrs={"type": "date", "class": "form-control"}, format="%Y-%m-%d"),
        error_messages={
            "required": _("Enter the visit date."),
            "invalid": _("Enter a real date."),
        },
    )
    back_now = select_field(NPRS_CHOICES, _("Back pain now, 0 to 10"))
    leg_now = select_field(NPRS_CHOICES, _("Leg pain now, 0 to 10"))
    distal_site = select_field(choice_list(mdt.DistalSite), _("Most distal symptom today"))
    notes = text_field(_("Subjective notes"), max_length=4000, rows=3)

    def __init__(self, *args, ctx: SectionContext, **kwargs):
        super().__init__(*args, ctx=ctx, **kwargs)
        today = ctx.today
        self.fields["visit_date"].widget.attrs["max"] = today.isoformat()
        self.psfs_names = []
        for activity in ctx.psfs_activities:
            name = f"psfs_{activity['id']}"
            self.fields[name] = select_field(
                NPRS_CHOICES,
                gettext("PSFS: %(activity)s, 0 to 10") % {"activity": activity["activity"]},
            )
            self.fields[name].label = activity["activity"]
            self.psfs_names.append(name)
        self.odi_names = []
        if ctx.odi_licensed:
            for n, sid in enumerate(ODI_SECTION_IDS, start=1):
                self.fields[sid] = select_field(
                    ODI_CHOICES, gettext("ODI section %(n)s score, 0 to 5") % {"n": n}
                )
                self.fields[sid].label = gettext("Section %(n)s") % {"n": n}
                self.odi_names.append(sid)
        self._mark_reported(ctx.patient_reported)
        self.psfs_rows = [(name, self.reported.get(name, "")) for name in self.psfs_names]
        self.odi_rows = [(name, self.reported.get(name, "")) for name in self.odi_names]

    def _mark_reported(self, stored: dict[str, Any] | None) -> None:
        """`reported`: field name -> the mark beside it, for the fields the packet filled."""
        self.reported: dict[str, str] = {}
        self.reported_packet = self.reported_on = self.reported_grc = ""
        block = packets.reported_of({packets.REPORTED: stored})
        if block is None:
            return
        on = packets.reported_on(block)
        self.reported_packet = str(block["packet"])
        self.reported_on = unbroken_date(on) if on else gettext("an unknown date")
        self.reported_grc = packets.grc_text(block.get("grc"))
        for name, value in packets.field_values(block.get("values") or {}).items():
            if name in self.fields:
                self.reported[name] = gettext("Patient-reported on %(on)s: %(value)s") % {
                    "on": self.reported_on,
                    "value": value,
                }
                # Read out with the input it belongs to (its id is the field's + "_reported").
                self.fields[name].widget.attrs["aria-describedby"] = f"id_outcomes-{name}_reported"

    @staticmethod
    def prefill_data(values: dict[str, Any], *, visit_date: str) -> dict[str, str]:
        """What the form takes, as posted, to hold a packet's values (`packets.prefill_values`)
        on a visit on `visit_date`: the section is pre-filled through the form, so it is
        checked like anything typed."""
        data = {"visit_date": visit_date}
        data |= {name: str(v) for name, v in packets.field_values(values).items()}
        return data

    def clean_visit_date(self):
        value = self.cleaned_data["visit_date"]
        if value > self.ctx.today:
            raise forms.ValidationError(gettext("The visit date cannot be in the future."))
        if value < self.ctx.today - timedelta(days=366 * 5):
            raise forms.ValidationError(gettext("Enter a visit date within the last five years."))
        return value

    def record(self) -> dict[str, Any]:
        d = self.cleaned_data

        def num(value):
            return int(value) if value not in ("", None) else None

        return {
            "visit_date": d["visit_date"].isoformat(),
            "back_now": num(d["back_now"]),
            "leg_now": num(d["leg_now"]),
            "distal_site": d["distal_site"],
            "psfs": [
                {"id": a["id"], "activity": a["activity"], "score": num(d[f"psfs_{a['id']}"])}
                for a in self.ctx.psfs_activities
            ],
            "odi_sections": {sid: num(d[sid]) for sid in self.odi_names},
            "notes": d["notes"],
            # The patient's answers the section was pre-filled with, beside the above.
            **({packets.REPORTED: self.ctx.patient_reported} if self.ctx.patient_reported else {}),
        }

    @classmethod
    def initial_from(cls, stored, ctx):
        stored = stored or {}
        initial = {
            "visit_date": stored.get("visit_date") or ctx.today.isoformat(),
            "back_now": as_text(stored.get("back_now")),
            "leg_now": as_text(stored.get("leg_now")),
            "distal_site": stored.get("distal_site", ""),
            "notes": stored.get("notes", ""),
        }
        for a in stored.get("psfs") or ():
            initial[f"psfs_{a['id']}"] = as_text(a.get("score"))
        for sid, value in (stored.get("odi_sections") or {}).items():
            initial[sid] = as_text(value)
        return initial
