"""The answer while the database is down: 503 with a page (or, for htmx, a line of text)
that says nothing was lost, instead of a generic 500.

Called from the 500 handler (core.errors.server_error) with the exception being handled:
a failed connection is raised as early as the session middleware, before any view, so a
view decorator or process_exception would miss most of them. Nothing here may touch the
database: the page renders without request context processors, and who is asking is read
from the URL and headers only, never from the session.
"""

from __future__ import annotations

from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse
from django.template import loader
from django.utils import translation
from django.utils.translation import gettext

from core.languages import locale_for, patient_language

# PostgreSQL's SQLSTATEs for "not reachable" (class 08: connection exception) and for a
# server shutting down or starting up.
_UNREACHABLE_STATES = ("57P01", "57P02", "57P03")
# SQLite: the file is locked by another writer or cannot be opened.
_SQLITE_UNREACHABLE = {"SQLITE_BUSY", "SQLITE_LOCKED", "SQLITE_CANTOPEN", "SQLITE_IOERR"}
# A client that retries on its own (a monitor, htmx with a retry extension) waits this long.
RETRY_AFTER_SECONDS = 15


def database_unreachable(exc: BaseException | None) -> bool:
    """True when `exc` says the database could not be reached or dropped the connection,
    not that a query was wrong (a missing table is an OperationalError too, and a bug)."""
    if isinstance(exc, InterfaceError):
        return True
    if not isinstance(exc, OperationalError):
        return False
    cause = exc.__cause__
    if cause is not None and hasattr(cause, "sqlite_errorname"):
        # Extended names (SQLITE_IOERR_SHORT_READ) by their primary code.
        return "_".join(cause.sqlite_errorname.split("_")[:2]) in _SQLITE_UNREACHABLE
    # psycopg: no SQLSTATE at all when the connection failed or was lost.
    state = getattr(cause, "sqlstate", None)
    return state is None or state.startswith("08") or state in _UNREACHABLE_STATES


def database_unavailable(request: HttpRequest) -> HttpResponse:
    patient = request.path.startswith("/kiosk/")
    if not patient:
        return _unavailable(request, patient=False)
    # The patient's language as the device keeps it (intake.language.remember): a cookie
    # or the browser's, read from the request alone.
    code = patient_language(translation.get_language_from_request(request))
    with translation.override(locale_for(code)):
        return _unavailable(request, patient=True)


def _unavailable(request: HttpRequest, *, patient: bool) -> HttpResponse:
    # Django logs the exception with the 503 (django.request), so no log line here.
    if request.headers.get("HX-Request"):
        # The line htmx shows in the screen's save status (static/js/intake.js and
        # evaluation.js): the page and what was typed on it stay as they are.
        text = (
            gettext(
                "Not saved yet: the clinic's system is not answering. Your answers stay on "
                "this screen and are saved as soon as it is back."
            )
            if patient
            else gettext(
                "Not saved: the clinic's records system is not answering. What you typed "
                "stays here and is saved with your next change once it is back."
            )
        )
        response = HttpResponse(text, status=503, content_type="text/plain; charset=utf-8")
    else:
        page = loader.get_template("errors/503.html").render({"patient": patient})
        response = HttpResponse(page, status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response
