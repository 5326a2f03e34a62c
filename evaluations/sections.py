"""The evaluation's sections, in one registry: every part of the app that handles a section
(the page, the save, the signing checks, the addendum's choices, the demo) loops over
`SECTIONS` here rather than naming sections itself.

A section is its key (in `Evaluation.content`, the URL and the page's ids), its form
(`evaluations.forms`, which also gives its title and short title), the template showing
the form and the one showing its findings, the format of its stored record
(`evaluations.records`), its presenters putting its findings in words for the page and
for the documents (one module per section in `evaluations.presenters`) and its hooks:

- `annotate(form, content, findings)`: adds the software's reading to a form for the page;
- `prepare(data, findings)`: turns a posted save into what the form reads;
- `after_save(evaluation, by=, at=)`: runs in the save's transaction after a valid save
  and returns the red-flag alert it raised, if any.

Adding a section: its form module, its two templates, its record format, its presenter
module and an entry below.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from evaluations import exam_alerts, records
from evaluations.forms import SECTIONS as FORMS
from evaluations.forms import GridSection, SectionContext, SectionForm, build
from evaluations.forms.classification import adopt_suggestion
from evaluations.presenters import classification as classification_words
from evaluations.presenters import movements as movements_words
from evaluations.presenters import neuro as neuro_words
from evaluations.presenters import neurodynamic as neurodynamic_words
from evaluations.presenters import outcomes as outcomes_words
from evaluations.presenters import plan as plan_words

# page(findings, content): the findings box; document(record, found): the documents' block,
# from the section's own record and its part of the findings.
Presenter = Callable[[Mapping[str, Any], Mapping[str, Any]], "dict[str, Any] | None"]
DocumentPresenter = Callable[[Any, Any], "dict[str, Any] | None"]


@dataclass(frozen=True)
class Section:
    key: str
    template: str
    findings_template: str
    presenter: Presenter | None = None
    document: DocumentPresenter | None = None
    annotate: Callable[..., None] | None = None
    prepare: Callable[..., Any] | None = None
    after_save: Callable[..., Any] | None = None

    @property
    def form(self) -> type[SectionForm] | type[GridSection]:
        return FORMS[self.key]

    @property
    def title(self) -> str:
        return self.form.title

    @property
    def short_title(self) -> str:
        return self.form.short_title

    @property
    def schema(self) -> int:
        """The current version of the section's record format (`records.CURRENT`)."""
        return records.CURRENT[self.key]

    def read(self, stored: Any) -> dict[str, Any]:
        """A stored record of this section, of any version, in the current format."""
        return records.read(self.key, stored)

    def build(self, ctx: SectionContext, *, data: Any = None, stored: Any = None) -> Any:
        """The section's form: bound to `data` (a POST) or showing what was `stored` (a
        record of any version)."""
        return build(self.key, ctx, data=data, stored=stored)


def _section(key: str, **hooks: Any) -> Section:
    return Section(
        key=key,
        template=f"evaluations/sections/{key}.html",
        findings_template=f"evaluations/findings/{key}.html",
        **hooks,
    )


SECTIONS: dict[str, Section] = {
    s.key: s
    for s in (
        # Its document presenter is read by reports.docs.evaluation beside the intake's
        # baseline, so `documented` leaves it out (the document's "outcomes" is its own).
        _section("outcomes", presenter=outcomes_words.page),
        _section("movements", presenter=movements_words.page, document=movements_words.document),
        _section(
            "neurodynamic",
            presenter=neurodynamic_words.page,
            document=neurodynamic_words.document,
            annotate=neurodynamic_words.suggestions,
        ),
        _section("neuro", document=neuro_words.document, after_save=exam_alerts.neuro_alert),
        _section(
            "classification", document=classification_words.document, prepare=adopt_suggestion
        ),
        _section("plan", presenter=plan_words.page, document=plan_words.document),
    )
}
SECTION_TITLES = {key: s.title for key, s in SECTIONS.items()}
SECTION_SHORT_TITLES = {key: s.short_title for key, s in SECTIONS.items()}


def shown_findings(findings: Mapping[str, Any], content: Mapping[str, Any]) -> dict[str, Any]:
    """What the findings boxes print, in words, by section (sections with nothing to show
    are left out). `content` as stored or as read: it is read through `records` here."""
    content = records.read_content(content)
    out: dict[str, Any] = {}
    for key, section in SECTIONS.items():
        if section.presenter is not None:
            shown = section.presenter(findings, content)
            if shown:
                out[key] = shown
    return out


def documented(content: Mapping[str, Any], findings: Mapping[str, Any]) -> dict[str, Any]:
    """Each section's block as the documents print it, by key (None where the section has
    nothing to print), from its presenter module: the same words as the page's."""
    content = records.read_content(content)
    return {
        key: section.document(content.get(key), findings.get(key))
        for key, section in SECTIONS.items()
        if section.document is not None
    }
