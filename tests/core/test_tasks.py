import pytest

from core.models import WorkerHeartbeat
from core.tasks import clear_expired_sessions, worker_heartbeat
from tests.worker import wait_for


@pytest.mark.django_db
def test_the_heartbeat_records_this_host():
    worker_heartbeat.apply()
    assert WorkerHeartbeat.objects.count() == 1
    worker_heartbeat.apply()
    assert WorkerHeartbeat.objects.count() == 1


@pytest.mark.django_db
def test_expired_sessions_are_cleared():
    from datetime import timedelta

    from django.contrib.sessions.models import Session
    from django.utils import timezone

    Session.objects.create(
        session_key="old", session_data="", expire_date=timezone.now() - timedelta(days=1)
    )
    clear_expired_sessions.apply()
    assert not Session.objects.filter(session_key="old").exists()


@pytest.mark.worker
def test_a_real_worker_consumes_a_task_from_redis(celery_worker_process):
    worker_heartbeat.delay()
    assert wait_for(lambda: WorkerHeartbeat.objects.exists(), timeout=60)
