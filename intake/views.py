"""The staff side of intakes: the day's queue, starting and handing over, the summary,
amendments, and the red-flag alerts every staff screen polls for."""

from uuid import UUID

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext, ngettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods, require_POST

from accounts.http import StaffRequest
from audit.models import AuditEvent
from audit.services import audit_patient_record, audit_record, shown_mrns
from core import qr
from core.dates import parse_day
from core.languages import locale_for
from core.models import Clinic
from intake import alert_actions, patient_session, services, tablets
from intake import alerts as alert_services
from intake.alert_forms import DispositionForm
from intake.followup import baseline as followup_baseline
from intake.followup import schedule as followup_schedule
from intake.followup import steps as followup_steps
from intake.forms import StepContext
from intake.models import BANNER_LEVELS, Intake, IntakeAmendment, RedFlagAlert
from intake.steps import all_steps, step_by_key
from intake.summary import summary_context
from intake.tablet_views import TabletEnrolForm
from intake.triage import default_ruleset
from patients.models import Patient

QUEUE_FILTERS = {
    "all": (pgettext_lazy("intake queue filter", "All"), lambda qs: qs),
    "in_progress": (
        pgettext_lazy("intake queue filter", "In progress"),
        lambda qs: qs.filter(status=Intake.Status.IN_PROGRESS),
    ),
    "submitted": (
        pgettext_lazy("intake queue filter", "Submitted"),
        lambda qs: qs.filter(status=Intake.Status.SUBMITTED),
    ),
    "flagged": (pgettext_lazy("intake queue filter", "Flagged"), lambda qs: qs.flagged()),
}


def _audit_view(request: StaffRequest, record: Intake | RedFlagAlert, summary: str) -> None:
    """Every staff read of an intake or alert leaves an audit entry."""
    audit_patient_record(
        record,
        actor=request.user,
        action=AuditEvent.Action.VIEW,
        summary=summary,
    )


def _intake(public_id: UUID) -> Intake:
    return get_object_or_404(
        Intake.objects.select_related("patient", "started_by"), public_id=public_id
    )


@require_http_methods(["GET"])
@permission_required("intake.view_intake", raise_exception=True)
def queue(request: StaffRequest) -> HttpResponse:
    """Today's intakes (or another day's), newest first, with red-flag badges."""
    day, problem = parse_day(request.GET.get("day", ""))
    if problem:
        messages.error(
            request, gettext("%(problem)s Showing today instead.") % {"problem": problem}
        )
    day = day or timezone.localdate()
    show = request.GET.get("show", "all")
    if show not in QUEUE_FILTERS:
        show = "all"
    base = Intake.objects.first_visit().started_on(day)
    intakes = (
        QUEUE_FILTERS[show][1](base)
        .for_queue()
        .prefetch_related(
            Prefetch("alerts", queryset=RedFlagAlert.objects.on_banner(), to_attr="open_alerts")
        )
    )
    intakes = list(intakes[:200])
    audit_record(
        actor=request.user,
        action=AuditEvent.Action.VIEW,
        summary=f"Viewed the intake queue for {day.isoformat()} ({len(intakes)} shown)",
        details={
            "day": day.isoformat(),
            "show": show,
            "shown": shown_mrns(intakes),
        },
    )
    return render(
        request,
        "intake/queue.html",
        {
            "intakes": intakes,
            "day": day,
            "show": show,
            "filters": [(k, v[0]) for k, v in QUEUE_FILTERS.items()],
            "is_today": day == timezone.localdate(),
        },
    )


@require_POST
@permission_required("intake.add_intake", raise_exception=True)
def start(request: StaffRequest, patient_id: UUID) -> HttpResponse:
    patient = get_object_or_404(Patient, public_id=patient_id)
    intake = services.intake_start(patient=patient, by=request.user)
    return redirect("intake:handover", public_id=intake.public_id)


@require_http_methods(["GET"])
@permission_required("intake.add_intake", raise_exception=True)
def handover(request: StaffRequest, public_id: UUID) -> HttpResponse:
    intake = _intake(public_id)
    _audit_view(request, intake, "Opened the intake hand-over page")
    return render(
        request,
        "intake/handover.html",
        {
            "intake": intake,
            "patient": intake.patient,
            "link_lifetime": _in_words(services.link_lifetime(intake)),
            "tablet": tablets.tablet_for_request(request),
            "enrol_form": TabletEnrolForm(),
            "open_accesses": intake.accesses.filter(
                revoked_at__isnull=True, expires_at__gt=timezone.now()
            ).exists(),
            # A due follow-up questionnaire opens when it is handed over (_open_if_due).
            "can_hand_over": intake.is_open or intake.status == Intake.Status.SCHEDULED,
        },
    )


