from datetime import datetime, time, timedelta

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.db import connection
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from audit.forms import AuditFilterForm, AuditPatientForm
from audit.models import AuditEvent
from audit.services import audit_record, shown_mrns
from core.pagination import paginate
from patients.models import Patient
from patients.search import normalise_mrn


def _day_start(day) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


@require_http_methods(["GET", "POST"])
@permission_required("audit.view_auditevent", raise_exception=True)
def audit_list(request: HttpRequest) -> HttpResponse:
    """Browse and filter the audit trail.

    Filters travel in the query string, but never a patient identifier: an MRN typed
    here is posted, looked up, and replaced by the patient's public UUID.
    """
    if request.method == "POST":
        lookup = AuditPatientForm(request.POST)
        params = request.GET.copy()
        if lookup.is_valid() and lookup.cleaned_data["mrn"]:
            patient = Patient.objects.filter(mrn=normalise_mrn(lookup.cleaned_data["mrn"])).first()
            if patient is None:
                messages.error(request, "No patient has that MRN.")
            else:
                params["patient"] = str(patient.public_id)
                params.pop("page", None)
        return redirect(f"{reverse('audit:list')}?{params.urlencode()}")

    form = AuditFilterForm(request.GET or None)
    events = AuditEvent.objects.with_related()
    patient = None
    if form.is_valid():
        data = form.cleaned_data
        if data["date_from"]:
            events = events.filter(at__gte=_day_start(data["date_from"]))
        if data["date_to"]:
            events = events.filter(at__lt=_day_start(data["date_to"]) + timedelta(days=1))
        if data["actor"]:
            events = events.filter(actor=data["actor"])
        if data["action"]:
            events = events.filter(action=data["action"])
        if data["object_type"]:
            events = events.filter(object_type=data["object_type"])
        if data["patient"]:
            patient = Patient.objects.filter(public_id=data["patient"]).first()
            events = events.filter(patient=patient)
    page = paginate(events, request.GET.get("page"), per_page=50)
    # Reading the trail shows who looked at whom: that is itself audited.
    audit_record(
        actor=request.user,
        action=AuditEvent.Action.VIEW,
        patient=patient,
        summary="Viewed the audit trail",
        details={
            "filters": {k: v for k, v in request.GET.items() if k != "page"},
            # The trail names patients: record whose entries were on the screen.
            "shown": shown_mrns(page),
        },
    )
    paging = request.GET.copy()
    paging.pop("page", None)
    return render(
        request,
        "audit/list.html",
        {
            "form": form,
            "page": page,
            "patient": patient,
            "lookup": AuditPatientForm(),
            "paging_query": paging.urlencode(),
            # Only PostgreSQL's triggers and roles stop other clients changing the trail.
            "tamper_protected": connection.vendor == "postgresql",
        },
    )
