"""Hypothesis strategies for hostile form input: text in every script and control
character, huge strings and numbers, wrong types, malformed dates and UUIDs, JSON where
text is expected, missing, repeated and unexpected fields, odd encodings and htmx headers.
"""

from __future__ import annotations

import functools
import json
import re
from dataclasses import dataclass, field
from urllib.parse import quote_from_bytes

from django.test.client import BOUNDARY, MULTIPART_CONTENT
from hypothesis import strategies as st

from tests.fuzz.support import FieldSpec

# Strings that have broken web apps before.
NASTY = [
    "",
    " ",
    "\x00",
    "a\x00b",
    "\r\n",
    "\t",
    "\u202eevil\u202c",  # right-to-left override
    "مرحبا بالعالم",  # Arabic
    "שלום",  # Hebrew
    "😀👩‍⚕️🏳️‍🌈",  # emoji with joiners
    "e\u0301\u0301\u0301",  # stacked combining marks
    "\u200b\ufeff",  # zero width
    "Ω≈ç√∫",
    "\uff46\uff55\uff4c\uff4c\uff57\uff49\uff44\uff54\uff48",  # full-width letters
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "{{ 7*7 }}",
    "{% debug %}",
    "javascript:alert(1)",
    "' OR 1=1 --",
    "%00",
    "%s%s%s%n",
    "../../../../etc/passwd",
    "null",
    "None",
    "undefined",
    "true",
    "[]",
    "{}",
    "NaN",
]
NUMBERS = [
    "0",
    "-1",
    "-0",
    "1e309",
    "-1e309",
    "1e-400",
    "inf",
    "-Infinity",
    "nan",
    "0x1F",
    "1_000",
    "٣",  # Arabic-Indic digit three: Python's int() accepts it
    "\uff11\uff12",  # full-width digits
    "2147483648",
    "-9223372036854775809",
    "99999999999999999999999999999999999999",
    "3.0000000000000001",
    " 5 ",
]
DATES = [
    "2024-02-30",
    "2023-02-29",
    "0000-00-00",
    "0001-01-01",
    "9999-12-31",
    "10000-01-01",
    "-2020-01-01",
    "31/12/2024",
    "12/31/2024",
    "2024-13-01",
    "2024-1-1",
    "20240101",
    "2024-01-01T25:61:61",
    "1970-01-01T00:00:00Z",
    "yesterday",
    "1e10",
]
UUIDS = [
    "00000000-0000-0000-0000-000000000000",
    "ffffffff-ffff-ffff-ffff-ffffffffffff",
    "6f0a8c9e2d1b4a579d7e0c3b1f2a4e55",
    "{6f0a8c9e-2d1b-4a57-9d7e-0c3b1f2a4e55}",
    "6F0A8C9E-2D1B-4A57-9D7E-0C3B1F2A4E5",
    "6f0a8c9e-2d1b-4a57-9d7e-0c3b1f2a4e55-extra",
    "urn:uuid:6f0a8c9e-2d1b-4a57-9d7e-0c3b1f2a4e55",
]
# Field names a form might be tricked into reading.
EXTRA_NAMES = [
    "id",
    "pk",
    "public_id",
    "patient",
    "status",
    "is_superuser",
    "is_staff",
    "groups",
    "roles",
    "signed_by",
    "content_hash",
    "version",
    "overwrite",
    "autosave",
    "adopt",
    "add_row",
    "nav",
    "next",
    "page",
    "csrfmiddlewaretoken",
    "submission_id",
    "step",
    "kind",
    "q",
    "__proto__",
    "form-TOTAL_FORMS",
    "form-0-id",
    "mv-TOTAL_FORMS",
    "rows-INITIAL_FORMS",
]
# Query parameters list and filter pages read.
QUERY_NAMES = [
    "page",
    "q",
    "next",
    "day",
    "show",
    "role",
    "status",
    "kind",
    "patient",
    "actor",
    "action",
    "object_type",
    "date_from",
    "date_to",
    "idle",
    "expired",
]


def _json_values():
    scalars = st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20)
    return st.recursive(
        scalars,
        lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner),
        max_leaves=6,
    ).map(json.dumps)


def text_values() -> st.SearchStrategy[str]:
    """Any text, including what cannot be encoded as UTF-8 (lone surrogates): the
    urlencoded body sends those as the invalid bytes a broken client would."""
    return st.text(max_size=60) | st.text(st.characters(exclude_categories=()), max_size=20)


def huge_values() -> st.SearchStrategy[str]:
    return st.builds(
        lambda unit, count: unit * count,
        st.sampled_from(["A", "é", "😀", "\u202e", "<", "9", "\x00"]),
        st.integers(min_value=1_000, max_value=60_000),
    )


