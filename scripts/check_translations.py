"""Check that everything a patient reads is marked for translation and translated.

`scripts/messages.sh check` runs it (and .ci/run through that). It fails (exit 1), saying
where and what, when:

1. a patient-facing template has literal text outside `{% translate %}` and
   `{% blocktranslate %}`: page text, or a user-visible attribute (title, placeholder,
   aria-label, alt, ...), or a literal a filter shows (`|default:"Clinic"`). Script, style and
   comments are not text. A line that truly holds no words (a code, a proper name that
   never changes) can say so with `{# i18n: not text #}` on the same line;
2. the committed catalogue (locale/<lang>/LC_MESSAGES/django.po) lacks a string the code
   marks: it is behind the code, and `scripts/messages.sh update` brings it up to date. The
   code's strings come from makemessages run on a throwaway copy of the source tree, so the
   committed catalogue is never touched;
3. an entry the patient sees (referenced from a file in PATIENT_FACING_SOURCES) is
   untranslated or fuzzy, or msgfmt finds a fatal error (a placeholder the translation
   lost, a plural form missing). Entries only staff pages use may stay untranslated (staff
   pages stay English): their count is printed for information.

    check_translations.py [LANG ...]    # default: every non-English PATIENT_LANGUAGES
"""

from __future__ import annotations

import fnmatch
import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable, Collection, Iterable, Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

from django.template.base import Lexer, TokenType

ROOT = Path(__file__).resolve().parents[1]

# Everything a patient reads, as paths from the repository root: a path ending in "/" is a
# whole folder, one with "*" a glob, anything else one file. The templates among them are
# checked for unmarked text (check 1); catalogue entries referenced from any of them must be
# translated (check 3). Staff pages are not here: they stay English.
PATIENT_FACING_SOURCES: tuple[str, ...] = (
    # The tablet and the patient's own link, the error pages and the patient's handout.
    "templates/intake/kiosk/",
    "templates/errors/",
    "templates/reports/pdf/handout.html",
    # Questions, choices, steps and the messages the patient's screens show.
    "intake/questions.py",
    "intake/forms.py",
    "intake/followup/forms.py",
    "intake/followup/steps.py",
    "intake/steps.py",
    "intake/bodychart.py",
    "intake/summary.py",
    "intake/questionnaires/*.py",
    "intake/scoring/grc.py",
    "intake/kiosk_views.py",
    "intake/link_limits.py",
    "reports/docs/handout.py",
    "reports/docs/handout_exercises.py",
    # The frame every PDF prints in, the handout's too (its header, footer and marks).
    "templates/reports/pdf/base.html",
)

# Written on a template line whose literal text is deliberately not translated.
OPT_OUT_COMMENT = "i18n: not text"

# Attributes a browser shows or a screen reader reads out. (`value` is handled apart: it
# is shown only on input buttons.)
VISIBLE_ATTRIBUTES = frozenset(
    {
        "title",
        "placeholder",
        "alt",
        "label",
        "aria-label",
        "aria-description",
        "aria-roledescription",
        "aria-placeholder",
        "aria-valuetext",
    }
)
BUTTON_INPUT_TYPES = frozenset({"submit", "button", "reset"})
# Elements whose content is not text for a reader.
RAW_TEXT_ELEMENTS = frozenset({"script", "style"})

# Template tags whose content is translated, or is not output at all, up to their end tag.
SKIPPED_BLOCKS = {
    "blocktranslate": "endblocktranslate",
    "blocktrans": "endblocktrans",
    "comment": "endcomment",
}
# What a variable and a template tag leave in the page for the HTML walker: characters of
# Unicode's private use area, so neither a letter nor markup, keeping positions. Reports
# show a variable as "…", a tag as a space.
PLACEHOLDER = "\ue000"
TAG_PLACEHOLDER = "\ue002"
# Around a block's name, to find where a parent template puts the block.
BLOCK_MARK = "\ue001"
_BLOCK_NAME = re.compile(f"{BLOCK_MARK}(\\w+){BLOCK_MARK}")
# Literals a variable or tag prints as they are: `|default:"Clinic"`, `|yesno:"Yes,No"`,
# `{{ "Text" }}`, `{% firstof a "Text" %}`. A `_("...")` literal is translated, so only a
# bare quote counts.
SHOWN_FILTER_LITERAL = re.compile(
    r"""\|\s*(default|default_if_none|yesno)\s*:\s*("[^"]*"|'[^']*')"""
)
BARE_LITERAL = re.compile(r"""(?<![\w(])("[^"]*"|'[^']*')""")


