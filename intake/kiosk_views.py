"""The patient's side: the tablet in kiosk mode, or a one-time link on their own device.

No account: the session holds one intake (intake.patient_session) and these views serve
that intake only, so no URL reaches another patient. A follow-up packet (an intake of kind
FOLLOW_UP) is served the same way, with its own screens (intake.followup.steps).
"""

import base64
import functools
import logging
import uuid
from collections.abc import Callable
from typing import TypeVar, cast

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth.decorators import login_not_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.datastructures import MultiValueDict
from django.utils.formats import time_format
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext, gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from accounts import lockout
from accounts.models import User
from audit.models import AuditEvent
from audit.services import audit_patient_record
from core.http import hx_redirect
from core.models import Clinic
from intake import ces_check, patient_session, questionnaires, services, tablets
from intake import language as patient_language
from intake import packs as packs_mod
from intake import steps as steps_mod
from intake.followup import baseline as followup_baseline
from intake.followup import steps as packet_steps
from intake.followup.forms import PacketContext
from intake.forms import AboutForm, StepContext
from intake.http import KioskRequest
from intake.models import Intake, IntakeConsent
from intake.steps import Step
from intake.summary import describe_step

logger = logging.getLogger(__name__)

_T = TypeVar("_T")


def _lazy(load: Callable[[], _T]) -> _T:
    """What `load` returns, loaded when first used (a SimpleLazyObject)."""
    # cast: a SimpleLazyObject stands in for its value, passing every use on to it.
    return cast(_T, SimpleLazyObject(load))


def kiosk_view(view):
    """Open to a device holding an intake in its session, and to nothing else. The kiosk
    middleware has checked the grant behind the session on this very request."""

    @login_not_required
    @functools.wraps(view)
    # Typed as the views see the request once this has set its `intake`.
    def wrapper(request: KioskRequest, *args, **kwargs) -> HttpResponse:
        access = getattr(request, "patient_access", None)
        if access is None:
            ended = getattr(request, "patient_session_ended", None)
            if ended is not None:
                return _in_patient_language(
                    request,
                    lambda: render(
                        request,
                        "intake/kiosk/session_ended.html",
                        {
                            "ended": ended,
                            "idle_minutes": settings.PATIENT_IDLE_MINUTES,
                            **_phones(Clinic.objects.current()),
                        },
                        status=403,
                    ),
                )
            return _in_patient_language(
                request, lambda: render(request, "intake/kiosk/no_intake.html", status=403)
            )
        # Loaded when a view first reads it: an autosave, the tablet's commonest request,
        # needs only its id (the service reads the intake under a lock itself).
        request.intake = _lazy(
            lambda: Intake.objects.select_related("patient").get(pk=access.intake_id)
        )
        # The patient's pages are in their form's language (read with the grant).
        language = patient_language.of_request(request, access.intake)
        with patient_language.override(language):
            response = view(request, *args, **kwargs)
        return patient_language.remember(request, response, language)

    return wrapper


def _in_patient_language(request, respond: Callable[[], HttpResponse]) -> HttpResponse:
    """A patient's page with no form behind it: in the language chosen on this device, else
    the browser's."""
    with patient_language.override(patient_language.of_request(request)):
        return respond()


def _steps(packs):
    return steps_mod.steps_for(packs=packs)


def _screens(intake: Intake, packs) -> tuple[tuple[Step, ...], tuple]:
    """The screens this session's form shows, and for a packet the patient's activities
    from the first visit (its activities screen rates them again; none, no screen)."""
    if not intake.is_packet:
        return _steps(packs), ()
    activities = tuple(followup_baseline.for_packet(intake).psfs_activities)
    return packet_steps.packet_steps(packs=packs, has_psfs=bool(activities)), activities


def _context(intake: Intake, *, clinic, packs, activities=()) -> StepContext:
    if intake.is_packet:
        return PacketContext(
            patient=intake.patient, clinic=clinic, packs=packs, psfs_activities=activities
        )
    return StepContext(patient=intake.patient, clinic=clinic, packs=packs, language=intake.language)


def _holds_packet(request: KioskRequest) -> bool:
    # Read with the grant (intake.patient_session), so an autosave loads no intake for it.
    return request.patient_access.intake.kind == Intake.Kind.FOLLOW_UP


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
    # The signature is kept in IntakeConsent, not copied into every draft save. What was
    # sent is storable already (core.text.StorableInputMiddleware).
    return {name: data.getlist(name) for name in form.fields if name != "signature"}


