"""The administrator's safety figures (on their home page) and the audited lists behind
each figure. Administrators only: the figures are about the clinic's safety net, and the
lists name patients."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from functools import wraps
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpResponse, QueryDict
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext
from django.views.decorators.http import require_GET

from accounts.http import StaffRequest
from accounts.roles import Role, roles_of
from audit.models import AuditEvent
from audit.services import audit_record, shown_mrns
from dashboard import safety
from dashboard.forms import PeriodForm, period_form

PAGE_SIZE = 100


def is_administrator(user: Any) -> bool:
    return user.is_superuser or Role.ADMINISTRATOR in roles_of(user)


def administrator_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    @wraps(view)
    def check(request: StaffRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not is_administrator(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return check


def _period(request: StaffRequest) -> tuple[PeriodForm, safety.Period]:
    form = period_form(request.GET)
    if form.is_bound and not form.is_valid():
        messages.error(
            request,
            gettext("Check the dates below. Showing the last %(days)s days instead.")
            % {"days": safety.DEFAULT_DAYS},
        )
    return form, form.period


def home_panel(request: StaffRequest) -> dict[str, Any]:
    """The administrator's safety section of the home page: the figures for the period
    asked for (the last 30 days by default) and the escalated alerts. The escalated list
    names patients, so showing it is audited."""
    form, period = _period(request)
    escalated = safety.escalated_alerts()
    if escalated:
        audit_record(
            actor=request.user,
            action=AuditEvent.Action.VIEW,
            patient=escalated[0].patient if len({e.patient_id for e in escalated}) == 1 else None,
            summary=f"Viewed {len(escalated)} escalated red-flag alert(s) on the home page",
            details={
                "alerts": [str(e.alert.public_id) for e in escalated],
                "shown": shown_mrns(escalated),
            },
        )
    return {
        "safety_form": form,
        "safety_period": period,
        "alert_figures": safety.alert_figures(period),
        "episode_figures": safety.episode_figures(period),
        "escalated_alerts": escalated,
    }


def _choice(request: StaffRequest, name: str, allowed: Mapping[str, object]) -> str:
    value = request.GET.get(name, "")
    if value and value not in allowed:
        # The name is the query parameter's (level, source, state, which).
        messages.error(
            request,
            gettext("There is no %(name)s “%(value)s”: showing every %(name)s.")
            % {"name": name, "value": value[:40]},
        )
        return ""
    return value


def _page(request: StaffRequest, items: Any) -> Any:
    return Paginator(items, PAGE_SIZE).get_page(request.GET.get("page"))


def _query(period: safety.Period, **extra: str) -> str:
    query = QueryDict(mutable=True)
    query.update({**period.query, **{k: v for k, v in extra.items() if v}})
    return query.urlencode()


def _audit_list(
    request: StaffRequest, rows: list[Any], *, what: str, details: dict[str, Any]
) -> None:
    patients = {r.patient_id for r in rows}
    audit_record(
        actor=request.user,
        action=AuditEvent.Action.VIEW,
        patient=rows[0].patient if len(patients) == 1 else None,
        summary=f"Viewed the safety figures' list of {what} ({len(rows)} shown)",
        details={**details, "shown": shown_mrns(rows)},
    )


@require_GET
@administrator_required
def alert_list(request: StaffRequest) -> HttpResponse:
    """The alerts behind a figure: raised in the period, by level, source and state."""
    form, period = _period(request)
    level = _choice(request, "level", dict(safety.LEVELS))
    source = _choice(request, "source", dict(safety.SOURCES))
    state = _choice(request, "state", safety.STATES)
    page = _page(request, safety.alerts_behind(period, level=level, source=source, state=state))
    rows = list(page.object_list)
    for alert in rows:
        alert.took_words = safety.duration_words(alert.took)
    filters = {"level": level, "source": source, "state": state}
    _audit_list(request, rows, what="red-flag alerts", details={"period": period.query, **filters})
    return render(
        request,
        "dashboard/safety_alerts.html",
        {
            "safety_form": form,
            "period": period,
            "page": page,
            "alerts": rows,
            "level": dict(safety.LEVELS).get(level, ""),
            "source": dict(safety.SOURCES).get(source, ""),
            "state": safety.STATES.get(state, ""),
            "query": _query(period, **filters),
            "keep": [(k, v) for k, v in filters.items() if v],
            "now": timezone.now(),
        },
    )


@require_GET
@administrator_required
def episode_list(request: StaffRequest) -> HttpResponse:
    """The episodes behind the outcome share: discharged in the period, all or those
    with (or missing) both outcomes."""
    form, period = _period(request)
    which = _choice(request, "which", safety.EPISODE_LISTS) or "all"
    page = _page(request, safety.episodes_behind(period, which=which))
    rows = list(page.object_list)
    _audit_list(
        request,
        rows,
        what="discharged episodes",
        details={"period": period.query, "which": which},
    )
    return render(
        request,
        "dashboard/safety_episodes.html",
        {
            "safety_form": form,
            "period": period,
            "page": page,
            "episodes": rows,
            "which": which,
            "which_words": safety.EPISODE_LISTS[which],
            "query": _query(period, which=which),
            "keep": [("which", which)],
        },
    )
