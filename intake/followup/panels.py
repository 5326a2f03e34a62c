"""The front desk's follow-up questionnaires: due today, overdue and completed.

A panel gives its section's template context (templates/dashboard/home.html); the full
list is the packets page (intake.views.packets). Each list is one query, sliced, so the page
makes the same number of queries however many packets there are.
"""

from __future__ import annotations

import datetime

from django.db.models import Q
from django.utils import timezone

from intake.models import Intake

WAITING = (Intake.Status.SCHEDULED, Intake.Status.IN_PROGRESS)
# Completed packets stay on the list this long, so the desk sees the week's returns.
COMPLETED_DAYS = 7
# An overdue packet older than this is still on the full list, not on the home page.
OVERDUE_DAYS = 60
HOME_ROWS = 15


def _base():
    return Intake.objects.packets().select_related("patient")


def due_today(today: datetime.date):
    return _base().filter(status__in=WAITING, due_on=today).order_by("patient__family_name", "id")


def overdue(today: datetime.date, *, since: datetime.date | None = None):
    found = _base().filter(status__in=WAITING, due_on__lt=today)
    if since is not None:
        found = found.filter(due_on__gte=since)
    return found.order_by("due_on", "id")


def completed(today: datetime.date, *, days: int = COMPLETED_DAYS):
    # From midnight in the clinic's time zone: a plain range, so the status indexes serve it.
    since = timezone.make_aware(
        datetime.datetime.combine(today - datetime.timedelta(days=days), datetime.time.min)
    )
    return (
        _base()
        .filter(
            Q(status=Intake.Status.SUBMITTED, submitted_at__gte=since)
            | Q(status=Intake.Status.STOPPED, stopped_at__gte=since)
        )
        .order_by("-submitted_at", "-stopped_at", "-id")
    )


def upcoming(today: datetime.date, *, days: int = 14):
    return (
        _base()
        .filter(
            status__in=WAITING,
            due_on__gt=today,
            due_on__lte=today + datetime.timedelta(days=days),
        )
        .order_by("due_on", "id")
    )


def followups_for_desk(*, today: datetime.date, rows: int = HOME_ROWS) -> dict:
    """The home page's packet lists, each cut at `rows`: three queries."""
    recent = today - datetime.timedelta(days=OVERDUE_DAYS)
    return {
        "followup_sections": [
            ("due", "Due today", list(due_today(today)[:rows])),
            ("overdue", "Overdue", list(overdue(today, since=recent)[:rows])),
            (
                "completed",
                f"Completed in the last {COMPLETED_DAYS} days",
                list(completed(today)[:rows]),
            ),
        ],
        "followup_rows": rows,
        "today": today,
    }
