"""The follow-up questionnaire's screens, in order (issue 18 point 1): pain now, the
patient's own activities again, the ODI where the clinic's licensed pack is in force, the
rating of change, the red-flag questions (cauda equina first, checked on every save) and
check and send. Short on purpose: done in under 5 minutes on a phone.

The screens share their keys with the intake's where they store the same answers (pain,
psfs, odi, redflags, review), so scores, charts and exports read both alike.
"""

from collections.abc import Collection

from django.utils.translation import gettext_lazy as _

from intake import forms as f
from intake import questionnaires
from intake.followup import forms as pf
from intake.steps import Step

_ODI = questionnaires.by_key()["odi"]

SCREENS: tuple[Step, ...] = (
    Step(
        "pain",
        _("Your pain now"),
        pf.PacketPainForm,
        _("Choose a number from 0 to 10 for each."),
        template="intake/kiosk/steps/pain.html",
    ),
    Step(
        "psfs",
        _("Your activities"),
        pf.PsfsRerateForm,
        _(
            "At your first visit you told us these activities were hard. How well can you do "
            "each one today?"
        ),
        template="intake/kiosk/followup/psfs.html",
    ),
    Step(_ODI.step, _ODI.title, _ODI.form, _ODI.intro, template="intake/kiosk/steps/odi.html"),
    Step(
        "change",
        _("Since you started"),
        pf.ChangeForm,
        template="intake/kiosk/followup/change.html",
    ),
    Step(
        "redflags",
        _("Important questions"),
        pf.PacketRedFlagsForm,
        _(
            # Translators: safety wording; product translation, to be reviewed by a qualified
            # medical translator and a clinician before use.
            "These questions help us make sure you get the right care quickly. If you are not "
            "sure, choose “Not sure”."
        ),
        checks_ces=True,
        template="intake/kiosk/steps/redflags.html",
    ),
    Step("review", _("Check and send"), f.ReviewForm),
)
STEP_BY_KEY = {s.key: s for s in SCREENS}


def packet_steps(
    *, packs: Collection[str], has_psfs: bool, answered: Collection[str] = ()
) -> tuple[Step, ...]:
    """The screens a packet shows: the activities screen only when the first visit named
    some, the ODI only with the clinic's licensed pack in force (in a staff summary, also
    when the packet answered it anyway)."""
    left_out = set()
    if not has_psfs and "psfs" not in answered:
        left_out.add("psfs")
    if not _ODI.asked_with(packs) and _ODI.step not in answered:
        left_out.add(_ODI.step)
    return tuple(s for s in SCREENS if s.key not in left_out)


def step_by_key() -> dict[str, Step]:
    """Every screen a packet can have, by key."""
    return dict(STEP_BY_KEY)
