"""Staff pages for the clinic's intake tablets: enrol the device in hand, list, revoke."""

from uuid import UUID

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods, require_POST

from accounts.http import StaffRequest
from audit.models import AuditEvent
from audit.services import audit_record
from intake import tablets
from intake.models import ClinicTablet


class TabletEnrolForm(forms.Form):
    name = forms.CharField(
        label=_("Name for this tablet"),
        max_length=80,
        help_text=_(
            "Shown on the tablet's unlock screen and in the list of tablets, "
            "for example “Front desk 1”."
        ),
        error_messages={"required": _("Give the tablet a name, for example “Front desk 1”.")},
    )


def _back_to(request: StaffRequest, fallback: str) -> str:
    candidate = request.POST.get("next", "")
    if candidate.startswith("/") and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return fallback


@require_http_methods(["GET", "POST"])
@permission_required("intake.add_clinictablet", raise_exception=True)
def this_device(request: StaffRequest) -> HttpResponse:
    """Whether the device in hand is one of the clinic's tablets, and enrolling it."""
    tablet = tablets.tablet_for_request(request)
    form = TabletEnrolForm(request.POST or None)
    if request.method == "POST" and tablet is None and form.is_valid():
        tablet, raw = tablets.tablet_enrol(name=form.cleaned_data["name"], by=request.user)
        messages.success(
            request,
            gettext(
                "This device is now the clinic tablet “%(name)s”: it can be handed to "
                "patients in kiosk mode, and staff take it back here with their PIN."
            )
            % {"name": tablet.name},
        )
        response = redirect(_back_to(request, "intake:tablet-this-device"))
        tablets.set_tablet_cookie(response, raw)
        return response
    if request.method == "POST" and tablet is not None:
        messages.info(
            request,
            gettext("This device is already the clinic tablet “%(name)s”.") % {"name": tablet.name},
        )
        return redirect(_back_to(request, "intake:tablet-this-device"))
    return render(
        request,
        "intake/tablet_this_device.html",
        {"tablet": tablet, "form": form, "next": _back_to(request, "")},
    )


@require_http_methods(["GET"])
@permission_required("intake.view_clinictablet", raise_exception=True)
def tablet_list(request: StaffRequest) -> HttpResponse:
    rows = list(ClinicTablet.objects.select_related("enrolled_by", "revoked_by"))
    audit_record(
        actor=request.user,
        action=AuditEvent.Action.VIEW,
        summary=f"Viewed the clinic's tablets ({len(rows)} shown)",
    )
    return render(
        request,
        "intake/tablet_list.html",
        {
            "tablets": rows,
            "this_device": tablets.tablet_for_request(request),
            "now": timezone.now(),
        },
    )


@require_POST
@permission_required("intake.change_clinictablet", raise_exception=True)
def tablet_revoke(request: StaffRequest, public_id: UUID) -> HttpResponse:
    tablet = get_object_or_404(ClinicTablet, public_id=public_id)
    tablets.tablet_revoke(tablet=tablet, by=request.user)
    messages.success(
        request,
        gettext(
            "Revoked “%(name)s”: it can no longer be handed to patients or unlocked, and a "
            "form open on it has closed."
        )
        % {"name": tablet.name},
    )
    return redirect("intake:tablets")
