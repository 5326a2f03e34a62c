"""The language switch on the patient's screens (templates/intake/kiosk/_language_switch.html).

A screen with a form sends the form with the switch (intake.kiosk_views.step_view saves it
first); every other patient screen posts here and comes back to itself.
"""

from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from core.languages import patient_language
from intake import language as patient_languages
from intake.models import Intake


@login_not_required
@require_POST
def switch(request: HttpRequest) -> HttpResponse:
    """Change the language of this device's patient screens: their form's, when the device
    holds one; else the choice is kept in the session (the link page before the date of
    birth), and becomes the form's when the link opens."""
    language = patient_language(request.POST.get("language"))
    access = getattr(request, "patient_access", None)
    if access is not None:
        patient_languages.intake_language_set(
            intake=Intake.objects.select_related("patient").get(pk=access.intake_id),
            language=language,
        )
    request.session[patient_languages.SESSION_KEY] = language
    back = request.POST.get("next", "")
    kiosk_root = reverse("kiosk:resume")
    if not (
        back.startswith(kiosk_root)
        and url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()})
    ):
        back = kiosk_root
    return redirect(back)