@require_POST
@permission_required("intake.add_intake", raise_exception=True)
def kiosk_open(request: StaffRequest, public_id: UUID) -> HttpResponse:
    """Turn this device, one of the clinic's enrolled tablets, into the patient's form:
    sign the member of staff out and leave a session that holds this one intake."""
    intake = _intake(public_id)
    tablet = tablets.tablet_for_request(request)
    if tablet is None:
        messages.error(
            request,
            gettext(
                "This device is not one of the clinic's tablets, so it cannot be handed over in "
                "kiosk mode. Enrol it first, or send the patient a link."
            ),
        )
        return redirect("intake:handover", public_id=intake.public_id)
    try:
        intake = _open_if_due(request, intake)
        access = services.intake_kiosk_handover(intake=intake, by=request.user, tablet=tablet)
    except services.IntakeClosed:
        messages.error(request, gettext("This intake is no longer open."))
        return redirect("intake:detail", public_id=intake.public_id)
    logout(request)
    patient_session.start(request, access)
    return redirect("kiosk:resume")


@require_POST
@permission_required("intake.add_intake", raise_exception=True)
def close_access(request: StaffRequest, public_id: UUID) -> HttpResponse:
    """Close the patient's form wherever it is open (a tablet whose unlock is paused, a
    phone left open) without cancelling the intake: the answers stay, and the front desk
    can hand it over again."""
    intake = _intake(public_id)
    closed = services.intake_close_accesses(intake=intake, by=request.user)
    if closed:
        messages.success(request, gettext("Closed the patient's form on the tablet or phone."))
    else:
        messages.info(request, gettext("The form was not open on any device."))
    return redirect("intake:handover", public_id=intake.public_id)


@require_POST
@permission_required("intake.add_intake", raise_exception=True)
def link_create(request: StaffRequest, public_id: UUID) -> HttpResponse:
    intake = _intake(public_id)
    try:
        intake = _open_if_due(request, intake)
        access, raw = services.intake_link_create(intake=intake, by=request.user)
    except services.IntakeClosed:
        messages.error(request, gettext("This intake is no longer open."))
        return redirect("intake:detail", public_id=intake.public_id)
    url = request.build_absolute_uri(reverse("kiosk:link", args=[raw]))
    patient_locale = locale_for(intake.language)
    # The QR code is in the printed part, the patient's: its title in their language.
    with translation.override(patient_locale):
        qr_title = gettext("QR code of the one-time link")
    return render(
        request,
        "intake/link.html",
        {
            "intake": intake,
            "patient": intake.patient,
            "url": url,
            "access": access,
            # Drawn here, once: the raw token is not kept, so the page cannot be redrawn.
            "qr": qr.svg(url, title=qr_title),
            "clinic": Clinic.objects.current(),
            # The printed handout is the patient's, in their form's language.
            "patient_locale": patient_locale,
            "patient_lang": intake.language,
        },
    )