def _save(request: KioskRequest, step, form, *, current_step: str) -> services.SaveOutcome:
    # Read before any of the form's own code runs, so that a fault there cannot hide a
    # cauda equina answer (intake.ces_check).
    ces_answers = ces_check.submitted_answers(step.key, form.data) if step.checks_ces else None

    def save(**answers) -> services.SaveOutcome:
        # What is stored, the alert a stop raises and the audit entry are in the staff
        # language, whatever language the patient reads (intake.language).
        with patient_language.in_staff_language():
            return services.intake_save_step(
                intake_id=request.patient_access.intake_id,
                step=step.key,
                ces_answers=ces_answers,
                current_step=current_step,
                **answers,
            )

    try:
        valid = form.is_valid()
        answers = form.answers() if valid else None
        signature = _signature(step, form)
    except Exception:
        if ces_answers is None:
            raise
        # The screen's form is at fault. Keep what was typed and run the cauda equina
        # check on what was sent: a CES answer stops the intake (the patient at the
        # tablet is told to speak to staff now, and the alert goes out) and the fault is
        # logged; without one, the fault is a 500 like any other.
        outcome = save(raw=_raw(form, form.data), answers=None, signature=None)
        if not outcome.stopped:
            raise
        logger.exception(
            "The %s screen failed to read its answers; the cauda equina check on what "
            "was sent stopped the intake",
            step.key,
        )
        return outcome
    return save(raw=_raw(form, form.data), answers=answers, signature=signature)


def _signature(step, form) -> tuple[str, bytes] | None:
    if step.key == "consent" and "signature" not in form.errors and form.data.get("signature"):
        return (form.data.get("signed_name", "")[:200], form.cleaned_data["signature"])
    return None


@kiosk_view
@require_http_methods(["GET"])
def resume(request: KioskRequest) -> HttpResponse:
    intake = request.intake
    if intake.status == Intake.Status.STOPPED:
        return redirect("kiosk:stop")
    if intake.status == Intake.Status.SUBMITTED:
        return redirect("kiosk:done")
    if intake.status == Intake.Status.CANCELLED:
        return render(request, "intake/kiosk/ended.html")
    steps, _activities = _screens(intake, services.instrument_packs(intake.language))
    keys = [s.key for s in steps]
    key = intake.current_step if intake.current_step in keys else keys[0]
    limit = _first_incomplete(steps, intake)
    if keys.index(key) > limit:
        key = keys[limit]
    return redirect("kiosk:step", step=key)


@kiosk_view
@require_http_methods(["GET", "POST"])
def step_view(request: KioskRequest, step: str) -> HttpResponse:
    intake = request.intake
    if not intake.is_open:
        return redirect("kiosk:resume")
    packs = services.instrument_packs(intake.language)
    steps, activities = _screens(intake, packs)
    keys = [s.key for s in steps]
    if step not in keys:
        raise Http404
    index = keys.index(step)
    limit = _first_incomplete(steps, intake)
    if index > limit:
        return redirect("kiosk:step", step=keys[limit])
    current = steps[index]
    clinic = Clinic.objects.current()
    context = _context(intake, clinic=clinic, packs=packs, activities=activities)

    if request.method == "POST" and "switch_language" in request.POST:
        return _switch_language(request, current, context, step=step)
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
        status = 400 if _refused_as_too_large(form) else 200
    else:
        form = _form_for(current, intake, context)
        show_errors = False
        status = 200
        if current.key == "review":
            form = current.form_class(initial={"submission_id": uuid.uuid4()}, context=context)
    return render(
        request,
        "intake/kiosk/step.html",
        {
            "intake": intake,
            "is_packet": intake.is_packet,
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
            # Clinic-loaded questionnaires this installation cannot ask (the review says so).
            **(_left_out(intake, packs) if current.key == "review" else {}),
            "review": _review_rows(intake, steps, context) if current.key == "review" else None,
            # The consent and privacy wording in the patient's language (Clinic.wording).
            "wording": clinic.wording(intake.language) if current.key == "consent" else None,
            # The language switch sends the screen's form with it (_switch_language).
            "switch_form": "step-form" if current.key != "review" else "",
        },
        status=status,
    )


