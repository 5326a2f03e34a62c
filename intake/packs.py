"""Which questionnaire wording this installation has, per language.

A questionnaire whose wording comes in an instrument pack is asked only in a language it
has a pack for: validated translations only, never one made here (clinical.md 3.0). The
clinic loads a Spanish pack like any other (`manage.py load_instrument_pack`, its
"language" field); without one, a Spanish-speaking patient's form leaves that screen out,
and the summary says the questionnaire was not available in Spanish on this installation.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from intake import questionnaires
from intake.instruments import Pack, PackError
from intake.models import InstrumentPack


def instrument_packs(language: str = "en") -> dict[str, Pack]:
    """Questionnaire wording available here in `language`, by instrument code: the
    clinic's loaded packs (in force) over the packs this project ships. One query. A stored
    pack that no longer fits its questionnaire's engine is left out, so its screen is not
    asked."""
    packs = questionnaires.shipped_packs(language)
    for row in InstrumentPack.objects.filter(language=language):
        if row.in_force:
            try:
                packs[row.instrument] = questionnaires.parse_pack(json.dumps(row.content))
            except PackError:
                continue
    return packs


@dataclass(frozen=True)
class Availability:
    """What a form in one language can ask: `packs` in that language; `licensed`, the
    clinic-loaded questionnaires licensed here at all (in some language); `unavailable`,
    the pack questionnaires with no pack in this language (left out, and said so)."""

    language: str
    packs: dict[str, Pack]
    licensed: frozenset[str]
    unavailable: frozenset[str]


def availability(language: str, packs: dict[str, Pack] | None = None) -> Availability:
    """One query in English (as before languages), two in another; one fewer given the
    packs in `language` already read (`instrument_packs`)."""
    packs = instrument_packs(language) if packs is None else packs
    if language == "en":
        return Availability(language, packs, questionnaires.licensed(packs), frozenset())
    anywhere = {
        row.instrument
        for row in InstrumentPack.objects.only("instrument", "expires_on")
        if row.in_force
    }
    return Availability(
        language,
        packs,
        questionnaires.licensed(set(packs) | anywhere),
        questionnaires.without_pack(packs),
    )
