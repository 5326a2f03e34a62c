"""Turning what the front desk types into a patient search. Pure: no database.

One box finds a patient by name, MRN or date of birth, or a mix ("smith 1970-03-05"):
- a date (2024-03-05, 05/03/2024, 5.3.2024) is a date of birth;
- a run of digits (spaces and dashes allowed) is an MRN;
- anything else is a name: "Smith", "Smith, Jo", "Jo Smith" all match family and
  given name by prefix, ignoring case and accents.
"""

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date

from django.conf import settings

_DATE_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_DATE_SEP = re.compile(r"^(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4})$")
_MRN = re.compile(r"^\d[\d\- ]{2,}\d$")


def normalise_name(value: str) -> str:
    """Lower-case, strip accents and punctuation: 'O'Brien-Núñez' -> 'obriennunez'."""
    decomposed = unicodedata.normalize("NFKD", value.casefold())
    return "".join(ch for ch in decomposed if ch.isalnum())


def normalise_mrn(value: str) -> str:
    return re.sub(r"[\s\-]", "", value)


@dataclass(frozen=True)
class PatientQuery:
    names: tuple[str, ...] = ()
    mrn: str = ""
    date_of_birth: date | None = None
    # "Smith, Jo": the first name typed is the family name.
    family_first: bool = False
    # Set when the text had a part that looked like a date but is not one.
    problems: tuple[str, ...] = field(default=())

    @property
    def is_empty(self) -> bool:
        return not (self.names or self.mrn or self.date_of_birth)


def _parse_date(token: str, order: str) -> date | str | None:
    """A date, None if the token is not date-shaped, or an error message."""
    if m := _DATE_ISO.match(token):
        y, mo, d = (int(g) for g in m.groups())
    elif m := _DATE_SEP.match(token):
        a, b, y = (int(g) for g in m.groups())
        d, mo = (a, b) if order == "DMY" else (b, a)
    else:
        return None
    try:
        return date(y, mo, d)
    except ValueError:
        return f"“{token}” is not a valid date."


def parse_patient_query(text: str, *, date_order: str | None = None) -> PatientQuery:
    order = date_order or settings.DATE_INPUT_ORDER
    text = text.strip()[:200]
    if _MRN.match(text) and _parse_date(text, order) is None:
        return PatientQuery(mrn=normalise_mrn(text))
    names: list[str] = []
    dob: date | None = None
    mrn = ""
    problems: list[str] = []
    # "Smith, Jo" names the family first; otherwise order is unknown and both are tried.
    family_first = "," in text
    for token in text.replace(",", " ").split():
        parsed = _parse_date(token, order)
        if isinstance(parsed, date):
            dob = parsed
        elif isinstance(parsed, str):
            problems.append(parsed)
        elif token.isdigit() and len(token) >= 4:
            mrn = token
        elif norm := normalise_name(token):
            names.append(norm)
    return PatientQuery(
        names=tuple(names[:3]),
        mrn=mrn,
        date_of_birth=dob,
        family_first=family_first,
        problems=tuple(problems),
    )
