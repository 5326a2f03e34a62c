"""What a clinician may record to close a red-flag alert, by the alert's level.

Pure functions over versioned data (intake/rules/alert_actions.json). Which action each
level allows is a product-default proposal (clinical.md 2.1a ⚠) until a clinician
approves it, so it is data, carries its version and status, and every disposition stores
the version it was made under. Some of it is locked, and loading rules that break it
fails:

* an EMERGENCY alert closes only with an emergency referral or a false positive with its
  reasoning (clinical.md 2.2: "a clinician must record an action (emergency referral, or
  documented reasoning for false positive)");
* an URGENT alert must offer a referral at least as urgent as same-day;
* a MONITOR result closes with safety-net advice, naming the material given (2.8).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

RULES_PATH = Path(__file__).parent / "rules" / "alert_actions.json"
LEVELS = ("EMERGENCY", "URGENT", "MONITOR")
REFERRALS = ("", "urgent", "emergency")
LEVEL_WORDS = {"EMERGENCY": "an emergency", "URGENT": "an urgent", "MONITOR": "a monitor"}


class RulesError(ValueError):
    pass


class ActionRefused(ValueError):
    """The disposition cannot be recorded as sent. `field` names the form field the
    message belongs to ("outcome", "action_note" or "safety_net_material")."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field
        self.message = message


@dataclass(frozen=True)
class Action:
    code: str
    label: str
    hint: str
    # How urgent a referral this action is ("" for none): evaluations ask the plan of care
    # for one at least as urgent before signing.
    referral: str = ""
    needs_reason: bool = False
    needs_material: bool = False


@dataclass(frozen=True)
class Material:
    code: str
    label: str
    version: str

    @property
    def described(self) -> str:
        return f"{self.label} ({self.version})" if self.version else self.label


@dataclass(frozen=True)
class Disposition:
    """A checked disposition: what `check` accepted."""

    action: Action
    note: str
    material: Material | None
    version: str


@dataclass(frozen=True)
class AlertActions:
    version: str
    status: str
    actions: Mapping[str, Action]
    levels: Mapping[str, tuple[str, ...]]
    default_actions: Mapping[str, str]
    materials: tuple[Material, ...]

    def allowed(self, level: str) -> tuple[Action, ...]:
        return tuple(self.actions[code] for code in self.levels.get(level, ()))

    def material(self, code: str) -> Material | None:
        return next((m for m in self.materials if m.code == code), None)

    def label(self, code: str) -> str:
        action = self.actions.get(code)
        return action.label if action else code

    def needs_material(self, level: str) -> bool:
        return any(a.needs_material for a in self.allowed(level))

    def check(self, *, level: str, action: str, note: str, material: str = "") -> Disposition:
        """The disposition `action` + `note` (+ `material`) of an alert of `level`, or
        ActionRefused saying, in plain words, what to change."""
        allowed = self.allowed(level)
        chosen = next((a for a in allowed if a.code == action), None)
        if chosen is None:
            raise ActionRefused("outcome", refusal(self, level, action))
        note = note.strip()
        if not note:
            words = (
                "Write your reasoning: why this is not a red flag."
                if chosen.needs_reason
                else "Write what was done: who you spoke to, what was arranged and when."
            )
            raise ActionRefused("action_note", words)
        given = None
        if chosen.needs_material:
            given = self.material(material)
            if given is None:
                raise ActionRefused(
                    "safety_net_material", "Choose the safety-net information you gave."
                )
        return Disposition(action=chosen, note=note, material=given, version=self.version)


def refusal(rules: AlertActions, level: str, action: str) -> str:
    """Why `action` cannot close an alert of `level`, naming the ones that can."""
    allowed = rules.allowed(level)
    if not allowed:
        return f"There are no actions for alerts of level {level!r}."
    what = f"“{rules.label(action)}”" if action in rules.actions else "That action"
    if not action:
        what = "No action"
    choices = "; ".join(a.label for a in allowed)
    return f"{what} cannot close {LEVEL_WORDS.get(level, 'this')} alert. Choose one of: {choices}."


def _action(code: str, raw: Mapping[str, Any]) -> Action:
    referral = str(raw.get("referral", ""))
    if referral not in REFERRALS:
        raise RulesError(f"action {code!r}: unknown referral urgency {referral!r}")
    if not str(raw.get("label", "")).strip():
        raise RulesError(f"action {code!r} has no label")
    return Action(
        code=code,
        label=str(raw["label"]),
        hint=str(raw.get("hint", "")),
        referral=referral,
        needs_reason=bool(raw.get("needs_reason", False)),
        needs_material=bool(raw.get("needs_material", False)),
    )


def parse_rules(data: Mapping[str, Any]) -> AlertActions:
    """Validate an alert-actions document, locked parts included."""
    version, status = str(data.get("version", "")), str(data.get("status", ""))
    if not version.strip() or not status.strip():
        raise RulesError("the rules need a version and a status")
    actions = {code: _action(code, raw) for code, raw in dict(data["actions"]).items()}
    materials = tuple(
        Material(code=str(m["code"]), label=str(m["label"]), version=str(m.get("version", "")))
        for m in data.get("materials", ())
    )
    if len({m.code for m in materials}) != len(materials):
        raise RulesError("two safety-net materials share a code")
    raw_levels = dict(data["levels"])
    if set(raw_levels) != set(LEVELS):
        raise RulesError(f"the rules must give actions for exactly the levels {list(LEVELS)}")
    levels: dict[str, tuple[str, ...]] = {}
    for level in LEVELS:
        codes = tuple(raw_levels[level].get("actions", ()))
        unknown = [c for c in codes if c not in actions]
        if unknown:
            raise RulesError(f"level {level} names unknown actions {unknown}")
        if not codes or len(set(codes)) != len(codes):
            raise RulesError(f"level {level} needs its actions, each once")
        levels[level] = codes
    emergency = [actions[c] for c in levels["EMERGENCY"]]
    if not any(a.referral == "emergency" for a in emergency) or any(
        a.referral != "emergency" and not a.needs_reason for a in emergency
    ):
        raise RulesError(
            "an EMERGENCY alert closes only with an emergency referral or a false positive "
            "with its reasoning"
        )
    if not any(actions[c].referral in ("urgent", "emergency") for c in levels["URGENT"]):
        raise RulesError("an URGENT alert must offer a same-day (or emergency) referral")
    monitor = [actions[c] for c in levels["MONITOR"]]
    if not any(a.needs_material for a in monitor):
        raise RulesError("a MONITOR result must offer safety-net advice")
    if any(a.needs_material for a in actions.values()) and not materials:
        raise RulesError("safety-net advice needs at least one material to choose")
    return AlertActions(
        version=version,
        status=status,
        actions=actions,
        levels=levels,
        default_actions={lvl: str(raw_levels[lvl].get("default_action", "")) for lvl in LEVELS},
        materials=materials,
    )


@cache
def default_rules() -> AlertActions:
    return parse_rules(json.loads(RULES_PATH.read_text(encoding="utf-8")))
