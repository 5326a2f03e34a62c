"""Template → HTML → WeasyPrint → PDF bytes, tuned for many small documents per process.

Speed (spec/platform-notes.md A1): the print stylesheets are parsed once per process, one
FontConfiguration and one image cache are shared by every render, the HTML declares its
encoding, and the stylesheet is small and purpose-written (no Bootstrap).

Safety: patient free text is interpolated into the HTML (autoescaped), so the URL fetcher
serves only our own static files and data: URIs. Anything else (file://, http(s)://, path
traversal, unknown schemes) raises, and WeasyPrint skips the resource.
"""

from __future__ import annotations

import base64
import io
import logging
import mimetypes
import posixpath
import threading
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from urllib.parse import unquote
from urllib.request import DataHandler, Request

from django.conf import settings
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from django.utils import timezone

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

_lock = threading.Lock()
_font_config = None
_stylesheets: list | None = None
_page_size_css: dict[str, object] = {}
_image_cache: dict = {}
_fetcher_instance = None
_logo_cache: dict[tuple[str, str], str] = {}


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
            raise ValueError(f"Malformed data: URI: {exc}") from exc
        return {
            "string": response.read(),
            "mime_type": response.headers.get_content_type(),
            "redirected_url": url,
        }
    path = _static_path(url)
    if path is None:
        raise ValueError(f"PDF resources must be static files or data: URIs, not {url[:80]!r}")
    path = unquote(path.split("?", 1)[0].split("#", 1)[0])
    normalised = posixpath.normpath(path)
    if (
        not path
        or "\\" in path
        or "\x00" in path
        or normalised.startswith(("..", "/"))
        or ".." in path.split("/")
    ):
        raise ValueError(f"Refusing static path outside the static folders: {path[:80]!r}")
    found = finders.find(normalised)
    if not found:
        raise ValueError(f"No such static file: {normalised[:80]!r}")
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
                sheets = [
                    CSS(
                        string=Path(finders.find(name)).read_text(encoding="utf-8"),
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
                _font_config, _fetcher_instance = font_config, fetcher
                _stylesheets = sheets
    return _font_config, _stylesheets, _fetcher_instance


def warm_up() -> None:
    """Import WeasyPrint, parse the stylesheets and load the fonts now (about 0.5 s), so a
    worker's first document is as fast as the rest: call from worker_process_init."""
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
    """Render our own HTML to PDF bytes; returns (pdf, page count)."""
    from weasyprint import HTML

    font_config, stylesheets, fetcher = _state()
    if paper_size not in PAGE_SIZES:
        raise ValueError(f"Unknown paper size {paper_size!r}")
    if len(_image_cache) > _IMAGE_CACHE_LIMIT:
        _image_cache.clear()
    document = HTML(string=html, encoding="utf-8", base_url=BASE_URL, url_fetcher=fetcher).render(
        font_config=font_config,
        stylesheets=[*stylesheets, _page_size_css[paper_size]],
        cache=_image_cache,
    )
    return document.write_pdf(), len(document.pages)


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
    try:
        from core import images
        from core.forms import logo_limits

        with clinic.logo.open("rb") as fh:
            # Bounded from its header before decoding, like the upload was (core.images).
            image = images.decode(fh.read(logo_limits().max_bytes + 1), logo_limits())
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
    )
    return render_to_string(document.template, context)


def render_document(
    kind: str, subject, *, clinic, generated_at: datetime | None = None
) -> RenderedPdf:
    """Render one document of `kind` for `subject` (as returned by its `load`)."""
    from reports.documents import filename

    html = render_html(kind, subject, clinic=clinic, generated_at=generated_at)
    pdf, pages = html_to_pdf(html, paper_size=clinic.paper_size)
    return RenderedPdf(pdf=pdf, pages=pages, filename=filename(kind, subject))
