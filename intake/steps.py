"""The tablet's screens, in order. One topic each (issue 3).

The screens of the intake itself are listed here; each questionnaire's screen comes from
its entry in the registry (intake.questionnaires), placed after the screen it names.
A screen's title and introduction are marked for translation (lazily: shown in the
active language, the patient's on the tablet).
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.utils.translation import gettext_lazy as _

from intake import forms as f
from intake import questionnaires

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


@dataclass(frozen=True)
class Step:
    key: str
    title: StrOrPromise
    form_class: type[f.StepForm]
    intro: StrOrPromise = ""
    # Screens whose answers can raise a cauda equina alert are checked on every save.
    checks_ces: bool = False
    # The screen's template; by default templates/intake/kiosk/steps/<key>.html.
    template: str = ""

    def __post_init__(self) -> None:
        if not self.template:
            object.__setattr__(self, "template", f"intake/kiosk/steps/{self.key}.html")


# The intake's own screens. The questionnaires' go between them (see all_steps).
SCREENS: tuple[Step, ...] = (
    Step(
        "about",
        _("About you"),
        f.AboutForm,
        _("Please check your details and fill in any gaps."),
    ),
    Step("consent", _("Consent"), f.ConsentForm, _("Please read, then sign with your finger.")),
    Step(
        "where",
        _("Where you feel it"),
        f.WhereForm,
        _("Show us where you feel pain, pins and needles, numbness, burning or weakness."),
        checks_ces=True,
    ),
    Step("feels", _("What it feels like"), f.FeelsForm),
    Step("when", _("When and how"), f.WhenForm),
    Step("history", _("Your health"), f.HistoryForm),
    Step(
        "redflags",
        _("Important questions"),
        f.RedFlagsForm,
        _(
            # Translators: safety wording; product translation, to be reviewed by a qualified
            # medical translator and a clinician before use.
            "These questions help us make sure you get the right care quickly. If you are not "
            "sure, choose “Not sure”."
        ),
        checks_ces=True,
    ),
    Step("review", _("Check and send"), f.ReviewForm),
)


def all_steps() -> tuple[Step, ...]:
    """Every screen in order: the intake's own, and each registered questionnaire's
    right after the screen its entry names. Review stays last. A questionnaire placed
    after a screen that does not exist, or out of the registry's order, is an error
    here rather than a screen that quietly never shows."""
    steps = list(SCREENS)
    for q in questionnaires.QUESTIONNAIRES:
        keys = [s.key for s in steps]
        if q.after not in keys or q.after == "review":
            raise ValueError(f"Questionnaire {q.key!r}: no screen {q.after!r} to follow")
        step = Step(q.step, q.title, q.form, q.intro, template=q.template)
        steps.insert(keys.index(q.after) + 1, step)
    asked = [s.key for s in steps if s.key in questionnaires.by_step()]
    if asked != [q.step for q in questionnaires.QUESTIONNAIRES]:
        raise ValueError(f"QUESTIONNAIRES must be listed in screen order: {asked}")
    return tuple(steps)


def step_by_key() -> dict[str, Step]:
    return {s.key: s for s in all_steps()}


def steps_for(*, packs: Collection[str], answered: Collection[str] = ()) -> tuple[Step, ...]:
    """The screens this installation shows, given the instrument packs in force here: a
    clinic-loaded questionnaire's screen only with its licensed pack (or, in a summary,
    when the intake answered it anyway)."""
    left_out = {q.step for q in questionnaires.not_asked(packs)} - set(answered)
    return tuple(s for s in all_steps() if s.key not in left_out)


# The screens as registered when this module was imported, for pages and tools that list
# them. Code that decides what a patient is asked calls the functions above.
STEPS: tuple[Step, ...] = all_steps()
STEP_BY_KEY = {s.key: s for s in STEPS}
ANSWER_STEPS = tuple(s.key for s in STEPS if s.key != "review")
