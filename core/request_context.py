"""Who is asking and from where, for audit entries written deep inside services.

The middleware sets it per request; Celery tasks and management commands have none,
so their audit entries carry no address.
"""

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


def info_for(request: HttpRequest) -> RequestInfo:
    request_id = request.headers.get("X-Request-ID", "")[:64] or uuid.uuid4().hex
    return RequestInfo(ip_address=client_ip(request), request_id=request_id)


def current() -> RequestInfo | None:
    return _current.get()


def activate(info: RequestInfo | None):
    return _current.set(info)


def deactivate(token) -> None:
    _current.reset(token)
