"""Structured logs that carry no patient data.

One JSON object per line (LOG_FORMAT=json, the default with DEBUG off) or a readable line
(LOG_FORMAT=plain, for development), with the request id and the staff user's id, so a
line can be matched to the audit trail without holding what the audit trail holds.

What keeps patient data out, in layers:

- Code logs ids (job, request, user), never names, dates of birth, MRNs or answers.
- The app's own request line (``log_request``) replaces the web server's access log: the
  path without its query string, the view name, status and duration. No body, no query
  string, no referrer (which carries the previous page's query string).
- ``RedactFilter`` (on every handler) drops query strings from anything that looks like a
  URL, masks one-time link tokens, and replaces Celery's repr of a failed task's exception
  with its type. It is defence in depth for library messages we do not write, such as the
  development server's request line.
- The formatters print an exception's type and traceback (file, line, code) but not its
  message, which can quote a record ("invalid value 'Smith'"). They read only a fixed list
  of ``extra`` fields, so objects that libraries attach to records (Django's request,
  Celery's task arguments) are never serialised.
"""

from __future__ import annotations

import json
import logging
import re
import sys
import traceback
from collections.abc import Mapping
from contextvars import ContextVar, Token
from datetime import UTC, datetime
from typing import Any

from django.utils.functional import SimpleLazyObject, empty

from core import request_context

# `extra` fields a log line may carry besides the fixed ones. Anything else a record holds
# is ignored: libraries attach whole objects (Django's request, Celery's task arguments).
EXTRA_FIELDS = (
    "method",
    "path",
    "view",
    "status",
    "duration_ms",
    "status_code",
    "task_id",
    "task_name",
)
_MAX_FIELD = 500

# A path or URL followed by a query string: "/patients/?q=Smith", "https://h/x?a=b".
_QUERY = re.compile(r"((?:[a-zA-Z][a-zA-Z0-9+.-]*://[^\s/?#\"'<>]+)?/[^\s?#\"'<>]*)\?[^\s\"'<>]+")
# Path segments that are credentials: the one-time intake link's token.
_SECRET_SEGMENTS = (re.compile(r"(/kiosk/link/)[^/\s?#\"'<>]+"),)
REDACTED = "[redacted]"

# The request being served on this thread (set by core.middleware.RequestContextMiddleware),
# for the user id of lines logged while it runs.
_request: ContextVar[Any] = ContextVar("log_request", default=None)

request_logger = logging.getLogger("clinic.request")


def redact(text: str) -> str:
    """`text` with query strings and link tokens taken out of anything URL-like."""
    if "/" not in text:
        return text
    text = _QUERY.sub(r"\1?" + REDACTED, text)
    for pattern in _SECRET_SEGMENTS:
        text = pattern.sub(r"\1" + REDACTED, text)
    return text


def bind_request(request) -> Token:
    return _request.set(request)


def unbind_request(token: Token) -> None:
    _request.reset(token)


def user_id_of(request) -> int | None:
    """The signed-in staff user's id, without loading the user: logging must never run a
    database query (it may be logging one)."""
    if request is None:
        return None
    user = request.__dict__.get("user")
    if user is None:
        return None
    # `_wrapped` stays `empty` until something loads the lazy user; Django's stubs do not
    # declare this private attribute.
    if isinstance(user, SimpleLazyObject) and user._wrapped is empty:  # type: ignore[attr-defined]
        return None
    return user.pk if user.is_authenticated else None


def _current_task() -> tuple[str | None, str | None]:
    # Only look when Celery is loaded (a worker); the web server's master never imports it.
    state = sys.modules.get("celery._state")
    task = state.get_current_task() if state is not None else None
    if task is None or task.request is None or task.request.id is None:
        return None, None
    return task.request.id, task.name


def log_request(request, *, status: int, duration_ms: float) -> None:
    """One line per request: what was asked for and how it went, and nothing it carried."""
    match = getattr(request, "resolver_match", None)
    path = redact(request.path)
    method = (request.method or "")[:16]
    if path.startswith(("/static/", "/healthz")):
        level = logging.DEBUG  # asset fetches and health probes would drown the rest
    elif status >= 500:
        level = logging.ERROR
    else:
        level = logging.INFO
    request_logger.log(
        level,
        "%s %s %s %.0fms",
        method,
        path,
        status,
        duration_ms,
        extra={
            "method": method,
            "path": path,
            "view": match.view_name if match is not None else "",
            "status": status,
            "duration_ms": round(duration_ms, 1),
            "user_id": user_id_of(request),
        },
    )


