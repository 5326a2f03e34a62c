"""Refuse request bodies too large to be anything the clinic's forms send, before any of
the body is read.

Django limits what it parses (DATA_UPLOAD_MAX_MEMORY_SIZE, DATA_UPLOAD_MAX_NUMBER_FIELDS)
but only once a view or middleware touches request.POST, and answers with a generic 400.
This middleware runs early (right after SecurityMiddleware) and looks only at headers: a
declared length over the limit gets 413 and a page that says what happened, and a body
sent without a declared length (chunked) gets 411. Django reads nothing of a body with no
Content-Length (WSGIRequest limits its stream to the declared length), so without this a
chunked form post would silently arrive empty.
"""

import logging
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.template import loader

logger = logging.getLogger("clinic.security")


def human_size(size: int) -> str:
    """1048576 -> "1 MB", 1572864 -> "1.5 MB", 300000 -> "293 KB"."""
    if size >= 1024 * 1024:
        return f"{size / (1024 * 1024):.1f}".removesuffix(".0") + " MB"
    return f"{max(1, round(size / 1024))} KB"


def request_limit(request: HttpRequest) -> int:
    """Largest body accepted for this request: MAX_REQUEST_BYTES for multipart bodies
    (which may carry an upload), DATA_UPLOAD_MAX_MEMORY_SIZE for any other (form text,
    which Django would refuse anyway, with a less helpful 400)."""
    return _limit(request.META.get("CONTENT_TYPE", ""))


def too_large_response(*, limit: int) -> HttpResponse:
    # Rendered without the request: this runs before sessions and authentication, and
    # the page must not depend on them (or on the database).
    body = loader.render_to_string(
        "errors/413.html",
        {"limit": human_size(limit), "upload_limit": human_size(settings.MAX_UPLOAD_BYTES)},
    )
    return HttpResponse(body, status=413)


def _limit(content_type: str) -> int:
    if content_type.startswith("multipart/"):
        return settings.MAX_REQUEST_BYTES
    text_limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    return min(settings.MAX_REQUEST_BYTES, text_limit or settings.MAX_REQUEST_BYTES)


def refusal(*, content_type: str, content_length: str, transfer_encoding: str) -> int | None:
    """The status a request with these headers is refused with (411, 400 or 413), or None
    when its body may be read. From the headers alone: the same rule for the middleware
    and for gunicorn, which closes the connection after such a refusal
    (gunicorn.conf.py pre_request): the body was never read, so nothing after it on the
    connection can be trusted to be the next request."""
    declared = content_length.strip()
    if not declared:
        return 411 if transfer_encoding else None
    try:
        length = int(declared)
    except ValueError:
        length = -1
    if length < 0:
        return 400
    return 413 if length > _limit(content_type) else None


class RequestSizeLimitMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        meta = request.META
        status = refusal(
            content_type=meta.get("CONTENT_TYPE", ""),
            content_length=meta.get("CONTENT_LENGTH") or "",
            transfer_encoding=meta.get("HTTP_TRANSFER_ENCODING", ""),
        )
        if status is None:
            return self.get_response(request)
        if status == 411:
            logger.warning("refused a body without Content-Length: path=%s", request.path)
            return HttpResponse(loader.render_to_string("errors/411.html"), status=411)
        if status == 400:
            # Only a broken client or proxy sends this; Django would read nothing of it.
            return HttpResponse(loader.render_to_string("errors/411.html"), status=400)
        limit = request_limit(request)
        logger.warning(
            "refused an oversized body: path=%s length=%s limit=%d",
            request.path,
            meta.get("CONTENT_LENGTH"),
            limit,
        )
        return too_large_response(limit=limit)