def _in_words(span) -> str:
    """7 days, or 72 hours."""
    if span.days and not span.seconds:
        return ngettext("%(days)d day", "%(days)d days", span.days) % {"days": span.days}
    hours = int(span.total_seconds() // 3600)
    return ngettext("%(hours)d hour", "%(hours)d hours", hours) % {"hours": hours}


def _open_if_due(request: StaffRequest, intake: Intake) -> Intake:
    """A follow-up questionnaire that is due opens when it is handed over."""
    if intake.status != Intake.Status.SCHEDULED:
        return intake
    try:
        opened = followup_schedule.packet_open(packet=intake, by=request.user)
    except followup_schedule.PacketNotDue:
        raise services.IntakeClosed from None
    opened.patient = intake.patient
    return opened


class CancelForm(forms.Form):
    reason = forms.CharField(max_length=500, label=_("Why cancel this intake?"))


@require_POST
@permission_required("intake.add_intake", raise_exception=True)
def cancel(request: StaffRequest, public_id: UUID) -> HttpResponse:
    intake = _intake(public_id)
    form = CancelForm(request.POST)
    if not form.is_valid():
        messages.error(request, gettext("Say why the intake is cancelled."))
    else:
        try:
            services.intake_cancel(
                intake=intake, by=request.user, reason=form.cleaned_data["reason"]
            )
            messages.success(request, gettext("Cancelled the intake."))
        except services.IntakeClosed:
            messages.error(request, gettext("This intake is no longer open."))
    return redirect("intake:detail", public_id=intake.public_id)


def _context(intake: Intake) -> tuple[StepContext, dict]:
    packs = services.instrument_packs()
    return StepContext(patient=intake.patient, clinic=Clinic.objects.current(), packs=packs), packs


@require_http_methods(["GET"])
@permission_required("intake.view_intake", raise_exception=True)
def detail(request: StaffRequest, public_id: UUID) -> HttpResponse:
    intake = get_object_or_404(
        Intake.objects.select_related("patient", "started_by", "consent").prefetch_related(
            Prefetch("amendments", queryset=IntakeAmendment.objects.select_related("by")),
            Prefetch("alerts", queryset=RedFlagAlert.objects.select_related("acknowledged_by")),
        ),
        public_id=public_id,
    )
    if not request.user.has_perm("intake.view_intake_clinical"):
        return _status(request, intake)
    _audit_view(
        request,
        intake,
        "Viewed follow-up questionnaire" if intake.is_packet else "Viewed intake summary",
    )
    summary = summary_context(
        intake, packs=services.instrument_packs(), clinic=Clinic.objects.current()
    )
    return render(
        request,
        "intake/detail.html",
        {
            **summary,
            "patient": intake.patient,
            "consent": getattr(intake, "consent", None),
            # A packet's answers are corrected where they are used (the re-evaluation's
            # outcomes), not here: the amendment screens are the intake's.
            "can_amend": request.user.has_perm("intake.change_intake")
            and not intake.is_packet
            and intake.status in (Intake.Status.SUBMITTED, Intake.Status.STOPPED),
        },
    )


def _status(request: StaffRequest, intake: Intake) -> HttpResponse:
    """The front desk's view of an intake: complete or not, flagged or not, consent
    signed; nothing of what the patient answered (intake.view_intake_clinical)."""
    _audit_view(request, intake, "Viewed intake status (no clinical content)")
    if intake.is_packet:
        baseline = followup_baseline.for_packet(intake)
        shown = followup_steps.packet_steps(
            packs=services.instrument_packs(), has_psfs=bool(baseline.psfs_activities)
        )
    else:
        shown = all_steps()
    steps = [s.key for s in shown if s.key != "review"]
    # A MONITOR result waits for the next visit: nobody need be fetched for it.
    alerts = [a for a in intake.alerts.all() if a.level in BANNER_LEVELS]
    flagged = bool(alerts) or intake.red_flag_level in (
        Intake.RedFlagLevel.URGENT,
        Intake.RedFlagLevel.EMERGENCY,
    )
    return render(
        request,
        "intake/status.html",
        {
            "intake": intake,
            "patient": intake.patient,
            "consent": getattr(intake, "consent", None),
            "answered": sum(1 for k in steps if k in intake.answers),
            "screens": len(steps),
            "flagged": flagged or intake.status == Intake.Status.STOPPED,
            "open_alert": any(a.acknowledged_at is None for a in alerts),
        },
    )


@require_http_methods(["GET"])
@permission_required("intake.view_intake_clinical", raise_exception=True)
def signature(request: StaffRequest, public_id: UUID) -> HttpResponse:
    intake = _intake(public_id)
    consent = getattr(intake, "consent", None)
    if consent is None:
        raise Http404
    _audit_view(request, intake, "Viewed the consent signature")
    response = HttpResponse(bytes(consent.signature_png), content_type="image/png")
    response["Cache-Control"] = "no-store, max-age=0"
    return response


class AmendReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for the correction"),
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=1000,
        help_text=_("Recorded with your name and the time; the original answers are kept."),
    )


@require_http_methods(["GET", "POST"])
@permission_required("intake.change_intake", raise_exception=True)
def amend(request: StaffRequest, public_id: UUID, step: str) -> HttpResponse:
    intake = _intake(public_id)
    steps = step_by_key()
    if step not in steps or step in ("review", "consent"):
        raise Http404
    if intake.status not in (Intake.Status.SUBMITTED, Intake.Status.STOPPED):
        messages.error(request, gettext("Only a submitted or stopped intake can be amended."))
        return redirect("intake:detail", public_id=intake.public_id)
    context, _packs = _context(intake)
    step_def = steps[step]
    current = services.effective_answers(intake, intake.amendments.all()).get(step, {})
    if request.method == "POST":
        form = step_def.form_class(request.POST, context=context)
        reason_form = AmendReasonForm(request.POST)
        if form.is_valid() and reason_form.is_valid():
            services.intake_amend(
                intake=intake,
                step=step,
                answers=form.answers(),
                reason=reason_form.cleaned_data["reason"],
                by=request.user,
            )
            messages.success(
                request,
                gettext("Recorded the correction to “%(screen)s”.") % {"screen": step_def.title},
            )
            return redirect("intake:detail", public_id=intake.public_id)
    else:
        form = step_def.form_class(
            initial=step_def.form_class.initial_from(current), context=context
        )
        reason_form = AmendReasonForm()
        _audit_view(request, intake, f"Opened intake screen “{step}” for amendment")
    return render(
        request,
        "intake/amend.html",
        {
            "intake": intake,
            "patient": intake.patient,
            "step": step_def,
            "form": form,
            "reason_form": reason_form,
            "show_errors": request.method == "POST",
            "pack": getattr(form, "pack", None),
        },
    )


