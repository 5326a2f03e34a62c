"""The therapist's evaluation pages: the list, one evaluation with its sections, section
saves (htmx autosave with a conflict check), signing, addenda and progress over visits.

Therapists write; administrators read; front desk sees none of it. Every read and write
of an evaluation leaves an audit entry.
"""

from __future__ import annotations

from uuid import UUID

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import PermissionDenied
from django.db.models import F, Prefetch
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods, require_POST

from accounts.http import StaffRequest
from audit.models import AuditEvent
from audit.services import audit_patient_record, audit_record, shown_mrns
from core.models import Clinic
from evaluations import carry, exam_alerts, followups, plan_catalog, records, sections, services
from evaluations import packets as packets_mod
from evaluations import progress as progress_mod
from evaluations.charts import distal_chart_svg, measure_chart_svg
from evaluations.forms import SectionContext
from evaluations.models import Addendum, Evaluation, TreatmentNote
from intake.instruments import ODI
from intake.models import IntakeAmendment, RedFlagAlert
from intake.services import effective_answers, instrument_packs
from intake.summary import summary_context
from patients.models import Patient

LIST_FILTERS = {
    "mine": "My drafts",
    "recent": "Recent",
    "signed": "Signed",
}
LIST_LIMIT = 100


def _can_edit(request: StaffRequest, evaluation: Evaluation) -> bool:
    return (
        request.user.has_perm("evaluations.change_evaluation")
        and not evaluation.is_signed
        and evaluation.therapist_id == request.user.pk
    )


def _evaluation(public_id: UUID) -> Evaluation:
    return get_object_or_404(
        Evaluation.objects.select_related("patient", "therapist", "signed_by", "intake"),
        public_id=public_id,
    )


# --- List and start --------------------------------------------------------------------------


@require_http_methods(["GET"])
@permission_required("evaluations.view_evaluation", raise_exception=True)
def evaluation_list(request: StaffRequest) -> HttpResponse:
    show = request.GET.get("show", "mine")
    if show not in LIST_FILTERS:
        show = "mine"
    qs = Evaluation.objects.for_list()
    if show == "mine":
        qs = qs.drafts().by_therapist(request.user)
    elif show == "signed":
        qs = qs.signed()
    evaluations = list(qs.order_by("-created_at")[:LIST_LIMIT])
    audit_record(
        actor=request.user,
        action=AuditEvent.Action.VIEW,
        summary=f"Viewed the evaluation list ({LIST_FILTERS[show]}, {len(evaluations)} shown)",
        details={"show": show, "shown": shown_mrns(evaluations)},
    )
    return render(
        request,
        "evaluations/list.html",
        {"evaluations": evaluations, "show": show, "filters": LIST_FILTERS},
    )


class StartForm(forms.Form):
    kind = forms.ChoiceField(choices=Evaluation.Kind.choices)


@require_POST
@permission_required("evaluations.add_evaluation", raise_exception=True)
def start(request: StaffRequest, patient_id: UUID) -> HttpResponse:
    patient = get_object_or_404(Patient, public_id=patient_id)
    form = StartForm(request.POST)
    if not form.is_valid():
        messages.error(request, gettext("Choose which kind of evaluation to start."))
        return redirect("patients:detail", public_id=patient.public_id)
    evaluation = services.evaluation_start(
        patient=patient, kind=form.cleaned_data["kind"], by=request.user
    )
    return redirect("evaluations:detail", public_id=evaluation.public_id)


# --- The evaluation page ---------------------------------------------------------------------


def _section_view(
    section: sections.Section,
    evaluation: Evaluation,
    ctx: SectionContext,
    *,
    content: dict,
    form=None,
    state="",
    previous: Evaluation | None = None,
) -> dict:
    """Everything the section template needs. A section with an unsaved draft shows the
    draft (with its errors) rather than the last valid save. `content`: the evaluation's
    records as `records.read_content` reads them."""
    key = section.key
    if form is None:
        draft = evaluation.drafts.get(key)
        if draft is not None:
            form = section.build(ctx, data=services.draft_querydict(draft))
            form.is_valid()
            state = state or "invalid"
        else:
            form = section.build(ctx, stored=content.get(key))
    if section.annotate is not None:
        section.annotate(form, content, evaluation.findings)
    carried = 0
    if previous is not None:
        carried = carry.annotate(form, carry.previous_form(key, ctx, previous))
    return {
        "key": key,
        "title": section.title,
        "short_title": section.short_title,
        "form": form,
        "version": int(evaluation.section_versions.get(key, 0)),
        "stored": content.get(key) or {},
        "findings": evaluation.findings,
        "state": state,
        "template": section.template,
        "findings_template": section.findings_template,
        "carry_from": previous if carried else None,
        "carry_count": carried,
    }


