"""Redis going away under a running worker, and /healthz while a service is down.

With celery 5.7.0 and kombu 5.7.0 a worker that lost Redis while a task was unacknowledged
and a BRPOP outstanding (fewer tasks running than its processes: the end of an export)
exited with "Unrecoverable error: AttributeError ... 'hostname'", and the export waited for
someone to restart it. clinic/celery.py explains the cause and patches it. Here: the
consumer's own connection-loss handler, in exactly that state, with and without the patch;
a real worker whose Redis is restarted twice during an export; and /healthz answering
within a second with Redis stopped or hung and with PostgreSQL stopped.
"""

import json
import time
import types
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager, suppress

import pytest
import requests
from celery.worker.consumer.consumer import Consumer
from kombu import Connection, Exchange, Queue

import clinic.celery
from clinic.celery import app
from tests.stack import wait_until

pytestmark = pytest.mark.worker

# 13 signed evaluations, each as an evaluation PDF and a handout: 26 documents, in parts of
# EXPORT_PART_SIZE (20): one of 20 and one of 6. Once the short part is done the long one
# runs alone, and the worker's other process waits on a BRPOP: the state that crashed it.
EVALUATIONS = 13
DOCUMENTS = 2 * EVALUATIONS
SEED_EXPORT = f"""
from datetime import timedelta
from django.conf import settings
from django.utils import timezone
from accounts.roles import Role
from reports import services
from tests.factories import UserFactory
from tests.reports.conftest import make_evaluation

physio = UserFactory(username="drop-physio", roles=[Role.THERAPIST])
admin = UserFactory(username="drop-admin", roles=[Role.ADMINISTRATOR])
for n in range({EVALUATIONS}):
    make_evaluation(therapist=physio, days_ago=10 + n, seed=n)
job = services.export_request(
    request=services.ExportRequest(
        date_from=timezone.localdate() - timedelta(days=60),
        date_to=timezone.localdate(),
        therapist_ids=(physio.pk,),
        kinds=("evaluation", "handout"),
        include_csv=True,
        include_drafts=False,
    ),
    by=admin,
)
print("STALE", settings.REPORT_STALE_SECONDS, settings.REPORT_REDISPATCH_SECONDS)
print("EXPORT", job.pk)
"""
REDIS_DOWN_SECONDS = 2.0
# A refused connection answers at once, a hung service at the 0.5 s deadline
# (core/health.py). Before, a stopped Redis took 2 s and a hung one 5 s.
HEALTHZ_LIMIT_SECONDS = 1.0


# --- The consumer's connection-loss handler ----------------------------------------------


@contextmanager
def _worker_connection_at_the_moment_redis_goes(stack) -> Iterator[types.SimpleNamespace]:
    """A connection in the state a worker's is in when Redis goes away mid-export: a task
    message received and not acknowledged (acks_late) on the default channel, a BRPOP
    outstanding on it, and a remote-control channel with an auto-delete fanout queue (the
    worker's pidbox); then Redis stopped. Yields a stand-in for the worker's Consumer."""
    url = f"redis://127.0.0.1:{stack.redis_port}/0"
    tasks = Queue("drop-test.tasks", Exchange("drop-test.tasks"), "drop-test.tasks")
    with app.connection_for_write(url=url) as publisher:
        publisher.Producer().publish(
            {"task": "t"}, exchange=tasks.exchange, routing_key=tasks.routing_key, declare=[tasks]
        )
    connection = app.connection_for_read(url=url)
    received = []
    consumer = connection.Consumer(
        [tasks], callbacks=[lambda body, message: received.append(message)]
    )
    consumer.qos(prefetch_count=2)
    consumer.consume()
    control = connection.channel()
    pidbox = Queue(
        "drop-test.pidbox", Exchange("drop-test.pidbox", type="fanout"), auto_delete=True
    )
    connection.Consumer([pidbox], channel=control, callbacks=[lambda body, message: None]).consume()
    # A worker's channels have their Redis client by now; closing the pidbox channel uses
    # it to delete the auto-delete queue, which fails with Redis gone.
    assert control.client is not None
    deadline = time.monotonic() + 10
    while not received and time.monotonic() < deadline:
        with suppress(TimeoutError):
            connection.drain_events(timeout=0.2)
    assert received, "the task message was not delivered"
    channel = connection.default_channel
    assert received[0].channel is channel and not received[0].acknowledged
    channel._brpop_start()  # the event loop keeps one outstanding while a process is free
    stack.stop_redis()
    try:
        yield types.SimpleNamespace(
            connection=connection,
            app=app,
            pool=None,
            qos_global=False,
            max_prefetch_count=2,
            initial_prefetch_count=2,
            _maximum_prefetch_restored=True,
        )
    finally:
        # The abandoned channel would try to restore its message at interpreter exit.
        channel.qos._on_collect.cancel()
        stack.start_redis()