def is_patient_facing(path: str, sources: Iterable[str] = PATIENT_FACING_SOURCES) -> bool:
    """Whether a repository path (as a catalogue's `#:` line writes it) is one a patient
    reads."""
    path = path.replace(os.sep, "/").removeprefix("./")
    for source in sources:
        if source.endswith("/"):
            if path.startswith(source):
                return True
        elif "*" in source:
            if fnmatch.fnmatchcase(path, source):
                return True
        elif path == source:
            return True
    return False


def has_words(text: str) -> bool:
    """Letters make text: whitespace, punctuation, numbers and symbols (&times;) do not."""
    return any(ch.isalpha() for ch in text)


# --- 1. Unmarked text in the patient's templates ----------------------------------------


@dataclass(frozen=True)
class Literal:
    """Untranslated text found in a template."""

    line: int
    where: str  # "text", "attribute title", "filter literal", ...
    text: str


class _TextWalker(HTMLParser):
    """Collects the page text and the visible attribute values of an HTML fragment in
    which every variable is a PLACEHOLDER and every template tag a TAG_PLACEHOLDER."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)  # &nbsp; &times; become characters
        self.found: list[Literal] = []
        self._raw_element: str | None = None

    def _line(self, offset_lines: int = 0) -> int:
        """The template line: placeholders keep the lines where they were."""
        return self.getpos()[0] + offset_lines

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in RAW_TEXT_ELEMENTS:
            self._raw_element = tag
        self._check_attributes(tag, attrs)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._check_attributes(tag, attrs)

    def handle_endtag(self, tag: str) -> None:
        if tag == self._raw_element:
            self._raw_element = None

    def handle_data(self, data: str) -> None:
        if self._raw_element is not None:
            return
        # One finding per line, so each carries its own line number.
        for offset, piece in enumerate(data.split("\n")):
            if has_words(piece):
                self.found.append(Literal(self._line(offset), "text", _readable(piece)))

    def _check_attributes(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        # A `{% if %}` between attributes sticks to the next attribute's name.
        named = {_bare_name(name): value for name, value in attrs}
        raw = self.get_starttag_text() or ""
        for name, value in named.items():
            visible = name in VISIBLE_ATTRIBUTES or (
                name == "value"
                and tag == "input"
                and (named.get("type") or "").lower() in BUTTON_INPUT_TYPES
            )
            if visible and value is not None and has_words(value):
                # The attribute may sit on a later line of a tag written over several.
                at = re.search(rf"(?<![\w-]){re.escape(name)}\s*=", raw)
                offset = raw.count("\n", 0, at.start()) if at else 0
                self.found.append(
                    Literal(self._line(offset), f"attribute {name}", _readable(value))
                )


def _readable(text: str) -> str:
    return " ".join(text.replace(TAG_PLACEHOLDER, " ").replace(PLACEHOLDER, "…").split())


def _bare_name(attribute: str) -> str:
    return attribute.replace(PLACEHOLDER, "").replace(TAG_PLACEHOLDER, "")


def _tag_name(contents: str) -> str:
    return contents.split(None, 1)[0] if contents else ""


def _block_name(contents: str) -> str:
    """`block title` -> "title"."""
    words = contents.split()
    return words[1] if len(words) > 1 else ""


def untranslated_literals(source: str, hidden_blocks: Collection[str] = ()) -> list[Literal]:
    """Literal text in a template that a reader would see untranslated.

    hidden_blocks: the template's `{% block %}`s that its parent places inside a tag or a
    script (`<body class="{% block body_class %}">`), whose content is never page text.
    In a template that extends another, only what is inside a block is output."""
    html: list[str] = []
    found: list[Literal] = []
    opted_out: set[int] = set()
    extending = False
    block_depth = 0
    # Inside a translated, commented-out or hidden part: the tag that ends it, and how many
    # blocks are open inside it (a hidden block may hold others).
    skip_end: str | None = None
    skip_depth = 0
    for token in Lexer(source).tokenize():
        contents = token.contents
        line = token.lineno or 0  # the Lexer always numbers lines
        if token.token_type == TokenType.COMMENT:
            if contents.strip() == OPT_OUT_COMMENT:
                opted_out.add(line)
            html.append(TAG_PLACEHOLDER)
            continue
        if token.token_type == TokenType.BLOCK:
            name = _tag_name(contents)
            if skip_end == "endblock" and name == "block":
                skip_depth += 1
            elif skip_end is not None:
                if name == skip_end and skip_depth == 0:
                    skip_end = None
                elif name == skip_end:
                    skip_depth -= 1
            elif name in SKIPPED_BLOCKS:
                skip_end = SKIPPED_BLOCKS[name]
            elif name == "block" and _block_name(contents) in hidden_blocks:
                skip_end, skip_depth = "endblock", 0
            elif name == "block":
                block_depth += 1
            elif name == "endblock":
                block_depth -= 1
            elif name == "extends":  # Django allows it only first
                extending = True
            elif name == "firstof" and not (extending and block_depth == 0):
                found.extend(_bare_literals(contents, line, "firstof literal"))
            html.append(TAG_PLACEHOLDER)
            continue
        if skip_end is not None or (extending and block_depth == 0):
            # Translated, commented out, or never output: keep the line count only.
            html.append(TAG_PLACEHOLDER + "\n" * contents.count("\n"))
            continue
        if token.token_type == TokenType.VAR:
            for match in SHOWN_FILTER_LITERAL.finditer(contents):
                filter_name, quoted = match.groups()
                if has_words(quoted) and not (filter_name != "yesno" and _is_code(quoted[1:-1])):
                    found.append(Literal(line, "filter literal", quoted))
            if contents[:1] in {'"', "'"}:
                found.extend(_bare_literals(contents.split("|", 1)[0], line, "literal"))
            html.append(PLACEHOLDER)
            continue
        html.append(contents)
    walker = _TextWalker()
    walker.feed("".join(html))
    walker.close()
    found.extend(walker.found)
    return sorted(
        (literal for literal in found if literal.line not in opted_out),
        key=lambda literal: literal.line,
    )


class _BlockPlaceWalker(HTMLParser):
    """Finds the blocks of a template (each written as BLOCK_MARK name BLOCK_MARK) that
    sit inside a tag or a script rather than in the page text. A block in a visible
    attribute (title="{% block tip %}") is not hidden: its content is still read."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.hidden: set[str] = set()
        self._raw_element: str | None = None

    def _attributes(self, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if _bare_name(name) not in VISIBLE_ATTRIBUTES:
                self.hidden.update(_BLOCK_NAME.findall(name + (value or "")))

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._attributes(attrs)
        if tag in RAW_TEXT_ELEMENTS:
            self._raw_element = tag

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._attributes(attrs)

    def handle_endtag(self, tag: str) -> None:
        if tag == self._raw_element:
            self._raw_element = None

    def handle_data(self, data: str) -> None:
        if self._raw_element is not None:
            self.hidden.update(_BLOCK_NAME.findall(data))


def _blocks_inside_tags(source: str) -> set[str]:
    parts = []
    for token in Lexer(source).tokenize():
        if token.token_type == TokenType.TEXT:
            parts.append(token.contents)
        elif token.token_type == TokenType.BLOCK and _tag_name(token.contents) == "block":
            parts.append(f"{BLOCK_MARK}{_block_name(token.contents)}{BLOCK_MARK}")
        else:
            parts.append(PLACEHOLDER)
    walker = _BlockPlaceWalker()
    walker.feed("".join(parts))
    walker.close()
    return walker.hidden


_EXTENDS = re.compile(r"""\{%\s*extends\s+["']([^"']+)["']\s*%\}""")


def hidden_blocks(source: str, templates: Path, seen: frozenset[Path] = frozenset()) -> set[str]:
    """The blocks that the template's ancestors (found in `templates`, through literal
    `{% extends "..." %}`) or the template itself place inside a tag or a script."""
    hidden = _blocks_inside_tags(source)
    extends = _EXTENDS.search(source)
    if extends:
        parent = templates / extends.group(1)
        if parent.is_file() and parent not in seen:
            hidden |= hidden_blocks(parent.read_text(encoding="utf-8"), templates, seen | {parent})
    return hidden


def _is_code(literal: str) -> bool:
    """`|default:"en"`, `|default:"none"`: a lowercase word of letters, digits, - and _ is a
    code for the markup (a language, a class), not words for a reader. (yesno's choices
    are always shown, so this is not asked of them.)"""
    return re.fullmatch(r"[a-z0-9_-]+", literal) is not None


def _bare_literals(contents: str, line: int, where: str) -> Iterator[Literal]:
    for match in BARE_LITERAL.finditer(contents):
        if has_words(match.group(1)[1:-1]):
            yield Literal(line, where, match.group(1))


def patient_templates(
    root: Path = ROOT, sources: Iterable[str] = PATIENT_FACING_SOURCES
) -> list[Path]:
    """The templates (.html, .txt) among the patient-facing sources."""
    sources = tuple(sources)
    templates = root / "templates"
    return sorted(
        path
        for path in templates.rglob("*")
        if path.suffix in {".html", ".txt"}
        and is_patient_facing(path.relative_to(root).as_posix(), sources)
    )


def check_templates(
    root: Path = ROOT, sources: Iterable[str] = PATIENT_FACING_SOURCES
) -> list[str]:
    """Check 1: one message per untranslated literal, as `path:line: ...`."""
    problems = []
    for path in patient_templates(root, sources):
        relative = path.relative_to(root).as_posix()
        source = path.read_text(encoding="utf-8")
        hidden = hidden_blocks(source, root / "templates")
        for literal in untranslated_literals(source, hidden):
            problems.append(
                f"{relative}:{literal.line}: untranslated {literal.where}: {literal.text!r}"
            )
    return problems


# --- Reading a PO file ------------------------------------------------------------------


@dataclass
class PoEntry:
    msgid: str
    msgctxt: str | None = None
    msgid_plural: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)  # plural index -> text; 0 alone
    references: list[str] = field(default_factory=list)  # repository paths (`#:`)
    flags: set[str] = field(default_factory=set)  # `#,` fuzzy, python-format, ...
    line: int = 0  # where the entry starts in the file

    @property
    def key(self) -> tuple[str | None, str]:
        """What gettext looks an entry up by."""
        return (self.msgctxt, self.msgid)

    @property
    def is_header(self) -> bool:
        return self.msgid == "" and self.msgctxt is None

    @property
    def fuzzy(self) -> bool:
        return "fuzzy" in self.flags

    @property
    def translated(self) -> bool:
        """Every form has text (a plural entry needs each of its msgstr[n])."""
        return bool(self.msgstr) and all(self.msgstr.values())


