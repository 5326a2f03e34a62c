"""PDF jobs and batch exports: ask for one, watch its progress, download it, retry it.

A document's job is visible to anyone allowed to read that kind of record; exports and
the job list are for administrators only. Asking, downloading and retrying are audited;
the progress poll shows no patient data and is not.
"""

from __future__ import annotations

from urllib.parse import urlsplit
from uuid import UUID

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.db import transaction
from django.http import FileResponse, Http404, HttpResponse, HttpResponseRedirect
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.http import StaffRequest
from audit.models import AuditEvent
from audit.services import audit_patient_record, audit_record, shown_mrns
from core.pagination import paginate
from evaluations.models import Evaluation
from evaluations.presenters.plan import referral as referral_words
from reports import letters, runner, services
from reports.documents import DOCUMENTS
from reports.forms import ExportForm, JobFilterForm, ReferralLetterForm
from reports.models import ReportJob

POLL_SECONDS = 1


def _check_job_access(request: StaffRequest, job: ReportJob) -> None:
    if job.is_export:
        allowed = request.user.has_perm("reports.run_export")
    else:
        allowed = request.user.has_perm(DOCUMENTS[job.kind].permission)
    if not allowed:
        raise PermissionDenied


def _job(request: StaffRequest, public_id: UUID) -> ReportJob:
    job = get_object_or_404(
        ReportJob.objects.select_related("patient", "requested_by"), public_id=public_id
    )
    _check_job_access(request, job)
    return job


def _duration(seconds: int) -> str:
    """How long a job has been paused, at a glance: 45 s, 3 min 5 s, 2 h 4 min."""
    if seconds < 60:
        return gettext("%(seconds)s s") % {"seconds": seconds}
    minutes, seconds = divmod(seconds, 60)
    if minutes < 60:
        if seconds:
            return gettext("%(minutes)s min %(seconds)s s") % {
                "minutes": minutes,
                "seconds": seconds,
            }
        return gettext("%(minutes)s min") % {"minutes": minutes}
    hours, minutes = divmod(minutes, 60)
    if minutes:
        return gettext("%(hours)s h %(minutes)s min") % {"hours": hours, "minutes": minutes}
    return gettext("%(hours)s h") % {"hours": hours}


def _job_context(job: ReportJob) -> dict:
    done, last_beat = runner.job_activity(job)
    paused = runner.paused_seconds(job, last_beat)
    return {
        "job": job,
        "done": done,
        # No run has beaten for the job for long enough that its worker counts as gone:
        # say so, rather than show progress that does not move.
        "paused_for": _duration(paused) if paused is not None else "",
        "poll_seconds": POLL_SECONDS,
    }


def _render_job(request: StaffRequest, job: ReportJob, *, status: int = 200) -> HttpResponse:
    return render(request, "reports/_job.html", _job_context(job), status=status)


def _back(request: StaffRequest) -> str:
    """The page the request came from, when it is one of ours; else home. The Referer is
    whatever the client sent: redirect() would take a bare word for a view name (a 500)
    and follow any other site."""
    referer = request.headers.get("Referer", "")
    if url_has_allowed_host_and_scheme(
        referer, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        parts = urlsplit(referer)
        if parts.path.startswith("/"):
            return parts.path + (f"?{parts.query}" if parts.query else "")
    return reverse("core:home")


@require_POST
def request_document(request: StaffRequest, kind: str, subject_id: UUID) -> HttpResponse:
    doc = DOCUMENTS.get(kind)
    if doc is None:
        raise Http404("No such document.")
    if not request.user.has_perm(doc.permission):
        raise PermissionDenied
    try:
        subject = doc.load(subject_id)
    except ObjectDoesNotExist as exc:
        raise Http404("No such record.") from exc
    try:
        job = services.report_request(kind=kind, subject=subject, by=request.user)
    except services.ReportUnavailable as exc:
        if request.htmx:
            return render(request, "reports/_unavailable.html", {"reason": str(exc)}, status=200)
        messages.error(request, str(exc))
        return HttpResponseRedirect(_back(request))
    if request.htmx:
        return _render_job(request, job)
    return redirect("reports:job", job.public_id)


@require_GET
def job_status(request: StaffRequest, public_id: UUID) -> HttpResponse:
    """The polled fragment: status, progress, download or retry. No patient data."""
    return _render_job(request, _job(request, public_id))


@require_GET
def job_detail(request: StaffRequest, public_id: UUID) -> HttpResponse:
    job = _job(request, public_id)
    if job.patient is not None:
        audit_record(
            actor=request.user,
            action=AuditEvent.Action.VIEW,
            patient=job.patient,
            obj=job,
            summary=f"Viewed the PDF job: {job.get_kind_display()}",
        )
    return render(request, "reports/job.html", _job_context(job))


@require_POST
def job_retry(request: StaffRequest, public_id: UUID) -> HttpResponse:
    job = services.report_retry(job=_job(request, public_id), by=request.user)
    if request.htmx:
        return _render_job(request, job)
    return redirect("reports:job", job.public_id)


@require_GET
def job_download(request: StaffRequest, public_id: UUID) -> HttpResponseBase:
    job = _job(request, public_id)
    if not job.is_downloadable:
        raise Http404("This file is not available: it is not ready, or it has expired.")
    path = services.job_download(job=job, by=request.user)
    try:
        handle = path.open("rb")
    except FileNotFoundError as exc:
        raise Http404("This file is no longer on the server.") from exc
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=job.filename or path.name,
        content_type="application/zip" if job.is_export else "application/pdf",
    )
    response["Cache-Control"] = "no-store"
    return response


