"""Second connections to the test database and throwaway database roles, for tests that
look at the database from outside the app: as another role, another process, or another
database on the same server.

Roles belong to the whole server, not the test database, so each test makes its own
under a random name (the `roles` fixture) and drops it afterwards, with whatever it owns
or was granted in any database handed back first."""

import os
import secrets
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import quote

import psycopg
import pytest
from django.db import connection
from psycopg import sql

ROOT = Path(__file__).resolve().parents[2]


def connect(
    database: str | None = None, *, user: str | None = None, **kwargs
) -> psycopg.Connection:
    """A new connection to `database` (default: the test database), as `user` (default:
    the test run's own role). Trust authentication on the test server: no password."""
    s = connection.settings_dict
    return psycopg.connect(
        host=s["HOST"] or None,
        port=s["PORT"] or None,
        user=user or s["USER"] or None,
        password=None if user else s["PASSWORD"] or None,
        dbname=database or s["NAME"],
        **kwargs,
    )


def db_url(name: str | None = None, *, user: str | None = None) -> str:
    s = connection.settings_dict
    auth = quote(user or s["USER"] or "", safe="")
    if s["PASSWORD"] and not user:
        auth += ":" + quote(s["PASSWORD"], safe="")
    port = f":{s['PORT']}" if s["PORT"] else ""
    return f"postgres://{auth}@{s['HOST'] or ''}{port}/{quote(name or s['NAME'], safe='')}"


def admin(statement: sql.Composable, database: str = "postgres") -> None:
    with connect(database, autocommit=True) as conn:
        conn.execute(statement)


def drop_role(name: str) -> None:
    """Hand anything the role owns back to the test run's role (never drop a table by
    accident), revoke what it was granted in every database, then drop it."""
    role = sql.Identifier(name)
    with connect("postgres", autocommit=True) as conn:
        databases = [
            row[0]
            for row in conn.execute(
                """SELECT DISTINCT d.datname FROM pg_shdepend s
                   JOIN pg_database d ON d.oid = s.dbid
                   JOIN pg_roles r ON r.oid = s.refobjid AND r.rolname = %s""",
                [name],
            )
        ]
    for database in {*databases, connection.settings_dict["NAME"]}:
        with connect(database, autocommit=True) as conn:
            conn.execute(sql.SQL("REASSIGN OWNED BY {} TO CURRENT_USER").format(role))
            conn.execute(sql.SQL("DROP OWNED BY {}").format(role))
    admin(sql.SQL("DROP ROLE IF EXISTS {}").format(role))


@pytest.fixture
def roles() -> Iterator[Callable[..., str]]:
    """roles(attributes="LOGIN") makes a role with a random name; all are dropped after."""
    made: list[str] = []

    def make(attributes: str = "LOGIN", *, prefix: str = "clinic_test_") -> str:
        name = f"{prefix}{secrets.token_hex(4)}"
        admin(sql.SQL("CREATE ROLE {} " + attributes).format(sql.Identifier(name)))
        made.append(name)
        return name

    yield make
    for name in made:
        drop_role(name)


def manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    """manage.py in a new process (its own settings, connection and role)."""
    return run_python("manage.py", *args, **env)


def run_python(*args: str, **env: str) -> subprocess.CompletedProcess:
    """The project's Python in a new process, on the test settings unless env says so."""
    return subprocess.run(
        [sys.executable, *args],
        cwd=ROOT,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "tests.settings", **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def production_env(**extra: str) -> dict[str, str]:
    """What `make check-deploy` runs with: production settings (DEBUG and HTTPS from their
    defaults), a real key, a host name and a broker."""
    return {
        "DJANGO_SETTINGS_MODULE": "clinic.settings",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "clinic.example.org",
        "REDIS_URL": "redis://127.0.0.1:6379/0",
        **extra,
    }


def check_deploy(database_url: str) -> subprocess.CompletedProcess:
    """`manage.py check --deploy --fail-level WARNING` on production settings, connected
    with `database_url`."""
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
    env.update(production_env(DATABASE_URL=database_url))
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