_ESCAPES = {
    "n": "\n",
    "t": "\t",
    "r": "\r",
    '"': '"',
    "\\": "\\",
    "a": "\a",
    "b": "\b",
    "f": "\f",
    "v": "\v",
}
_KEYWORD = re.compile(r'^(msgctxt|msgid_plural|msgid|msgstr(?:\[(\d+)\])?)\s+(".*")\s*$')


def _unquote(quoted: str) -> str:
    """A PO string literal's text (C escapes)."""
    body = quoted.strip()[1:-1]
    return re.sub(r"\\(.)", lambda m: _ESCAPES.get(m.group(1), m.group(1)), body)


def parse_po(text: str) -> list[PoEntry]:
    """The live entries of a PO file (obsolete `#~` entries left out), header included.

    polib is not a dependency of the project, and msgattrib alone cannot say which entry a
    reference belongs to, so this small reader covers what makemessages and msgmerge write:
    comments, flags, references, msgctxt, msgid, msgid_plural, msgstr[n], and strings
    continued over several lines."""
    entries: list[PoEntry] = []
    references: list[str] = []
    flags: set[str] = set()
    current: PoEntry | None = None
    # Which string a continuation line ("...") adds to.
    target: tuple[str, int] | None = None
    start = 0

    def finish() -> None:
        nonlocal current, references, flags, target, start
        if current is not None:
            entries.append(current)
        current, references, flags, target, start = None, [], set(), None, 0

    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line:
            finish()
            continue
        if line.startswith("#"):
            if current is not None and current.msgstr:
                finish()  # a comment after msgstr starts the next entry
            start = start or number
            if line.startswith("#:"):
                for reference in line[2:].split():
                    # gettext wraps names with spaces in Unicode isolates; --add-location
                    # full would add ":line".
                    reference = reference.strip("\u2068\u2069")
                    references.append(re.sub(r":\d+$", "", reference))
            elif line.startswith("#,"):
                flags.update(flag.strip() for flag in line[2:].split(",") if flag.strip())
            continue  # translator (# ), extracted (#.), previous (#|) and obsolete (#~)
        if line.startswith('"'):
            if current is None or target is None:
                raise ValueError(f"line {number}: a string outside an entry")
            kind, index = target
            if kind == "msgstr":
                current.msgstr[index] += _unquote(line)
            else:
                setattr(current, kind, (getattr(current, kind) or "") + _unquote(line))
            continue
        match = _KEYWORD.match(line)
        if match is None:
            raise ValueError(f"line {number}: not PO syntax: {raw!r}")
        keyword, plural_index, quoted = match.groups()
        value = _unquote(quoted)
        if keyword in {"msgctxt", "msgid"} and current is not None and current.msgstr:
            finish()  # entries not separated by a blank line
        if current is None:
            current = PoEntry(msgid="", references=references, flags=flags, line=start or number)
        if keyword.startswith("msgstr"):
            index = int(plural_index) if plural_index is not None else 0
            current.msgstr[index] = value
            target = ("msgstr", index)
        else:
            setattr(current, keyword, value)
            target = (keyword, 0)
    finish()
    return entries


