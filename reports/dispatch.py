"""Hand a report task to whatever runs jobs on this installation.

With a broker the task goes to Celery; without one (the embedded default) it runs in a
background thread of the web process, so the page still shows progress; tests run it
inline. A failed publish is logged and left to the sweep: the job row is already
committed, so nothing is lost and no page fails because Redis is down.

Tasks are named here, not imported: the services and the runner send the next step of a
job by the name its messages carry (as a worker receives it), and Celery's task registry
gives the task. reports.tasks defines each task under these names and calls the services
and the runner, so nothing below it imports it and no import goes round in a circle.
"""

import logging
import threading
import uuid
from concurrent.futures import ThreadPoolExecutor

from celery import Task, current_app
from django.conf import settings
from django.db import connections

from reports.runlog import log_failure

logger = logging.getLogger(__name__)

# The report tasks by name (reports/tasks.py: each is declared with `name=` one of these).
RENDER_DOCUMENT = "reports.tasks.render_document"
RENDER_EXPORT_PART = "reports.tasks.render_export_part"
FINISH_EXPORT = "reports.tasks.finish_export"
SWEEP_JOBS = "reports.tasks.sweep_jobs"
PURGE_EXPIRED = "reports.tasks.purge_expired"


def task_named(name: str) -> Task:
    """The registered task called `name` (reports.apps registers them in every process)."""
    return current_app.tasks[name]


_executor: ThreadPoolExecutor | None = None
_executor_lock = threading.Lock()


def _thread_pool() -> ThreadPoolExecutor:
    global _executor
    with _executor_lock:
        if _executor is None:
            _executor = ThreadPoolExecutor(max_workers=2, thread_name_prefix="report-job")
        return _executor


def _run_in_thread(task: Task, args: tuple[str | int, ...], task_id: str) -> None:
    try:
        task.apply(args=args, task_id=task_id)
    except Exception:
        log_failure("in-process report task %s failed", task.name)
    finally:
        # The thread's own database connections; the request's are not touched.
        connections.close_all()


# A page that asks for a PDF must answer at once when Redis is down or hung (accepting
# connections, answering nothing), not after the settings' socket timeouts, which suit the
# worker's long-lived connections. Measured with the fault tests: about 1 s with a hung
# broker, a few milliseconds with a stopped one.
PUBLISH_TIMEOUT_SECONDS = 1.0


def _publish(task, args: tuple[str | int, ...], task_id: str) -> None:
    """Send one message on a connection of its own with short timeouts and no retries.
    A fresh connection also means the first publish after a Redis restart does not fail on
    a pooled connection that Redis closed."""
    # The app the task is bound to: clinic.celery's, with the settings' broker.
    with task.app.connection_for_write(
        connect_timeout=PUBLISH_TIMEOUT_SECONDS,
        transport_options={
            "socket_timeout": PUBLISH_TIMEOUT_SECONDS,
            "socket_connect_timeout": PUBLISH_TIMEOUT_SECONDS,
            "max_retries": 0,
            "retry_on_timeout": False,
        },
    ) as connection:
        task.apply_async(args=args, task_id=task_id, retry=False, connection=connection)


def enqueue(task: Task | str, *args: str | int) -> bool:
    """Run or send `task(*args)` (a task or its name); the arguments are ids only. True
    when it was handed over (or ran), False when the broker refused it (the sweep sends it
    again)."""
    if isinstance(task, str):
        task = task_named(task)
    mode = settings.REPORT_JOBS_MODE
    task_id = str(uuid.uuid4())
    if mode == "inline":
        task.apply(args=args, task_id=task_id)
        return True
    if mode == "thread":
        _thread_pool().submit(_run_in_thread, task, args, task_id)
        return True
    try:
        _publish(task, args, task_id)
    except Exception:
        logger.warning("broker refused %s; the sweep will dispatch it again", task.name)
        return False
    return True
