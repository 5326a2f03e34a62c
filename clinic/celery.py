import os

from celery import Celery
from celery.signals import setup_logging
from kombu import Connection

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clinic.settings")

app = Celery("clinic")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@setup_logging.connect
def _use_django_logging(**kwargs) -> None:
    """Worker and beat log through settings.LOGGING (JSON lines with redaction, LOG_LEVEL,
    core/logging.py) instead of Celery's own format, which prints a failed task's exception
    message. Having a receiver for this signal is what stops Celery configuring logging
    itself, so its --loglevel option has no effect: LOG_LEVEL applies."""
    from logging.config import dictConfig

    from django.conf import settings

    dictConfig(settings.LOGGING)


# --- The worker must survive losing Redis ----------------------------------------------
#
# With celery 5.7.0 and kombu 5.7.0 (the latest releases), a worker that loses Redis while
# it has a task unacknowledged and a BRPOP outstanding exits with
#     CRITICAL celery.worker Unrecoverable error: AttributeError("'NoneType' object has no
#     attribute 'hostname'")
# instead of reconnecting. A BRPOP is outstanding whenever the pool has a free process
# (prefetch is one per process), that is whenever fewer tasks run than its concurrency: at
# the end of every export, its last part or its finish task running alone. With no worker
# left, that task's message waits in Redis for the visibility timeout (an hour), so the
# export sat at "running 34/34" until someone restarted the worker.
#
# How: on a connection error, celery 5.7's Consumer.on_connection_error_after_connected
# calls connection.collect() and then, new in 5.7, connection.close() too.
#   1. collect() closes the default channel (the one consuming tasks). With a BRPOP
#      outstanding, redis Channel.close() first reads its reply; the socket is dead, so that
#      raises a ConnectionError, which kombu swallows: the channel is left open, holding
#      the unacknowledged message. collect() then detaches the transport from the
#      connection (transport.client = None) and drops the connection, but keeps its
#      reference to the default channel.
#   2. close() closes the default channel again. Restoring its unacknowledged message
#      builds a new Redis pool from self.connection.client.hostname, and client is None.
#      An AttributeError is not a connection error, so it escapes ignore_errors() and the
#      consumer's reconnect handler, and the worker stops.
# Whether Redis goes while a BRPOP is outstanding is a matter of timing: hence "2 of 5
# outages". Celery 5.6.3 called only collect(), so it did not happen there. The same
# `_connparams` trace on a collected connection is kombu#582; celery#9250 and #7185 are
# earlier crashes of this cancel-on-connection-loss path.
#
# The fix: collect() also forgets the default channel, as it forgets the connection, so the
# close() after it has nothing left to close. Nothing is lost: the message stays in Redis's
# unacked set and comes back after the visibility timeout, and the report sweep dispatches
# the job's work again long before that (reports/services.py, jobs_sweep).
# tests/faults/test_broker_drop.py runs the consumer's own handler against a real Redis with
# and without this; when the unpatched run stops failing, a release has fixed it and this
# can go.
_kombu_collect = Connection.collect


def _collect_and_forget_default_channel(
    self: Connection, socket_timeout: float | None = None
) -> None:
    try:
        _kombu_collect(self, socket_timeout)
    finally:
        # kombu's private attribute, which celery-types' stubs do not declare.
        self._default_channel = None  # type: ignore[attr-defined]


# Replacing the method is the point of the patch (above).
Connection.collect = _collect_and_forget_default_channel  # type: ignore[method-assign]
