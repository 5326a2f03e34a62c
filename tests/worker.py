"""A real Celery worker process for tests that need one (marker: worker).

It consumes from the test run's Redis and writes to the test database, so tests using
it must commit their data (transactional_db).
"""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

ROOT = Path(__file__).resolve().parents[1]


def services_required() -> bool:
    return os.environ.get("REQUIRE_SERVICES") == "1"


def skip_or_fail(reason: str):
    if services_required():
        pytest.fail(f"{reason} (REQUIRE_SERVICES=1: CI must run this test)")
    pytest.skip(reason)


def require_worker_services() -> None:
    if settings.CELERY_TASK_ALWAYS_EAGER:
        skip_or_fail("no broker configured (set REDIS_URL)")
    if connection.vendor != "postgresql":
        skip_or_fail("a worker process needs a shared database server (set DATABASE_URL)")


def start_worker(*, concurrency: int = 1, env: dict[str, str] | None = None) -> subprocess.Popen:
    """A Celery worker in its own process group, on the test database and Redis."""
    db = connection.settings_dict
    full_env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.settings",
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "REPORT_JOBS_MODE": "celery",
        "MEDIA_ROOT": str(settings.MEDIA_ROOT),
        **(env or {}),
    }
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "clinic",
            "worker",
            "--pool=prefork",
            f"--concurrency={concurrency}",
            "--loglevel=WARNING",
            "--without-gossip",
            "--without-mingle",
        ],
        cwd=ROOT,
        env=full_env,
        start_new_session=True,
    )


def stop_worker(proc: subprocess.Popen, *, kill: bool = False) -> None:
    """SIGTERM (a warm shutdown), or SIGKILL to the whole group: the worker and its
    children die mid-task, as in a crash or an OOM kill."""
    try:
        os.killpg(proc.pid, signal.SIGKILL if kill else signal.SIGTERM)
    except ProcessLookupError:
        return
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()


@pytest.fixture
def celery_worker_process(transactional_db):
    require_worker_services()
    proc = start_worker()
    try:
        yield proc
    finally:
        stop_worker(proc)


def wait_for(predicate, timeout: float = 30.0, interval: float = 0.2):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if result := predicate():
            return result
        time.sleep(interval)
    return predicate()
