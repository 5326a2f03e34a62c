"""Episode of care pages: the episode, opening one, its referral, certification,
diagnoses and discharge; and the clinic's referring clinicians.

The front desk opens episodes and records the referral and the certification dates;
therapists also record diagnoses and discharge; administrators read. Diagnoses (and the
discharge note) are clinical content: shown to those who may read it (therapists and
administrators). A discharged episode is a closed record: its edit pages send the reader
back to it with a message, and change nothing.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext
from django.views.decorators.http import require_http_methods

from accounts.http import StaffRequest
from audit.models import AuditEvent
from audit.services import audit_patient_record, audit_record
from care import icd10, services
from care.forms import (
    CertificationForm,
    DiagnosesForm,
    DischargeForm,
    EpisodeOpenForm,
    ReferralContactForm,
    ReferralForm,
    add_errors,
)
from care.models import DiagnosisCode, Episode, ReferralContact
from core.pagination import paginate
from patients.models import Patient

CONTACT_PREFIX = "contact"
# The code list is sent whole with the diagnoses page when it is this small (the shipped
# subset); a clinic's full code file is searched as the therapist types.
DATALIST_ALL_UP_TO = 200
TYPEAHEAD_LIMIT = 20


def may_read_clinical(user: Any) -> bool:
    """Therapists and administrators read clinical content (diagnoses); the front desk
    does not."""
    return bool(
        user.has_perm("care.change_episode_clinical")
        or user.has_perm("intake.view_intake_clinical")
    )


def _episode(public_id: UUID) -> Episode:
    return get_object_or_404(
        Episode.objects.select_related("patient", "referrer"), public_id=public_id
    )


def _closed_redirect(request: StaffRequest, episode: Episode, what: str) -> HttpResponse:
    """`what` is shown in the message: pass it translated (gettext)."""
    messages.warning(
        request,
        gettext(
            "This episode of care was discharged on %(date)s: its %(what)s can no longer "
            "be changed."
        )
        % {"date": f"{episode.discharged_on:%d %b %Y}", "what": what},
    )
    return redirect("care:episode", public_id=episode.public_id)


def _audit_view(request: StaffRequest, episode: Episode, summary: str) -> None:
    audit_patient_record(
        episode, actor=request.user, action=AuditEvent.Action.VIEW, summary=summary
    )


@require_http_methods(["GET"])
@permission_required("care.view_episode", raise_exception=True)
def episode_detail(request: StaffRequest, public_id: UUID) -> HttpResponse:
    episode = get_object_or_404(
        Episode.objects.with_counts().select_related(
            "patient", "referrer", "opened_by", "closed_by"
        ),
        public_id=public_id,
    )
    _audit_view(request, episode, f"Viewed episode of care from {episode.start_of_care:%d %b %Y}")
    clinical = may_read_clinical(request.user)
    diagnoses = list(episode.diagnoses.select_related("code")) if clinical else None
    intakes = None
    if request.user.has_perm("intake.view_intake"):
        intakes = list(episode.intakes.order_by("-started_at", "-id"))
    evaluations = None
    if request.user.has_perm("evaluations.view_evaluation"):
        evaluations = list(episode.evaluations.for_list().order_by("-visit_date", "-id"))
    notes = None
    if request.user.has_perm("evaluations.view_treatmentnote"):
        notes = list(
            episode.notes.select_related("therapist")
            .order_by("-visit_date", "-id")
            .only("public_id", "status", "visit_date", "visit_number", "therapist")
        )
    recert_days = episode.recertification_in_days()
    return render(
        request,
        "care/episode_detail.html",
        {
            "episode": episode,
            "patient": episode.patient,
            "clinical": clinical,
            "diagnoses": diagnoses,
            "intakes": intakes,
            "evaluations": evaluations,
            "notes": notes,
            "days_since_start": episode.days_since_start(),
            "recert_days": recert_days,
            "recert_overdue": -recert_days if recert_days is not None else None,
        },
    )


def _save_referral(
    request: StaffRequest,
    form: ReferralForm,
    contact_form: ReferralContactForm,
    write: Any,
) -> Episode | None:
    """Run `write(data)` with the form's referral, first adding the new referring
    clinician typed inline, in one transaction: a refused episode adds no contact. Errors
    go beside their fields; None when refused."""
    if not form.is_valid():
        if form.wants_new_contact:
            contact_form.is_valid()  # show its errors too
        return None
    if form.wants_new_contact and not contact_form.is_valid():
        return None
    target: forms.BaseForm = form
    try:
        with transaction.atomic():
            new_contact = None
            if form.wants_new_contact:
                target = contact_form
                new_contact = services.referral_contact_save(
                    by=request.user, data=contact_form.cleaned_data
                )
                target = form
            result: Episode = write(form.referral_data(new_contact=new_contact))
    except ValidationError as exc:
        # The clinician's errors beside the clinician's fields; the episode's beside its.
        add_errors(target, exc, default=None if target is contact_form else "start_of_care")
        return None
    return result


@require_http_methods(["GET", "POST"])
@permission_required("care.add_episode", raise_exception=True)
def episode_new(request: StaffRequest, patient_id: UUID) -> HttpResponse:
    patient = get_object_or_404(Patient, public_id=patient_id)
    data = request.POST if request.method == "POST" else None
    form = EpisodeOpenForm(data, contact_prefix=CONTACT_PREFIX)
    contact_form = ReferralContactForm(data, prefix=CONTACT_PREFIX, use_required_attribute=False)
    if request.method == "POST":
        episode = _save_referral(
            request,
            form,
            contact_form,
            lambda d: services.episode_open(by=request.user, patient=patient, data=d),
        )
        if episode is not None:
            messages.success(
                request,
                gettext("Opened an episode of care from %(date)s.")
                % {"date": f"{episode.start_of_care:%d %b %Y}"},
            )
            return redirect("care:episode", public_id=episode.public_id)
    else:
        audit_record(
            actor=request.user,
            action=AuditEvent.Action.VIEW,
            patient=patient,
            obj=patient,
            summary=f"Opened the new episode of care form for {patient.mrn}",
        )
    return render(
        request,
        "care/referral_form.html",
        {
            "patient": patient,
            "episode": None,
            "open_episode": services.episode_open_for(patient),
            "form": form,
            "contact_form": contact_form,
        },
    )


@require_http_methods(["GET", "POST"])
@permission_required("care.change_episode", raise_exception=True)
def episode_referral(request: StaffRequest, public_id: UUID) -> HttpResponse:
    episode = _episode(public_id)
    if not episode.is_open:
        return _closed_redirect(request, episode, gettext("referral"))
    if request.method == "POST":
        form = ReferralForm(request.POST, contact_prefix=CONTACT_PREFIX)
        contact_form = ReferralContactForm(
            request.POST, prefix=CONTACT_PREFIX, use_required_attribute=False
        )

        def write(data: dict[str, Any]) -> Episode:
            services.episode_update_referral(by=request.user, episode=episode, data=data)
            return episode

        if _save_referral(request, form, contact_form, write) is not None:
            messages.success(request, gettext("Saved the referral."))
            return redirect("care:episode", public_id=episode.public_id)
    else:
        _audit_view(request, episode, "Opened the episode's referral for editing")
        form = ReferralForm(
            initial=ReferralForm.initial_for(episode), contact_prefix=CONTACT_PREFIX
        )
        contact_form = ReferralContactForm(prefix=CONTACT_PREFIX, use_required_attribute=False)
    return render(
        request,
        "care/referral_form.html",
        {
            "patient": episode.patient,
            "episode": episode,
            "open_episode": None,
            "form": form,
            "contact_form": contact_form,
        },
    )


@require_http_methods(["GET", "POST"])
@permission_required("care.change_episode", raise_exception=True)
def episode_certification(request: StaffRequest, public_id: UUID) -> HttpResponse:
    episode = _episode(public_id)
    if not episode.is_open:
        return _closed_redirect(request, episode, gettext("plan of care certification"))
    if request.method == "POST":
        form = CertificationForm(request.POST)
        if form.is_valid():
            try:
                changed = services.episode_update_certification(
                    by=request.user, episode=episode, data=form.cleaned_data
                )
            except ValidationError as exc:
                add_errors(form, exc)
            else:
                if changed:
                    messages.success(request, gettext("Saved the plan of care's certification."))
                else:
                    messages.info(request, gettext("Nothing was changed."))
                return redirect("care:episode", public_id=episode.public_id)
    else:
        _audit_view(request, episode, "Opened the plan of care's certification for editing")
        form = CertificationForm(initial=CertificationForm.initial_for(episode))
    return render(
        request,
        "care/certification_form.html",
        {"patient": episode.patient, "episode": episode, "form": form},
    )


def _code_options(episode: Episode, form: DiagnosesForm) -> list[DiagnosisCode]:
    """The datalist sent with the page: every code when the list is short, else the ones
    already on the form (the rest come as the therapist types, care:codes)."""
    codes = list(DiagnosisCode.objects.all()[: DATALIST_ALL_UP_TO + 1])
    if len(codes) <= DATALIST_ALL_UP_TO:
        return codes
    typed = [icd10.normalise(str(form[name].value() or "")) for name in form.fields]
    return list(DiagnosisCode.objects.filter(code__in=[t for t in typed if t]))


@require_http_methods(["GET", "POST"])
@permission_required("care.change_episode_clinical", raise_exception=True)
def episode_diagnoses(request: StaffRequest, public_id: UUID) -> HttpResponse:
    episode = _episode(public_id)
    if not episode.is_open:
        return _closed_redirect(request, episode, gettext("diagnosis codes"))
    if request.method == "POST":
        form = DiagnosesForm(request.POST)
        if form.is_valid():
            try:
                services.episode_set_diagnoses(by=request.user, episode=episode, codes=form.codes())
            except ValidationError as exc:
                add_errors(form, exc, default="code_1")
            else:
                messages.success(request, gettext("Saved the diagnosis codes."))
                return redirect("care:episode", public_id=episode.public_id)
    else:
        _audit_view(request, episode, "Opened the episode's diagnosis codes for editing")
        form = DiagnosesForm(initial=DiagnosesForm.initial_for(episode))
    return render(
        request,
        "care/diagnoses_form.html",
        {
            "patient": episode.patient,
            "episode": episode,
            "form": form,
            "code_options": _code_options(episode, form),
            "code_count": DiagnosisCode.objects.count(),
        },
    )


@require_http_methods(["GET"])
@permission_required("care.change_episode_clinical", raise_exception=True)
def code_options(request: StaffRequest) -> HttpResponse:
    """The datalist's options for what is typed in a diagnosis box (htmx): codes that
    start with it, or titles that contain it. The box sends its own name (code_1…)."""
    boxes = [request.GET.get(k, "") for k in request.GET if k.startswith("code_")]
    text = request.GET.get("q", "") or next((v for v in boxes if v.strip()), "")
    text = text.strip()[:60]
    codes: list[DiagnosisCode] = []
    if text:
        compact = text.upper().replace(" ", "")
        prefix = compact if "." in compact or len(compact) <= 3 else f"{compact[:3]}.{compact[3:]}"
        codes = list(DiagnosisCode.objects.filter(code__startswith=prefix)[:TYPEAHEAD_LIMIT])
        if not codes and len(text) >= 3:
            codes = list(DiagnosisCode.objects.filter(title__icontains=text)[:TYPEAHEAD_LIMIT])
    return render(request, "care/_code_options.html", {"code_options": codes})


@require_http_methods(["GET", "POST"])
@permission_required("care.change_episode_clinical", raise_exception=True)
def episode_discharge(request: StaffRequest, public_id: UUID) -> HttpResponse:
    episode = _episode(public_id)
    if not episode.is_open:
        messages.warning(
            request,
            gettext("This episode of care was already discharged on %(date)s.")
            % {"date": f"{episode.discharged_on:%d %b %Y}"},
        )
        return redirect("care:episode", public_id=episode.public_id)
    if request.method == "POST":
        form = DischargeForm(request.POST)
        if form.is_valid():
            try:
                services.episode_discharge(
                    by=request.user,
                    episode=episode,
                    on=form.cleaned_data["discharged_on"],
                    reason=form.cleaned_data["discharge_reason"],
                    note=form.cleaned_data["discharge_note"],
                )
            except ValidationError as exc:
                add_errors(form, exc)
            else:
                messages.success(request, gettext("Discharged: the episode of care is closed."))
                return redirect("care:episode", public_id=episode.public_id)
    else:
        _audit_view(request, episode, "Opened the episode's discharge form")
        form = DischargeForm()
    return render(
        request,
        "care/discharge_form.html",
        {"patient": episode.patient, "episode": episode, "form": form},
    )


@require_http_methods(["GET"])
@permission_required("care.view_referralcontact", raise_exception=True)
def contact_list(request: StaffRequest) -> HttpResponse:
    """The clinic's referring clinicians (no patient's data: not an audited read)."""
    page = paginate(ReferralContact.objects.all(), request.GET.get("page"))
    return render(request, "care/contact_list.html", {"page": page})


@require_http_methods(["GET", "POST"])
@permission_required("care.add_referralcontact", raise_exception=True)
def contact_new(request: StaffRequest) -> HttpResponse:
    return _contact_form(request, None)


@require_http_methods(["GET", "POST"])
@permission_required("care.change_referralcontact", raise_exception=True)
def contact_edit(request: StaffRequest, public_id: UUID) -> HttpResponse:
    return _contact_form(request, get_object_or_404(ReferralContact, public_id=public_id))


def _contact_form(request: StaffRequest, contact: ReferralContact | None) -> HttpResponse:
    # The name as saved, for the heading: the form writes what was typed onto `contact`.
    saved_name = contact.name if contact else ""
    form = ReferralContactForm(request.POST or None, instance=contact)
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.referral_contact_save(
                by=request.user, data=form.cleaned_data, contact=contact
            )
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, gettext("Saved %(name)s.") % {"name": saved.name})
            return redirect("care:contacts")
    return render(
        request,
        "care/contact_form.html",
        {"form": form, "contact": contact, "saved_name": saved_name},
    )
