"""The ground floor's own pages: the clinic's settings, /healthz and the idle warning's
view of the session.

Each role's home page is in dashboard/, which puts together the panels of the apps above
the ground floor; nothing here knows those apps.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required, permission_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from accounts.http import StaffRequest
from audit.models import AuditEvent
from audit.services import audit_record
from core import health
from core.forms import ClinicForm
from core.languages import TRANSLATION_REVIEW_NOTICE
from core.middleware import session_remaining
from core.models import Clinic
from core.translations import (
    ClinicWordingForm,
    TranslationApprovalForm,
    clinic_wording_save,
    language_statuses,
    translation_approval_record,
)


@require_http_methods(["GET", "POST"])
@permission_required("core.change_clinic", raise_exception=True)
def clinic_settings(request: HttpRequest) -> HttpResponse:
    clinic = Clinic.objects.current()
    form = ClinicForm(request.POST or None, request.FILES or None, instance=clinic)
    if request.method == "POST" and form.is_valid():
        form.save()
        audit_record(
            actor=request.user,
            action=AuditEvent.Action.UPDATE,
            obj=clinic,
            summary="Changed clinic settings",
            details={"fields": form.changed_data},
        )
        messages.success(request, gettext("Saved the clinic settings."))
        return redirect("core:clinic-settings")
    return render(request, "core/clinic_settings.html", {"form": form})


@login_not_required
@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """Database and broker state for load balancers and monitors: no versions, hosts or
    error text, which would help an attacker more than an operator. Answers within about
    half a second whatever is down (core/health.py)."""
    checks = health.checks()
    healthy = all(state != "unavailable" for state in checks.values())
    return JsonResponse(
        {"status": "ok" if healthy else "unavailable", "checks": checks},
        status=200 if healthy else 503,
    )


@require_http_methods(["GET", "POST"])
def session_state(request: HttpRequest) -> HttpResponse:
    """The idle warning's view of the session. A GET marked as a background poll reads the
    seconds left without counting as use (IdleTimeoutMiddleware); a POST is "Stay signed
    in": an ordinary request, so the middleware has already counted it as use."""
    if request.method == "POST":
        return HttpResponse(status=204)
    return JsonResponse({"remaining": session_remaining(request)})


@require_http_methods(["GET", "POST"])
@permission_required("core.change_clinic", raise_exception=True)
def translations(request: StaffRequest) -> HttpResponse:
    """Clinic settings, Translations: per patient language, the consent wording and the
    record that a qualified medical translator and a clinician reviewed the translation."""
    clinic = Clinic.objects.current()
    statuses = {s.code: s for s in language_statuses(clinic)}
    forms_by_language = {
        code: {
            "wording": ClinicWordingForm(current=status.wording, prefix=f"wording-{code}"),
            "approval": TranslationApprovalForm(prefix=f"approval-{code}"),
        }
        for code, status in statuses.items()
    }
    if request.method == "POST":
        code = request.POST.get("language", "")
        which = request.POST.get("form", "")
        if code not in statuses or which not in ("wording", "approval"):
            messages.error(request, gettext("That form was not recognised; nothing was saved."))
            return redirect("core:translations")
        status = statuses[code]
        if which == "wording":
            wording = ClinicWordingForm(
                request.POST, current=status.wording, prefix=f"wording-{code}"
            )
            forms_by_language[code]["wording"] = wording
            if wording.is_valid():
                clinic_wording_save(language=code, by=request.user, **wording.cleaned_data)
                messages.success(
                    request,
                    gettext("Saved the %(language)s consent wording.") % {"language": status.name},
                )
                return redirect("core:translations")
        else:
            approval = TranslationApprovalForm(request.POST, prefix=f"approval-{code}")
            forms_by_language[code]["approval"] = approval
            if approval.is_valid():
                translation_approval_record(language=code, by=request.user, **approval.cleaned_data)
                messages.success(
                    request,
                    gettext("Recorded the review of the %(language)s translation.")
                    % {"language": status.name},
                )
                return redirect("core:translations")
    return render(
        request,
        "core/translations.html",
        {
            "languages": [
                {"status": statuses[code], **forms_by_language[code]} for code in statuses
            ],
            "review_notice": TRANSLATION_REVIEW_NOTICE,
        },
    )
