"""The plan of care: interventions from the catalog (each with its parameters), the dose,
measurable goals, the home programme, the re-evaluation date and any referral."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from evaluations import goals, plan_catalog
from evaluations.forms.base import SectionForm
from evaluations.forms.fields import (
    as_text,
    bool_field,
    checks_field,
    int_field,
    lazy_text,
    select_field,
    text_field,
)
from evaluations.forms.widgets import FastDateInput, FastNumberInput
from evaluations.goals import COMPARATORS, GOAL_MEASURES, GOAL_OUTCOMES
from evaluations.vocabulary import REFERRAL_TO, REFERRAL_URGENCY

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

GOAL_ROWS = 4
COMPARATOR_CHOICES = [("", "—"), *COMPARATORS.items()]


def _catalog_field(param: plan_catalog.Param, aria: StrOrPromise) -> forms.Field:
    kind = param.kind
    if kind == plan_catalog.Kind.CHOICE:
        return select_field([("", "—"), *param.choices], aria)
    if kind == plan_catalog.Kind.MULTI:
        return checks_field(list(param.choices), aria)
    if kind == plan_catalog.Kind.BOOL:
        return bool_field(aria)
    if kind == plan_catalog.Kind.DATE:
        return forms.CharField(
            required=False,
            widget=FastDateInput(
                attrs={"type": "date", "class": "form-control", "aria-label": aria}
            ),
        )
    if kind == plan_catalog.Kind.TEXT:
        return text_field(aria, max_length=500)
    attrs: dict[str, Any] = {"class": "form-control", "aria-label": aria, "inputmode": "decimal"}
    if param.min is not None:
        attrs["min"] = param.min
    if param.max is not None:
        attrs["max"] = param.max
    attrs["step"] = "1" if kind == plan_catalog.Kind.INT else "any"
    # Validated by plan_catalog.validate_item, which explains the range in words.
    return forms.CharField(required=False, max_length=40, widget=FastNumberInput(attrs=attrs))


def _plan_catalog_fields() -> tuple[list, dict[str, forms.Field]]:
    """The plan's fields from the intervention catalog, grouped by family for the template,
    and the goal rows."""
    fields: dict[str, forms.Field] = {}
    families = []
    for family, family_label in plan_catalog.FAMILIES:
        items = []
        for item in plan_catalog.interventions(family):
            on = f"i_{item.code}"
            fields[on] = bool_field(
                lazy_text(_("Include %(intervention)s"), intervention=item.label)
            )
            fields[on].label = item.label
            params = []
            for param in item.params:
                name = f"i_{item.code}__{param.name}"
                unit = f" ({param.unit})" if param.unit else ""
                fields[name] = _catalog_field(param, f"{item.label}: {param.label}{unit}")
                fields[name].label = param.label + unit
                fields[name].help_text = param.help
                params.append((param, name))
            items.append((item, on, params))
        families.append((family, family_label, items))
    for n in range(1, GOAL_ROWS + 1):
        fields[f"goal_{n}_measure"] = select_field(
            GOAL_MEASURES, lazy_text(_("Goal %(n)s: measure"), n=n)
        )
        # The score the goal aims for: at most or at least a number on the measure's
        # scale. The progress report judges the goal from these, never from the words.
        fields[f"goal_{n}_comparator"] = select_field(
            COMPARATOR_CHOICES, lazy_text(_("Goal %(n)s: at most or at least"), n=n)
        )
        fields[f"goal_{n}_value"] = forms.DecimalField(
            required=False,
            max_digits=6,
            decimal_places=2,
            widget=FastNumberInput(
                attrs={
                    "class": "form-control",
                    "aria-label": lazy_text(_("Goal %(n)s: score to reach"), n=n),
                    "inputmode": "decimal",
                    "step": "any",
                }
            ),
            error_messages={
                "invalid": _("Enter a number."),
                "max_digits": _("Enter a score on the measure's scale."),
                "max_whole_digits": _("Enter a score on the measure's scale."),
                "max_decimal_places": _("Use at most two decimal places."),
            },
        )
        # At a re-evaluation or discharge: met, partly met or not met, in the therapist's
        # judgement (the progress report prints it beside what the numbers say).
        fields[f"goal_{n}_outcome"] = select_field(
            GOAL_OUTCOMES, lazy_text(_("Goal %(n)s: met?"), n=n)
        )
        # The therapist's words for the goal, kept as a note beside the number.
        fields[f"goal_{n}_target"] = text_field(
            lazy_text(_("Goal %(n)s: target"), n=n), max_length=200
        )
        fields[f"goal_{n}_by"] = forms.DateField(
            required=False,
            widget=FastDateInput(
                attrs={
                    "type": "date",
                    "class": "form-control",
                    "aria-label": lazy_text(_("Goal %(n)s: by"), n=n),
                },
                format="%Y-%m-%d",
            ),
            error_messages={"invalid": _("Enter a real date.")},
        )
    return families, fields


class PlanForm(SectionForm):
    key = "plan"
    title = "Plan of care"
    short_title = "Plan"

    frequency_per_week = int_field(_("Visits per week"), 1, 7)
    weeks = int_field(_("For how many weeks"), 1, 52)
    hep = text_field(_("Home exercise programme"), max_length=4000, rows=3)
    reeval_date = forms.DateField(
        label=_("Re-evaluation date"),
        required=False,
        widget=FastDateInput(attrs={"type": "date", "class": "form-control"}, format="%Y-%m-%d"),
        error_messages={"invalid": _("Enter a real date.")},
    )
    referral = bool_field(_("Refer for a surgical or medical opinion"))
    referral_to = select_field(REFERRAL_TO, _("Refer to"))
    referral_urgency = select_field(REFERRAL_URGENCY, _("Urgency"))
    referral_reason = text_field(_("Reason for referral"), max_length=1000, rows=2)

    families, catalog_fields = _plan_catalog_fields()

    def clean(self):
        super().clean()
        data = self.cleaned_data
        self.plan_items: list[dict[str, Any]] = []
        for _family, _label, items in self.families:
            for item, on, params in items:
                if not data.get(on):
                    continue
                raw = {p.name: data.get(name) for p, name in params}
                values, errors = plan_catalog.validate_item(item.code, raw)
                for pname, message in errors.items():
                    target = f"i_{item.code}__{pname}"
                    self.add_error(target if target in self.fields else on, message)
                self.plan_items.append({"code": item.code, "values": values})
        for n in range(1, GOAL_ROWS + 1):
            self._check_goal(n, data)
        reeval = data.get("reeval_date")
        if reeval and reeval < self.ctx.today:
            self.add_error("reeval_date", gettext("The re-evaluation date cannot be in the past."))
        if data.get("referral"):
            if not data.get("referral_to"):
                self.add_error("referral_to", gettext("Say who the referral is to."))
            if not data.get("referral_urgency"):
                self.add_error("referral_urgency", gettext("Say how urgent the referral is."))
            if not (data.get("referral_reason") or "").strip():
                self.add_error("referral_reason", gettext("Give the reason for the referral."))
        return data

    def _check_goal(self, n: int, data: dict[str, Any]) -> None:
        name = f"goal_{n}_%s"
        measure, comparator, target, by = (
            data.get(name % "measure"),
            data.get(name % "comparator"),
            (data.get(name % "target") or "").strip(),
            data.get(name % "by"),
        )
        value = data.get(name % "value")
        # A number that did not parse has its message already; it still counts as typed.
        unreadable = self.has_error(name % "value")
        typed = value is not None or unreadable
        if not any((measure, comparator, typed, target, by)):
            return
        if not measure:
            self.add_error(name % "measure", gettext("Choose what the goal measures."))
        if not target and not comparator and not typed:
            self.add_error(name % "target", gettext("Say what the target is."))
        if not unreadable:
            number = float(value) if value is not None else None
            problems = goals.check_target(measure or "", comparator or "", number)
            for field, message in problems.items():
                self.add_error(name % field, message)
        if not by:
            self.add_error(name % "by", gettext("Give a date for the goal."))
        elif by < self.ctx.today:
            self.add_error(name % "by", gettext("A goal date cannot be in the past."))

    def record(self) -> dict[str, Any]:
        d = self.cleaned_data
        goal_records = []
        for n in range(1, GOAL_ROWS + 1):
            if d.get(f"goal_{n}_measure"):
                value = d.get(f"goal_{n}_value")
                goal_records.append(
                    {
                        "measure": d[f"goal_{n}_measure"],
                        "comparator": d.get(f"goal_{n}_comparator") or "",
                        "value": goals.number(float(value)) if value is not None else None,
                        "target": d[f"goal_{n}_target"].strip(),
                        "by": d[f"goal_{n}_by"].isoformat() if d.get(f"goal_{n}_by") else "",
                        "outcome": d.get(f"goal_{n}_outcome") or "",
                    }
                )
        return {
            "catalog_version": plan_catalog.CATALOG_VERSION,
            "items": self.plan_items,  # plan_catalog.validate_item returns JSON-ready values
            "frequency_per_week": d.get("frequency_per_week"),
            "weeks": d.get("weeks"),
            "goals": goal_records,
            "hep": d.get("hep", "").strip(),
            "reeval_date": d["reeval_date"].isoformat() if d.get("reeval_date") else "",
            "referral": bool(d.get("referral")),
            "referral_to": d.get("referral_to", "") if d.get("referral") else "",
            "referral_urgency": d.get("referral_urgency", "") if d.get("referral") else "",
            "referral_reason": d.get("referral_reason", "").strip() if d.get("referral") else "",
        }

    @classmethod
    def initial_from(cls, stored, ctx):
        stored = stored or {}
        initial: dict[str, Any] = {
            k: stored.get(k)
            for k in (
                "frequency_per_week",
                "weeks",
                "hep",
                "reeval_date",
                "referral",
                "referral_to",
                "referral_urgency",
                "referral_reason",
            )
            if stored.get(k) not in (None, "")
        }
        for item in stored.get("items") or ():
            initial[f"i_{item['code']}"] = True
            for pname, value in (item.get("values") or {}).items():
                initial[f"i_{item['code']}__{pname}"] = value
        for n, goal in enumerate(stored.get("goals") or (), start=1):
            initial[f"goal_{n}_measure"] = goal.get("measure", "")
            initial[f"goal_{n}_comparator"] = goal.get("comparator", "")
            initial[f"goal_{n}_value"] = as_text(goal.get("value"))
            initial[f"goal_{n}_target"] = goal.get("target", "")
            initial[f"goal_{n}_by"] = goal.get("by", "")
            initial[f"goal_{n}_outcome"] = goal.get("outcome", "")
        return initial


# Built once (the catalog is the same for every patient) and added to the form's base
# fields, which Django copies into each new form as it does declared fields.
PlanForm.base_fields.update(PlanForm.catalog_fields)
