"""A one-time link opened on the patient's own device: the date-of-birth check, then the
form (intake.kiosk_views). Viewing the page does not use the link up; confirming the date
of birth does. The page is in the patient's language: their form's, or the one chosen on
the page (the date typed so far is kept).
"""

from django import forms
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_not_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext, gettext_lazy
from django.views.decorators.http import require_http_methods

from core import languages as core_languages
from core.models import Clinic
from intake import language as patient_language
from intake import link_limits, patient_session, services
from intake.http import PatientRequest
from intake.kiosk_views import _phones
from intake.models import Intake


class LinkForm(forms.Form):
    date_of_birth = forms.DateField(
        label=gettext_lazy("Your date of birth"),
        widget=forms.DateInput(attrs={"type": "date", "autocomplete": "bday"}, format="%Y-%m-%d"),
        error_messages={
            "required": gettext_lazy("Please enter your date of birth."),
            "invalid": gettext_lazy("Enter a date, for example 1970-03-05."),
        },
    )


@login_not_required
@require_http_methods(["GET", "POST"])
def link(request: PatientRequest, token: str) -> HttpResponse:
    """Open a one-time link. Viewing the page does not use it up (link previews in
    messaging apps fetch pages); confirming the date of birth does. A link that will not
    open any more says so at once, with the clinic's number to call for a new one."""
    found, refusal = services.intake_link_lookup(token=token)
    if found is not None and request.patient_access and request.patient_access.pk == found.pk:
        # This device opened the link already and holds the form: carry on with it.
        return redirect("kiosk:resume")
    if link_limits.is_paused():
        # Too many links that do not exist from this address: any link, real or not.
        link_limits.link_paused()
        return link_limits.paused_response()
    if refusal:
        link_limits.link_refused(access=found)
        with patient_language.override(_link_language(request, found)):
            return _link_refused(request, refusal)
    assert found is not None  # an unknown link is refused
    if request.method == "POST" and "switch_language" in request.POST:
        # The switch on the link page: the date typed so far stays in the box.
        request.session[patient_language.SESSION_KEY] = core_languages.patient_language(
            request.POST["switch_language"]
        )
        form = LinkForm(initial={"date_of_birth": request.POST.get("date_of_birth", "")})
        return _link_page(request, form, found)
    form = LinkForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            access = services.intake_link_redeem(
                token=token, date_of_birth=form.cleaned_data["date_of_birth"]
            )
        except services.AccessRefused as exc:
            if exc.reason != "wrong_dob":
                if exc.reason != "locked":  # the lock is recorded with the wrong date
                    link_limits.link_refused(access=found)
                with patient_language.override(_link_language(request, found)):
                    return _link_refused(request, exc.reason)
            # services.LINK_REFUSALS["wrong_dob"], in the patient's language.
            form.add_error(
                "date_of_birth",
                gettext("That date of birth does not match our records. Please try again."),
            )
        else:
            if request.user.is_authenticated:
                logout(request)
            request.session.cycle_key()
            patient_session.start(request, access)
            if chosen := request.session.get(patient_language.SESSION_KEY):
                # Chosen on the link page: the form opens in it.
                patient_language.intake_language_set(intake=access.intake, language=chosen)
            # On their own phone the patient may close the browser and come back later:
            # keep the session until the link would have expired.
            request.session.set_expiry(access.expires_at)
            return redirect("kiosk:resume")
    return _link_page(request, form, found)


def _link_language(request: PatientRequest, found) -> str:
    chosen = request.session.get(patient_language.SESSION_KEY)
    if chosen or found is None:
        return patient_language.of_request(request)
    return core_languages.patient_language(found.intake.language)


def _link_page(request: PatientRequest, form: LinkForm, found) -> HttpResponse:
    """The date-of-birth page of a link, in the patient's language: chosen on this device,
    else their form's."""
    with patient_language.override(_link_language(request, found)):
        return render(
            request,
            "intake/kiosk/link.html",
            {
                "form": form,
                "is_packet": found.intake.kind == Intake.Kind.FOLLOW_UP,
                "switch_form": "link-form",
            },
        )


def _link_refused(request: PatientRequest, reason: str) -> HttpResponse:
    # 200, like the form: a link preview or a retry is not an error of the browser's.
    return render(
        request,
        "intake/kiosk/link_refused.html",
        {"reason": reason, **_phones(Clinic.objects.current())},
    )
