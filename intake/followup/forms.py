"""The follow-up questionnaire's own screens' forms. The ODI and the check-and-send screen
are the intake's forms themselves (intake.forms); these ask what a packet asks differently:
pain now only, the patient's own activities from the first visit rated again, the rating
of change and the red-flag questions a packet repeats. Worded as the intake's forms are:
shown in the active language (intake.forms), stored as codes."""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext_lazy as _

from intake import forms as f
from intake import questions as q
from intake.scoring import grc

_NPRS = [(n, str(n)) for n in range(11)]
_WORDING = dict(q.RED_FLAG_QUESTIONS)

# A code the packet repeats must be worded on the intake's red-flag screen: checked when
# this module is imported, so a code added without its question fails at start-up, not on
# a patient's phone.
_UNWORDED = [code for code in q.FOLLOW_UP_RED_FLAG_CODES if code not in _WORDING]
if _UNWORDED:
    raise ValueError(f"FOLLOW_UP_RED_FLAG_CODES without a question: {_UNWORDED}")


@dataclass
class PacketContext(f.StepContext):
    """A packet's screens also need the patient's activities from the first visit."""

    # [{"id": "a1", "name": "..."}, ...] from the episode's first-visit intake.
    psfs_activities: Sequence[Mapping[str, Any]] = ()


def _psfs_activities(context: f.StepContext) -> Sequence[Mapping[str, Any]]:
    return getattr(context, "psfs_activities", ())


class PacketPainForm(f.StepForm):
    """Back and leg pain now: the intake's first and fourth pain questions, no 24 hours."""

    ITEMS = ("nprs_back_now", "nprs_leg_now")

    def __init__(self, *args, context: f.StepContext, **kwargs):
        super().__init__(*args, context=context, **kwargs)
        labels = dict(q.NPRS_ITEMS)
        for code in self.ITEMS:
            self.fields[code] = f._radio(_NPRS, _(labels[code]), coerce=int, help_text=f.NPRS_HELP)


class PsfsRerateForm(f.StepForm):
    """The activities the patient named at the first visit, rated again (clinical.md 3.3:
    follow-up rates the same activities). The names are shown, not asked: the stored
    answers copy them with their ids so the two ratings line up."""

    def __init__(self, *args, context: f.StepContext, **kwargs):
        super().__init__(*args, context=context, **kwargs)
        self.activities = list(_psfs_activities(context))
        for activity in self.activities:
            # The scale's anchors are said once, above the activities (its template).
            self.fields[f"score_{activity['id']}"] = f._radio(
                [(s, str(s)) for s in range(11)], activity["name"], coerce=int
            )

    def answers(self) -> dict:
        return {
            "activities": [
                {
                    "id": a["id"],
                    "name": a["name"],
                    "score": self.cleaned_data[f"score_{a['id']}"],
                }
                for a in self.activities
            ]
        }

    @classmethod
    def initial_from(cls, answers: dict) -> dict:
        return {f"score_{a['id']}": a["score"] for a in answers.get("activities") or []}

    @classmethod
    def describe(cls, answers: dict, context: f.StepContext | None) -> list[tuple[str, str]]:
        return [(a["name"], f.out_of_10(a["score"])) for a in answers.get("activities") or []]

    def rows(self):
        """(activity name, its bound score field) for the screen."""
        return [(a["name"], self[f"score_{a['id']}"]) for a in self.activities]


class ChangeForm(f.StepForm):
    # The rating's wording is the project's own, English in intake.scoring.grc (which
    # stays free of Django): shown here in the patient's language, stored as -3 to 3.
    grc = f._radio(f._translated(grc.CHOICES), _(grc.QUESTION), coerce=int)


class PacketRedFlagsForm(f.StepForm):
    """The red-flag questions a packet asks again, cauda equina first, in the intake's
    words. The codes are read from intake.questions each time, so an item added there is
    asked here too."""

    def __init__(self, *args, context: f.StepContext, **kwargs):
        super().__init__(*args, context=context, **kwargs)
        for code in q.FOLLOW_UP_RED_FLAG_CODES:
            self.fields[code] = f._radio(f._translated(q.YES_NO_UNSURE), _(_WORDING[code]))
