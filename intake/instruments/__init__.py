"""Questionnaire wording, kept apart from scoring (clinical.md 3.0, 9.2): the instrument
pack format.

An instrument pack is a JSON document holding one instrument's item text and response
options in one language. Packs for instruments this project may ship (the Keele STarT
Back tool, non-commercial use) live beside this file; packs for licensed instruments
(the ODI) are loaded by each clinic with `manage.py load_instrument_pack` and stored in
the database, never in git. Validation checks a pack against what the instrument's
scoring engine expects, so a pack cannot change how an instrument is scored.

Which instruments there are, what each expects and which may ship is the registry's
(intake.questionnaires): `questionnaires.parse_pack` and `questionnaires.shipped_packs`
are the calls to use; this module only knows the format.
"""

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from intake.scoring import odi, startback

PACK_FORMAT = "clinic-instrument-pack/1"
SHIPPED_DIR = Path(__file__).parent

# The codes other apps name packs by.
ODI = odi.INSTRUMENT_CODE
STARTBACK = startback.INSTRUMENT_CODE

# What an instrument's engine expects of a pack: its item ids in order and, per item, the
# option ids with their scores, or None where the options are the clinic's own statement
# ids scored 0 to 5 once each (the ODI's sections).
ItemScores = Mapping[str, Mapping[str, int] | None]


class PackError(ValueError):
    pass


@dataclass(frozen=True)
class Pack:
    instrument: str
    version: str
    language: str
    licence_reference: str
    licensed_to: str
    expires_on: date | None
    document: dict
    sha256: str

    @property
    def items(self) -> list[dict]:
        return self.document["items"]

    @property
    def copyright(self) -> str:
        return self.document.get("copyright", "")


def parse_pack(raw: bytes | str, *, expected: Mapping[str, ItemScores]) -> Pack:
    """Validate an instrument pack document against `expected` (instrument code -> what
    its engine expects); raise PackError saying what is wrong."""
    if isinstance(raw, str):
        raw = raw.encode()
    try:
        doc = json.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise PackError(f"not valid JSON: {exc}") from exc
    if not isinstance(doc, dict) or doc.get("format") != PACK_FORMAT:
        raise PackError(f'"format" must be "{PACK_FORMAT}"')
    code = doc.get("instrument")
    if code not in expected:
        raise PackError(f"unknown instrument {code!r}; known: {', '.join(sorted(expected))}")
    assert isinstance(code, str)  # one of the codes `expected` knows
    for key in ("version", "language", "title"):
        if not isinstance(doc.get(key), str) or not doc[key].strip():
            raise PackError(f'"{key}" is required')
    licence = doc.get("licence")
    if not isinstance(licence, dict) or not str(licence.get("reference", "")).strip():
        raise PackError(
            '"licence.reference" is required: where the right to use this text comes from'
        )
    expires = licence.get("expires_on")
    try:
        expires_on = date.fromisoformat(expires) if expires else None
    except (TypeError, ValueError) as exc:
        raise PackError('"licence.expires_on" must be a date like 2027-12-31') from exc

    items = doc.get("items")
    wanted_items = expected[code]
    if not isinstance(items, list) or [i.get("id") for i in items if isinstance(i, dict)] != list(
        wanted_items
    ):
        raise PackError(f"items must be exactly, in order: {', '.join(wanted_items)}")
    for item in items:
        if not str(item.get("text") or item.get("title") or "").strip():
            raise PackError(f"item {item['id']} has no text")
        options = item.get("options")
        if not isinstance(options, list) or not options:
            raise PackError(f"item {item['id']} has no options")
        for option in options:
            if not isinstance(option, dict) or not str(option.get("text", "")).strip():
                raise PackError(f"item {item['id']}: every option needs text")
            if not isinstance(option.get("id"), str) or not option["id"]:
                raise PackError(f"item {item['id']}: every option needs an id")
        ids = [o["id"] for o in options]
        if len(set(ids)) != len(ids):
            raise PackError(f"item {item['id']}: option ids repeat")
        scores = {o["id"]: o.get("score") for o in options}
        wanted = wanted_items[item["id"]]
        if wanted is None:  # ODI: six statements scored 0 to 5
            if sorted(s for s in scores.values() if isinstance(s, int)) != list(range(6)):
                raise PackError(f"item {item['id']}: options must be scored 0 to 5, once each")
        elif scores != wanted:
            raise PackError(f"item {item['id']}: options and scores must be {wanted}")
    return Pack(
        instrument=code,
        version=doc["version"],
        language=doc["language"],
        licence_reference=str(licence["reference"]),
        licensed_to=str(licence.get("licensed_to", "")),
        expires_on=expires_on,
        document=doc,
        sha256=hashlib.sha256(raw).hexdigest(),
    )


def shipped_document(code: str, language: str = "en") -> bytes | None:
    """The pack file this project ships for `code` in `language`, if there is one."""
    path = SHIPPED_DIR / f"{code}.{language}.json"
    return path.read_bytes() if path.exists() else None


def option_scores(pack: Pack) -> dict[str, dict[str, int]]:
    """item id -> option id -> score, for turning a patient's choices into scores."""
    return {item["id"]: {o["id"]: o["score"] for o in item["options"]} for item in pack.items}