def test_the_consumer_survives_losing_redis_with_a_task_unacknowledged_and_a_brpop_outstanding(
    stack,
):
    with _worker_connection_at_the_moment_redis_goes(stack) as consumer:
        # Raised AttributeError("'NoneType' object has no attribute 'hostname'") before.
        Consumer.on_connection_error_after_connected(consumer, ConnectionError("lost"))
    assert consumer.connection is None  # handed back for the consumer to reconnect


def test_without_the_patch_celery_5_7_still_crashes_there(stack, monkeypatch):
    """The bug the patch in clinic/celery.py works round, still in the installed celery and
    kombu. When this fails, they have fixed it: remove the patch and this test."""
    monkeypatch.setattr(Connection, "collect", clinic.celery._kombu_collect)
    with (
        _worker_connection_at_the_moment_redis_goes(stack) as consumer,
        pytest.raises(AttributeError, match="hostname"),
    ):
        Consumer.on_connection_error_after_connected(consumer, ConnectionError("lost"))


# --- A real worker, Redis restarted twice during an export -------------------------------


def _parts(stack, job_id: int) -> dict[int, dict]:
    rows = stack.sql(
        "SELECT index, status, done, attempts, run_token::text AS run FROM reports_exportpart "
        "WHERE job_id = %s",
        (job_id,),
    )
    return {row["index"]: row for row in rows}


def _job(stack, job_id: int) -> dict:
    return stack.sql(
        "SELECT status, progress, total, file, error FROM reports_reportjob WHERE id = %s",
        (job_id,),
    )[0]


def _worker_exited(stack, pid: int | None, exits_before: int) -> bool:
    """The worker process is gone, or the stack's supervisor (docker-compose's restart
    policy, in production) has had to start another."""
    return stack.worker_exits != exits_before or stack.worker_pid() != pid


def _critical(stack, log_start: int) -> list[str]:
    """The worker's CRITICAL log messages since `log_start` (why it exited, if it did)."""
    messages = []
    for line in stack.log_text("worker")[log_start:].splitlines():
        with suppress(ValueError):
            record = json.loads(line)
            if isinstance(record, dict) and record.get("level") == "CRITICAL":
                messages.append(record["message"])
    return messages


def _restart_redis(stack) -> None:
    stack.stop_redis()
    time.sleep(REDIS_DOWN_SECONDS)
    stack.start_redis()


