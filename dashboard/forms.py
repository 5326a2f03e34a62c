"""The period the safety figures cover: two dates, both days included."""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING, Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from dashboard.safety import Period

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

EARLIEST_YEARS = 10


def _date_field(
    label: StrOrPromise, *, required: StrOrPromise, invalid: StrOrPromise
) -> forms.DateField:
    return forms.DateField(
        label=label,
        widget=forms.DateInput(attrs={"type": "date", "class": "form-control"}, format="%Y-%m-%d"),
        error_messages={"required": required, "invalid": invalid},
    )


class PeriodForm(forms.Form):
    start = _date_field(
        _("First"),
        required=_("Enter the first date."),
        invalid=_("Enter the first date as a real date, for example 2026-11-30."),
    )
    end = _date_field(
        _("Last"),
        required=_("Enter the last date."),
        invalid=_("Enter the last date as a real date, for example 2026-11-30."),
    )

    def __init__(self, *args: Any, today: datetime.date | None = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.today = today or timezone.localdate()
        for name in ("start", "end"):
            self.fields[name].widget.attrs["max"] = self.today.isoformat()

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("start"), data.get("end")
        if start and start > self.today:
            self.add_error("start", gettext("The first day cannot be in the future."))
        if end and end > self.today:
            self.add_error("end", gettext("The last day cannot be in the future."))
        earliest = self.today - datetime.timedelta(days=366 * EARLIEST_YEARS)
        if start and start < earliest:
            self.add_error(
                "start",
                gettext("Choose a first day within the last %(years)s years.")
                % {"years": EARLIEST_YEARS},
            )
        if start and end and end < start:
            self.add_error("end", gettext("The last day cannot be before the first day."))
        return data

    @property
    def period(self) -> Period:
        """The valid period asked for, else the default (the last DEFAULT_DAYS days)."""
        if self.is_bound and self.is_valid():
            return Period(start=self.cleaned_data["start"], end=self.cleaned_data["end"])
        return Period.default(self.today)


def period_form(data: Any, *, today: datetime.date | None = None) -> PeriodForm:
    """Bound when the request names a period, else showing the default one."""
    if data.get("start") or data.get("end"):
        return PeriodForm(data, today=today)
    default = Period.default(today)
    return PeriodForm(initial={"start": default.start, "end": default.end}, today=today)
