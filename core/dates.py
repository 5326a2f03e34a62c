"""Dates people type into filters and forms, held to a range the app can compute with.

Python's dates run to 9999-12-31, but a filter that adds a day to that (the end of a "to"
date, the day after a queue's day) overflows: a date out of this range gets a message,
never a server error.
"""

from datetime import date

from django import forms

EARLIEST = date(1900, 1, 1)
LATEST = date(2100, 12, 31)
OUT_OF_RANGE = f"Enter a date between {EARLIEST.year} and {LATEST.year}."


def in_range(day: date) -> bool:
    return EARLIEST <= day <= LATEST


def parse_day(value: str) -> tuple[date | None, str]:
    """A YYYY-MM-DD query value: the date, or None and why not ("" when nothing was
    given)."""
    if not value:
        return None, ""
    try:
        day = date.fromisoformat(value)
    except ValueError:
        return None, "That is not a date: use the date picker, or type it as YYYY-MM-DD."
    if not in_range(day):
        return None, OUT_OF_RANGE
    return day, ""


class BoundedDateField(forms.DateField):
    """A DateField that refuses dates outside EARLIEST..LATEST with a plain message."""

    default_error_messages = {"out_of_range": OUT_OF_RANGE}

    def validate(self, value: date | None) -> None:
        super().validate(value)
        if value and not in_range(value):
            raise forms.ValidationError(self.error_messages["out_of_range"], code="out_of_range")
