"""Who is asking and from where, for audit entries written deep inside services.

The middleware sets it per request; Celery tasks and management commands have none,
so their audit entries carry no address.
"""

import re
import uuid
from contextvars import ContextVar
from dataclasses import dataclass

from django.conf import settings
from django.http import HttpRequest


@dataclass(frozen=True)
class RequestInfo:
    ip_address: str | None
    request_id: str


_current: ContextVar[RequestInfo | None] = ContextVar("request_info", default=None)


def client_ip(request: HttpRequest) -> str | None:
    """The client's address, trusting only as many X-Forwarded-For hops as we have proxies."""
    proxies = settings.TRUSTED_PROXY_COUNT
    if proxies:
        forwarded = [p.strip() for p in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        forwarded = [p for p in forwarded if p]
        if len(forwarded) >= proxies:
            return forwarded[-proxies]
    return request.META.get("REMOTE_ADDR") or None


# What a proxy's request id may look like (a UUID, a hex or base64url token, nginx's
# $request_id): it lands in audit rows and log lines, so nothing else gets in.
_REQUEST_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{7,63}")


def _trusted_request_id(request: HttpRequest) -> str | None:
    """The incoming X-Request-ID, only behind a trusted proxy (TRUSTED_PROXY_COUNT), which
    sets it for every request, and only when it is well-formed. Without a proxy any client
    could choose the id its audit entries carry, and tie them to someone else's."""
    if not settings.TRUSTED_PROXY_COUNT:
        return None
    value = request.headers.get("X-Request-ID", "")
    return value if _REQUEST_ID.fullmatch(value) else None


def info_for(request: HttpRequest) -> RequestInfo:
    request_id = _trusted_request_id(request) or uuid.uuid4().hex
    return RequestInfo(ip_address=client_ip(request), request_id=request_id)


def current() -> RequestInfo | None:
    return _current.get()


def activate(info: RequestInfo | None):
    return _current.set(info)


def deactivate(token) -> None:
    _current.reset(token)
