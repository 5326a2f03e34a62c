"""The thresholds of serial neuro surveillance (`serial`), as data: the rules file
evaluations/rules/serial_neuro.json, versioned and marked as a product default that a
clinician must approve (`status`, `approved_by`), like intake/rules/red_flags.json. Each
section of the file carries its `basis` in the spec. The saddle rule is locked, as the red
flags' cauda equina rule is: a file that weakens it is refused.

The shipped defaults, and why (the file's `basis` entries say the same; ⚠ = product-defined):

- myotome: a fall of 1 whole MRC grade alerts ⚠, because progressive neurology is urgent
  (clinical.md 2.1a, 2.7) and weakness shows late (6.5, multi-root muscles [S94]); a fall
  to 3/5 or below always alerts, the foot-drop line (2.7 [S28]); a grade limited by pain in
  either exam is not conduction loss (6.6 pain_inhibited), so it alerts only from 2 grades ⚠
  and the 3/5 line does not apply to it (as alerts.py's FOOT-DROP skips pain-inhibited);
- reflex: 2+/3+/4+ to 1+ or 0, and 1+ to 0 (grades 6.3 [S89, S93]) ⚠;
- dermatome: normal to reduced, absent or increased ("altered"), increased to reduced or
  absent, reduced to absent (findings 6.2) ⚠;
- saddle, locked: the same table, always an emergency (2.2 CES-2, CES-7; 2.1a);
- UMN, newly present (6.4, 2.7): extensor plantar [S93], sustained clonus (2.1a), more than
  4 unsustained beats ⚠ (a few beats can be normal, as alerts.py says), Hoffmann positive,
  hyperreflexia 3+/4+, spasticity, gait ataxia; equivocal plantar is not a sign.

`parse_rules` validates a document and `load_rules` a file, with a readable
SerialRulesError naming the bad entry; `default_rules()` loads the shipped file once.
"""

import dataclasses
import json
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import Any

from evaluations.neuro.vocabulary import Plantar, ReflexGrade, SensoryFinding

RULES_PATH = Path(__file__).resolve().parent.parent / "rules" / "serial_neuro.json"
GRADES = frozenset(g.value for g in ReflexGrade)
SENSORY = frozenset(f.value for f in SensoryFinding)
PLANTAR = frozenset(p.value for p in Plantar)


class SerialRulesError(ValueError):
    """A malformed serial-neuro rules file."""


Transitions = Mapping[str, frozenset[str]]  # a previous code -> the current codes that are worse


@dataclasses.dataclass(frozen=True)
class SerialRules:
    version: str
    status: str
    approved_by: str | None
    source: str
    myotome_alert: bool
    min_fall: int  # whole MRC grades
    alert_at_or_below: int  # a fall to this grade or below always counts (not pain-limited)
    pain_limited_min_fall: int  # when either exam marks the grade as limited by pain
    reflex_alert: bool
    reflex_worse: Transitions
    dermatome_alert: bool
    dermatome_worse: Transitions
    saddle_worse: Transitions  # locked: always an alert and an emergency
    umn_alert: bool
    babinski: frozenset[str]  # plantar codes that are a sign
    sustained_clonus: bool
    clonus_beats_above: int
    hoffmann: bool
    hyperreflexia: frozenset[str]  # reflex grades that are a sign
    spasticity: bool
    gait_ataxia: bool


def _fail(message: str) -> SerialRulesError:
    return SerialRulesError(f"serial neuro rules: {message}")


def _get(data: object, path: str) -> Any:
    node = data
    for key in path.split("."):
        if not isinstance(node, Mapping) or key not in node:
            raise _fail(f"{path!r} is missing.")
        node = node[key]
    return node


def _bool(data: object, path: str) -> bool:
    value = _get(data, path)
    if not isinstance(value, bool):
        raise _fail(f"{path} must be true or false; got {value!r}.")
    return value


def _int(data: object, path: str, low: int, high: int) -> int:
    value: object = _get(data, path)
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise _fail(f"{path} must be a whole number {low}-{high}; got {value!r}.")
    return value


def _codes(value: object, allowed: frozenset[str], path: str) -> frozenset[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise _fail(f"{path} must be a list of codes; got {value!r}.")
    if unknown := sorted(set(value) - allowed):
        raise _fail(f"{path} names unknown codes {unknown}; known: {sorted(allowed)}.")
    return frozenset(value)


def _worse(data: object, path: str, allowed: frozenset[str]) -> Transitions:
    table = _get(data, path)
    if not isinstance(table, Mapping):
        raise _fail(f"{path} must map each previous code to a list of worse codes.")
    _codes(list(table), allowed, path)
    return {k: _codes(v, allowed, f"{path}[{k!r}]") for k, v in table.items()}


def parse_rules(data: Mapping[str, Any]) -> SerialRules:
    """Validate a rules document. Raises SerialRulesError with a readable reason."""
    texts = {key: _get(data, key) for key in ("version", "status", "source")}
    if not all(isinstance(v, str) and v for v in texts.values()):
        raise _fail("version, status and source must be non-empty strings.")
    approved_by = _get(data, "approved_by")
    if approved_by is not None and not isinstance(approved_by, str):
        raise _fail(f"approved_by must be a name or null; got {approved_by!r}.")
    saddle = _worse(data, "saddle.worse", SENSORY)
    # Locked, as red_flags.json's CES rule: perianal sensory loss is CES-7 (2.2).
    if not _bool(data, "saddle.locked") or not {"REDUCED", "ABSENT"} <= saddle.get("NORMAL", set()):
        raise _fail("the saddle rule is locked: it must count normal to reduced or absent.")
    return SerialRules(
        **texts,
        approved_by=approved_by,
        myotome_alert=_bool(data, "myotome.alert"),
        min_fall=_int(data, "myotome.min_fall", 1, 5),
        alert_at_or_below=_int(data, "myotome.alert_at_or_below", 0, 4),
        pain_limited_min_fall=_int(data, "myotome.pain_limited_min_fall", 1, 5),
        reflex_alert=_bool(data, "reflex.alert"),
        reflex_worse=_worse(data, "reflex.worse", GRADES),
        dermatome_alert=_bool(data, "dermatome.alert"),
        dermatome_worse=_worse(data, "dermatome.worse", SENSORY),
        saddle_worse=saddle,
        umn_alert=_bool(data, "umn.alert"),
        babinski=_codes(_get(data, "umn.babinski"), PLANTAR, "umn.babinski"),
        sustained_clonus=_bool(data, "umn.sustained_clonus"),
        clonus_beats_above=_int(data, "umn.clonus_beats_above", 0, 50),
        hoffmann=_bool(data, "umn.hoffmann"),
        hyperreflexia=_codes(_get(data, "umn.hyperreflexia"), GRADES, "umn.hyperreflexia"),
        spasticity=_bool(data, "umn.spasticity"),
        gait_ataxia=_bool(data, "umn.gait_ataxia"),
    )


def load_rules(path: Path) -> SerialRules:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise _fail(f"{path.name} is not valid JSON ({exc}).") from None
    return parse_rules(data)


@cache
def default_rules() -> SerialRules:
    return load_rules(RULES_PATH)