def read_po(path: Path) -> list[PoEntry]:
    return parse_po(path.read_text(encoding="utf-8"))


def catalogue_path(root: Path, language: str) -> Path:
    return root / "locale" / language / "LC_MESSAGES" / "django.po"


# --- 2. The catalogue against the code ----------------------------------------------------

# Not copied into the throwaway tree: the virtualenv, version control and caches anywhere;
# at the top, the catalogues themselves (makemessages then writes a fresh one instead of
# merging into a copy), generated files and the database.
_NOT_COPIED = frozenset(
    {
        ".venv",
        ".git",
        "node_modules",
        "__pycache__",
        ".hypothesis",
        ".mypy_cache",
        ".pytest_cache",
        ".ruff_cache",
    }
)
_NOT_COPIED_AT_TOP = frozenset({"locale", "media", "staticfiles", "test-artifacts"})


def _copy_filter(root: Path) -> Callable[[str, list[str]], set[str]]:
    def ignore(directory: str, names: list[str]) -> set[str]:
        at_top = Path(directory) == root
        return {
            name
            for name in names
            if name in _NOT_COPIED
            or (at_top and (name in _NOT_COPIED_AT_TOP or name.startswith("db.sqlite3")))
            or name.endswith((".pyc", ".mo"))
        }

    return ignore


