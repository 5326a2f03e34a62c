"""The reports app's panel on the administrator's home page: are background jobs being
processed, and the last week's figures.

PDFs and batch exports are made by the Celery worker, so this is where an administrator
learns that one is missing before anyone waits on a report. A panel is a function giving
the template context of its section of the home page (templates/dashboard/home.html);
dashboard/views.py decides who sees which.
"""

from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from core.models import WorkerHeartbeat
from evaluations.models import Evaluation
from intake.models import Intake

# A worker beats every minute; three missed beats means jobs are not being processed.
WORKER_STALE_AFTER = timedelta(minutes=3)


def worker_state(heartbeat: WorkerHeartbeat | None) -> str:
    """Whether background jobs are being processed: "in-process" (no broker, they run in
    the web process), "ok", "stale" (no heartbeat for WORKER_STALE_AFTER) or "never-seen"
    (no worker has ever recorded one: none has started, or it cannot reach the broker or
    the database, or beat, which schedules the heartbeat, is not running)."""
    if settings.CELERY_TASK_ALWAYS_EAGER:
        return "in-process"
    if heartbeat is None:
        return "never-seen"
    return "ok" if timezone.now() - heartbeat.last_seen < WORKER_STALE_AFTER else "stale"


def background_jobs() -> dict:
    """The latest worker heartbeat and what it says, and the intakes submitted and
    evaluations signed in the last seven days."""
    heartbeat = WorkerHeartbeat.objects.order_by("-last_seen").first()
    week_ago = timezone.now() - timedelta(days=7)
    return {
        "worker": worker_state(heartbeat),
        "heartbeat": heartbeat,
        "week": {
            "intakes": Intake.objects.first_visit()
            .submitted()
            .filter(submitted_at__gte=week_ago)
            .count(),
            "evaluations": Evaluation.objects.signed().filter(signed_at__gte=week_ago).count(),
        },
    }