# Built once: hypothesis validates a strategy the first time it is drawn from, and forms
# with a hundred fields would otherwise rebuild these for every field of every example.
_TEXT = text_values()
_NASTY = st.sampled_from(NASTY)
_CONTROL = st.text(st.characters(max_codepoint=0x1F), min_size=1, max_size=3)
HOSTILE = st.one_of(
    _TEXT,
    # The known troublemakers and control characters (NUL is what PostgreSQL text cannot
    # hold) twice as often as the rest.
    _NASTY,
    _NASTY,
    _CONTROL,
    _CONTROL,
    st.sampled_from(NUMBERS),
    st.integers(min_value=-(10**40), max_value=10**40).map(str),
    st.floats().map(repr),
    st.sampled_from(DATES),
    st.dates().map(lambda d: d.isoformat()),
    st.sampled_from(UUIDS),
    st.uuids().map(str),
    _json_values(),
    huge_values(),
)


@functools.cache
def _known(values: tuple[str, ...]) -> st.SearchStrategy[str]:
    return st.sampled_from(values)


@functools.cache
def _values_from(known: tuple[str, ...]) -> st.SearchStrategy[str]:
    if not known:
        return HOSTILE
    return st.one_of(_known(known), _known(known), HOSTILE)


def _known_values(spec: FieldSpec | None) -> tuple[str, ...]:
    return tuple(sorted((spec.defaults | spec.options) - {None})) if spec else ()


# Dates a date box or filter is sent often: real dates the app cannot compute with (a day
# after 9999-12-31 overflows) and the edges of the range it accepts.
EDGE_DATES = ("9999-12-31", "0001-01-01", "1899-12-31", "1900-01-01", "2100-12-31", "2101-01-01")
_EDGE_DATES = st.sampled_from(EDGE_DATES)
DATE_QUERY_NAMES = frozenset({"day", "date_from", "date_to"})


def values(spec: FieldSpec | None = None) -> st.SearchStrategy[str]:
    """A value for one field: mostly hostile, sometimes what the page itself would send,
    so that requests also get past the first checks and reach deeper code. A date field
    gets the edge dates a third of the time."""
    found = _values_from(_known_values(spec))
    if spec is not None and spec.kind == "date":
        return st.one_of(_EDGE_DATES, found, found)
    return found


@dataclass
class Body:
    pairs: list[tuple[str, str]] = field(default_factory=list)
    files: list[tuple[str, str, bytes]] = field(default_factory=list)  # name, filename, bytes
    encoding: str = "urlencoded"


PNG_1PX = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000154a24f5f0000000049454e44ae426082"
)
FILE_CONTENTS = [
    b"",
    PNG_1PX,
    b"GIF89a\x01\x00\x01\x00\x00\x00\x00;",
    b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>',
    b"\x89PNG\r\n\x1a\n" + b"\x00" * 64,  # a PNG header and nothing after it
    b"%PDF-1.4\n",
    b"MZ\x90\x00",
]


_ENCODINGS = st.sampled_from(["urlencoded"] * 4 + ["multipart", "json"])
_FIELD_FATES = st.sampled_from(
    ["keep", "keep", "fuzz", "fuzz", "omit", "repeat", "hostile_name", "nul_in_value"]
)
# What goes into a field's own name or value at any position: NUL (PostgreSQL text and
# JSON cannot hold it), bytes that are not UTF-8 (\udcff goes out as the raw byte 0xff,
# \ud800 as a lone surrogate's bytes; see _raw) and control characters.
_INSERTS = st.sampled_from(["\x00", "\x00", "\udcff", "\udcc3", "\ud800", "\x1b", "\x7f"])


@st.composite
def _inserted(draw, text: str) -> str:
    at = draw(st.integers(min_value=0, max_value=len(text)))
    return text[:at] + draw(_INSERTS) + text[at:]


_REPEATS = st.integers(min_value=2, max_value=4)
_EXTRAS = st.integers(min_value=0, max_value=3)
_EXTRA_NAME = st.sampled_from(EXTRA_NAMES) | _TEXT
_FILE_NAMES = st.sampled_from(["logo.png", "x.svg", "a.gif", "😀.png", "../../etc/passwd", ""])
_FILE_CONTENTS = st.sampled_from(FILE_CONTENTS)
_COIN = st.booleans()


@st.composite
def form_body(draw, fields: dict[str, FieldSpec]) -> Body:
    """The page's own fields, each kept, changed, left out or repeated, plus fields the
    page never had."""
    body = Body(encoding=draw(_ENCODINGS))
    for name in sorted(fields):
        spec = fields[name]
        if spec.kind == "file":
            if draw(_COIN):
                body.files.append((name, draw(_FILE_NAMES), draw(_FILE_CONTENTS)))
            continue
        fate = draw(_FIELD_FATES)
        if fate == "omit":
            continue
        if fate in ("hostile_name", "nul_in_value"):
            # The page's own value (so the rest of the form still gets through) under a
            # broken name, or with a NUL or a broken byte somewhere in it.
            value = draw(_known(tuple(sorted(spec.defaults | spec.options)) or ("x",)))
            if fate == "hostile_name":
                body.pairs.append((draw(_inserted(name)), value))
            else:
                body.pairs.append((name, draw(_inserted(value))))
            continue
        if fate == "keep" and (spec.defaults or spec.options):
            kept = tuple(sorted(spec.defaults or spec.options))
            body.pairs.append((name, draw(_known(kept))))
            continue
        for _ in range(draw(_REPEATS) if fate == "repeat" else 1):
            body.pairs.append((name, draw(values(spec))))
    for _ in range(draw(_EXTRAS)):
        body.pairs.append((draw(_EXTRA_NAME), draw(HOSTILE)))
    return body