def test_a_worker_reconnects_after_redis_restarts_twice_during_an_export_and_finishes_it(stack):
    worker = stack.worker_pid()
    exits_before = stack.worker_exits
    log_start = len(stack.log_text("worker"))
    out = stack.manage("shell", "-c", SEED_EXPORT)
    job_id = int(out.split("EXPORT ")[1].split()[0])
    stale, redispatch = (int(n) for n in out.split("STALE ")[1].split()[:2])
    # The restarts cancel the running part (acks_late: it cannot be acknowledged); with
    # Redis's queue gone, beat's sweep hands it out again once its heartbeat is stale.
    recovery_seconds = stale + redispatch + 60

    # 1. The short part done, the long one running alone, a document or two in.
    alone = wait_until(
        lambda: (
            (parts := _parts(stack, job_id))[1]["status"] == "done"
            and parts[0]["status"] == "running"
            and parts[0]["done"] >= 1
        ),
        timeout=90,
        interval=0.05,
    )
    assert alone, f"the export never ran its parts: {_parts(stack, job_id)}"
    first_run = _parts(stack, job_id)[0]["run"]
    _restart_redis(stack)

    # 2. Its part handed out again and running: Redis goes again.
    again = wait_until(
        lambda: (
            _worker_exited(stack, worker, exits_before)
            or (
                (part := _parts(stack, job_id)[0])["status"] == "running"
                and part["run"] != first_run
            )
        ),
        timeout=recovery_seconds,
        interval=0.05,
    )
    assert not _worker_exited(stack, worker, exits_before), (
        f"the worker exited when Redis went away: {_critical(stack, log_start)}"
    )
    assert again, f"the part was not run again after Redis came back: {_parts(stack, job_id)}"
    _restart_redis(stack)

    finished = wait_until(
        lambda: _job(stack, job_id)["status"] in ("succeeded", "failed"),
        timeout=recovery_seconds + 60,
        interval=0.5,
    )
    job = _job(stack, job_id)
    log = stack.log_text("worker")[log_start:]
    assert "Unrecoverable error" not in log, _critical(stack, log_start)
    assert not _worker_exited(stack, worker, exits_before), (
        f"the worker exited: {_critical(stack, log_start)}"
    )
    assert log.count("Connected to redis") >= 2, "the worker did not reconnect after each restart"
    assert finished, f"the export did not finish: {job} {_parts(stack, job_id)}"
    assert job["status"] == "succeeded", job
    assert job["progress"] == job["total"] == DOCUMENTS
    with zipfile.ZipFile(stack.media / job["file"]) as zf:
        pdfs = [name for name in zf.namelist() if name.endswith(".pdf")]
        assert len(pdfs) == len(set(pdfs)) == DOCUMENTS
        assert zf.testzip() is None


# --- /healthz while a service is down ----------------------------------------------------


def _healthz(stack) -> tuple[requests.Response, float]:
    started = time.monotonic()
    response = requests.get(f"{stack.url}/healthz", timeout=10)
    return response, time.monotonic() - started


def _healthz_best_of_two(stack) -> tuple[requests.Response, float]:
    # The faster of two answers: a 2-core CI machine busy with other tests can add a few
    # hundred milliseconds to one request, while a check that waits on the hung service
    # would make both slow.
    return min((_healthz(stack), _healthz(stack)), key=lambda answer: answer[1])


def test_healthz_answers_503_within_a_second_with_redis_stopped_hung_or_postgres_stopped(stack):
    assert _healthz(stack)[0].status_code == 200
    answers = {}
    stack.stop_redis()
    try:
        answers["redis stopped"] = _healthz_best_of_two(stack)
    finally:
        stack.start_redis()
    stack.pause_redis()
    try:
        answers["redis hung"] = _healthz_best_of_two(stack)
    finally:
        stack.resume_redis()
    stack.stop_postgres()
    try:
        answers["postgres stopped"] = _healthz_best_of_two(stack)
    finally:
        stack.start_postgres()

    for label, (response, seconds) in answers.items():
        assert response.status_code == 503, label
        assert seconds < HEALTHZ_LIMIT_SECONDS, f"{label}: /healthz took {seconds:.2f} s"
    broker_down = {"database": "ok", "broker": "unavailable"}
    assert json.loads(answers["redis stopped"][0].text)["checks"] == broker_down
    assert json.loads(answers["redis hung"][0].text)["checks"] == broker_down
    assert json.loads(answers["postgres stopped"][0].text)["checks"]["database"] == "unavailable"
    # Back up: healthy again.
    assert wait_until(lambda: _healthz(stack)[0].status_code == 200, timeout=10)
