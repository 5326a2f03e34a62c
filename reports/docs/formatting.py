"""How the PDF documents write dates and times: one format in every document ("3 Nov 2026",
"3 Nov 2026 14:05 UTC"), the one most of them used already. Templates use it through the
`doc_date` and `doc_datetime` filters (reports/templatetags/pdf_format.py); text built
from stored values (a plan item's "delivered on 2026-11-03", an intake answer) goes
through `dates_in_words`."""

from __future__ import annotations

import datetime
import re

from django.utils import timezone, translation
from django.utils.formats import date_format

from evaluations.wording import dates_in_words, unbroken_date

__all__ = ["dates_in_words", "doc_date", "doc_datetime", "expand_abbreviations", "in_english"]


def in_english() -> bool:
    """Whether the document is being rendered in English (every clinician document, and an
    English-speaking patient's handout: reports.pdf.render_html)."""
    return (translation.get_language() or "en").split("-")[0] == "en"


def _date_text(on: datetime.date) -> str:
    """The documents' own '3 Nov 2026' in English; in another language (a patient's
    handout) that language's way, from Django's formats ("3 de noviembre de 2026"), kept on
    one line too."""
    if in_english():
        return unbroken_date(on)
    return date_format(on, "DATE_FORMAT").replace(" ", "\u00a0")


def _as_date(value) -> datetime.date | None:
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    if isinstance(value, datetime.date):
        return value
    if isinstance(value, str) and value:
        try:
            return datetime.date.fromisoformat(value[:10])
        except ValueError:
            return None
    return None


def doc_date(value) -> str:
    """'3 Nov 2026' for a date, a datetime (in the clinic's time zone) or an ISO string; ''
    for nothing. Text that is not a date is returned as it is."""
    on = _as_date(value)
    if on is None:
        return value if isinstance(value, str) else ""
    return _date_text(on)


def doc_datetime(value) -> str:
    """'3 Nov 2026 14:05 UTC', in the clinic's time zone."""
    if not isinstance(value, datetime.datetime):
        return doc_date(value)
    local = timezone.localtime(value) if timezone.is_aware(value) else value
    return f"{_date_text(local.date())} {local:%H:%M} {local.tzname() or ''}".rstrip()


# Abbreviations the documents print (the spec's movement codes in the repeated-movement
# summaries, test names in the neurodynamic ones, guideline names), written out where
# each is first used: "extension in lying (EIL)", then "EIL".
ABBREVIATIONS = {
    "FIS": "flexion in standing",
    "EIS": "extension in standing",
    "FIL": "flexion in lying",
    "EIL": "extension in lying",
    "SGIS": "side glide in standing",
    "SLR": "straight-leg raise",
    "PKB": "prone knee bend",
    "MDT": "Mechanical Diagnosis and Therapy",
    "CPG": "clinical practice guideline",
    "LBP": "low back pain",
    "MCID": "minimal important change",
    "UMN": "upper motor neuron",
}
# A whole word only: not part of a code ("UMN-BABINSKI", "EIL_HIPS").
_ABBREVIATION = re.compile(r"(?<![\w-])(" + "|".join(ABBREVIATIONS) + r")(?![\w-])")
# Markup and the text inside an <svg> (a chart's labels are laid out to fit as they are).
_MARKUP = re.compile(r"(<svg\b.*?</svg>|<[^>]*>)", re.DOTALL | re.IGNORECASE)


def expand_abbreviations(html: str) -> str:
    """The HTML with each abbreviation written out at its first use in the text (never in
    markup or charts); one already written out there ("minimal important change (MCID)")
    is left as it is."""
    seen: set[str] = set()

    def expand(text: str) -> str:
        def one(match: re.Match) -> str:
            code = match.group(1)
            if code in seen:
                return code
            seen.add(code)
            before = text[: match.start()].lower()
            if before.rstrip().endswith(ABBREVIATIONS[code].lower() + " ("):
                return code
            return f"{ABBREVIATIONS[code]} ({code})"

        return _ABBREVIATION.sub(one, text)

    parts = _MARKUP.split(html)
    # split() with one group: text at even indexes, markup at odd ones.
    return "".join(expand(part) if i % 2 == 0 else part for i, part in enumerate(parts))
