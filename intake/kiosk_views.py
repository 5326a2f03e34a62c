"""The patient's side: the tablet in kiosk mode, or a one-time link on their own device.

No account: the session holds one intake (intake.middleware.SESSION_KEY) and these
views serve that intake only, so no URL reaches another patient.
"""

import base64
import functools
import time
import uuid

from django import forms
from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth.decorators import login_not_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.datastructures import MultiValueDict
from django.views.decorators.http import require_http_methods, require_POST

from audit.models import AuditEvent
from audit.services import audit_patient_record
from core.http import hx_redirect
from core.models import Clinic
from core.text import storable
from intake import services
from intake.forms import AboutForm, StepContext
from intake.instruments import ODI
from intake.middleware import SESSION_KEY
from intake.models import Intake, IntakeConsent
from intake.steps import STEPS, steps_for
from intake.summary import describe

EXIT_MAX_FAILURES = 5
EXIT_LOCK_SECONDS = 300


def kiosk_view(view):
    """Open to a device holding an intake in its session, and to nothing else."""

    @login_not_required
    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        held = request.session.get(SESSION_KEY)
        if not held:
            return render(request, "intake/kiosk/no_intake.html", status=403)
        intake = Intake.objects.select_related("patient").filter(pk=held["intake"]).first()
        if intake is None:
            request.session.pop(SESSION_KEY, None)
            return render(request, "intake/kiosk/no_intake.html", status=403)
        request.intake = intake
        return view(request, *args, **kwargs)

    return wrapper


def _steps(packs):
    return steps_for(odi_available=ODI in packs)


def _first_incomplete(steps, intake: Intake) -> int:
    for i, step in enumerate(steps):
        if step.key != "review" and step.key not in intake.answers:
            return i
    return len(steps) - 1


def _form_for(step, intake: Intake, context: StepContext, data=None):
    form_class = step.form_class
    if data is not None:
        return form_class(data, context=context)
    draft = intake.drafts.get(step.key)
    if draft:
        bound = MultiValueDict(draft)
        if step.key == "consent" and hasattr(intake, "consent"):
            bound["signature"] = _data_url(intake.consent)
        return form_class(bound, context=context)
    if step.key in intake.answers:
        initial = form_class.initial_from(intake.answers[step.key])
    elif step.key == "about":
        initial = AboutForm.initial_for(intake.patient)
    else:
        initial = {}
    return form_class(initial=initial, context=context)


def _data_url(consent: IntakeConsent) -> str:
    return "data:image/png;base64," + base64.b64encode(bytes(consent.signature_png)).decode()


def _raw(form, data) -> dict[str, list[str]]:
    # The signature is kept in IntakeConsent, not copied into every draft save.
    return {
        name: [storable(v) for v in data.getlist(name)]
        for name in form.fields
        if name != "signature"
    }


def _partial_answers(form) -> dict:
    """The answers of the fields that are valid, for the cauda equina check on a
    screen the patient has not finished."""
    try:
        return form.answers()
    except (KeyError, AttributeError, TypeError):
        return {}


def _save(request: HttpRequest, step, form, *, current_step: str) -> services.SaveOutcome:
    valid = form.is_valid()
    signature = None
    if step.key == "consent" and "signature" not in form.errors and form.data.get("signature"):
        signature = (form.data.get("signed_name", "")[:200], form.cleaned_data["signature"])
    return services.intake_save_step(
        intake_id=request.intake.pk,
        step=step.key,
        raw=_raw(form, form.data),
        answers=form.answers() if valid else None,
        ces_answers=_partial_answers(form) if step.checks_ces else None,
        signature=signature,
        current_step=current_step,
    )


@kiosk_view
@require_http_methods(["GET"])
def resume(request: HttpRequest) -> HttpResponse:
    intake = request.intake
    if intake.status == Intake.Status.STOPPED:
        return redirect("kiosk:stop")
    if intake.status == Intake.Status.SUBMITTED:
        return redirect("kiosk:done")
    if intake.status == Intake.Status.CANCELLED:
        return render(request, "intake/kiosk/ended.html")
    steps = _steps(services.instrument_packs())
    keys = [s.key for s in steps]
    key = intake.current_step if intake.current_step in keys else keys[0]
    limit = _first_incomplete(steps, intake)
    if keys.index(key) > limit:
        key = keys[limit]
    return redirect("kiosk:step", step=key)


