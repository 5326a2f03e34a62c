"""ICD-10-CM diagnosis codes: their written form and the code files a clinic loads.

ICD-10-CM is published by the US National Center for Health Statistics (CDC) and CMS as a
public-domain code set. The project ships a small subset relevant to nerve-related low
back pain (`care/data/icd10cm_lumbar_radicular.tsv`, loaded by migration); a clinic loads
the full code file it bills with by `manage.py load_icd10_codes <file>`. Both CMS's
"icd10cm_codes_<year>.txt" (code without its dot, spaces, title) and a tab-separated
file of code and title (as shipped) are read.

Pure: no Django.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

# A letter, two characters (the second may be a letter: C4A, M1A), then up to four more
# after the dot. "M54.16", "M48.062", "G83.4", "M51.A0".
_CODE = re.compile(r"^([A-Z][0-9][0-9A-Z])\.?([0-9A-Z]{1,4})?$")
TITLE_MAX = 255


class CodeFileError(ValueError):
    """A code file that cannot be read; the message names the line."""


@dataclass(frozen=True)
class Code:
    code: str  # with its dot: "M54.16"
    title: str


def normalise(text: str) -> str | None:
    """The code as written in records ("M54.16") from what a person typed ("m5416",
    " M54.16 "), or None when it is not an ICD-10-CM code's shape."""
    compact = re.sub(r"\s+", "", text or "").upper()
    match = _CODE.match(compact)
    if match is None:
        return None
    head, tail = match.groups()
    return f"{head}.{tail}" if tail else head


def parse_lines(lines: Iterable[str]) -> Iterator[Code]:
    """The codes of a code file, in file order. Blank lines and lines starting with '#'
    are skipped. Raises CodeFileError naming the first line that is not a code and title."""
    for number, raw in enumerate(lines, start=1):
        line = raw.rstrip("\r\n")
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        if "\t" in line:
            code_text, _, title = line.partition("\t")
        else:
            code_text, _, title = line.strip().partition(" ")
        code = normalise(code_text)
        title = " ".join(title.split())
        if code is None:
            raise CodeFileError(f"line {number}: {code_text.strip()!r} is not an ICD-10-CM code")
        if not title:
            raise CodeFileError(f"line {number}: {code} has no title")
        if len(title) > TITLE_MAX:
            raise CodeFileError(f"line {number}: {code}'s title is over {TITLE_MAX} characters")
        yield Code(code=code, title=title)
