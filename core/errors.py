"""Error pages that tell staff what happened without leaking anything."""

import logging

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template import loader

logger = logging.getLogger("clinic.security")


def bad_request(request: HttpRequest, exception=None) -> HttpResponse:
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
    # No context processors: the database may be what failed.
    return HttpResponse(loader.get_template("errors/500.html").render(), status=500)
