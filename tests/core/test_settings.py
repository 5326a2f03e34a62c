"""Settings come from the environment; production refuses an unsafe secret key."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _load_settings(**env):
    clean = {
        k: v
        for k, v in os.environ.items()
        if k not in {"SECRET_KEY", "DEBUG", "DATABASE_URL", "REDIS_URL", "CELERY_BROKER_URL"}
    }
    clean.update(env, DJANGO_SETTINGS_MODULE="clinic.settings")
    code = (
        "import django; django.setup(); from django.conf import settings as s; "
        "print(s.DATABASES['default']['ENGINE'], s.CELERY_TASK_ALWAYS_EAGER, "
        "s.DATABASES['default'].get('CONN_MAX_AGE'))"
    )
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        check=False,
    )


def test_it_refuses_to_start_without_a_secret_key_when_debug_is_off():
    result = _load_settings(DEBUG="false")
    assert result.returncode != 0
    assert "Set SECRET_KEY" in result.stderr


def test_it_refuses_the_development_key_when_debug_is_off():
    result = _load_settings(
        DEBUG="false", SECRET_KEY="dev-only-insecure-key-do-not-use-in-production"
    )
    assert result.returncode != 0


def test_the_embedded_defaults_are_sqlite_and_in_process_tasks():
    result = _load_settings(DEBUG="true")
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["django.db.backends.sqlite3", "True", "0"]


def test_database_url_and_redis_url_switch_to_postgresql_and_a_broker():
    result = _load_settings(
        DEBUG="false",
        SECRET_KEY="x" * 50,
        DATABASE_URL="postgres://postgres@127.0.0.1:5432/whatever",
        REDIS_URL="redis://127.0.0.1:6379/0",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["django.db.backends.postgresql", "False", "60"]
