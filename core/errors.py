"""Error pages that tell staff what happened without leaking anything."""

import logging
import sys

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template import loader

from core.limits import too_large_response

logger = logging.getLogger("clinic.security")


def bad_request(request: HttpRequest, exception=None) -> HttpResponse:
    # Form text over DATA_UPLOAD_MAX_MEMORY_SIZE inside an upload that passed the size
    # check on its headers: the same "too large" page as core.limits gives.
    if isinstance(exception, RequestDataTooBig):
        return too_large_response(limit=settings.DATA_UPLOAD_MAX_MEMORY_SIZE)
    return render(request, "errors/400.html", status=400)


def permission_denied(request: HttpRequest, exception=None) -> HttpResponse:
    from audit.models import AuditEvent
    from audit.services import audit_record

    user = getattr(request, "user", None)
    logger.warning("access refused: user=%s path=%s", getattr(user, "pk", None), request.path)
    if user is not None and user.is_authenticated:
        audit_record(
            actor=user,
            action=AuditEvent.Action.DENIED,
            summary=f"Refused {request.method} {request.path}"[:255],
        )
    return render(request, "errors/403.html", status=403)


def not_found(request: HttpRequest, exception=None) -> HttpResponse:
    return render(request, "errors/404.html", status=404)


def server_error(request: HttpRequest) -> HttpResponse:
    from core.unavailable import database_unavailable, database_unreachable

    # Called while the exception is being handled: a database that is down is a 503 with
    # its own page, not a fault in the app.
    if database_unreachable(sys.exc_info()[1]):
        return database_unavailable(request)
    # No context processors: the database may be what failed.
    return HttpResponse(loader.get_template("errors/500.html").render(), status=500)
