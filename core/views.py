from datetime import timedelta

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required, permission_required
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from accounts.models import User
from accounts.roles import Role, roles_of
from audit.models import AuditEvent
from audit.services import audit_record, shown_mrns
from core import health
from core.forms import ClinicForm
from core.middleware import session_remaining
from core.models import Clinic, WorkerHeartbeat
from evaluations.models import Evaluation
from intake.models import Intake

# A worker beats every minute; three missed beats means jobs are not being processed.
WORKER_STALE_AFTER = timedelta(minutes=3)


def _front_desk_work(today) -> dict:
    intakes = Intake.objects.started_on(today).select_related("patient", "started_by")
    return {"todays_intakes": list(intakes)}


def _therapist_work(user: User) -> dict:
    awaiting = (
        Intake.objects.awaiting_evaluation().select_related("patient").order_by("submitted_at")[:50]
    )
    drafts = (
        Evaluation.objects.drafts()
        .by_therapist(user)
        .select_related("patient")
        .order_by("-created_at")[:50]
    )
    return {"awaiting_evaluation": list(awaiting), "my_drafts": list(drafts)}


def _worker_state(heartbeat: WorkerHeartbeat | None) -> str:
    """Whether background jobs are being processed: "in-process" (no broker, they run in
    the web process), "ok", "stale" (no heartbeat for WORKER_STALE_AFTER) or "never-seen"
    (no worker has ever recorded one: none has started, or it cannot reach the broker or
    the database, or beat, which schedules the heartbeat, is not running)."""
    if settings.CELERY_TASK_ALWAYS_EAGER:
        return "in-process"
    if heartbeat is None:
        return "never-seen"
    return "ok" if timezone.now() - heartbeat.last_seen < WORKER_STALE_AFTER else "stale"


def _administrator_work() -> dict:
    role_counts = User.objects.filter(is_active=True).aggregate(
        **{
            role.name.lower(): Count("id", filter=Q(groups__name=role.value), distinct=True)
            for role in Role
        }
    )
    heartbeat = WorkerHeartbeat.objects.order_by("-last_seen").first()
    week_ago = timezone.now() - timedelta(days=7)
    return {
        "role_counts": [(role, role_counts[role.name.lower()]) for role in Role],
        "worker": _worker_state(heartbeat),
        "heartbeat": heartbeat,
        "week": {
            "intakes": Intake.objects.submitted().filter(submitted_at__gte=week_ago).count(),
            "evaluations": Evaluation.objects.signed().filter(signed_at__gte=week_ago).count(),
        },
        "recent_events": list(AuditEvent.objects.with_related()[:10]),
    }


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """Each role's work for today; a person with several roles sees each section."""
    user = request.user
    roles = roles_of(user)
    context: dict = {"roles": roles}
    if Role.FRONT_DESK in roles:
        context.update(_front_desk_work(timezone.localdate()))
    if Role.THERAPIST in roles:
        context.update(_therapist_work(user))
    if Role.ADMINISTRATOR in roles or user.is_superuser:
        context.update(_administrator_work())
        context["show_admin"] = True
    shown = shown_mrns(
        *(
            context.get(key, ())
            for key in ("todays_intakes", "awaiting_evaluation", "my_drafts", "recent_events")
        )
    )
    if shown:
        audit_record(
            actor=user,
            action=AuditEvent.Action.VIEW,
            summary="Viewed home worklist",
            details={"shown": shown},
        )
    return render(request, "core/home.html", context)


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
        messages.success(request, "Saved the clinic settings.")
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
