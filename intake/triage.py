"""Red-flag triage: which level of concern the intake's answers raise, and why.

Pure functions over a ruleset that is data (intake/rules/red_flags.json), versioned,
and marked as a product-default proposal until a clinician approves it. The cauda
equina rule is locked: loading a ruleset that weakens it fails, because a missed CES
costs a patient their bladder, bowel and legs (clinical.md 2.2, 9.3).

A rule fires when every condition it states holds:
  all_of    every listed item is present;
  any_of    at least one listed item is present;
  at_least  n of the items in `of` are present.
"Unsure" counts as "yes" for every red-flag item (clinical.md 2.8: safety first).
"""

import json
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field
from datetime import date
from enum import IntEnum
from functools import cache
from pathlib import Path
from typing import Any

RULES_PATH = Path(__file__).parent / "rules" / "red_flags.json"
CES_ITEMS = frozenset({"CES-1", "CES-2", "CES-3", "CES-4", "CES-5", "CES-6"})
# The patient record's sex (patients.Patient.Sex, FHIR administrative gender) that counts
# towards the abdominal aortic aneurysm profile (clinical.md 2.6).
MALE = "male"


class Level(IntEnum):
    """Ordered so the highest concern wins with max()."""

    NONE = 0
    MONITOR = 1
    URGENT = 2
    EMERGENCY = 3


class Answer:
    YES = "yes"
    NO = "no"
    UNSURE = "unsure"


@dataclass(frozen=True)
class Rule:
    id: str
    level: Level
    action: str
    basis: str
    all_of: frozenset[str] = frozenset()
    any_of: frozenset[str] = frozenset()
    at_least: int = 0
    of: frozenset[str] = frozenset()
    locked: bool = False

    @property
    def items(self) -> frozenset[str]:
        return self.all_of | self.any_of | self.of

    def fires(self, present: frozenset[str]) -> bool:
        if self.all_of and not self.all_of <= present:
            return False
        if self.any_of and not self.any_of & present:
            return False
        return not (self.at_least and len(self.of & present) < self.at_least)


@dataclass(frozen=True)
class Ruleset:
    version: str
    status: str
    items: Mapping[str, str]
    rules: tuple[Rule, ...]


@dataclass(frozen=True)
class RuleHit:
    rule: str
    level: str
    items: tuple[str, ...]
    action: str


@dataclass(frozen=True)
class TriageResult:
    level: Level
    # The item codes behind the highest level reached.
    items: tuple[str, ...]
    hits: tuple[RuleHit, ...]
    ces: bool
    ruleset_version: str
    ruleset_status: str
    present: tuple[str, ...] = field(default=())

    @property
    def stops_intake(self) -> bool:
        return self.ces

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["level"] = self.level.name
        return data


class RulesetError(ValueError):
    pass


def parse_ruleset(data: Mapping[str, Any]) -> Ruleset:
    """Validate a ruleset document. The CES rule must exist, be locked, be an
    emergency and fire on any single CES item."""
    items = dict(data["items"])
    rules = []
    for raw in data["rules"]:
        try:
            level = Level[raw["level"]]
        except KeyError as exc:
            raise RulesetError(
                f"rule {raw.get('id')!r}: unknown level {raw.get('level')!r}"
            ) from exc
        rule = Rule(
            id=raw["id"],
            level=level,
            action=raw["action"],
            basis=raw.get("basis", ""),
            all_of=frozenset(raw.get("all_of", ())),
            any_of=frozenset(raw.get("any_of", ())),
            at_least=int(raw.get("at_least", 0)),
            of=frozenset(raw.get("of", ())),
            locked=bool(raw.get("locked", False)),
        )
        unknown = rule.items - items.keys()
        if unknown:
            raise RulesetError(f"rule {rule.id!r} names unknown items {sorted(unknown)}")
        if not rule.items:
            raise RulesetError(f"rule {rule.id!r} has no conditions")
        # `of` without a count would be ignored, a count above it never met.
        if bool(rule.of) != bool(rule.at_least) or rule.at_least > len(rule.of):
            raise RulesetError(f"rule {rule.id!r}: at_least needs 1 to {len(rule.of)} of `of`")
        rules.append(rule)
    ces = [r for r in rules if r.id == "ces"]
    if not (
        ces
        and ces[0].locked
        and ces[0].level is Level.EMERGENCY
        and ces[0].any_of == CES_ITEMS
        and not ces[0].all_of
        and not ces[0].at_least
    ):
        raise RulesetError("the locked cauda equina rule must fire EMERGENCY on any CES item")
    return Ruleset(
        version=str(data["version"]), status=str(data["status"]), items=items, rules=tuple(rules)
    )


@cache
def default_ruleset() -> Ruleset:
    return parse_ruleset(json.loads(RULES_PATH.read_text(encoding="utf-8")))


def age_on(date_of_birth: date, on: date) -> int:
    """Whole years of age on a day."""
    return (
        on.year
        - date_of_birth.year
        - ((on.month, on.day) < (date_of_birth.month, date_of_birth.day))
    )


def age_items(date_of_birth: date, on: date) -> set[str]:
    age = age_on(date_of_birth, on)
    return {
        code
        for limit, code in ((50, "AGE-OVER-50"), (60, "AGE-OVER-60"), (65, "AGE-OVER-65"))
        if age > limit
    }


def sex_items(sex: str | None) -> set[str]:
    """The record's sex as a red-flag item: only "male" counts (clinical.md 2.6). Other,
    not known, or no record given add nothing."""
    return {"SEX-MALE"} if sex == MALE else set()


def present_items(answers: Mapping[str, str], extra: Iterable[str] = ()) -> frozenset[str]:
    """Item codes answered yes or unsure, plus derived ones (age, body chart)."""
    chosen = {code for code, value in answers.items() if value in (Answer.YES, Answer.UNSURE)}
    return frozenset(chosen | set(extra))


def triage(
    answers: Mapping[str, str],
    *,
    derived: Iterable[str] = (),
    ruleset: Ruleset | None = None,
) -> TriageResult:
    ruleset = ruleset or default_ruleset()
    present = present_items(answers, derived)
    hits = [
        RuleHit(
            rule=rule.id,
            level=rule.level.name,
            items=tuple(sorted(rule.items & present)),
            action=rule.action,
        )
        for rule in ruleset.rules
        if rule.fires(present)
    ]
    level = max((Level[h.level] for h in hits), default=Level.NONE)
    items = sorted({code for h in hits if Level[h.level] == level for code in h.items})
    return TriageResult(
        level=level,
        items=tuple(items),
        hits=tuple(sorted(hits, key=lambda h: -Level[h.level])),
        ces=bool(CES_ITEMS & present),
        ruleset_version=ruleset.version,
        ruleset_status=ruleset.status,
        present=tuple(sorted(present)),
    )
