"""Deploy checks for what Django's own `check --deploy` does not look at.

CI runs `manage.py check --deploy --fail-level WARNING` on production settings, so a
setting that would weaken a live installation fails the build rather than a clinic.
"""

from django.conf import settings
from django.core.checks import CheckMessage, Info, Tags, Warning, register
from django.db import DEFAULT_DB_ALIAS, connections

from core import db_roles

# Longer than a working day is not a "session" on a shared clinic tablet.
MAX_ABSOLUTE_SESSION_SECONDS = 12 * 60 * 60
MAX_IDLE_MINUTES = 15
MAX_FAILURE_LIMIT = 10
UNSAFE_SOURCES = ("'unsafe-inline'", "'unsafe-eval'", "*", "data:", "http:", "https:")


@register(Tags.security, deploy=True)
def session_lifetime(app_configs, **kwargs) -> list[Warning]:
    problems = []
    if settings.STAFF_IDLE_MINUTES > MAX_IDLE_MINUTES:
        problems.append(
            Warning(
                f"STAFF_IDLE_MINUTES is {settings.STAFF_IDLE_MINUTES}: staff sessions should "
                f"end after at most {MAX_IDLE_MINUTES} minutes without use.",
                id="clinic.W001",
            )
        )
    if getattr(settings, "SESSION_ABSOLUTE_SECONDS", None) is None or (
        settings.SESSION_ABSOLUTE_SECONDS > MAX_ABSOLUTE_SESSION_SECONDS
    ):
        problems.append(
            Warning(
                "The absolute session lifetime (SESSION_COOKIE_AGE) is missing or longer "
                "than 12 hours.",
                id="clinic.W002",
            )
        )
    if not settings.SESSION_EXPIRE_AT_BROWSER_CLOSE:
        problems.append(
            Warning(
                "SESSION_EXPIRE_AT_BROWSER_CLOSE is off: a closed browser on a shared tablet "
                "would reopen signed in.",
                id="clinic.W003",
            )
        )
    middleware = settings.MIDDLEWARE
    if "core.middleware.IdleTimeoutMiddleware" not in middleware:
        problems.append(
            Warning("IdleTimeoutMiddleware is not installed: no idle sign-out.", id="clinic.W004")
        )
    return problems


@register(Tags.security, deploy=True)
def lockout_configured(app_configs, **kwargs) -> list[Warning]:
    problems = []
    if "axes" not in settings.INSTALLED_APPS or (
        "axes.middleware.AxesMiddleware" not in settings.MIDDLEWARE
    ):
        return [
            Warning(
                "django-axes is not installed (app and middleware): repeated failed sign-ins "
                "are not locked out.",
                id="clinic.W010",
            )
        ]
    backends = settings.AUTHENTICATION_BACKENDS
    if not backends or not backends[0].startswith("axes.backends."):
        problems.append(
            Warning(
                "An axes backend must come first in AUTHENTICATION_BACKENDS, or locked-out "
                "accounts can still sign in.",
                id="clinic.W011",
            )
        )
    if not getattr(settings, "AXES_ENABLED", True):
        problems.append(Warning("AXES_ENABLED is off.", id="clinic.W012"))
    limit = getattr(settings, "AXES_FAILURE_LIMIT", 3)
    if not 0 < limit <= MAX_FAILURE_LIMIT:
        problems.append(
            Warning(
                f"AXES_FAILURE_LIMIT is {limit}: lock out after at most {MAX_FAILURE_LIMIT}.",
                id="clinic.W013",
            )
        )
    parameters = getattr(settings, "AXES_LOCKOUT_PARAMETERS", None) or ["ip_address"]
    if any(p == "ip_address" or p == ["ip_address"] for p in parameters):
        problems.append(
            Warning(
                "AXES_LOCKOUT_PARAMETERS locks by address alone: clinic tablets share one "
                "address, so one person's typos would lock out the whole clinic.",
                hint='Use [["username", "ip_address"]].',
                id="clinic.W014",
            )
        )
    return problems


