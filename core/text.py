"""Text as PostgreSQL can store it, for the whole app in one place.

PostgreSQL text and JSON cannot hold NUL, and nothing encodes a lone surrogate as UTF-8.
No keyboard types either, so dropping them keeps everything a person could have meant.
StorableInputMiddleware applies this to every field name and value, query parameter,
cookie, upload file name and header a request brings, before any view or form sees it:
a view can store what it was sent without thinking about it.
"""

import re
from collections.abc import Callable
from typing import TYPE_CHECKING, cast

from django.http import HttpRequest, HttpResponse, QueryDict

if TYPE_CHECKING:
    # What Django's stubs call the request's read-only GET and POST (no runtime class).
    from django.http.request import _ImmutableQueryDict

_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


def storable(value: str) -> str:
    """`value` without NUL and lone surrogates."""
    if "\x00" not in value and not _UNSTORABLE.search(value):
        return value
    return _UNSTORABLE.sub("", value)


def _cleaned(data: QueryDict) -> "_ImmutableQueryDict | None":
    """A copy of `data` with storable names and values, or None when it already is (the
    usual case: no copy made)."""
    if not any(
        _UNSTORABLE.search(key) or any(_UNSTORABLE.search(v) for v in values)
        for key, values in data.lists()
    ):
        return None
    clean = QueryDict(mutable=True, encoding=data.encoding)
    for key, values in data.lists():
        # "\x00name" and "name" are then one field with both values, as a person meant.
        clean.setlistdefault(storable(key), []).extend(storable(v) for v in values)
    clean._mutable = False
    return cast("_ImmutableQueryDict", clean)


class StorableInputMiddleware:
    """Strip what PostgreSQL cannot store from everything a request carries. Runs before
    sessions, authentication and views; the body is parsed here only for methods that
    carry a form (Django would parse it at the CSRF check anyway)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        for name, value in request.META.items():
            if isinstance(value, str) and _UNSTORABLE.search(value):
                request.META[name] = storable(value)
        if _UNSTORABLE.search(request.path_info):
            request.path_info = storable(request.path_info)
            request.path = storable(request.path)
        if (clean := _cleaned(request.GET)) is not None:
            request.GET = clean
        if request.COOKIES and any(
            _UNSTORABLE.search(k) or _UNSTORABLE.search(v) for k, v in request.COOKIES.items()
        ):
            request.COOKIES = {storable(k): storable(v) for k, v in request.COOKIES.items()}
        if request.method in ("POST", "PUT", "PATCH"):
            if (clean := _cleaned(request.POST)) is not None:
                request.POST = clean
            for _field, uploads in request.FILES.lists():
                for upload in uploads:
                    upload.name = storable(upload.name or "")
        return self.get_response(request)
