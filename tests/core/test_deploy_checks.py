"""`check --deploy` on production settings passes, and the project's own deploy checks
catch each setting that would weaken a live installation. (The database-role check, which
depends on the role a database is reached as, is in tests/ops/test_db_roles.py.)"""

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.checks import run_checks

from core import db_roles

ROOT = Path(__file__).resolve().parents[2]
# What the database-role check says depends on the database and the role the tests reach
# it as (on PostgreSQL a superuser), not on the settings under test here.
DATABASE_ROLE_IDS = {
    "clinic.I050",
    db_roles.SUPERUSER,
    db_roles.OWNER,
    db_roles.PRIVILEGE,
    db_roles.REPLICATION_ROLE,
    db_roles.CREATE_ROLE,
    db_roles.CREATE_OBJECTS,
    db_roles.TRIGGERS,
    db_roles.CANNOT_AUDIT,
    db_roles.UNCHECKED,
}


def _deploy_ids() -> set[str]:
    ids = {m.id for m in run_checks(include_deployment_checks=True) if m.id.startswith("clinic.")}
    return ids - DATABASE_ROLE_IDS


def test_production_settings_pass_check_deploy_at_warning_level(tmp_path):
    # As `make check-deploy` runs it: on the embedded SQLite default, where the role check
    # only notes that the audit trail is not tamper-protected, without opening the file.
    database = tmp_path / "db.sqlite3"
    env = {
        key: value
        for key, value in os.environ.items()
        if key
        not in {
            "DEBUG",
            "HTTPS",
            "SECURE_SSL_REDIRECT",
            "SECURE_HSTS_SECONDS",
            "CELERY_BROKER_URL",
            # Set by the browser tests' conftest for Playwright; never in production.
            "DJANGO_ALLOW_ASYNC_UNSAFE",
        }
    }
    env.update(
        DJANGO_SETTINGS_MODULE="clinic.settings",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="clinic.example.org",
        REDIS_URL="redis://127.0.0.1:6379/0",
        DATABASE_URL=f"sqlite:///{database}",
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    output = result.stdout + result.stderr
    assert "clinic.I050" in output and "not tamper-protected" in output
    assert not database.exists()


def test_the_project_checks_are_quiet_on_the_shipped_settings():
    # The test settings differ from production only in HTTPS and hashing; the broker may be
    # absent when the fast suite runs without Redis.
    assert _deploy_ids() - {"clinic.W032"} == set()


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"STAFF_IDLE_MINUTES": 60}, "clinic.W001"),
        ({"SESSION_ABSOLUTE_SECONDS": 14 * 24 * 3600}, "clinic.W002"),
        ({"SESSION_EXPIRE_AT_BROWSER_CLOSE": False}, "clinic.W003"),
        ({"AXES_FAILURE_LIMIT": 1000}, "clinic.W013"),
        ({"AXES_LOCKOUT_PARAMETERS": ["ip_address"]}, "clinic.W014"),
        ({"AUTHENTICATION_BACKENDS": ["django.contrib.auth.backends.ModelBackend"]}, "clinic.W011"),
        ({"CELERY_RESULT_EXTENDED": True}, "clinic.W030"),
        (
            {"CELERY_RESULT_BACKEND": "redis://x", "CELERY_TASK_IGNORE_RESULT": False},
            "clinic.W031",
        ),
        ({"CELERY_TASK_ALWAYS_EAGER": True}, "clinic.W032"),
    ],
)
def test_each_weakened_setting_is_caught(settings, change, expected):
    for name, value in change.items():
        setattr(settings, name, value)
    assert expected in _deploy_ids()


def test_a_csp_allowing_inline_or_eval_script_is_caught(settings):
    policy = {"DIRECTIVES": dict(settings.CONTENT_SECURITY_POLICY["DIRECTIVES"])}
    policy["DIRECTIVES"]["script-src"] = ["'self'", "'unsafe-inline'", "'unsafe-eval'"]
    settings.CONTENT_SECURITY_POLICY = policy
    assert "clinic.W022" in _deploy_ids()


def test_missing_security_middleware_is_caught(settings):
    settings.MIDDLEWARE = [
        m
        for m in settings.MIDDLEWARE
        if m
        not in {
            "csp.middleware.CSPMiddleware",
            "axes.middleware.AxesMiddleware",
            "django_otp.middleware.OTPMiddleware",
            "core.middleware.IdleTimeoutMiddleware",
        }
    ]
    assert {"clinic.W004", "clinic.W010", "clinic.W020", "clinic.W040"} <= _deploy_ids()
