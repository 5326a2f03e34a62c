"""The tablet's screens, in order. One topic each (issue 3)."""

from dataclasses import dataclass

from intake import forms as f


@dataclass(frozen=True)
class Step:
    key: str
    title: str
    form_class: type[f.StepForm]
    intro: str = ""
    # Screens whose answers can raise a cauda equina alert are checked on every save.
    checks_ces: bool = False


STEPS: tuple[Step, ...] = (
    Step("about", "About you", f.AboutForm, "Please check your details and fill in any gaps."),
    Step("consent", "Consent", f.ConsentForm, "Please read, then sign with your finger."),
    Step(
        "where",
        "Where you feel it",
        f.WhereForm,
        "Show us where you feel pain, pins and needles, numbness, burning or weakness.",
        checks_ces=True,
    ),
    Step("feels", "What it feels like", f.FeelsForm),
    Step("when", "When and how", f.WhenForm),
    Step("pain", "Your pain now", f.PainForm, "Choose a number from 0 to 10 for each."),
    Step("history", "Your health", f.HistoryForm),
    Step(
        "redflags",
        "Important questions",
        f.RedFlagsForm,
        "These questions help us make sure you get the right care quickly. If you are not "
        "sure, choose “Not sure”.",
        checks_ces=True,
    ),
    Step(
        "startback",
        "How your back affects you",
        f.StartBackForm,
        "Thinking about the last 2 weeks, choose your answer to each statement.",
    ),
    Step(
        "psfs",
        "Activities you find hard",
        f.PsfsForm,
        "Name 3 to 5 activities you cannot do or find hard because of your problem, and "
        "say how well you can do each today.",
    ),
    Step(
        "odi",
        "Daily life",
        f.OdiForm,
        "Choose the one statement in each section that fits best today.",
    ),
    Step("review", "Check and send", f.ReviewForm),
)
STEP_BY_KEY = {s.key: s for s in STEPS}
ANSWER_STEPS = tuple(s.key for s in STEPS if s.key != "review")


def steps_for(*, odi_available: bool) -> tuple[Step, ...]:
    """The screens this installation shows: without a licensed ODI pack, no ODI screen."""
    return tuple(s for s in STEPS if odi_available or s.key != "odi")