def _progress(evaluation: Evaluation, basis: services.IntakeBasis) -> dict:
    visits = list(Evaluation.objects.for_progress(evaluation.episode_id))
    notes = list(TreatmentNote.objects.for_progress(evaluation.episode_id))
    # The patient's follow-up packets: points of their own unless one pre-filled a visit.
    packets = followups.for_progress(evaluation.episode_id)
    return _charts(
        progress_mod.from_records(
            basis.intake,
            basis.answers,
            visits,
            notes=notes,
            packets=packets,
            discharged_on=evaluation.episode.discharged_on,
        )
    )


def _charts(data: progress_mod.PatientProgress) -> dict:
    return {
        "measures": [
            {"progress": m, "svg": measure_chart_svg(m)} for m in data.measures if m.points
        ],
        "distal": {"progress": data.distal, "svg": distal_chart_svg(data.distal)}
        if data.distal.points
        else None,
    }


@require_http_methods(["GET"])
@permission_required("evaluations.view_evaluation", raise_exception=True)
def detail(request: StaffRequest, public_id: UUID) -> HttpResponse:
    evaluation = get_object_or_404(
        Evaluation.objects.select_related(
            "patient", "therapist", "signed_by", "intake", "episode"
        ).prefetch_related(
            Prefetch("addenda", queryset=Addendum.objects.select_related("by")),
            Prefetch("alerts", queryset=RedFlagAlert.objects.select_related("acknowledged_by")),
            # What the intake summary at the top shows.
            Prefetch("intake__amendments", queryset=IntakeAmendment.objects.select_related("by")),
            Prefetch(
                "intake__alerts", queryset=RedFlagAlert.objects.select_related("acknowledged_by")
            ),
        ),
        public_id=public_id,
    )
    audit_patient_record(
        evaluation,
        actor=request.user,
        action=AuditEvent.Action.VIEW,
        summary=f"Viewed {evaluation.get_kind_display().lower()}",
    )
    packs = instrument_packs()
    intake_summary = None
    if evaluation.intake is not None:
        intake_summary = summary_context(
            evaluation.intake, packs=packs, clinic=Clinic.objects.current()
        )
    basis = services.intake_basis(
        evaluation, answers=intake_summary["answers"] if intake_summary else None
    )
    ctx = services.section_context(evaluation, basis, odi_licensed=ODI in packs)
    editable = _can_edit(request, evaluation)
    content = records.read_content(evaluation.content)
    # A draft re-evaluation or discharge shows the last signed evaluation's values.
    previous = carry.previous_signed(evaluation) if editable else None
    shown_sections = [
        _section_view(s, evaluation, ctx, content=content, previous=previous)
        for s in sections.SECTIONS.values()
    ]
    addenda = list(evaluation.addenda.all())
    for a in addenda:
        # Addendum.section holds the section's key; people read its title.
        a.section_title = sections.SECTION_TITLES.get(a.section, a.section)
    return render(
        request,
        "evaluations/detail.html",
        {
            "evaluation": evaluation,
            "patient": evaluation.patient,
            "intake_summary": intake_summary,
            "sections": shown_sections,
            "editable": editable,
            "findings": evaluation.findings,
            "content": content,
            "shown": sections.shown_findings(evaluation.findings, content),
            "addenda": addenda,
            "alerts": list(evaluation.alerts.all()),
            "progress": _progress(evaluation, basis),
            "serial": exam_alerts.serial_result(evaluation),
            "hash_ok": services.evaluation_verify(evaluation) if evaluation.is_signed else None,
            "sign_problems": services.sign_problems(evaluation) if editable else [],
            "catalog_status": plan_catalog.CATALOG_STATUS,
            "catalog_version": plan_catalog.CATALOG_VERSION,
        },
    )


