"""The evaluation's sections as forms, one module per section beside a small shared base:

- `widgets`: the page's widgets, rendered without the template engine (the page has ~400);
- `fields`: field makers labelled for screen readers, choice lists shared between forms;
- `base`: `SectionContext`, `SectionForm` and the grid section made of rows;
- `outcomes`, `movements`, `neurodynamic` (with `regions`, the body chart's "where felt"),
  `neuro`, `classification`, `plan`: one section form each.

Each section validates what the therapist entered and gives the JSON to store
(`content()`, the record `evaluations.records` reads and writes). The full description of
a section (title, form, templates, record format, presenter, hooks) is
`evaluations.sections`; `SECTIONS` here only says which form serves which key.

The words for codes and findings are not forms: they live in `evaluations.vocabulary` and
`evaluations.wording` (and goal measures in `evaluations.goals`). They are re-exported
below for the modules that still read them from here (reports/), until those import them
from their homes.
"""

from __future__ import annotations

from typing import Any

from django import forms

from evaluations import records
from evaluations.forms.base import GridSection, RowForm, SectionContext, SectionForm
from evaluations.forms.classification import ClassificationForm
from evaluations.forms.fields import SharedChoicesMixin
from evaluations.forms.movements import MovementsSection
from evaluations.forms.neuro import NeuroForm
from evaluations.forms.neurodynamic import NeurodynamicSection
from evaluations.forms.outcomes import OutcomesForm
from evaluations.forms.plan import PlanForm
from evaluations.forms.widgets import FastTextarea, fast_format_html, flatatt

# Re-exported for reports/ (see the module docstring): import these from their homes.
from evaluations.goals import GOAL_MEASURES
from evaluations.vocabulary import (
    LABELS,
    PREFERENCE_LABELS,
    REFERRAL_TO,
    REFERRAL_URGENCY,
    REFERRAL_URGENCY_LABELS,
    REFLEX_GRADE_LABELS,
    label,
)
from evaluations.wording import (
    movement_name,
    movements_text,
    neurodynamic_text,
    plain_words,
    region_codes,
    region_text,
)

SECTIONS: dict[str, type[SectionForm] | type[GridSection]] = {
    "outcomes": OutcomesForm,
    "movements": MovementsSection,
    "neurodynamic": NeurodynamicSection,
    "neuro": NeuroForm,
    "classification": ClassificationForm,
    "plan": PlanForm,
}
SECTION_TITLES = {key: cls.title for key, cls in SECTIONS.items()}
SECTION_SHORT_TITLES = {key: cls.short_title for key, cls in SECTIONS.items()}


def build(key: str, ctx: SectionContext, *, data=None, stored=None) -> Any:
    """The section's form: bound to `data` (a POST) or showing what was `stored` (a
    record of any version: it is read in the current format first)."""
    cls: Any = SECTIONS[key]
    if data is not None:
        return cls(data, ctx=ctx)
    return cls(ctx=ctx, initial=cls.initial_from(records.body(records.read(key, stored)), ctx))


__all__ = [
    "GOAL_MEASURES",
    "LABELS",
    "PREFERENCE_LABELS",
    "REFERRAL_TO",
    "REFERRAL_URGENCY",
    "REFERRAL_URGENCY_LABELS",
    "REFLEX_GRADE_LABELS",
    "SECTIONS",
    "SECTION_SHORT_TITLES",
    "SECTION_TITLES",
    "ClassificationForm",
    "FastTextarea",
    "GridSection",
    "MovementsSection",
    "NeuroForm",
    "NeurodynamicSection",
    "OutcomesForm",
    "PlanForm",
    "RowForm",
    "SectionContext",
    "SectionForm",
    "SharedChoicesMixin",
    "build",
    "fast_format_html",
    "flatatt",
    "forms",
    "label",
    "movement_name",
    "movements_text",
    "neurodynamic_text",
    "plain_words",
    "region_codes",
    "region_text",
]