class ContextFilter(logging.Filter):
    """Stamp each record with the request id and user id (or the Celery task) it was
    logged under, unless the caller set them."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            info = request_context.current()
            record.request_id = info.request_id if info is not None else None
        if not hasattr(record, "user_id"):
            record.user_id = user_id_of(_request.get())
        if not hasattr(record, "task_id"):
            record.task_id, record.task_name = _current_task()
        return True


# Celery's task log lines put these in their arguments: a repr of the exception (its
# message can quote a record) and the task's return value.
_CELERY_UNSAFE_ARGS = ("exc", "return_value")


class RedactFilter(logging.Filter):
    """Take query strings, link tokens and exception messages out of the message itself."""

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args
        if isinstance(args, Mapping) and any(k in args for k in _CELERY_UNSAFE_ARGS):
            args = dict(args)
            if "exc" in args:
                exc_type = record.exc_info[0] if record.exc_info else None
                args["exc"] = exc_type.__name__ if exc_type else str(args["exc"]).split("(")[0]
            if "return_value" in args:
                args["return_value"] = "-"
            record.args = args
        try:
            message = record.getMessage()
        except Exception:  # a bad format string: let logging report it as usual
            return True
        record.msg, record.args = redact(message), None
        return True


def _type_name(exc_type: type) -> str:
    module = exc_type.__module__
    return exc_type.__qualname__ if module == "builtins" else f"{module}.{exc_type.__qualname__}"


def format_exception(exc_info) -> str:
    """The traceback, each exception in the chain named by its type only."""
    exc_type, exc, tb = exc_info
    chain = []
    seen = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        chain.append(exc)
        exc = exc.__cause__ or (None if exc.__suppress_context__ else exc.__context__)
    parts = []
    for i, item in enumerate(reversed(chain)):
        if i:
            parts.append("\nDuring handling of the above, another exception occurred:\n\n")
        frames = traceback.extract_tb(item.__traceback__ if item is not chain[0] else tb)
        if frames:
            parts.append("Traceback (most recent call last):\n")
            parts.extend(traceback.format_list(frames))
        parts.append(f"{_type_name(type(item))} (message not logged)\n")
    if not chain and exc_type is not None:
        parts.append(f"{_type_name(exc_type)} (message not logged)\n")
    return "".join(parts).rstrip("\n")


def _scalar(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | float):
        return value
    return redact(str(value))[:_MAX_FIELD]


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, request_id, user_id, the
    Celery task when there is one, the exception's type and traceback, and the fields in
    EXTRA_FIELDS that the record carries."""

    def format(self, record: logging.LogRecord) -> str:
        data: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, tz=UTC)
            .isoformat(timespec="milliseconds")
            .replace("+00:00", "Z"),
            "level": record.levelname,
            "logger": record.name,
            # Redacted again here in case a handler was configured without RedactFilter.
            "message": redact(record.getMessage()),
            "request_id": getattr(record, "request_id", None),
            "user_id": getattr(record, "user_id", None),
        }
        for field in EXTRA_FIELDS:
            value = getattr(record, field, None)
            if value is not None and field not in data:
                data[field] = _scalar(value)
        if record.exc_info and record.exc_info[0] is not None:
            data["exc_type"] = _type_name(record.exc_info[0])
            data["traceback"] = format_exception(record.exc_info)
        if record.stack_info:
            data["stack"] = record.stack_info
        return json.dumps(data, ensure_ascii=False, default=str)


class PlainFormatter(logging.Formatter):
    """A readable line for development, with the same redaction and exception rules."""

    def format(self, record: logging.LogRecord) -> str:
        # Not Formatter.format: it would reuse record.exc_text, which another handler may
        # have filled with the exception's message.
        context = []
        if (request_id := getattr(record, "request_id", None)) is not None:
            context.append(f"req={request_id}")
        if (user_id := getattr(record, "user_id", None)) is not None:
            context.append(f"user={user_id}")
        if (task_id := getattr(record, "task_id", None)) is not None:
            context.append(f"task={task_id}")
        line = "%s %s %s %s%s" % (  # noqa: UP031
            self.formatTime(record),
            record.levelname,
            record.name,
            f"[{' '.join(context)}] " if context else "",
            redact(record.getMessage()),
        )
        if record.exc_info and record.exc_info[0] is not None:
            line += "\n" + format_exception(record.exc_info)
        if record.stack_info:
            line += "\n" + record.stack_info
        return line