@require_POST
@permission_required("evaluations.change_evaluation", raise_exception=True)
def save_section(request: StaffRequest, public_id: UUID, key: str) -> HttpResponse:
    evaluation = _evaluation(public_id)
    section = sections.SECTIONS.get(key)
    if section is None:
        return HttpResponse(gettext("Unknown section."), status=404)
    if evaluation.therapist_id != request.user.pk and not evaluation.is_signed:
        audit_patient_record(
            evaluation,
            actor=request.user,
            action=AuditEvent.Action.DENIED,
            summary="Refused a change to another therapist's draft evaluation",
            details={"section": key},
        )
        raise PermissionDenied("Only the therapist who started this draft can edit it.")
    result = services.evaluation_save_section(
        evaluation=evaluation, key=key, data=request.POST, by=request.user
    )
    evaluation = result.evaluation
    status = {"saved": 200, "invalid": 200, "conflict": 409, "locked": 409}[result.status]
    if not request.htmx:
        if result.status == "saved":
            messages.success(request, gettext("%(section)s saved.") % {"section": section.title})
        elif result.status == "locked":
            messages.error(
                request, gettext("This evaluation is signed and locked. Add an addendum.")
            )
        elif result.status == "conflict":
            messages.error(
                request,
                gettext(
                    "This section was changed in another tab or device. Nothing was saved; "
                    "reload to see the other changes."
                ),
            )
        else:
            messages.warning(request, gettext("Saved as a draft. Some fields need attention."))
        return redirect(reverse("evaluations:detail", args=[evaluation.public_id]) + f"#s-{key}")
    result.form.is_valid()
    content = records.read_content(evaluation.content)
    shown = _section_view(
        section, evaluation, result.ctx, content=content, form=result.form, state=result.status
    )
    if result.status == "conflict":
        # Keep the version the form was showing, so only a deliberate "Save mine" overwrites.
        shown["form_version"] = request.POST.get("version", "")
    # Autosaves leave the form alone (the therapist may be typing in it) and update only
    # the status, version and findings; an explicit save re-renders the form with errors.
    autosave = request.POST.get("autosave") == "1" and "add_row" not in request.POST
    if not autosave and result.status in ("saved", "invalid"):
        previous = carry.previous_signed(evaluation)
        if previous is not None:
            shown = _section_view(
                section,
                evaluation,
                result.ctx,
                content=content,
                form=result.form,
                state=result.status,
                previous=previous,
            )
    template = "evaluations/_section_oob.html" if autosave else "evaluations/_section_response.html"
    response = render(
        request,
        template,
        {
            "section": shown,
            "evaluation": evaluation,
            "editable": result.status not in ("locked",),
            "findings": evaluation.findings,
            "content": content,
            "shown": sections.shown_findings(evaluation.findings, content),
            "alert": result.alert,
            "saved_at": result.saved_at,
            # Every save re-draws every findings box, the neuro exam's comparison too.
            "serial": exam_alerts.serial_result(evaluation),
            "sign_problems": services.sign_problems(evaluation),
            "all_sections": list(sections.SECTIONS.values()),
            "catalog_status": plan_catalog.CATALOG_STATUS,
            "catalog_version": plan_catalog.CATALOG_VERSION,
        },
        status=status,
    )
    if result.alert is not None:
        response["HX-Trigger"] = "alerts-changed"
    return response


# --- Sign and addenda ------------------------------------------------------------------------


class SignForm(forms.Form):
    password = forms.CharField(
        label=_("Your password"),
        strip=False,
        widget=forms.PasswordInput(
            attrs={"class": "form-control form-control-lg", "autocomplete": "current-password"}
        ),
        error_messages={"required": _("Enter your password to sign.")},
    )


@require_http_methods(["GET", "POST"])
@permission_required("evaluations.change_evaluation", raise_exception=True)
def sign(request: StaffRequest, public_id: UUID) -> HttpResponse:
    evaluation = _evaluation(public_id)
    if evaluation.is_signed:
        messages.info(request, gettext("This evaluation is already signed."))
        return redirect("evaluations:detail", public_id=evaluation.public_id)
    form = SignForm(request.POST or None)
    problems = services.sign_problems(evaluation)
    if request.method == "POST" and form.is_valid():
        try:
            services.evaluation_sign(
                evaluation=evaluation,
                by=request.user,
                password=form.cleaned_data["password"],
                request=request,
            )
        except services.SignRefused as exc:
            for problem in exc.problems:
                form.add_error(None, problem)
        except services.EvaluationLocked:
            messages.info(request, gettext("This evaluation is already signed."))
            return redirect("evaluations:detail", public_id=evaluation.public_id)
        else:
            messages.success(request, gettext("Signed and locked. Later changes are addenda."))
            return redirect("evaluations:detail", public_id=evaluation.public_id)
    else:
        audit_patient_record(
            evaluation,
            actor=request.user,
            action=AuditEvent.Action.VIEW,
            summary="Opened the signing page",
        )
    return render(
        request,
        "evaluations/sign.html",
        {
            "evaluation": evaluation,
            "patient": evaluation.patient,
            "form": form,
            "problems": problems,
            "is_author": evaluation.therapist_id == request.user.pk,
        },
    )


