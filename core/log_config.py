"""The logging configuration the app (settings.LOGGING) and gunicorn (gunicorn.conf.py)
share. Plain data, nothing from Django, so both can read it before Django is set up; the
filters and formatters it names are in core/logging.py."""

from collections.abc import Mapping


def log_format(value: str | None, *, debug: bool) -> str:
    """LOG_FORMAT: json (the default with DEBUG off) or plain (the default with it on)."""
    fmt = value or ("plain" if debug else "json")
    if fmt not in ("json", "plain"):
        raise ValueError("LOG_FORMAT must be json or plain.")
    return fmt


def config(*, level: str, fmt: str, loggers: Mapping[str, dict] | None = None) -> dict:
    """The dictConfig both the app (settings.LOGGING) and gunicorn (gunicorn.conf.py) use:
    one handler, on stderr, that every logger reaches, so nothing gets past its filters.
    `loggers` adds each program's own."""
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {
            "context": {"()": "core.logging.ContextFilter"},
            "redact": {"()": "core.logging.RedactFilter"},
        },
        "formatters": {
            "json": {"()": "core.logging.JsonFormatter"},
            "plain": {"()": "core.logging.PlainFormatter"},
        },
        "handlers": {
            "console": {
                "class": "logging.StreamHandler",
                "stream": "ext://sys.stderr",
                "formatter": fmt,
                "filters": ["context", "redact"],
            }
        },
        "root": {"handlers": ["console"], "level": level.upper()},
        "loggers": dict(loggers or {}),
    }
