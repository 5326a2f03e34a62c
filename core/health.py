"""Health checks for /healthz: each returns True when the dependency answers."""

import logging

from django.conf import settings
from django.db import connection

logger = logging.getLogger(__name__)


def database_ok() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone() == (1,)
    except Exception:
        logger.warning("healthz: database check failed", exc_info=True)
        return False


def broker_state() -> str:
    """ "ok", "unavailable", or "in-process" when no broker is configured."""
    if settings.CELERY_TASK_ALWAYS_EAGER:
        return "in-process"
    from clinic.celery import app

    try:
        with app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
            return "ok"
    except Exception:
        logger.warning("healthz: broker check failed", exc_info=True)
        return "unavailable"
