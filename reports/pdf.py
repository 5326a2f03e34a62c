"""Template → HTML → WeasyPrint → PDF bytes, tuned for many small documents per process.

Speed (spec/platform-notes.md A1): the print stylesheets are parsed once per process, one
FontConfiguration and one image cache are shared by every render, the HTML declares its
encoding, and the stylesheet is small and purpose-written (no Bootstrap).

Safety: patient free text is interpolated into the HTML (autoescaped), so the URL fetcher
serves only our own static files and data: URIs. Anything else (file://, http(s)://, path
traversal, unknown schemes) raises, and WeasyPrint skips the resource.

Completeness: WeasyPrint never fails a render for a resource it cannot load or draw (an
image, a chart, a stylesheet): it logs a line and leaves the thing out. It even catches
the exception Celery raises to stop a task, if it lands while a chart is being drawn. So
each render listens to WeasyPrint's log on its own thread, and any warning or error makes
it raise RenderIncomplete instead of returning a PDF with a hole in it.
"""

from __future__ import annotations

import base64
import io
import logging
import mimetypes
import posixpath
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import cast
from urllib.parse import unquote
from urllib.request import DataHandler, Request

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.contrib.staticfiles import finders
from django.db import DatabaseError
from django.template.loader import render_to_string
from django.utils import timezone, translation

from core.languages import locale_for

logger = logging.getLogger(__name__)

# Stylesheets and fonts are static: links, resolved through our own fetcher.
BASE_URL = "static:"
STATIC_SCHEME = "static:"
PAGE_SIZES = {"A4": "A4", "LETTER": "letter"}
# Loaded first; the other static/reports/*.css (one per document family) follow it.
BASE_STYLESHEET = "reports/print.css"
# The shared image cache is keyed by URL; data: URIs (a logo, a chart) would otherwise make
# it grow for the life of the worker. Static images are few, so clearing rarely costs much.
_IMAGE_CACHE_LIMIT = 64
_LOGO_MAX_PX = 360  # about 30 mm at 300 dpi: sharp in print, small in the PDF


class _ImageCache(dict):
    """WeasyPrint's image cache, minus its memory of failures: it stores None for an image
    that failed to load and then serves that None to every later render without a word,
    so one failed load would leave the logo out of every document after it."""

    def __contains__(self, key: object) -> bool:
        return dict.get(self, key) is not None


_lock = threading.Lock()
_font_config = None
_stylesheets: list | None = None
_page_size_css: dict[str, object] = {}
_image_cache: dict = _ImageCache()
_fetcher_instance = None
_logo_cache: dict[tuple[str, str], str] = {}


# --- Incomplete renders -----------------------------------------------------------------


class ResourceRefused(ValueError):
    """The URL fetcher will not serve this URL (it is not one of our static files or a
    data: URI): the document asks for something it must not have."""


class RenderIncomplete(Exception):
    """WeasyPrint could not load or draw part of the document (a chart, an image, a
    stylesheet) and would have produced the PDF without it, so none is produced.

    `problems` are WeasyPrint's message templates ("Failed to render SVG image %s"), never
    their arguments, which can quote the document; `causes` are the exception type names
    behind them. Not transient: the same document fails the same way again."""

    transient = False

    def __init__(self, problems: list[str], causes: list[BaseException]) -> None:
        self.problems = tuple(dict.fromkeys(problems))
        self.causes = tuple(sorted({type(c).__name__ for c in causes}))
        # An exception while loading or drawing that is neither a refusal nor a fault of
        # the machine may be a one-off: worth one more render before giving up.
        self.worth_another_try = bool(causes) and not any(
            isinstance(c, ResourceRefused) for c in causes
        )
        super().__init__(self.describe())

    def describe(self) -> str:
        why = f" ({', '.join(self.causes)})" if self.causes else ""
        return "; ".join(self.problems) + why


class RenderInterrupted(RenderIncomplete):
    """The part left out failed because of the machine, not the document (a read error, no
    memory, the database gone): the same render should work once that passes."""

    transient = True

    def __init__(self, problems: list[str], causes: list[BaseException]) -> None:
        super().__init__(problems, causes)
        self.worth_another_try = False


