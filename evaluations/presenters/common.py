"""Words every presenter uses: a stored code as clinicians read it, and a derived text as
printed (without the spec's reference ids and verification notes, `core.sources`)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from core.sources import for_clinicians
from evaluations import vocabulary

Record = Mapping[str, Any]
Shown = dict[str, Any]


def code_label(code: str | None) -> str:
    """A stored code in words ('' for none)."""
    return vocabulary.label(code) if code else ""


def printed(source: str) -> str:
    """A derived text as printed: as clinicians read it (core.sources), without the
    spec's reference ids, verification marks or notes about how far a citation was
    checked, including in texts stored before they were left out."""
    return for_clinicians(source)


def plain(texts: Iterable[str] | None) -> list[str]:
    return [printed(t) for t in texts or ()]
