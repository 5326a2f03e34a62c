"""Global rating of change (GRC), 7 points: the patient's own view of how their problem has
changed since treatment started, asked in the follow-up questionnaire (intake.followup).

The wording is the project's own (no published instrument's text is copied): one question
and seven answers from "Much better" to "Much worse", stored as -3 (much worse) to +3 (much
better), 0 for "About the same". Pure: no Django, no database.

The wording is English here, marked for translation: the follow-up form shows it in the
patient's language (intake.followup.forms.ChangeForm); a result keeps the English words.
"""

import dataclasses

from .common import AsDictMixin, require_int_in_range


def gettext_noop(message: str) -> str:
    """Marks wording for translation (makemessages finds it by this name) and gives it back
    unchanged, as Django's does, without importing Django here."""
    return message


ALGORITHM_VERSION = "grc-1.0"
INSTRUMENT_CODE = "grc_7"

QUESTION = gettext_noop(
    "Since you started treatment here, how would you describe your back and leg problem now?"
)
# Best first, as the patient reads them down the screen. The value is what is stored.
CHOICES: tuple[tuple[int, str], ...] = (
    (3, gettext_noop("Much better")),
    (2, gettext_noop("Better")),
    (1, gettext_noop("A little better")),
    (0, gettext_noop("About the same")),
    (-1, gettext_noop("A little worse")),
    (-2, gettext_noop("Worse")),
    (-3, gettext_noop("Much worse")),
)
LABELS: dict[int, str] = dict(CHOICES)
VALUE_MIN, VALUE_MAX = -3, 3


@dataclasses.dataclass(frozen=True)
class GrcResult(AsDictMixin):
    value: int  # -3 (much worse) to 3 (much better)
    label: str  # the words of the answer the patient chose
    algorithm_version: str = ALGORITHM_VERSION


def score_grc(value: object) -> GrcResult:
    """The stored rating -3..3 with the words the patient chose. Anything else (a bool, a
    string, a number out of range) is refused with a ValueError."""
    checked = require_int_in_range(value, low=VALUE_MIN, high=VALUE_MAX, what="A rating of change")
    return GrcResult(value=checked, label=LABELS[checked])


def signed(value: int) -> str:
    """The rating as staff read it on a scale from -3 to +3: "+2", "0", "-1"."""
    return f"{value:+d}" if value else "0"
