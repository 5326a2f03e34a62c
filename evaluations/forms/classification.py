"""The therapist's classification: category, side, suspected levels and pain grades with
their rationale, and their answers to the few questions the intake does not settle (the
system's suggestion reads them)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.http import QueryDict
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from evaluations import classification, findings, neuro
from evaluations.forms.base import SectionContext, SectionForm
from evaluations.forms.fields import (
    TRI_CHOICES,
    bool_to_tri,
    checks_field,
    choice_list,
    select_field,
    text_field,
)

CATEGORY_CHOICES = [("", _("Choose a category"))] + [
    (c.value, classification.CATEGORY_LABELS[c]) for c in classification.Category
]
LEVEL_CHOICES = [(r.value, r.value) for r in neuro.Root]


class ClassificationForm(SectionForm):
    key = "classification"
    title = "Classification"
    short_title = "Classification"

    category = select_field(CATEGORY_CHOICES, _("Category"))
    side = select_field(choice_list(classification.Side), _("Side"))
    suspected_levels = checks_field(LEVEL_CHOICES, _("Suspected levels"))
    neuropathic_grade = select_field(
        choice_list(classification.NeuropathicGrade), _("Neuropathic pain grade")
    )
    nociplastic_grade = select_field(
        choice_list(classification.NociplasticGrade), _("Nociplastic pain grade")
    )
    rationale = text_field(_("Your rationale"), max_length=4000, rows=4)

    def __init__(self, *args, ctx: SectionContext, **kwargs):
        super().__init__(*args, ctx=ctx, **kwargs)
        self.input_names = []
        for name, text in findings.EXTRA_INPUTS:
            fname = f"in_{name}"
            from_intake = bool_to_tri(ctx.intake_inputs.get(name))
            blank = (
                gettext("As the intake (intake: %(answer)s)")
                % {"answer": dict(TRI_CHOICES).get(from_intake)}
                if from_intake
                else gettext("Not recorded")
            )
            self.fields[fname] = select_field(
                [("", blank), ("yes", gettext("Yes")), ("no", gettext("No"))],
                text,
            )
            self.fields[fname].label = text
            self.input_names.append(fname)

    def record(self) -> dict[str, Any]:
        d = self.cleaned_data
        return {
            "category": d["category"],
            "side": d["side"],
            "suspected_levels": list(d["suspected_levels"]),
            "neuropathic_grade": d["neuropathic_grade"],
            "nociplastic_grade": d["nociplastic_grade"],
            "rationale": d["rationale"].strip(),
            "inputs": {name.removeprefix("in_"): d[name] for name in self.input_names if d[name]},
        }

    @classmethod
    def initial_from(cls, stored, ctx):
        stored = dict(stored or {})
        initial = {k: v for k, v in stored.items() if k != "inputs"}
        for name, value in (stored.get("inputs") or {}).items():
            initial[f"in_{name}"] = value
        return initial


def adopt_suggestion(data: QueryDict, findings: Mapping[str, Any]) -> QueryDict:
    """The classification's `prepare` hook: when the therapist asked to start from the
    system's suggestion ("adopt"), fill the choices from it. The rationale stays the
    therapist's own words."""
    if not data.get("adopt"):
        return data
    suggestion = findings.get("classification") or {}
    data = data.copy()
    if suggestion.get("category"):
        data["category"] = suggestion["category"]
    data["side"] = suggestion.get("side") or ""
    data.setlist("suspected_levels", list(suggestion.get("suspected_levels") or []))
    for name in ("neuropathic_grade", "nociplastic_grade"):
        if suggestion.get(name):
            data[name] = suggestion[name]
    return data
