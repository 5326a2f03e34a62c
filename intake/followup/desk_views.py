"""The front desk's follow-up questionnaire pages: every packet due, overdue, coming up or
completed, and withdrawing one. Handing one over (a link, or the tablet) goes through the
intake's own hand-over views (intake.views.link_create and kiosk_open), which open a due
packet first."""

from __future__ import annotations

from uuid import UUID

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext, gettext_noop
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_POST

from accounts.http import StaffRequest
from audit.models import AuditEvent
from audit.services import audit_record, shown_mrns
from intake.followup import panels, schedule
from intake.models import Intake

# The titles are marked but kept in English (gettext_noop): the audit trail names the list
# in English, the page in the reader's language (_title).
LISTS = {
    "due": (gettext_noop("Due today"), lambda today: panels.due_today(today)),
    "overdue": (gettext_noop("Overdue"), lambda today: panels.overdue(today)),
    "upcoming": (gettext_noop("Due in the next 2 weeks"), lambda today: panels.upcoming(today)),
    "completed": (
        gettext_noop("Completed in the last %(days)s days"),
        lambda today: panels.completed(today),
    ),
}
PAGE_SIZE = 50


def _title(key: str, *, translate: bool = True) -> str:
    """A list's title: translated for the page, English for the audit trail."""
    label = LISTS[key][0]
    return (gettext(label) if translate else label) % {"days": panels.COMPLETED_DAYS}


@require_GET
@permission_required("intake.add_intake", raise_exception=True)
def packets(request: StaffRequest) -> HttpResponse:
    today = timezone.localdate()
    show = request.GET.get("show", "due")
    if show not in LISTS:
        show = "due"
    query = LISTS[show][1]
    page = Paginator(query(today), PAGE_SIZE).get_page(request.GET.get("page"))
    rows = list(page.object_list)
    if rows:
        audit_record(
            actor=request.user,
            action=AuditEvent.Action.VIEW,
            summary=f"Viewed follow-up questionnaires: {_title(show, translate=False).lower()}",
            details={"shown": shown_mrns(rows)},
        )
    return render(
        request,
        "intake/followup/packets.html",
        {
            "lists": [(key, _title(key)) for key in LISTS],
            "show": show,
            "title": _title(show),
            "page": page,
            "packets": rows,
            "today": today,
            "cancel_form": CancelPacketForm(),
        },
    )


class CancelPacketForm(forms.Form):
    reason = forms.CharField(
        label=_("Why withdraw it?"),
        max_length=500,
        help_text=_("For example: the patient declined, or has moved away."),
    )


@require_POST
@permission_required("intake.add_intake", raise_exception=True)
def packet_cancel(request: StaffRequest, public_id: UUID) -> HttpResponse:
    packet = get_object_or_404(
        Intake.objects.packets().select_related("patient"), public_id=public_id
    )
    form = CancelPacketForm(request.POST)
    if not form.is_valid():
        messages.error(request, gettext("Say why the questionnaire is withdrawn."))
    else:
        try:
            schedule.packet_cancel(
                packet=packet, by=request.user, reason=form.cleaned_data["reason"]
            )
        except schedule.PacketNotDue:
            messages.error(
                request, gettext("This questionnaire was already answered or withdrawn.")
            )
        else:
            messages.success(
                request,
                gettext("Withdrew the follow-up questionnaire for %(given)s %(family)s.")
                % {"given": packet.patient.given_name, "family": packet.patient.family_name},
            )
    return redirect(_back(request))


def _back(request: StaffRequest) -> str:
    """Back to the list the button was on (only this page's own lists)."""
    show = request.POST.get("show", "")
    url = reverse("intake:packets")
    return f"{url}?show={show}" if show in LISTS else url
