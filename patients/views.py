from uuid import UUID

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext
from django.views.decorators.http import require_http_methods

from accounts.http import StaffRequest
from audit.models import AuditEvent
from audit.services import audit_record
from core.pagination import paginate
from patients.forms import PatientForm, PatientSearchForm
from patients.models import Patient
from patients.search import parse_patient_query
from patients.services import patient_create, patient_update


def _get_patient(public_id: UUID) -> Patient:
    return get_object_or_404(Patient, public_id=public_id)


def _change_history(patient: Patient, limit: int = 20) -> list[dict]:
    """The newest versions of the record, each with the fields it changed (one query)."""
    records = list(patient.history.select_related("history_user")[: limit + 1])
    rows = []
    for newer, older in zip(records, [*records[1:], None], strict=False):
        fields = []
        if older is not None:
            fields = [Patient.field_label(c.field) for c in newer.diff_against(older).changes]
        rows.append({"record": newer, "fields": fields})
    return rows[:limit]


@require_http_methods(["GET", "POST"])
@permission_required("patients.view_patient", raise_exception=True)
def patient_list(request: StaffRequest) -> HttpResponse:
    """The patient list, and search by name, MRN or date of birth.

    Searches are POSTed so names and birth dates never appear in URLs, server access
    logs or the tablet's history (ASVS 14.2.1); paging a search re-posts the query.
    """
    form = PatientSearchForm(request.POST if request.method == "POST" else request.GET)
    form.is_valid()
    text = form.cleaned_data.get("q", "") if request.method == "POST" else ""
    query = parse_patient_query(text)
    patients = Patient.objects.in_list_order()
    if not query.is_empty:
        patients = patients.matching(query)
    elif query.problems:
        patients = patients.none()
    page = paginate(patients, form.cleaned_data.get("page"))
    shown = [p.mrn for p in page.object_list]
    audit_record(
        actor=request.user,
        action=AuditEvent.Action.SEARCH if text else AuditEvent.Action.VIEW,
        summary=("Searched patients" if text else "Viewed patient list")
        + f" ({page.paginator.count} found)",
        details={"query": text, "page": page.number, "shown": shown},
    )
    context = {"form": form, "page": page, "query_text": text, "problems": query.problems}
    template = "patients/_results.html" if request.htmx else "patients/list.html"
    return render(request, template, context)


@require_http_methods(["GET", "POST"])
@permission_required("patients.add_patient", raise_exception=True)
def patient_new(request: StaffRequest) -> HttpResponse:
    form = PatientForm(request.POST or None, check_duplicates=True)
    if request.method == "POST" and form.is_valid():
        try:
            patient = patient_create(by=request.user, data=form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(
                request,
                gettext("Registered %(name)s, MRN %(mrn)s.")
                % {"name": patient.full_name, "mrn": patient.mrn},
            )
            return redirect("patients:detail", public_id=patient.public_id)
    return render(request, "patients/form.html", {"form": form, "patient": None})


@require_http_methods(["GET"])
@permission_required("patients.view_patient", raise_exception=True)
def patient_detail(request: StaffRequest, public_id: UUID) -> HttpResponse:
    patient = _get_patient(public_id)
    audit_record(
        actor=request.user,
        action=AuditEvent.Action.VIEW,
        patient=patient,
        obj=patient,
        summary=f"Viewed patient {patient.mrn}",
    )
    intakes = patient.intakes.first_visit().select_related("started_by")[:20]
    evaluations = patient.evaluations.for_list()[:20]
    # Episodes of care (care's, reached by the reverse relation: patients imports no app
    # built on it): open first, then the newest, with their counts, in fixed queries.
    episodes = None
    if request.user.has_perm("care.view_episode"):
        episodes = list(patient.episodes.for_patient_page())
    history = None
    if request.user.has_perm("audit.view_auditevent"):
        history = _change_history(patient)
    return render(
        request,
        "patients/detail.html",
        {
            "patient": patient,
            "intakes": intakes,
            "evaluations": evaluations,
            "episodes": episodes,
            "has_open_episode": any(e.is_open for e in episodes or ()),
            # Diagnoses are clinical content: therapists and administrators read them.
            "reads_clinical": request.user.has_perm("care.change_episode_clinical")
            or request.user.has_perm("intake.view_intake_clinical"),
            "history": history,
        },
    )


@require_http_methods(["GET", "POST"])
@permission_required("patients.change_patient", raise_exception=True)
def patient_edit(request: StaffRequest, public_id: UUID) -> HttpResponse:
    patient = _get_patient(public_id)
    form = PatientForm(request.POST or None, instance=patient)
    if request.method == "POST" and form.is_valid():
        try:
            changed = patient_update(by=request.user, patient=patient, data=form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            if changed:
                messages.success(request, gettext("Saved the changes."))
            else:
                messages.info(request, gettext("Nothing was changed."))
            return redirect("patients:detail", public_id=patient.public_id)
    else:
        audit_record(
            actor=request.user,
            action=AuditEvent.Action.VIEW,
            patient=patient,
            obj=patient,
            summary=f"Opened patient {patient.mrn} for editing",
        )
    return render(request, "patients/form.html", {"form": form, "patient": patient})
