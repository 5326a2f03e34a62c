"""Types and helpers shared by the PROM scoring engines.

Everything here is plain Python: no Django, no database. Results are frozen dataclasses so
a stored score can never drift from the answers and algorithm version that produced it.
"""

import dataclasses
import enum
from collections.abc import Mapping
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from typing import Any, TypeVar

StrEnumT = TypeVar("StrEnumT", bound=enum.StrEnum)


class Verification(enum.StrEnum):
    """The spec's verification tags (clinical.md §0), carried with every cited value."""

    VERIFIED = "verified"  # ✅
    PARTLY_VERIFIED = "partly_verified"  # ◐
    UNVERIFIED = "unverified"  # ⚠


class AsDictMixin:
    """`as_dict()` for result dataclasses: JSON-ready (enums as values, tuples as lists)."""

    def as_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = _to_json(self)
        return data


def _to_json(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _to_json(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, tuple | list):
        return [_to_json(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _to_json(v) for k, v in value.items()}
    return value


@dataclasses.dataclass(frozen=True)
class ChangeThreshold(AsDictMixin):
    """A minimal important change (MCID) or minimal detectable change (MDC) with its source.

    `points` is in the instrument's own units; `relative_percent` is the alternative
    "percent improvement from baseline" criterion where the source gives one.
    """

    kind: str  # "MCID" or "MDC90"
    points: float
    # The citation as clinicians read it (core.sources): no reference ids, no notes.
    source: str
    verification: Verification
    relative_percent: float | None = None
    note: str = ""
    # The spec's reference ids and how far the citation was checked: for reviewers of the
    # rules, never shown.
    provenance: str = ""


@dataclasses.dataclass(frozen=True)
class Band(AsDictMixin):
    """A named score range, inclusive at both ends."""

    code: str
    label: str
    lower: float
    upper: float


def require_int_in_range(value: object, *, low: int, high: int, what: str) -> int:
    """Return `value` if it is a whole number in [low, high]; otherwise explain and refuse."""
    # bool is an int subclass: True would silently score as 1.
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"{what} must be a whole number from {low} to {high}; got {value!r}.")
    if not low <= value <= high:
        raise ValueError(f"{what} must be from {low} to {high}; got {value}.")
    return value


def reject_unknown_ids(
    answers: Mapping[str, object], *, known: tuple[str, ...], instrument: str
) -> None:
    unknown = sorted(set(answers) - set(known))
    if unknown:
        raise ValueError(
            f"Unknown {instrument} item id(s): {', '.join(map(repr, unknown))}. "
            f"Expected ids from {known[0]} to {known[-1]}."
        )


def round_half_up(value: Fraction | int, places: int = 1) -> float:
    """Round the way people do by hand (35.55 -> 35.6), not banker's rounding."""
    value = Fraction(value)
    exact = Decimal(value.numerator) / Decimal(value.denominator)
    return float(exact.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP))


def coerce_enum(kind: type[StrEnumT], value: object, what: str) -> StrEnumT:
    """The enum member for `value` (a member or its stored code, as a form or the database
    gives it), or a ValueError that lists the allowed codes."""
    member = member_or_none(kind, value)
    if member is None:
        allowed = ", ".join(m.value for m in kind)
        raise ValueError(f"{what} must be one of {allowed}; got {value!r}.")
    return member


def member_or_none(kind: type[StrEnumT], value: object) -> StrEnumT | None:
    """The member of `kind` that `value` is or whose code it is, else None."""
    # A member is a str too; anything else names no member of a StrEnum.
    if not isinstance(value, str):
        return None
    try:
        return kind(value)
    except ValueError:
        return None
