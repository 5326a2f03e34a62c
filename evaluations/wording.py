"""Findings as people read them: stored codes and summaries put in the screen's words.

The derived findings are stored as the clinical functions return them, codes and all, and a
signed record's findings are frozen under its hash. So codes become words here, when a page
or a document shows them, for records old and new alike. Pure: no Django.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterable, Mapping
from typing import Any

from evaluations import mdt, neurodynamic
from evaluations.progress import format_date
from evaluations.vocabulary import LABELS
from intake import bodychart

# The clinical functions explain a refused record in their own vocabulary ("NO_EFFECT during
# testing cannot go with other responses", "(§4.2)"). A therapist reads the screen's words.
_CODE = re.compile(r"\b[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)*\b")
_SPEC_REFERENCE = re.compile(r"\s*\((?:§|clinical\.md|table )[^)]*\)")

MOVEMENT_CODES = frozenset(c.value for c in mdt.MovementCode) - {mdt.MovementCode.OTHER.value}
NEURODYNAMIC_CODES = frozenset(c.value for c in neurodynamic.NeurodynamicCode)


def _code_words(code: str) -> str:
    if code in LABELS:
        return f"“{LABELS[code]}”"
    if code in MOVEMENT_CODES:
        return mdt.MOVEMENT_LABELS[mdt.MovementCode(code)]
    if code in NEURODYNAMIC_CODES:
        return neurodynamic.display_name(code)
    return code


def plain_words(message: str) -> str:
    """A rule's message with the codes it names put as the labels on the screen, and the
    spec's section references left out."""
    text = _CODE.sub(lambda m: _code_words(m.group(0)), _SPEC_REFERENCE.sub("", message))
    text = text.strip()
    return text[:1].upper() + text[1:]


# --- Repeated movements and neurodynamic tests ----------------------------------------------

_MOVEMENT_RUN = re.compile(
    r"\b(?:{code})\b(?:, \b(?:{code})\b)*".format(
        code="|".join(sorted(map(re.escape, MOVEMENT_CODES), key=len, reverse=True))
    )
)
_ND_CODE = re.compile(
    r"\b(?:{})\b".format(
        "|".join(sorted(map(re.escape, NEURODYNAMIC_CODES), key=len, reverse=True))
    )
)


def movement_name(label: str) -> str:
    """A repeated-movement result's `label`: a listed test's code, or the therapist's name
    for another test (kept as typed)."""
    return mdt.MOVEMENT_LABELS[mdt.MovementCode(label)] if label in MOVEMENT_CODES else label


def movement_names(labels: Iterable[str]) -> str:
    """Several tests' names in one line."""
    names = [movement_name(label) for label in labels]
    # Some names hold a comma ("Side-gliding in standing, right").
    return ("; " if any("," in n for n in names) else ", ").join(names)


def movements_text(text: str) -> str:
    """A stored movements summary with its test codes as names ("improved: EIL")."""
    return _MOVEMENT_RUN.sub(lambda m: movement_names(m.group(0).split(", ")), text)


_SIDE_WORDS = {side.value: word for side, word in neurodynamic.SIDE_WORDS.items()}


def neurodynamic_text(text: str, found: Iterable[Mapping[str, Any]]) -> str:
    """A stored neurodynamic summary with its tests named: "SLR L" reads "left straight-leg
    raise" (the therapist's own name of another test is kept as typed), a bare "SLR" reads
    "Straight-leg raise"."""
    tests = {(f.get("label") or "", f.get("side") or "") for f in found}
    for name, side in sorted(tests, key=lambda t: len(t[0]), reverse=True):
        shown = neurodynamic.display_name(name)
        if shown != name:
            shown = shown.lower()  # a listed test's label is a common noun mid-sentence
        words = f"{_SIDE_WORDS.get(side, side)} {shown}"
        text = re.sub(rf"(?<![\w-]){re.escape(f'{name} {side}')}(?!\w)", words, text)
    return _ND_CODE.sub(lambda m: neurodynamic.display_name(m.group(0)), text)


# --- Where the symptoms were felt -----------------------------------------------------------

_REGION_ORDER = {code: n for n, (_area, codes) in enumerate(bodychart.AREAS) for code in codes}


def region_codes(value: Any) -> list[str]:
    """The region codes in a stored "where felt" ("code, code"), a posted list of codes, or
    an older draft's typed text; pieces that name no region are left out."""
    values = [value] if isinstance(value, str) else list(value or ())
    codes = [c for v in values for c in bodychart.parse_regions(str(v))[0]]
    return sorted(dict.fromkeys(codes), key=lambda c: _REGION_ORDER.get(c, len(_REGION_ORDER)))


def region_text(value: Any) -> str:
    """A stored "where felt" in words: "Back of thigh, left; Calf and shin, left". Labels
    hold commas, so regions are separated by semicolons. Unknown pieces are shown as they
    were stored rather than hidden."""
    values = [value] if isinstance(value, str) else list(value or ())
    codes, unknown = [], []
    for v in values:
        found, rest = bodychart.parse_regions(str(v))
        codes += found
        unknown += rest
    return "; ".join([bodychart.region_label(c) for c in region_codes(codes)] + unknown)


# --- Dates inside text -----------------------------------------------------------------------

_ISO_DATE = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")
# A date never breaks across lines ("1" at the end of one, "Dec 2026" on the next).
_NBSP = "\u00a0"


def unbroken_date(on: datetime.date) -> str:
    """'3 Nov 2026', the way every document writes a date, kept on one line."""
    return format_date(on).replace(" ", _NBSP)


def _word_date(match: re.Match[str]) -> str:
    try:
        return unbroken_date(datetime.date(*(int(g) for g in match.groups())))
    except ValueError:  # 2026-13-45 is not a date: leave it as typed
        return match.group(0)


def dates_in_words(text: str) -> str:
    """Each ISO date in the text written as the documents write dates."""
    return _ISO_DATE.sub(_word_date, text) if text else text
