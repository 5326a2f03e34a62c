"""Health checks for /healthz: is the database there, is the broker there.

A monitor or load balancer asks often and gives up after a second or two, so /healthz must
answer quickly whatever state the services are in. A refused connection fails at once, but
a blackholed host or a hung server (connections accepted, nothing answered) would hold a
check for its library's timeouts: psycopg waits at least 2 s to connect, kombu retried the
broker after a 2 s sleep. So each probe runs in a thread of its own and the answer waits
for it at most CHECK_SECONDS; both probes run at once, so /healthz answers within about
CHECK_SECONDS however many services are down. The probes also carry their own short
timeouts, so a thread left behind by a hung service ends soon after; until it has, the
next /healthz waits on that same probe rather than starting another, so a monitor polling
a dead service cannot pile threads up.
"""

import copy
import logging
import os
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout

from celery import current_app
from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.utils import load_backend

logger = logging.getLogger(__name__)
# The broker is the one the project's Celery app (clinic/celery.py) talks to. core sits
# below clinic and does not import it: celery.current_app is that app in every thread,
# since Celery's Django fix-up makes it the default when clinic/__init__.py creates it.

# The longest /healthz waits for any one dependency (they are checked at the same time).
CHECK_SECONDS = 0.5
# A probe's own limits, so that its thread is freed soon after the answer has been given
# up on. psycopg treats any connect_timeout under 2 s as 2 s.
DATABASE_CONNECT_TIMEOUT = 2
DATABASE_STATEMENT_TIMEOUT_MS = 500
BROKER_SOCKET_TIMEOUT = 0.5

_lock = threading.Lock()
_executor: ThreadPoolExecutor | None = None
_executor_pid: int | None = None
_in_flight: dict[str, Future] = {}


def database_ok(settings_dict: dict | None = None) -> bool:
    """SELECT 1 on a connection of its own, closed afterwards: the request's connection
    may be mid-transaction or belong to another thread, and a thread left holding one
    open would keep a session on the server."""
    params = copy.deepcopy(
        settings_dict if settings_dict is not None else connections.settings[DEFAULT_DB_ALIAS]
    )
    if params["ENGINE"] == "django.db.backends.postgresql":
        params.setdefault("OPTIONS", {})["connect_timeout"] = DATABASE_CONNECT_TIMEOUT
    connection = load_backend(params["ENGINE"]).DatabaseWrapper(params, DEFAULT_DB_ALIAS)
    try:
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                # The server answers, but slowly (overloaded, or a lock): give up in time.
                cursor.execute(f"SET statement_timeout = {DATABASE_STATEMENT_TIMEOUT_MS:d}")
            cursor.execute("SELECT 1")
            return cursor.fetchone() == (1,)
    except Exception:
        logger.warning("healthz: database check failed", exc_info=True)
        return False
    finally:
        connection.close()


def broker_ok() -> bool:
    """One connection attempt to the broker, with short socket timeouts and no retry.
    kombu's ensure_connection(max_retries=1) retried once after sleeping 2 s, which is
    most of what made /healthz take 2-2.5 s with Redis down."""
    try:
        with current_app.connection_for_write(
            connect_timeout=BROKER_SOCKET_TIMEOUT,
            transport_options={
                "socket_connect_timeout": BROKER_SOCKET_TIMEOUT,
                "socket_timeout": BROKER_SOCKET_TIMEOUT,
                "max_retries": 0,
            },
        ) as conn:
            conn.ensure_connection(max_retries=0)
            return True
    except Exception:
        logger.warning("healthz: broker check failed", exc_info=True)
        return False


def _load_broker_transport() -> None:
    """Import the broker's transport now, with the URLconf, rather than inside the first
    check's half second: redis-py alone takes about a quarter of a second to import. Opens
    no connection."""
    current_app.connection_for_write().get_transport_cls()


if not settings.CELERY_TASK_ALWAYS_EAGER:
    _load_broker_transport()


def checks(timeout: float = CHECK_SECONDS) -> dict[str, str]:
    """Each dependency's state: "ok", "unavailable", or for the broker "in-process" when
    none is configured. Takes at most about `timeout` seconds."""
    deadline = time.monotonic() + timeout
    probes: dict[str, Callable[[], bool]] = {"database": database_ok}
    if not settings.CELERY_TASK_ALWAYS_EAGER:
        probes["broker"] = broker_ok
    futures = {name: _start(name, probe) for name, probe in probes.items()}
    states = {
        name: "ok" if _wait(name, future, deadline, timeout) else "unavailable"
        for name, future in futures.items()
    }
    if settings.CELERY_TASK_ALWAYS_EAGER:
        states["broker"] = "in-process"
    return states


def _start(name: str, probe: Callable[[], bool]) -> Future:
    """The probe `name` running now: the one still running from an earlier call, or a new
    one."""
    global _executor, _executor_pid
    with _lock:
        # gunicorn forks its workers: threads and futures do not come across a fork.
        if _executor is None or _executor_pid != os.getpid():
            _executor = ThreadPoolExecutor(max_workers=2, thread_name_prefix="healthz")
            _executor_pid = os.getpid()
            _in_flight.clear()
        running = _in_flight.get(name)
        if running is not None and not running.done():
            return running
        future = _executor.submit(probe)
        _in_flight[name] = future
        return future


def _wait(name: str, future: Future, deadline: float, timeout: float) -> bool:
    try:
        return bool(future.result(timeout=max(0.0, deadline - time.monotonic())))
    except FutureTimeout:
        logger.warning("healthz: %s check gave no answer within %.1f s", name, timeout)
        return False
    except Exception:
        logger.warning("healthz: %s check failed", name, exc_info=True)
        return False