def extract_catalogue(language: str, root: Path = ROOT) -> list[PoEntry]:
    """What `scripts/messages.sh update LANG` would write, without writing it: the same
    script runs on a throwaway copy of the source tree, so the options cannot drift from
    it, with this interpreter's virtualenv (no second `uv sync`)."""
    with tempfile.TemporaryDirectory(prefix="check-translations-") as tmp:
        copy = Path(tmp) / "src"
        shutil.copytree(root, copy, ignore=_copy_filter(root), symlinks=True)
        (copy / "locale").mkdir()
        in_venv = sys.prefix != sys.base_prefix
        env = {
            **os.environ,
            "DEBUG": "true",
            "UV_PROJECT_ENVIRONMENT": sys.prefix if in_venv else str(root / ".venv"),
            "UV_NO_SYNC": "1",
        }
        # pytest-django sets the test settings, which the copy has no need for.
        env.pop("DJANGO_SETTINGS_MODULE", None)
        result = subprocess.run(  # noqa: S603 (our own script, fixed arguments)
            ["bash", str(copy / "scripts" / "messages.sh"), "update", language],  # noqa: S607
            cwd=copy,
            env=env,
            capture_output=True,
            text=True,
            check=False,
            timeout=120,
        )
        po = catalogue_path(copy, language)
        if result.returncode != 0 or not po.exists():
            raise RuntimeError(
                f"makemessages failed on a copy of the code ({language}):\n"
                f"{result.stderr.strip() or result.stdout.strip()}"
            )
        return read_po(po)


def _describe(entry: PoEntry) -> str:
    text = entry.msgid if len(entry.msgid) <= 70 else entry.msgid[:67] + "..."
    context = f" (context {entry.msgctxt!r})" if entry.msgctxt is not None else ""
    where = f" [{', '.join(entry.references)}]" if entry.references else ""
    return f"{text!r}{context}{where}"


def missing_from_catalogue(committed: list[PoEntry], code: list[PoEntry]) -> list[PoEntry]:
    """The code's entries the committed catalogue lacks (by msgctxt and msgid: file
    order, wrapping and references may differ without harm)."""
    have = {entry.key for entry in committed}
    return [entry for entry in code if not entry.is_header and entry.key not in have]


# --- 3. What the patient sees is translated ------------------------------------------


