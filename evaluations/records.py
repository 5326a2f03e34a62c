"""The stored record of each evaluation section: the JSON under `Evaluation.content[key]`,
with a format of its own.

Every record carries `schema`, its format's version. `write` stamps a section's current
version; `read` takes a record of any version, older ones unstamped included, and upgrades
it one version at a time to the current format. Everything that reads section content
(the page, the save's findings, the signing checks, the PDFs) reads it through here, so an
old record never needs rewriting: a signed one could not be, as its content is frozen
under its hash (`services.content_hash`). The migration `0005_record_schema` stamped the
drafts' records; signed records stay as they were signed and are upgraded when read.

Versions:

- 1, every section: the shape the forms stored before records had versions. A record
  without `schema` is version 1. The neuro exam's record is flat, one key per cell of the
  grid (`NEURO` below names them).
- plan 2: goals are structured, `comparator` ("at_most"/"at_least", or "") and `value`
  (a number or None) beside the `measure`; `target` stays as the therapist's words. The
  upgrade reads version 1's words strictly (`goals.upgrade_goal`): what they do not say
  for certain is left blank, and such a goal is not judged.
- plan 3: each goal has an `outcome`, the therapist's judgement at a re-evaluation or
  discharge ("met", "partly_met", "not_met", or "" when not judged: every earlier goal).
- outcomes 2: may hold `patient_reported`, what the patient answered in the follow-up
  packet that pre-filled the section (`evaluations.packets`): {"packet": its public id,
  "on": the ISO day it was submitted, "purpose", "values": {"back_now", "leg_now", "psfs":
  {activity id: score}, "odi_sections": {section id: score}} (only what the patient
  answered), "grc": {"value", "label"} or None, "version"}. The therapist's values stay in
  the usual keys. A version 1 record has no packet behind it: it reads unchanged.

Pure: no Django, no database.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from evaluations import goals

# The neuro exam's record is flat, one key per cell of the grid, named once in
# evaluations/neuro/keys.py (pure, importable without Django's settings).
from evaluations.neuro.keys import NEURO as NEURO
from evaluations.neuro.keys import NeuroKeys as NeuroKeys

SCHEMA = "schema"
CURRENT: dict[str, int] = {
    "outcomes": 2,
    "movements": 1,
    "neurodynamic": 1,
    "neuro": 1,
    "classification": 1,
    "plan": 3,
}

Record = dict[str, Any]


def _plan_1_to_2(record: Record) -> Record:
    return {**record, "goals": [goals.upgrade_goal(g) for g in record.get("goals") or ()]}


def _plan_2_to_3(record: Record) -> Record:
    return {**record, "goals": [{"outcome": "", **g} for g in record.get("goals") or ()]}


# (section, version) -> the function taking a record of that version to the next one.
UPGRADES: dict[tuple[str, int], Callable[[Record], Record]] = {
    ("plan", 1): _plan_1_to_2,
    ("plan", 2): _plan_2_to_3,
}


def version_of(record: Mapping[str, Any]) -> int:
    """A record's format version; a record from before versions is version 1."""
    value = record.get(SCHEMA, 1)
    return value if isinstance(value, int) and not isinstance(value, bool) else 1


def write(key: str, record: Mapping[str, Any]) -> Record:
    """The record to store for section `key`, stamped with its current version."""
    return {**record, SCHEMA: CURRENT[key]}


def read(key: str, record: Mapping[str, Any] | None) -> Record:
    """Section `key`'s stored record in the current format ({} when nothing is stored).
    The stored record is never changed: upgrades work on a copy. A section this module
    does not know, or a record newer than it knows, is returned as stored."""
    if not record:
        return {}
    out = dict(record)
    if key not in CURRENT:
        return out
    version = version_of(out)
    while version < CURRENT[key]:
        upgrade = UPGRADES.get((key, version))
        if upgrade is not None:
            out = upgrade(out)
        version += 1
        out[SCHEMA] = version
    out.setdefault(SCHEMA, version)
    return out


def read_content(content: Mapping[str, Any] | None) -> Record:
    """A whole `Evaluation.content`, every section's record in the current format."""
    return {
        key: read(key, value) if isinstance(value, Mapping) else value
        for key, value in (content or {}).items()
    }


def body(record: Mapping[str, Any]) -> Record:
    """A record without its version stamp: what a form shows."""
    return {k: v for k, v in record.items() if k != SCHEMA}
