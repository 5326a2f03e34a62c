"""Each role's home page, put together from the panels the apps provide.

Which panels a person sees follows from their roles; a person with several roles sees
each one's. The page is audited as one view listing every patient it showed.
"""

from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from accounts.http import StaffRequest
from accounts.roles import Role, roles_of
from audit.models import AuditEvent
from audit.services import audit_record, shown_mrns
from dashboard import panels, safety_views
from evaluations import panels as evaluation_panels
from intake import panels as intake_panels
from intake.followup import panels as followup_panels
from reports import panels as report_panels

# The panels' lists whose records name a patient (or, for audit events, may): the audit
# event of the page view lists them.
SHOWS_PATIENTS = (
    "todays_intakes",
    "awaiting_evaluation",
    "my_drafts",
    "my_notes",
    "for_review",
    "recent_events",
)


@require_GET
def home(request: StaffRequest) -> HttpResponse:
    """Each role's work for today; a person with several roles sees each section."""
    user = request.user
    roles = roles_of(user)
    context: dict = {"roles": roles}
    if Role.FRONT_DESK in roles:
        context.update(intake_panels.todays_intakes(today=timezone.localdate()))
        context.update(followup_panels.followups_for_desk(today=timezone.localdate()))
    if Role.THERAPIST in roles:
        context.update(evaluation_panels.therapist_work(therapist=user))
    if Role.ADMINISTRATOR in roles or user.is_superuser:
        context.update(safety_views.home_panel(request))
        context.update(panels.staff_on_roll())
        context.update(report_panels.background_jobs())
        context.update(panels.recent_activity())
        context["show_admin"] = True
    shown = shown_mrns(
        *(context.get(key, ()) for key in SHOWS_PATIENTS),
        *(rows for _key, _label, rows in context.get("followup_sections", ())),
    )
    if shown:
        audit_record(
            actor=user,
            action=AuditEvent.Action.VIEW,
            summary="Viewed home worklist",
            details={"shown": shown},
        )
    return render(request, "dashboard/home.html", context)