@dataclass
class TranslationReport:
    problems: list[str]
    staff_only_untranslated: int


def check_patient_entries(
    committed: list[PoEntry],
    code: list[PoEntry] | None = None,
    sources: Iterable[str] = PATIENT_FACING_SOURCES,
    po_name: str = "django.po",
) -> TranslationReport:
    """Check 3: patient entries translated and not fuzzy. An entry is the patient's when
    the committed catalogue or the code (a fresh extraction, when given: the committed
    references may be stale) references a patient-facing file."""
    sources = tuple(sources)
    code_references = {entry.key: entry.references for entry in code or []}
    problems = []
    staff_only = 0
    for entry in committed:
        if entry.is_header:
            continue
        references = [*entry.references, *code_references.get(entry.key, [])]
        patient = any(is_patient_facing(reference, sources) for reference in references)
        if not patient:
            staff_only += not entry.translated or entry.fuzzy
            continue
        if entry.fuzzy:
            problems.append(
                f"{po_name}:{entry.line}: fuzzy (check it, then drop the flag): {_describe(entry)}"
            )
        elif not entry.translated:
            problems.append(f"{po_name}:{entry.line}: untranslated: {_describe(entry)}")
    return TranslationReport(problems, staff_only)


def compile_errors(po: Path) -> list[str]:
    """What msgfmt finds fatal: a placeholder that differs from the msgid's, a plural
    entry without every form the header's Plural-Forms asks for, bad syntax. The catalogue
    must compile for the patient to see it. (Its warnings, such as header fields left at
    makemessages' defaults, are not errors.)"""
    msgfmt = shutil.which("msgfmt")
    if msgfmt is None:
        return ["msgfmt not found: install gettext (scripts/bootstrap.sh does)"]
    result = subprocess.run(  # noqa: S603
        [msgfmt, "--check-format", "--check-header", "-o", os.devnull, str(po)],
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode == 0:
        return []
    return [
        line
        for line in result.stderr.strip().splitlines()
        if ": warning: " not in line and "msgfmt: found" not in line
    ]


# --- Putting it together ------------------------------------------------------------------


def check_language(language: str, root: Path = ROOT) -> tuple[list[str], list[str]]:
    """Checks 2 and 3 for one language: (problems, information)."""
    po = catalogue_path(root, language)
    name = po.relative_to(root).as_posix()
    if not po.exists():
        return [f"{name} is missing: run scripts/messages.sh update {language}"], []
    committed = read_po(po)
    try:
        code = extract_catalogue(language, root)
    except RuntimeError as error:
        return [f"{name}: cannot compare with the code: {error}"], []
    problems = [
        f"{name}: not in the catalogue (run scripts/messages.sh update {language}): {_describe(e)}"
        for e in missing_from_catalogue(committed, code)
    ]
    report = check_patient_entries(committed, code, po_name=name)
    problems += report.problems
    problems += [f"{name}: msgfmt: {line}" for line in compile_errors(po)]
    information = [
        f"{name}: {report.staff_only_untranslated} entries used only by staff pages are "
        "untranslated (they stay English)"
    ]
    return problems, information


def patient_languages() -> list[str]:
    """The languages to check: PATIENT_LANGUAGES except English, as messages.sh update."""
    from django.conf import settings

    if not settings.configured:
        os.environ.setdefault("DEBUG", "true")  # only to read the settings module
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clinic.settings")
    return [code for code in settings.PATIENT_LANGUAGES if code != "en"]


def main(argv: list[str]) -> int:
    sys.path.insert(0, str(ROOT))
    languages = argv or patient_languages()
    template_problems = check_templates()
    problems: list[str] = []
    for language in languages:
        found, information = check_language(language)
        problems += found
        for line in information:
            print(f"check_translations: {line}")
    if not template_problems and not problems:
        print(f"check_translations: ok ({', '.join(languages) or 'English only'})")
        return 0
    if template_problems:
        print(
            "check_translations: patient-facing templates with text outside {% translate %} "
            f"or {{% blocktranslate %}} (`{{# {OPT_OUT_COMMENT} #}}` excuses a line that "
            "holds no words):",
            file=sys.stderr,
        )
        for line in template_problems:
            print(f"  {line}", file=sys.stderr)
    for line in problems:
        print(f"check_translations: {line}", file=sys.stderr)
    total = len(template_problems) + len(problems)
    print(f"check_translations: {total} problem(s)", file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