# ---------------------------------------------------------------- alerts


# Alerts this session has already been shown (and audited) in the banner.
ALERTS_SHOWN = "alerts_shown"


@require_http_methods(["GET"])
def alerts_banner(request: StaffRequest) -> HttpResponse:
    """Polled by every staff screen (base.html). Cheap: one indexed query for the open
    emergency and urgent alerts (a MONITOR result waits for the next visit instead).
    Audited the first time this session is shown each alert (it names the patient), not
    on every poll, which would bury the trail."""
    if not request.user.has_perm("intake.view_intake"):
        return HttpResponse(status=204)
    alerts = list(RedFlagAlert.objects.on_banner().select_related("patient", "intake")[:10])
    seen = set(request.session.get(ALERTS_SHOWN, []))
    new = [alert for alert in alerts if alert.pk not in seen]
    if new:
        audit_record(
            actor=request.user,
            action=AuditEvent.Action.VIEW,
            patient=new[0].patient if len({a.patient_id for a in new}) == 1 else None,
            summary=f"Shown {len(new)} red-flag alert(s) in the banner",
            details={"shown": shown_mrns(new)},
        )
        request.session[ALERTS_SHOWN] = sorted(seen | {a.pk for a in new})[-100:]
    return render(
        request,
        "intake/_alerts_banner.html",
        {"alerts": alerts, "poll_seconds": settings.ALERT_POLL_SECONDS},
    )


def _disposed_message(request: StaffRequest, done: alert_services.AlreadyAcknowledged) -> None:
    if done.alert.acknowledged_by_id == request.user.pk:
        # A double tap: the first one recorded it; say so to the one who did.
        messages.success(request, gettext("Alert acknowledged and recorded."))
        return
    by = done.alert.acknowledged_by
    # Saved in one go with acknowledged_at, and PROTECTed: never None here.
    assert by is not None
    when = timezone.localtime(done.alert.acknowledged_at)
    messages.info(
        request,
        gettext(
            "%(name)s acknowledged this alert at %(time)s, before your answer was sent: "
            "theirs is recorded."
        )
        % {"name": by.get_full_name() or by.get_username(), "time": f"{when:%H:%M}"},
    )


@require_http_methods(["GET", "POST"])
@permission_required("intake.view_intake_clinical", raise_exception=True)
def alert_detail(request: StaffRequest, public_id: UUID) -> HttpResponse:
    """The alert, what raised it, and its disposition: a clinician chooses one of the
    actions the alert's level allows and writes a note. A refused choice comes back with
    the reason and everything typed."""
    alert = get_object_or_404(
        RedFlagAlert.objects.select_related(
            "patient", "intake", "evaluation", "treatment_note", "acknowledged_by"
        ),
        public_id=public_id,
    )
    can_ack = request.user.has_perm("intake.acknowledge_redflagalert")
    rules = alert_actions.default_rules()
    form = DispositionForm(request.POST or None, alert=alert, rules=rules)
    if request.method == "POST":
        if not can_ack:
            raise PermissionDenied
        if form.is_valid():
            try:
                alert_services.alert_disposition(
                    alert=alert,
                    by=request.user,
                    action=form.cleaned_data["outcome"],
                    note=form.cleaned_data["action_note"],
                    material=form.cleaned_data.get("safety_net_material", ""),
                )
                messages.success(request, gettext("Alert acknowledged and recorded."))
                return redirect("intake:alert", public_id=alert.public_id)
            except alert_services.AlreadyAcknowledged as done:
                _disposed_message(request, done)
                return redirect("intake:alert", public_id=alert.public_id)
            except alert_services.ActionRefused as refused:
                form.refuse(refused)
    else:
        _audit_view(request, alert, "Viewed red-flag alert")
    ruleset = default_ruleset()
    clinic = Clinic.objects.current()
    return render(
        request,
        "intake/alert.html",
        {
            "alert": alert,
            "patient": alert.patient,
            "form": form,
            "can_ack": can_ack,
            "rules": rules,
            "allowed": rules.allowed(alert.level),
            "default_action": rules.default_actions.get(alert.level, ""),
            "escalated": alert.level in BANNER_LEVELS
            and alert.acknowledged_at is None
            and alert.raised_at
            < alert_services.escalation_cutoff(timezone.now(), clinic.day_ends_at),
            "item_texts": [(c, ruleset.items.get(c, c)) for c in alert.items],
            # A neuro exam's alert is a clinician's finding, in the exam's own words.
            "exam_findings": [
                a.get("text", "")
                for a in ((alert.evaluation.findings or {}).get("neuro") or {}).get("alerts", [])
            ]
            if alert.evaluation_id
            else [],
            "ruleset": ruleset,
        },
    )
