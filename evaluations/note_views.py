"""The treatment note's pages: start one from the episode, the note itself (autosaved with
htmx as the therapist goes, with the conflict check), signing and addenda.

Therapists write; administrators read; the front desk sees none of it. Every read and
write of a note leaves an audit entry.
"""

from __future__ import annotations

from uuid import UUID

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods, require_POST

from accounts.http import StaffRequest
from audit.models import AuditEvent
from audit.services import audit_patient_record
from care.models import Episode
from evaluations import note_services as services
from evaluations import notes
from evaluations.models import NoteAddendum, TreatmentNote
from evaluations.note_forms import NoteForm
from intake.models import RedFlagAlert


def _note(public_id: UUID) -> TreatmentNote:
    return get_object_or_404(
        TreatmentNote.objects.select_related(
            "patient", "therapist", "signed_by", "episode", "plan_from"
        ),
        public_id=public_id,
    )


def _can_edit(request: StaffRequest, note: TreatmentNote) -> bool:
    return (
        request.user.has_perm("evaluations.change_treatmentnote")
        and not note.is_signed
        and note.therapist_id == request.user.pk
    )


def _int(value: str | None) -> int | None:
    try:
        return int(value or "")
    except ValueError:
        return None


# --- Start ------------------------------------------------------------------------------------


@require_POST
@permission_required("evaluations.add_treatmentnote", raise_exception=True)
def note_start(request: StaffRequest, episode_id: UUID) -> HttpResponse:
    episode = get_object_or_404(Episode.objects.select_related("patient"), public_id=episode_id)
    try:
        note = services.note_start(episode=episode, by=request.user)
    except services.NoteRefused as refused:
        for problem in refused.problems:
            messages.error(request, problem)
        back = request.POST.get("next", "")
        if back and url_has_allowed_host_and_scheme(
            back, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        ):
            return redirect(back)
        return redirect("patients:detail", public_id=episode.patient.public_id)
    return redirect("evaluations:note-detail", public_id=note.public_id)


# --- The note ---------------------------------------------------------------------------------


def _page(
    note: TreatmentNote,
    form: NoteForm,
    *,
    editable: bool,
    alerts: list[RedFlagAlert],
    state: str = "",
) -> dict:
    """What the note's templates need. `alerts`: the note's red-flag alerts."""
    if form.is_bound:
        form.is_valid()
        if not state and not note.is_signed:
            state = "invalid"
    # The re-check as it stands: a draft's answers count, as they did for the alert; a
    # save that was refused changed nothing.
    typed = form.is_bound and state not in ("conflict", "locked")
    record = form.record if typed else notes.read(note.content)
    open_alerts = [a for a in alerts if a.acknowledged_at is None]
    return {
        "note": note,
        "patient": note.patient,
        "episode": note.episode,
        "form": form,
        "rows": form.rows(),
        "ces_rows": form.ces_rows(),
        "myotome_rows": form.myotome_rows(),
        "editable": editable,
        "state": state,
        "alerts": alerts,
        "open_alerts": open_alerts,
        "ces_items": notes.ces_positive(record),
        "sign_problems": services.sign_problems(note, alerts=alerts) if editable else [],
    }


@require_http_methods(["GET"])
@permission_required("evaluations.view_treatmentnote", raise_exception=True)
def note_detail(request: StaffRequest, public_id: UUID) -> HttpResponse:
    note = get_object_or_404(
        TreatmentNote.objects.select_related(
            "patient", "therapist", "signed_by", "episode", "plan_from"
        ).prefetch_related(
            Prefetch("addenda", queryset=NoteAddendum.objects.select_related("by")),
            Prefetch("alerts", queryset=RedFlagAlert.objects.select_related("acknowledged_by")),
        ),
        public_id=public_id,
    )
    audit_patient_record(
        note,
        actor=request.user,
        action=AuditEvent.Action.VIEW,
        summary=f"Viewed a treatment note (visit {note.visit_number})",
    )
    editable = _can_edit(request, note)
    context = _page(
        note, services.note_form(note), editable=editable, alerts=list(note.alerts.all())
    )
    context |= {
        "addenda": list(note.addenda.all()),
        "hash_ok": services.note_verify(note) if note.is_signed else None,
    }
    return render(request, "evaluations/notes/detail.html", context)