class AddendumForm(forms.Form):
    section = forms.ChoiceField(
        label=_("About"),
        choices=services.ADDENDUM_SECTIONS,
        required=False,
        widget=forms.Select(attrs={"class": "form-select form-select-lg"}),
    )
    reason = forms.CharField(
        label=_("Why"),
        max_length=255,
        widget=forms.TextInput(attrs={"class": "form-control form-control-lg"}),
        error_messages={"required": _("Say why you are adding this.")},
    )
    text = forms.CharField(
        label=_("Addendum"),
        max_length=8000,
        widget=forms.Textarea(attrs={"class": "form-control", "rows": 6}),
        error_messages={"required": _("Write the addendum.")},
    )


@require_http_methods(["GET", "POST"])
@permission_required("evaluations.change_evaluation", raise_exception=True)
def addendum(request: StaffRequest, public_id: UUID) -> HttpResponse:
    evaluation = _evaluation(public_id)
    if not evaluation.is_signed:
        messages.info(request, gettext("This evaluation is still a draft: edit it directly."))
        return redirect("evaluations:detail", public_id=evaluation.public_id)
    form = AddendumForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.evaluation_addendum_add(
                evaluation=evaluation, by=request.user, **form.cleaned_data
            )
        except ValueError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, gettext("Addendum added."))
            return redirect(reverse("evaluations:detail", args=[evaluation.public_id]) + "#addenda")
    if request.method == "GET":
        # The page shows the signed evaluation's patient and sections: a read like any other.
        audit_patient_record(
            evaluation,
            actor=request.user,
            action=AuditEvent.Action.VIEW,
            summary="Opened the addendum page of a signed evaluation",
        )
    return render(
        request,
        "evaluations/addendum.html",
        {"evaluation": evaluation, "patient": evaluation.patient, "form": form},
    )


# --- Progress over visits --------------------------------------------------------------------


@require_http_methods(["GET"])
@permission_required("evaluations.view_evaluation", raise_exception=True)
def patient_progress(request: StaffRequest, patient_id: UUID) -> HttpResponse:
    """One episode of care's progress (`?episode=<public id>`; the open or latest one by
    default): its visits against the baseline of its own first intake. A fixed number of
    queries however many episodes and visits the patient has."""
    patient = get_object_or_404(Patient, public_id=patient_id)
    episodes = list(
        patient.episodes.order_by(F("closed_at").desc(nulls_first=True), "-start_of_care", "-id")
    )
    episode = episodes[0] if episodes else None
    if chosen := request.GET.get("episode"):
        episode = next((e for e in episodes if str(e.public_id) == chosen), None)
        if episode is None:
            raise Http404("No such episode of care for this patient.")
    audit_record(
        actor=request.user,
        action=AuditEvent.Action.VIEW,
        patient=patient,
        obj=patient,
        summary="Viewed progress over visits",
        details={"episode": str(episode.public_id) if episode else None},
    )
    intake, answers, visits, notes, packets = None, {}, [], [], []
    if episode is not None:
        intake = (
            episode.intakes.first_visit()
            .filter(status="submitted")
            .prefetch_related(Prefetch("amendments", queryset=IntakeAmendment.objects.all()))
            .order_by("submitted_at", "id")
            .first()
        )
        if intake is not None:
            answers = effective_answers(intake, intake.amendments.all())
        visits = list(Evaluation.objects.for_progress(episode))
        notes = list(TreatmentNote.objects.for_progress(episode))
        packets = followups.for_progress(episode.pk)
    discharged_on = episode.discharged_on if episode is not None else None
    used = {u for v in visits if (u := packets_mod.used_packet(v.content))}
    return render(
        request,
        "evaluations/progress.html",
        {
            "patient": patient,
            "episode": episode,
            "episodes": episodes,
            "baseline": intake,
            "page_progress": _charts(
                progress_mod.from_records(
                    intake,
                    answers,
                    visits,
                    notes=notes,
                    packets=packets,
                    discharged_on=discharged_on,
                )
            ),
            "visits": visits,
            "notes": notes,
            "packets": [
                {
                    "packet": p,
                    "label": packets_mod.point_label(p.purpose, p.submitted_on, discharged_on),
                    "prefilled": p.public_id in used,
                }
                for p in packets
            ],
        },
    )
