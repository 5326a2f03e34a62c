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
from django.views.decorators.http import require_GET, require_POST

from accounts.http import StaffRequest
from audit.models import AuditEvent
from audit.services import audit_record, shown_mrns
from intake.followup import panels, schedule
from intake.models import Intake

LISTS = {
    "due": ("Due today", lambda today: panels.due_today(today)),
    "overdue": ("Overdue", lambda today: panels.overdue(today)),
    "upcoming": ("Due in the next 2 weeks", lambda today: panels.upcoming(today)),
    "completed": (
        f"Completed in the last {panels.COMPLETED_DAYS} days",
        lambda today: panels.completed(today),
    ),
}
PAGE_SIZE = 50


@require_GET
@permission_required("intake.add_intake", raise_exception=True)
def packets(request: StaffRequest) -> HttpResponse:
    today = timezone.localdate()
    show = request.GET.get("show", "due")
    if show not in LISTS:
        show = "due"
    title, query = LISTS[show]
    page = Paginator(query(today), PAGE_SIZE).get_page(request.GET.get("page"))
    rows = list(page.object_list)
    if rows:
        audit_record(
            actor=request.user,
            action=AuditEvent.Action.VIEW,
            summary=f"Viewed follow-up questionnaires: {title.lower()}",
            details={"shown": shown_mrns(rows)},
        )
    return render(
        request,
        "intake/followup/packets.html",
        {
            "lists": [(key, label) for key, (label, _q) in LISTS.items()],
            "show": show,
            "title": title,
            "page": page,
            "packets": rows,
            "today": today,
            "cancel_form": CancelPacketForm(),
        },
    )


class CancelPacketForm(forms.Form):
    reason = forms.CharField(
        label="Why withdraw it?",
        max_length=500,
        help_text="For example: the patient declined, or has moved away.",
    )


@require_POST
@permission_required("intake.add_intake", raise_exception=True)
def packet_cancel(request: StaffRequest, public_id: UUID) -> HttpResponse:
    packet = get_object_or_404(
        Intake.objects.packets().select_related("patient"), public_id=public_id
    )
    form = CancelPacketForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Say why the questionnaire is withdrawn.")
    else:
        try:
            schedule.packet_cancel(
                packet=packet, by=request.user, reason=form.cleaned_data["reason"]
            )
        except schedule.PacketNotDue:
            messages.error(request, "This questionnaire was already answered or withdrawn.")
        else:
            messages.success(
                request,
                f"Withdrew the follow-up questionnaire for {packet.patient.given_name} "
                f"{packet.patient.family_name}.",
            )
    return redirect(_back(request))


def _back(request: StaffRequest) -> str:
    """Back to the list the button was on (only this page's own lists)."""
    show = request.POST.get("show", "")
    url = reverse("intake:packets")
    return f"{url}?show={show}" if show in LISTS else url