@require_GET
@permission_required("reports.view_reportjob", raise_exception=True)
def job_list(request: StaffRequest) -> HttpResponse:
    form = JobFilterForm(request.GET or None)
    jobs = ReportJob.objects.for_list()
    if form.is_valid():
        if status := form.cleaned_data["status"]:
            jobs = jobs.filter(status=status)
        if kind := form.cleaned_data["kind"]:
            jobs = jobs.filter(kind=kind)
    page = paginate(jobs, request.GET.get("page"))
    audit_record(
        actor=request.user,
        action=AuditEvent.Action.VIEW,
        summary="Viewed the report job list",
        details={
            "page": page.number,
            **(form.cleaned_data if form.is_valid() else {}),
            "shown": shown_mrns(page),
        },
    )
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "reports/list.html",
        {"form": form, "page": page, "jobs": page.object_list, "paging_query": query.urlencode()},
    )


@require_http_methods(["GET", "POST"])
@permission_required("reports.run_export", raise_exception=True)
def export_new(request: StaffRequest) -> HttpResponse:
    form = ExportForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            job = services.export_request(request=form.export_request(), by=request.user)
        except services.ExportEmpty as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(
                request,
                gettext("The export of %(total)s documents has started.") % {"total": job.total},
            )
            return redirect(reverse("reports:job", args=[job.public_id]))
    return render(
        request,
        "reports/export.html",
        {"form": form, "retention_hours": settings.EXPORT_RETENTION_HOURS},
    )


# --- Referral letters -----------------------------------------------------------------------


def _errors_to_form(form, exc: ValidationError) -> None:
    """A service's refusal beside the field it names (or above the form)."""
    if not hasattr(exc, "error_dict"):
        for message in exc.messages:
            form.add_error(None, message)
        return
    for field, errors in exc.error_dict.items():
        for error in errors:
            form.add_error(field if field in form.fields else None, error)


@require_http_methods(["GET", "POST"])
@permission_required("reports.add_referralletter", raise_exception=True)
def letter_new(request: StaffRequest, evaluation_id: UUID) -> HttpResponse:
    """Write a referral letter from a signed evaluation whose plan of care asks for a
    referral (or after a red-flag alert that ended in one), then make its PDF: the answer
    is the PDF's job page."""
    evaluation = get_object_or_404(
        Evaluation.objects.select_related("patient", "signed_by", "episode__referrer"),
        public_id=evaluation_id,
    )
    back = reverse("evaluations:detail", args=[evaluation.public_id])
    if not evaluation.is_signed:
        messages.error(request, letters.NOT_SIGNED)
        return redirect(back)
    alerts = letters.referral_alerts(evaluation)
    referral = letters.plan_referral(evaluation)
    if referral is None and not alerts:
        messages.error(request, letters.NOTHING_ASKS)
        return redirect(back)
    form = ReferralLetterForm(
        request.POST or None,
        evaluation=evaluation,
        alerts=alerts,
        defaults=letters.letter_defaults(evaluation, alerts),
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            # The letter and its PDF's job, or neither.
            with transaction.atomic():
                letter = letters.referral_letter_create(
                    evaluation=evaluation,
                    addressed_to=data["addressed_to"],
                    urgency=data["urgency"],
                    reason=data["reason"],
                    alert=data.get("alert"),
                    by=request.user,
                )
                document = DOCUMENTS["referral_letter"]
                job = services.report_request(
                    kind=document.key, subject=document.load(letter.public_id), by=request.user
                )
        except ValidationError as exc:
            _errors_to_form(form, exc)
        except services.ReportUnavailable as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(
                request,
                gettext("Referral letter to %(name)s written: its PDF is below.")
                % {"name": letter.addressed_to.name},
            )
            return redirect("reports:job", job.public_id)
    if request.method == "GET":
        # The page shows the patient and the evaluation's referral: a read like any other.
        audit_patient_record(
            evaluation,
            actor=request.user,
            action=AuditEvent.Action.VIEW,
            summary="Opened the referral letter form of a signed evaluation",
        )
    return render(
        request,
        "reports/letter_new.html",
        {
            "evaluation": evaluation,
            "patient": evaluation.patient,
            "form": form,
            "referral": referral_words(referral) if referral else None,
            "alerts": alerts,
        },
    )
