import socket

from celery import shared_task
from django.core import management
from django.utils import timezone

from core.models import WorkerHeartbeat


@shared_task(ignore_result=True)
def worker_heartbeat() -> None:
    """Record that a worker is alive and consuming; the administrator's home shows it."""
    WorkerHeartbeat.objects.update_or_create(
        hostname=socket.gethostname()[:255], defaults={"last_seen": timezone.now()}
    )


@shared_task(ignore_result=True)
def clear_expired_sessions() -> None:
    management.call_command("clearsessions")
