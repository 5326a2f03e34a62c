import os

from celery import Celery
from celery.signals import setup_logging

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
