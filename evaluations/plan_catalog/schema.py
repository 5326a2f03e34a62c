"""What a plan-of-care catalog entry is: an `Intervention` with its `Param`s (each of one
`Kind`, which decides how `validate_item` cleans it and `describe_item` words it) and, where
clinical.md §1.5 gives one, its `CpgLink`.
"""

import dataclasses
import enum

from intake.scoring.common import AsDictMixin, Verification


class Kind(enum.StrEnum):
    CHOICE = "choice"
    MULTI = "multi"
    INT = "int"
    DECIMAL = "decimal"
    TEXT = "text"  # `max` is the maximum length
    BOOL = "bool"  # `required` means it must be ticked
    DATE = "date"


@dataclasses.dataclass(frozen=True)
class Param(AsDictMixin):
    name: str
    label: str
    kind: Kind
    choices: tuple[tuple[str, str], ...] = ()
    required: bool = False
    min: float | None = None
    max: float | None = None
    unit: str = ""
    help: str = ""


@dataclasses.dataclass(frozen=True)
class CpgLink(AsDictMixin):
    category: str
    verb: str
    grade: str
    verification: Verification
    text: str


@dataclasses.dataclass(frozen=True)
class Intervention(AsDictMixin):
    code: str
    family: str
    label: str
    params: tuple[Param, ...]
    help: str = ""
    cpg: CpgLink | None = None