@functools.cache
def _query_names(names: tuple[str, ...]) -> st.SearchStrategy[list[str]]:
    return st.lists(st.sampled_from(names), max_size=5)


@st.composite
def query_pairs(draw, fields: dict[str, FieldSpec]) -> list[tuple[str, str]]:
    """The page's own filter fields (each sent or not), a few names list pages commonly
    read, and sometimes a name nobody reads."""
    pairs = [(name, draw(values(fields[name]))) for name in sorted(fields) if draw(_COIN)]
    names = tuple(sorted(set(QUERY_NAMES) - set(fields)))
    pairs += [
        (name, draw(st.one_of(_EDGE_DATES, HOSTILE) if name in DATE_QUERY_NAMES else HOSTILE))
        for name in draw(_query_names(names))
    ]
    if draw(_COIN):
        pairs.append((draw(_TEXT), draw(HOSTILE)))
    return pairs


_ESCAPED_BYTES = re.compile("[\udc80-\udcff]")


def _raw(text: str) -> bytes:
    """Text as bytes on the wire: \udc80-\udcff as the single raw bytes they stand for
    (invalid UTF-8, like 0xff), other lone surrogates as the bytes a broken client would
    send."""
    if not _ESCAPED_BYTES.search(text):
        return text.encode("utf-8", "surrogatepass")
    out = bytearray()
    for ch in text:
        if "\udc80" <= ch <= "\udcff":
            out.append(ord(ch) - 0xDC00)
        else:
            out += ch.encode("utf-8", "surrogatepass")
    return bytes(out)


def urlencode_raw(pairs: list[tuple[str, str]]) -> str:
    return "&".join(f"{quote_from_bytes(_raw(k))}={quote_from_bytes(_raw(v))}" for k, v in pairs)


def _multipart(body: Body) -> bytes:
    """A multipart body written out by hand: field names and file names go out as raw
    bytes (quotes, broken UTF-8 and all), and an empty file name is what a browser sends
    for a file input left empty."""
    boundary = BOUNDARY.encode()
    lines: list[bytes] = []
    for name, value in body.pairs:
        lines += [
            b"--" + boundary,
            b'Content-Disposition: form-data; name="' + _raw(name) + b'"',
            b"",
            _raw(value),
        ]
    for name, filename, content in body.files:
        lines += [
            b"--" + boundary,
            b'Content-Disposition: form-data; name="'
            + _raw(name)
            + b'"; filename="'
            + _raw(filename)
            + b'"',
            b"Content-Type: application/octet-stream",
            b"",
            content,
        ]
    lines += [b"--" + boundary + b"--", b""]
    return b"\r\n".join(lines)


def encode(body: Body) -> tuple[bytes, str]:
    """(request body, content type)."""
    if body.encoding == "json":
        data: dict[str, list] = {}
        for name, value in body.pairs:
            data.setdefault(name, []).append(value)
        text = json.dumps({k: v[0] if len(v) == 1 else v for k, v in data.items()})
        return _raw(text), "application/json"
    if body.encoding == "multipart" or body.files:
        return _multipart(body), MULTIPART_CONTENT
    return urlencode_raw(body.pairs).encode("ascii"), "application/x-www-form-urlencoded"


# Header values as a WSGI server passes them on: latin-1 text without line breaks.
_HEADER_TEXT = st.text(
    st.characters(min_codepoint=0x20, max_codepoint=0xFF, exclude_characters="\x7f"),
    max_size=80,
)
_HX_REQUEST = st.sampled_from(["true", "false", ""]) | _HEADER_TEXT
_POLL = st.sampled_from(["1", ""]) | _HEADER_TEXT
_REFERER = (
    st.sampled_from(
        ["https://evil.example/", "javascript:alert(1)", "//evil.example", "/patients/"]
    )
    | _HEADER_TEXT
)


@st.composite
def htmx_headers(draw) -> dict[str, str]:
    """What htmx (and its background polls) send, sometimes garbled."""
    headers = {}
    if draw(_COIN):
        headers["HTTP_HX_REQUEST"] = draw(_HX_REQUEST)
        for name in ("HX_TARGET", "HX_TRIGGER", "HX_TRIGGER_NAME", "HX_CURRENT_URL", "HX_PROMPT"):
            if draw(_COIN):
                headers[f"HTTP_{name}"] = draw(_HEADER_TEXT)
        if draw(_COIN):
            headers["HTTP_HX_BOOSTED"] = "true"
        if draw(_COIN):
            headers["HTTP_HX_HISTORY_RESTORE_REQUEST"] = "true"
    if draw(_COIN):
        headers["HTTP_X_BACKGROUND_POLL"] = draw(_POLL)
    if draw(_COIN):
        headers["HTTP_REFERER"] = draw(_REFERER)
    if draw(_COIN):
        headers["HTTP_ACCEPT_LANGUAGE"] = draw(_HEADER_TEXT)
    return headers