@kiosk_view
@require_http_methods(["GET", "POST"])
def step_view(request: HttpRequest, step: str) -> HttpResponse:
    intake = request.intake
    if not intake.is_open:
        return redirect("kiosk:resume")
    packs = services.instrument_packs()
    steps = _steps(packs)
    keys = [s.key for s in steps]
    if step not in keys:
        raise Http404
    index = keys.index(step)
    limit = _first_incomplete(steps, intake)
    if index > limit:
        return redirect("kiosk:step", step=keys[limit])
    current = steps[index]
    clinic = Clinic.objects.current()
    context = StepContext(patient=intake.patient, clinic=clinic, packs=packs)

    if request.method == "POST" and current.key == "review":
        return redirect("kiosk:step", step=keys[index - 1])
    if request.method == "POST":
        form = _form_for(current, intake, context, data=request.POST)
        going_back = request.POST.get("nav") == "back"
        try:
            outcome = _save(request, current, form, current_step=step)
        except services.IntakeClosed:
            return redirect("kiosk:resume")
        if outcome.stopped:
            return redirect("kiosk:stop")
        if going_back and index > 0:
            return redirect("kiosk:step", step=keys[index - 1])
        if form.is_valid() and current.key != "review":
            return redirect("kiosk:step", step=keys[index + 1])
        show_errors = True
    else:
        form = _form_for(current, intake, context)
        show_errors = False
        if current.key == "review":
            form = current.form_class(initial={"submission_id": uuid.uuid4()}, context=context)
    return render(
        request,
        "intake/kiosk/step.html",
        {
            "intake": intake,
            "patient": intake.patient,
            "clinic": clinic,
            "step": current,
            "steps": steps,
            "index": index + 1,
            "total": len(steps),
            "previous": keys[index - 1] if index else None,
            "form": form,
            "show_errors": show_errors,
            "pack": getattr(form, "pack", None),
            "odi_available": ODI in packs,
            "review": _review_rows(intake, steps, context) if current.key == "review" else None,
        },
    )


def _review_rows(intake: Intake, steps, context: StepContext) -> list[dict]:
    return [
        {"step": s, "rows": describe(s.key, intake.answers.get(s.key) or {}, context)}
        for s in steps
        if s.key != "review"
    ]


@kiosk_view
@require_POST
def autosave(request: HttpRequest, step: str) -> HttpResponse:
    intake = request.intake
    # Autosave runs on every tap: read the packs and clinic only for screens that use them.
    packs = services.instrument_packs() if step in ("startback", "odi") else {}
    steps = {s.key: s for s in STEPS}
    if step not in steps or step == "review":
        raise Http404
    clinic = Clinic.objects.current() if step == "consent" else None
    context = StepContext(patient=intake.patient, clinic=clinic, packs=packs)
    form = _form_for(steps[step], intake, context, data=request.POST)
    try:
        outcome = _save(request, steps[step], form, current_step=step)
    except services.IntakeClosed:
        return hx_redirect(reverse("kiosk:resume"))
    if outcome.stopped:
        return hx_redirect(reverse("kiosk:stop"))
    # A fragment for the status line; no page context (or its queries) needed.
    return HttpResponse(f"Saved at {timezone.localtime():%H:%M}")


@kiosk_view
@require_POST
def submit(request: HttpRequest) -> HttpResponse:
    try:
        submission_id = uuid.UUID(request.POST.get("submission_id", ""))
    except ValueError:
        submission_id = uuid.uuid4()
    try:
        services.intake_submit(intake_id=request.intake.pk, submission_id=submission_id)
    except services.IntakeIncomplete as exc:
        messages.warning(request, "A few answers are still missing. Please finish this screen.")
        return redirect("kiosk:step", step=exc.steps[0])
    except services.IntakeClosed:
        return redirect("kiosk:resume")
    return redirect("kiosk:done")