@require_POST
@permission_required("evaluations.change_treatmentnote", raise_exception=True)
def note_save(request: StaffRequest, public_id: UUID) -> HttpResponse:
    note = _note(public_id)
    if note.therapist_id != request.user.pk and not note.is_signed:
        audit_patient_record(
            note,
            actor=request.user,
            action=AuditEvent.Action.DENIED,
            summary="Refused a change to another therapist's draft treatment note",
        )
        raise PermissionDenied("Only the therapist who started this note can edit it.")
    result = services.note_save(
        note=note,
        data=request.POST,
        by=request.user,
        version=_int(request.POST.get("version")),
        overwrite=_int(request.POST.get("overwrite")),
    )
    note = result.note
    if not request.htmx:
        if result.status == "saved":
            messages.success(request, gettext("Treatment note saved."))
        elif result.status == "locked":
            messages.error(request, gettext("This note is signed and locked. Add an addendum."))
        elif result.status == "conflict":
            messages.error(
                request,
                gettext(
                    "This note was changed in another tab or device. Nothing was saved; reload "
                    "to see the other changes."
                ),
            )
        else:
            messages.warning(request, gettext("Saved as a draft. Some fields need attention."))
        return redirect("evaluations:note-detail", public_id=note.public_id)
    status = {"saved": 200, "invalid": 200, "conflict": 409, "locked": 409}[result.status]
    alerts = list(
        RedFlagAlert.objects.filter(treatment_note=note).select_related("acknowledged_by")
    )
    context = _page(
        note,
        result.form,
        editable=result.status != "locked",
        alerts=alerts,
        state=result.status,
    )
    context |= {"saved_at": result.saved_at, "alert": result.alert}
    if result.status == "conflict":
        # Keep the version the form was showing, so only a deliberate "Save mine" overwrites.
        context["form_version"] = request.POST.get("version", "")
    # Autosaves leave the form alone (the therapist may be typing in it): only the status,
    # the version, the sign panel and the re-check's alert change. An explicit save shows
    # the form again with its messages.
    autosave = request.POST.get("autosave") == "1"
    template = "evaluations/notes/_oob.html" if autosave else "evaluations/notes/_response.html"
    response = render(request, template, context, status=status)
    if result.alert is not None:
        response["HX-Trigger"] = "alerts-changed"
    return response


# --- Sign and addenda -------------------------------------------------------------------------


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
@permission_required("evaluations.change_treatmentnote", raise_exception=True)
def note_sign(request: StaffRequest, public_id: UUID) -> HttpResponse:
    note = _note(public_id)
    if note.is_signed:
        messages.info(request, gettext("This note is already signed."))
        return redirect("evaluations:note-detail", public_id=note.public_id)
    form = SignForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.note_sign(
                note=note, by=request.user, password=form.cleaned_data["password"], request=request
            )
        except services.NoteRefused as exc:
            for problem in exc.problems:
                form.add_error(None, problem)
        except services.NoteLocked:
            messages.info(request, gettext("This note is already signed."))
            return redirect("evaluations:note-detail", public_id=note.public_id)
        else:
            messages.success(request, gettext("Signed and locked. Later changes are addenda."))
            return redirect("evaluations:note-detail", public_id=note.public_id)
    else:
        audit_patient_record(
            note,
            actor=request.user,
            action=AuditEvent.Action.VIEW,
            summary="Opened the signing page of a treatment note",
        )
    return render(
        request,
        "evaluations/notes/sign.html",
        {
            "note": note,
            "patient": note.patient,
            "form": form,
            "problems": services.sign_problems(note),
            "is_author": note.therapist_id == request.user.pk,
        },
    )


class AddendumForm(forms.Form):
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
@permission_required("evaluations.change_treatmentnote", raise_exception=True)
def note_addendum(request: StaffRequest, public_id: UUID) -> HttpResponse:
    note = _note(public_id)
    if not note.is_signed:
        messages.info(request, gettext("This note is still a draft: edit it directly."))
        return redirect("evaluations:note-detail", public_id=note.public_id)
    form = AddendumForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.note_addendum_add(note=note, by=request.user, **form.cleaned_data)
        except ValueError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, gettext("Addendum added."))
            url = reverse("evaluations:note-detail", args=[note.public_id])
            return redirect(url + "#addenda")
    if request.method == "GET":
        audit_patient_record(
            note,
            actor=request.user,
            action=AuditEvent.Action.VIEW,
            summary="Opened the addendum page of a signed treatment note",
        )
    return render(
        request,
        "evaluations/notes/addendum.html",
        {"note": note, "patient": note.patient, "form": form},
    )