# Failures of the machine rather than of the document.
_PASSING_ERRORS = (OSError, MemoryError, DatabaseError)
_WEASYPRINT_LOG = logging.getLogger("weasyprint")


class _RenderListener(logging.Handler):
    """Collects what WeasyPrint logs at WARNING or above on this thread only: the web
    process renders on two threads at once, and one's warning must not fail the other."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.thread = threading.get_ident()
        # An error the caller is handling while it renders is not the render's.
        self.outer = sys.exc_info()[1]
        self.problems: list[str] = []
        self.causes: list[BaseException] = []

    def emit(self, record: logging.LogRecord) -> None:
        if record.thread is not None and record.thread != self.thread:
            return
        self.problems.append(str(record.msg))
        # WeasyPrint logs from inside the `except` that swallowed the error, so the error
        # is still the one being handled on this thread.
        exc = sys.exc_info()[1]
        while exc is not None and exc is not self.outer and len(self.causes) < 20:
            self.causes.append(exc)
            exc = exc.__cause__ or exc.__context__


@contextmanager
def _listening() -> Iterator[_RenderListener]:
    listener = _RenderListener()
    if not _WEASYPRINT_LOG.isEnabledFor(logging.WARNING):
        # Configured quieter than WARNING, the log would never reach the listener.
        _WEASYPRINT_LOG.setLevel(logging.WARNING)
    _WEASYPRINT_LOG.addHandler(listener)
    try:
        yield listener
    finally:
        _WEASYPRINT_LOG.removeHandler(listener)


def _raise_if_incomplete(listener: _RenderListener) -> None:
    if not listener.problems:
        return
    for cause in listener.causes:
        # Celery stops a task by raising in it (the soft time limit), and a signal can end
        # the process: WeasyPrint caught it while drawing; let it do what it was for.
        if isinstance(cause, SoftTimeLimitExceeded) or not isinstance(cause, Exception):
            raise cause
    # WeasyPrint's own wrappers say where it failed, not why (its URLFetchingError is an
    # OSError whatever the fetcher raised): judge by what they wrap.
    passing = any(
        isinstance(c, _PASSING_ERRORS) and not type(c).__module__.startswith("weasyprint")
        for c in listener.causes
    )
    error = (RenderInterrupted if passing else RenderIncomplete)(listener.problems, listener.causes)
    logger.warning("PDF render incomplete, no file written: %s", error.describe())
    raise error


# --- URL fetcher ------------------------------------------------------------------------


def _static_path(url: str) -> str | None:
    """The static-file path a URL names ("static:x/y.css" or STATIC_URL + "x/y.css"), or
    None when the URL is not one of ours."""
    if url.startswith(STATIC_SCHEME):
        path = url[len(STATIC_SCHEME) :]
        # static:/static/x.css (a STATIC_URL path joined onto our base URL) is also ours.
        if path.startswith(settings.STATIC_URL):
            path = path[len(settings.STATIC_URL) :]
        return path.lstrip("/")
    if settings.STATIC_URL.startswith("/") and url.startswith(settings.STATIC_URL):
        return url[len(settings.STATIC_URL) :]
    return None


def url_fetcher(url: str, timeout: int = 10, ssl_context=None, **kw) -> dict:
    """Serve data: URIs and the app's own static files; refuse everything else.

    Returns the classic WeasyPrint fetcher dict (string, mime_type, redirected_url).
    Raising makes WeasyPrint log a warning and skip the resource, so a hostile
    `<img src="file:///etc/passwd">` in an escaped-but-misused field can never read a file
    or reach the network."""
    if url.startswith("data:"):
        try:
            response = DataHandler().data_open(Request(url))  # noqa: S310 - data: URIs only
        except OSError as exc:  # a malformed data: URI
            raise ResourceRefused(f"Malformed data: URI: {exc}") from exc
        return {
            "string": response.read(),
            "mime_type": response.headers.get_content_type(),
            "redirected_url": url,
        }
    path = _static_path(url)
    if path is None:
        raise ResourceRefused(f"PDF resources must be static files or data: URIs, not {url[:80]!r}")
    path = unquote(path.split("?", 1)[0].split("#", 1)[0])
    normalised = posixpath.normpath(path)
    if (
        not path
        or "\\" in path
        or "\x00" in path
        or normalised.startswith(("..", "/"))
        or ".." in path.split("/")
    ):
        raise ResourceRefused(f"Refusing static path outside the static folders: {path[:80]!r}")
    found = finders.find(normalised)
    if not found:
        raise ResourceRefused(f"No such static file: {normalised[:80]!r}")
    mime_type, _ = mimetypes.guess_type(normalised)
    return {
        "string": Path(found).read_bytes(),
        "mime_type": mime_type or "application/octet-stream",
        "redirected_url": STATIC_SCHEME + normalised,
    }


def _fetcher():
    """WeasyPrint 70 calls a URLFetcher object and expects a URLFetcherResponse; this adapts
    the plain `url_fetcher` function to it (looked up on each call, so tests can spy)."""
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class StaticOnlyFetcher(URLFetcher):
        def fetch(self, url, headers=None):
            result = url_fetcher(url)
            return URLFetcherResponse(
                result["redirected_url"],
                result["string"],
                {"Content-Type": result["mime_type"]},
            )

    return StaticOnlyFetcher(allowed_protocols=())


# --- Process-wide WeasyPrint state ------------------------------------------------------


def _stylesheet_names() -> list[str]:
    """Every static/reports/*.css: the base print.css first, then the per-document sheets
    sorted, so they can override it ("print-x.css" sorts before "print.css" otherwise)."""
    names = set()
    for finder in finders.get_finders():
        for path, _storage in finder.list([]):
            path = path.replace("\\", "/")
            if posixpath.dirname(path) == "reports" and path.endswith(".css"):
                names.add(path)
    names.discard(BASE_STYLESHEET)
    return [BASE_STYLESHEET, *sorted(names)]


def _state():
    """(font config, stylesheets, fetcher), built once per process."""
    global _font_config, _stylesheets, _fetcher_instance
    if _stylesheets is None:
        with _lock:
            if _stylesheets is None:
                from weasyprint import CSS
                from weasyprint.text.fonts import FontConfiguration

                font_config = FontConfiguration()
                fetcher = _fetcher()
                # A stylesheet WeasyPrint only partly understood would print every document
                # wrong: refuse to keep it, so each render fails with the reason.
                with _listening() as listener:
                    sheets = [
                        CSS(
                            # cast: the finders listed every name (BASE_STYLESHEET ships
                            # with this app), so each is found, never None.
                            string=Path(cast(str, finders.find(name))).read_text(encoding="utf-8"),
                            base_url=STATIC_SCHEME + name,
                            url_fetcher=fetcher,
                            font_config=font_config,
                        )
                        for name in _stylesheet_names()
                    ]
                    for key, size in PAGE_SIZES.items():
                        _page_size_css[key] = CSS(
                            string=f"@page {{ size: {size}; }}", font_config=font_config
                        )
                _raise_if_incomplete(listener)
                _font_config, _fetcher_instance = font_config, fetcher
                _stylesheets = sheets
    return _font_config, _stylesheets, _fetcher_instance


def warm_up() -> None:
    """Import WeasyPrint, parse the stylesheets and load the fonts now (about 0.5 s), so a
    worker's first document is as fast as the rest: call from worker_process_init."""
    # A broken stylesheet is logged already. The worker still starts: each job then fails
    # with the reason.
    with suppress(RenderIncomplete):
        html_to_pdf('<!doctype html><meta charset="utf-8"><p>Warm-up</p>', paper_size="A4")


def reset_caches() -> None:
    """Forget parsed stylesheets and cached images (tests that change the CSS or logo)."""
    global _stylesheets
    with _lock:
        _stylesheets = None
        _page_size_css.clear()
        _image_cache.clear()
        _logo_cache.clear()


def html_to_pdf(html: str, *, paper_size: str) -> tuple[bytes, int]:
    """Render our own HTML to PDF bytes; returns (pdf, page count). Raises RenderIncomplete
    (or RenderInterrupted) when WeasyPrint warned about anything on the way."""
    from weasyprint import HTML

    font_config, stylesheets, fetcher = _state()
    if paper_size not in PAGE_SIZES:
        raise ValueError(f"Unknown paper size {paper_size!r}")
    if len(_image_cache) > _IMAGE_CACHE_LIMIT:
        _image_cache.clear()
    with _listening() as listener:
        document = HTML(
            string=html, encoding="utf-8", base_url=BASE_URL, url_fetcher=fetcher
        ).render(
            font_config=font_config,
            stylesheets=[*stylesheets, _page_size_css[paper_size]],
            cache=_image_cache,
        )
        # Images are drawn here, not in render(): a chart that fails, fails here.
        pdf = document.write_pdf()
    _raise_if_incomplete(listener)
    return pdf, len(document.pages)


# --- Documents --------------------------------------------------------------------------


@dataclass(frozen=True)
class RenderedPdf:
    pdf: bytes
    pages: int
    filename: str


def logo_data_uri(clinic) -> str:
    """The clinic logo, scaled down once, as a data: URI; "" when there is none or it
    cannot be read (a broken upload must not stop clinical documents)."""
    if not clinic.logo:
        return ""
    key = (clinic.logo.name, clinic.updated_at.isoformat() if clinic.updated_at else "")
    cached = _logo_cache.get(key)
    if cached is not None:
        return cached
    from core import images
    from core.forms import logo_limits

    limits = logo_limits()
    try:
        with clinic.logo.open("rb") as fh:
            data = fh.read(limits.max_bytes + 1)
    except FileNotFoundError:
        data = b""  # gone for good: printed without it, below
    # Any other read error is the disk having a moment: it fails this render, which is
    # retried, instead of being remembered as "no logo" for every later document.
    try:
        # Bounded from its header before decoding, like the upload was (core.images).
        image = images.decode(data, limits)
        image.thumbnail((_LOGO_MAX_PX * 3, _LOGO_MAX_PX))
        if image.mode not in ("RGB", "RGBA", "L", "LA"):
            image = image.convert("RGBA")
        out = io.BytesIO()
        image.save(out, format="PNG", optimize=True)
        uri = "data:image/png;base64," + base64.b64encode(out.getvalue()).decode("ascii")
    except Exception:  # any unreadable image: print the letterhead without it
        logger.warning("Clinic logo %s could not be read; printing without it", clinic.logo.name)
        uri = ""
    # One clinic per installation: drop stale versions instead of growing.
    _logo_cache.clear()
    _logo_cache[key] = uri
    return uri


def render_html(kind: str, subject, *, clinic, generated_at: datetime | None = None) -> str:
    """The HTML that render_document feeds WeasyPrint."""
    from reports.documents import DOCUMENTS

    document = DOCUMENTS[kind]
    # A clinician's document prints in English whatever language the request or task is
    # in; the patient's handout in the patient's language (<html lang>, dates, words).
    language = document.language(subject) if document.language else "en"
    with translation.override(locale_for(language)):
        context = document.context(subject, clinic)
        context.update(
            clinic=clinic,
            # One line in the letterhead, however the address was typed.
            clinic_address_line=", ".join(
                line.strip().rstrip(",") for line in clinic.address.splitlines() if line.strip()
            ),
            logo_uri=logo_data_uri(clinic),
            generated_at=timezone.localtime(generated_at or timezone.now()),
            paper_size=clinic.paper_size,
            document_kind=document,
            language=language,
        )
        return render_to_string(document.template, context)


def render_document(
    kind: str, subject, *, clinic, generated_at: datetime | None = None
) -> RenderedPdf:
    """Render one document of `kind` for `subject` (as returned by its `load`)."""
    from reports.documents import filename

    html = render_html(kind, subject, clinic=clinic, generated_at=generated_at)
    try:
        pdf, pages = html_to_pdf(html, paper_size=clinic.paper_size)
    except RenderIncomplete as exc:
        if not exc.worth_another_try:
            raise
        first = exc
    else:
        return RenderedPdf(pdf=pdf, pages=pages, filename=filename(kind, subject))
    # Once more, at once: a second failure is the document's own and is raised.
    logger.warning("rendering the %s once more after: %s", kind, first.describe())
    pdf, pages = html_to_pdf(html, paper_size=clinic.paper_size)
    return RenderedPdf(pdf=pdf, pages=pages, filename=filename(kind, subject))
