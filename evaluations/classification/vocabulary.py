"""The classification's vocabulary (clinical.md §1.4): category codes with the words
clinicians read, side, suspected levels (the neuro exam's roots), the neuropathic and
nociplastic grades, and the neurodynamic interpretation it takes as input. Data only.

`ALGORITHM_VERSION` lives here because every rule of the package is part of what it names.
"""

import enum

from evaluations.neuro import Root

ALGORITHM_VERSION = "classification-1.0"
NOTE = (
    "A suggested classification for the clinician to confirm or change: a suggestion, "
    "never a diagnosis."
)


class Category(enum.StrEnum):
    """clinical.md §1.4 `category` codes."""

    SOMATIC_REFERRED = "SOMATIC_REFERRED"
    RADICULAR_PAIN = "RADICULAR_PAIN"
    RADICULOPATHY_PAINFUL = "RADICULOPATHY_PAINFUL"
    RADICULOPATHY_PAINLESS = "RADICULOPATHY_PAINLESS"
    NEUROGENIC_CLAUDICATION = "NEUROGENIC_CLAUDICATION"
    MIXED = "MIXED"
    UNCLEAR = "UNCLEAR"
    LBP_ONLY_NO_LEG_PAIN = "LBP_ONLY_NO_LEG_PAIN"


CATEGORY_LABELS = {
    Category.SOMATIC_REFERRED: "somatic referred pain",
    Category.RADICULAR_PAIN: "radicular pain",
    Category.RADICULOPATHY_PAINFUL: "radiculopathy with radicular pain (painful radiculopathy)",
    Category.RADICULOPATHY_PAINLESS: "radiculopathy without pain",
    Category.NEUROGENIC_CLAUDICATION: "neurogenic claudication (lumbar spinal stenosis picture)",
    Category.MIXED: "a mixed picture",
    Category.UNCLEAR: "an unclear picture",
    Category.LBP_ONLY_NO_LEG_PAIN: "low back pain only, no leg pain",
}


class Side(enum.StrEnum):
    """clinical.md §1.4 `side`. BILATERAL goes to the cauda equina rule (§2.2)."""

    LEFT = "LEFT"
    RIGHT = "RIGHT"
    BILATERAL = "BILATERAL"


# clinical.md §1.4 `suspected_levels` multi-enum {L1..S2}: the neuro exam's roots, one
# vocabulary for both.
Level = Root


class NeuropathicGrade(enum.StrEnum):
    """clinical.md §1.4 `neuropathic_grade`. NONE reads "unlikely" in plain language."""

    NONE = "NONE"
    POSSIBLE = "POSSIBLE"
    PROBABLE = "PROBABLE"
    DEFINITE = "DEFINITE"
    NOT_ASSESSED = "NOT_ASSESSED"


class NociplasticGrade(enum.StrEnum):
    """clinical.md §1.4 `nociplastic_grade`."""

    NONE = "NONE"
    POSSIBLE = "POSSIBLE"
    PROBABLE = "PROBABLE"
    NOT_ASSESSED = "NOT_ASSESSED"


class Neurodynamic(enum.StrEnum):
    """The clinician's interpretation of the neurodynamic tests (clinical.md §5.5)."""

    POSITIVE_NEURAL = "POSITIVE_NEURAL"
    NEGATIVE = "NEGATIVE"
    NON_NEURAL_REPRODUCTION = "NON_NEURAL_REPRODUCTION"
    INCONCLUSIVE = "INCONCLUSIVE"