def _switch_language(request: KioskRequest, current: Step, context, *, step: str) -> HttpResponse:
    """The language switch on a screen with a form: what is on the screen is saved first
    (as a draft if it is not complete), then the same screen opens in the new language."""
    if current.key != "review":
        form = _form_for(current, request.intake, context, data=request.POST)
        try:
            outcome = _save(request, current, form, current_step=step)
        except services.IntakeClosed:
            return redirect("kiosk:resume")
        if outcome.stopped:
            return redirect("kiosk:stop")
    patient_language.intake_language_set(
        intake=request.intake, language=request.POST.get("switch_language", "")
    )
    return redirect("kiosk:step", step=step)


def _left_out(intake: Intake, packs) -> dict:
    """What the review screen says was not asked: questionnaires not licensed here, and
    those with no pack in the patient's language (intake.packs)."""
    not_asked = questionnaires.not_asked(packs)
    if intake.language == "en":
        return {"not_asked": not_asked, "not_in_language": []}
    available = packs_mod.availability(intake.language, packs)
    elsewhere = [
        q
        for q in not_asked
        if q.code in available.unavailable
        and (q.licence is not questionnaires.Licence.CLINIC_PACK or q.code in available.licensed)
    ]
    return {
        "not_asked": [q for q in not_asked if q not in elsewhere],
        "not_in_language": elsewhere,
    }


def _refused_as_too_large(form) -> bool:
    """A signature refused from its header as too large to decode (decode_signature): the
    answer is a 400, and the image is not put back in the page for the tablet to decode."""
    if not form.has_error("signature", code="too_large"):
        return False
    form.data = form.data.copy()
    form.data["signature"] = ""
    return True


def _review_rows(intake: Intake, steps, context: StepContext) -> list[dict]:
    return [
        {"step": s, "rows": describe_step(s, intake.answers.get(s.key) or {}, context)}
        for s in steps
        if s.key != "review"
    ]


@kiosk_view
@require_POST
def autosave(request: KioskRequest, step: str) -> HttpResponse:
    intake = request.intake  # lazy: read below only by screens that need the patient
    # Autosave runs on every tap: read the packs and clinic only for screens that use them.
    language = request.patient_access.intake.language
    packs = services.instrument_packs(language) if step in questionnaires.pack_steps() else {}
    context: StepContext | None
    if _holds_packet(request):
        steps = packet_steps.step_by_key()
        context = _packet_autosave_context(request, step, packs)
    else:
        steps = steps_mod.step_by_key()
        clinic = Clinic.objects.current() if step == "consent" else None
        patient = _lazy(lambda: intake.patient)  # the "when" screen reads the DOB
        context = StepContext(patient=patient, clinic=clinic, packs=packs, language=language)
    if step not in steps or step == "review" or context is None:
        raise Http404
    form = _form_for(steps[step], intake, context, data=request.POST)
    try:
        outcome = _save(request, steps[step], form, current_step=step)
    except services.IntakeClosed:
        return hx_redirect(reverse("kiosk:resume"))
    if outcome.stopped:
        return hx_redirect(reverse("kiosk:stop"))
    if form.has_error("signature", code="too_large"):
        return HttpResponse(form.errors["signature"][0], status=400)
    # A fragment for the status line; no page context (or its queries) needed.
    return HttpResponse(
        gettext("Saved at %(time)s") % {"time": time_format(timezone.localtime(), "TIME_FORMAT")}
    )


def _packet_autosave_context(request: KioskRequest, step: str, packs) -> PacketContext | None:
    """What a packet's screen needs to check a save; None for a screen this packet does
    not show (no activities at the first visit; the ODI without its pack)."""
    intake = request.intake  # lazy, and left unread: the packet's id is enough here
    activities: tuple = ()
    if step == "psfs":
        packet_id = request.patient_access.intake_id
        activities = tuple(followup_baseline.for_packet(packet_id).psfs_activities)
        if not activities:
            return None
    if step not in {s.key for s in packet_steps.packet_steps(packs=packs, has_psfs=True)}:
        return None
    patient = _lazy(lambda: intake.patient)
    return PacketContext(patient=patient, packs=packs, psfs_activities=activities)


