"""Publishing a job when Redis is down or hung: the page that asks answers at once and the
job row waits, undispatched, for the sweep (the full outage is tests/faults/)."""

import socket
import time
from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.roles import Role
from reports import services
from reports.dispatch import PUBLISH_TIMEOUT_SECONDS, enqueue
from reports.models import ExportPart
from reports.tasks import render_document, render_export_part
from tests.factories import UserFactory
from tests.reports.conftest import make_evaluation

pytestmark = pytest.mark.django_db


@pytest.fixture
def hung_broker(settings):
    """A Redis URL whose server accepts connections and never answers (the kernel's
    backlog completes the handshake; nothing reads)."""
    # Imported here, not timed: a web process has imported the transport long before.
    import kombu.transport.redis  # noqa: F401

    from clinic.celery import app

    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    settings.REPORT_JOBS_MODE = "celery"
    original = app.conf.broker_url, app.conf.task_always_eager
    app.conf.broker_url = f"redis://127.0.0.1:{listener.getsockname()[1]}/0"
    app.conf.task_always_eager = False  # without a broker the tests run tasks in-process
    try:
        yield
    finally:
        app.conf.broker_url, app.conf.task_always_eager = original
        listener.close()


def test_a_hung_broker_is_given_up_on_within_the_publish_timeout(hung_broker):
    started = time.monotonic()
    handed_over = enqueue(render_document, "00000000-0000-0000-0000-000000000000")
    took = time.monotonic() - started
    assert handed_over is False
    # The settings' 5 s socket timeout (or a retry) would make this 5 s or more.
    assert took < PUBLISH_TIMEOUT_SECONDS + 1, f"took {took:.2f} s"


def test_an_export_stops_publishing_at_the_first_refused_part(
    physio, settings, monkeypatch, django_capture_on_commit_callbacks
):
    settings.REPORT_JOBS_MODE = "celery"
    settings.EXPORT_PART_SIZE = 1
    for n in range(3):
        make_evaluation(therapist=physio, days_ago=5 + n, seed=n)
    attempts = []

    def refused(*args, **kwargs):
        attempts.append(kwargs.get("args"))
        raise ConnectionRefusedError("redis is down")

    monkeypatch.setattr(render_export_part, "apply_async", refused)
    admin = UserFactory(username="dispatch-admin", roles=[Role.ADMINISTRATOR])
    request = services.ExportRequest(
        date_from=timezone.localdate() - timedelta(days=30),
        date_to=timezone.localdate(),
        therapist_ids=(),
        kinds=("evaluation",),
        include_csv=False,
        include_drafts=False,
    )
    with django_capture_on_commit_callbacks(execute=True):
        job = services.export_request(request=request, by=admin)
    assert job.parts.count() == 3
    # One refused publish is enough to know; each would cost a timeout on a hung broker.
    assert len(attempts) == 1
    assert not ExportPart.objects.filter(job=job, dispatched_at__isnull=False).exists()
