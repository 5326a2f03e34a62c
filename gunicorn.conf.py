"""gunicorn settings for the web container: `gunicorn -c gunicorn.conf.py clinic.wsgi:application`
(docker-compose.yml and the Dockerfile). Values come from the environment; the defaults are
what the stack has always run with.

No access log: gunicorn's prints the full request line, query string included, and the
referrer (the previous page's query string). The app logs one line per request itself,
without either (core.logging.log_request). gunicorn's own messages go to stderr through
the same formatter and redaction filter as the app's (core/logging.py).
"""

import os
from pathlib import Path

import environ

from core import log_config

# The same .env as settings.py (real environment variables win), for installs without
# docker-compose.
environ.Env.read_env(Path(__file__).resolve().parent / ".env", overwrite=False)


def _int(name: str, default: int) -> int:
    # An empty value (a bare "NAME=" in .env) means the default, as in settings.py.
    return int(os.environ.get(name) or default)


bind = os.environ.get("GUNICORN_BIND") or "0.0.0.0:8000"
# gthread: keep-alive connections wait in the worker's poller, not in a thread. Processes
# rather than many threads: a thread that renders the evaluation page holds the GIL, and
# every other thread of its process waits for it between its database round trips.
# bench/load.py measured 5 x 2 (2 x cores + 1 on the 2-core reference machine) against
# the former 3 x 4: every p95 a fifth to a quarter lower on the same CPU. On a bigger host
# set GUNICORN_WORKERS to 2 x cores + 1.
worker_class = "gthread"
workers = _int("GUNICORN_WORKERS", 5)
threads = _int("GUNICORN_THREADS", 2)
# A request still running after this many seconds has its worker restarted.
timeout = _int("GUNICORN_TIMEOUT", 60)
graceful_timeout = 30
# The heartbeat file on tmpfs: a container's overlay filesystem can stall fsync long
# enough for the arbiter to kill healthy workers. gunicorn creates it with mkstemp.
_SHM = "/dev/shm"  # noqa: S108
worker_tmp_dir = _SHM if os.path.isdir(_SHM) else None

# Bounds on what one request may send before the app sees it. The app's URLs are short
# (UUIDs, and searches are POSTed); 8190 bytes per header leaves room for the cookies.
limit_request_line = 4094
limit_request_fields = 60
limit_request_field_size = 8190

accesslog = None
errorlog = "-"
loglevel = (os.environ.get("LOG_LEVEL") or "info").lower()

_format = log_config.log_format(
    os.environ.get("LOG_FORMAT"), debug=environ.Env().bool("DEBUG", default=False)
)
logconfig_dict = log_config.config(
    level=loglevel,
    fmt=_format,
    loggers={
        "gunicorn.error": {"level": loglevel.upper(), "handlers": ["console"], "propagate": False},
        # A logging config switches gunicorn's access log on; keep it silent (see above).
        "gunicorn.access": {"level": "CRITICAL", "handlers": [], "propagate": False},
    },
)


def pre_request(worker, req) -> None:
    """Close the connection after a request the app refuses from its headers (a body too
    large, or sent without a length: core.limits). The app answers before reading the
    body; left open, gunicorn would try to read the rest of it as what comes next, and a
    client that stopped sending would wait for an answer to its next request that never
    comes. The Django app is loaded in the worker before any request reaches it."""
    from core.limits import refusal

    headers = {name: value for name, value in req.headers}
    if refusal(
        content_type=headers.get("CONTENT-TYPE", ""),
        content_length=headers.get("CONTENT-LENGTH", ""),
        transfer_encoding=headers.get("TRANSFER-ENCODING", ""),
    ):
        req.must_close = True