@register(Tags.security, deploy=True)
def content_security_policy(app_configs, **kwargs) -> list[Warning]:
    if "csp.middleware.CSPMiddleware" not in settings.MIDDLEWARE:
        return [Warning("django-csp's CSPMiddleware is not installed.", id="clinic.W020")]
    policy = getattr(settings, "CONTENT_SECURITY_POLICY", None) or {}
    directives = policy.get("DIRECTIVES") or {}
    problems = []
    if not directives.get("default-src"):
        problems.append(Warning("The CSP has no default-src.", id="clinic.W021"))
    scripts = directives.get("script-src") or directives.get("default-src") or []
    unsafe = [s for s in scripts if s in UNSAFE_SOURCES]
    if unsafe:
        problems.append(
            Warning(
                f"The CSP's script-src allows {', '.join(unsafe)}: an injected script would run.",
                id="clinic.W022",
            )
        )
    if directives.get("frame-ancestors") != ["'none'"]:
        problems.append(
            Warning("The CSP should forbid framing (frame-ancestors 'none').", id="clinic.W023")
        )
    if getattr(settings, "CONTENT_SECURITY_POLICY_REPORT_ONLY", None) and not directives:
        problems.append(Warning("The CSP is report-only.", id="clinic.W024"))
    return problems


@register(Tags.security, deploy=True)
def task_results(app_configs, **kwargs) -> list[Warning]:
    """Task arguments are ids, but a result store copying arguments (or results holding a
    PDF's text) would put patient data in Redis, outside the audit trail and backups."""
    problems = []
    if getattr(settings, "CELERY_RESULT_EXTENDED", False):
        problems.append(
            Warning("CELERY_RESULT_EXTENDED stores task arguments with results.", id="clinic.W030")
        )
    if getattr(settings, "CELERY_RESULT_BACKEND", None) and not getattr(
        settings, "CELERY_TASK_IGNORE_RESULT", False
    ):
        problems.append(
            Warning(
                "A Celery result backend is set and results are kept; job state belongs in "
                "the database (reports.ReportJob).",
                id="clinic.W031",
            )
        )
    if getattr(settings, "CELERY_TASK_ALWAYS_EAGER", False):
        problems.append(
            Warning(
                "No broker (REDIS_URL) is set: PDF jobs would run inside the web processes.",
                id="clinic.W032",
            )
        )
    return problems


@register(Tags.security, deploy=True)
def second_factor(app_configs, **kwargs) -> list[Warning]:
    if "django_otp.middleware.OTPMiddleware" not in settings.MIDDLEWARE:
        return [
            Warning(
                "django-otp's OTPMiddleware is not installed: staff two-factor sign-in is off.",
                id="clinic.W040",
            )
        ]
    return []


@register(Tags.security, Tags.database, deploy=True)
def audit_trail_database_role(app_configs, databases=None, **kwargs) -> list[CheckMessage]:
    """On PostgreSQL, connect and make sure the role the app runs as cannot switch off the
    audit table's append-only triggers (core/db_roles.py), and that they are on.

    Deploy checks only run under `check --deploy`, so only then does this connect. Run it
    with the app's own DATABASE_URL (in the stack: `docker-compose run --rm web python
    manage.py check --deploy --fail-level WARNING`). `make check-deploy` runs on SQLite,
    where this says so as an Info and does not connect."""
    messages: list[CheckMessage] = []
    for alias in databases or [DEFAULT_DB_ALIAS]:
        connection = connections[alias]
        if connection.vendor != "postgresql":
            messages.append(
                Info(
                    f"The {alias!r} database is {connection.display_name}: the audit trail is "
                    "not tamper-protected there. The app refuses to change it, but anyone who "
                    "can open the database file can edit it.",
                    hint="Use PostgreSQL with separate owner and runtime roles in production "
                    "(docs/operations.md, Database roles).",
                    id="clinic.I050",
                )
            )
            continue
        try:
            with connection.cursor() as cursor:
                role = db_roles.connected_role(cursor)
                problems = db_roles.role_problems(cursor, role) + db_roles.trigger_problems(cursor)
        except Exception as exc:
            # Unreachable database, wrong password, missing privilege: say what went wrong
            # rather than end `check` with a traceback; it could not vouch for the trail.
            messages.append(
                Warning(
                    f"Could not check who can change the audit trail in the {alias!r} "
                    f"database: {type(exc).__name__}: {str(exc).strip() or 'no detail'}",
                    hint="Run the check where the app runs, with its DATABASE_URL, while the "
                    "database is up.",
                    id=db_roles.UNCHECKED,
                )
            )
            continue
        messages += [Warning(p.message, hint=p.hint, id=p.id) for p in problems]
    return messages