@kiosk_view
@require_http_methods(["GET"])
def done(request: HttpRequest) -> HttpResponse:
    if request.intake.status != Intake.Status.SUBMITTED:
        return redirect("kiosk:resume")
    return render(
        request, "intake/kiosk/done.html", {"intake": request.intake, "mode": request.kiosk["kind"]}
    )


@kiosk_view
@require_http_methods(["GET"])
def stop(request: HttpRequest) -> HttpResponse:
    if request.intake.status != Intake.Status.STOPPED:
        return redirect("kiosk:resume")
    return render(request, "intake/kiosk/stop.html", {"mode": request.kiosk["kind"]})


class UnlockForm(forms.Form):
    username = forms.CharField(label="Staff username", max_length=150)
    secret = forms.CharField(
        label="Password or kiosk PIN",
        widget=forms.PasswordInput(attrs={"autocomplete": "off"}),
        max_length=128,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["username"].widget.attrs.update(
            {"autocapitalize": "none", "autocomplete": "off"}
        )


@kiosk_view
@require_http_methods(["GET", "POST"])
def exit_kiosk(request: HttpRequest) -> HttpResponse:
    """A member of staff takes the tablet back."""
    form = UnlockForm(request.POST or None)
    locked_until = request.session.get("kiosk_exit_locked_until", 0)
    locked = locked_until > time.time()
    if request.method == "POST" and locked:
        form = UnlockForm()
    elif request.method == "POST" and form.is_valid():
        user = services.kiosk_unlock(
            request=request,
            username=form.cleaned_data["username"],
            secret=form.cleaned_data["secret"],
        )
        if user is not None:
            intake = request.intake
            logout(request)  # a fresh session: nothing of the patient's carries over
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            audit_patient_record(
                intake,
                actor=user,
                action=AuditEvent.Action.UPDATE,
                summary="Took the tablet back from the patient (left kiosk mode)",
            )
            if user.has_perm("intake.view_intake"):
                return redirect("intake:detail", public_id=intake.public_id)
            return redirect("core:home")
        failures = request.session.get("kiosk_exit_failures", 0) + 1
        request.session["kiosk_exit_failures"] = failures
        if failures >= EXIT_MAX_FAILURES:
            request.session["kiosk_exit_locked_until"] = time.time() + EXIT_LOCK_SECONDS
            request.session["kiosk_exit_failures"] = 0
            locked = True
        form.add_error(None, "That username and password or PIN did not match.")
    return render(request, "intake/kiosk/exit.html", {"form": form, "locked": locked}, status=200)


class LinkForm(forms.Form):
    date_of_birth = forms.DateField(
        label="Your date of birth",
        widget=forms.DateInput(attrs={"type": "date", "autocomplete": "bday"}, format="%Y-%m-%d"),
        error_messages={
            "required": "Please enter your date of birth.",
            "invalid": "Enter a date, for example 1970-03-05.",
        },
    )


@login_not_required
@require_http_methods(["GET", "POST"])
def link(request: HttpRequest, token: str) -> HttpResponse:
    """Open a one-time link. Viewing the page does not use it up (link previews in
    messaging apps fetch pages); confirming the date of birth does."""
    form = LinkForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            access = services.intake_link_redeem(
                token=token, date_of_birth=form.cleaned_data["date_of_birth"]
            )
        except services.AccessRefused as exc:
            form.add_error("date_of_birth" if "date of birth" in str(exc) else None, str(exc))
        else:
            if request.user.is_authenticated:
                logout(request)
            request.session.cycle_key()
            request.session[SESSION_KEY] = {
                "intake": access.intake_id,
                "access": access.pk,
                "kind": access.kind,
            }
            # On their own phone the patient may close the browser and come back later:
            # keep the session until the link would have expired.
            request.session.set_expiry(access.expires_at)
            return redirect("kiosk:resume")
    return render(request, "intake/kiosk/link.html", {"form": form})