@kiosk_view
@require_POST
def submit(request: KioskRequest) -> HttpResponse:
    try:
        submission_id = uuid.UUID(request.POST.get("submission_id", ""))
    except ValueError:
        submission_id = uuid.uuid4()
    try:
        with patient_language.in_staff_language():
            services.intake_submit(
                intake_id=request.patient_access.intake_id, submission_id=submission_id
            )
    except services.IntakeIncomplete as exc:
        messages.warning(
            request, gettext("A few answers are still missing. Please finish this screen.")
        )
        return redirect("kiosk:step", step=exc.steps[0])
    except services.IntakeClosed:
        return redirect("kiosk:resume")
    return redirect("kiosk:done")


@kiosk_view
@require_http_methods(["GET"])
def done(request: KioskRequest) -> HttpResponse:
    if request.intake.status != Intake.Status.SUBMITTED:
        return redirect("kiosk:resume")
    return render(
        request, "intake/kiosk/done.html", {"intake": request.intake, "mode": request.kiosk["kind"]}
    )


@kiosk_view
@require_http_methods(["GET"])
def stop(request: KioskRequest) -> HttpResponse:
    """The calm "get help now" screen. On the clinic's tablet the patient goes to the desk;
    on their own phone (a link, most often at home) they are given the clinic's number and
    the local emergency number to tap."""
    if request.intake.status != Intake.Status.STOPPED:
        return redirect("kiosk:resume")
    return render(
        request,
        "intake/kiosk/stop.html",
        {"mode": request.kiosk["kind"], **_phones(Clinic.objects.current())},
    )


def _tel(number: str) -> str:
    """A phone number as a tel: link's target: digits, and a leading + kept."""
    digits = "".join(c for c in number if c.isdigit())
    return ("+" if number.strip().startswith("+") else "") + digits


def _phones(clinic: Clinic) -> dict:
    return {
        "clinic": clinic,
        "clinic_tel": _tel(clinic.phone),
        "emergency_tel": _tel(clinic.emergency_number),
    }


class UnlockForm(forms.Form):
    username = forms.CharField(label=gettext_lazy("Staff username"), max_length=150)
    secret = forms.CharField(
        label=gettext_lazy("Password or kiosk PIN"),
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
def exit_kiosk(request: KioskRequest) -> HttpResponse:
    """A member of staff takes the clinic's tablet back. On a patient's own device (a
    link) there is nothing to unlock: the page says they can close it."""
    access = request.patient_access
    if access.kind != patient_session.KIOSK:
        return render(request, "intake/kiosk/exit_link.html")
    # A kiosk session stands on its tablet: patient_session ends one that has none.
    assert access.tablet is not None
    form = UnlockForm(request.POST or None)
    paused_until = access.tablet.unlock_paused_until
    if paused_until and paused_until <= timezone.now():
        paused_until = None
    if request.method == "POST" and paused_until is None and form.is_valid():
        result = tablets.tablet_unlock(
            request=request,
            access=access,
            username=form.cleaned_data["username"],
            secret=form.cleaned_data["secret"],
        )
        if result.account_locked:
            lockout.refuse_as_locked(request, form.cleaned_data["username"])
        elif result.user is not None:
            return _hand_back(request, result.user)
        paused_until = result.paused_until
        if paused_until is None:
            form.add_error(None, gettext("That username and password or PIN did not match."))
    return render(
        request,
        "intake/kiosk/exit.html",
        {"form": form, "paused_until": paused_until, "tablet": access.tablet},
    )


def _hand_back(request: KioskRequest, user: User) -> HttpResponse:
    """End the patient's session and sign the member of staff in, as far as their normal
    sign-in would go with the password: those whose role needs two-factor are held on the
    two-factor page (accounts.middleware) before anything else opens."""
    intake = request.intake
    tablet = request.patient_access.tablet
    assert tablet is not None  # a kiosk session's (exit_kiosk hands back no other)
    logout(request)  # a fresh session: nothing of the patient's carries over
    login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    audit_patient_record(
        intake,
        actor=user,
        action=AuditEvent.Action.UPDATE,
        summary=f"Took the tablet “{tablet.name}” back from the patient (left kiosk mode)",
        details={"tablet": str(tablet.public_id)},
    )
    if user.has_perm("intake.view_intake"):
        return redirect("intake:detail", public_id=intake.public_id)
    return redirect("core:home")
