"""Helpers for tests that read PDFs: the text of each page, and page images to look at."""

import io
import re
import shutil
import subprocess
from pathlib import Path

from pypdf import PdfReader

REPO_ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = REPO_ROOT / "test-artifacts" / "pdf"


def _squash(text: str) -> str:
    # Extracted text breaks lines and spaces wherever the layout did. A line that ends in
    # "/" or "-" was broken after it, not at a space ("</" + "script>", "re-" +
    # "evaluation"): its next line joins on without one.
    return re.sub(r"\s+", " ", re.sub(r"(?<=[/-])\n", "", text))


def pdf_pages_text(pdf: bytes) -> list[str]:
    """The text of each page, whitespace squashed to single spaces."""
    reader = PdfReader(io.BytesIO(pdf))
    return [_squash(page.extract_text() or "") for page in reader.pages]


def pdf_text(pdf: bytes) -> str:
    return " ".join(pdf_pages_text(pdf))


def assert_header_on_every_page(pdf: bytes, *, clinic, patient) -> None:
    """Clinic name, patient name, DOB as printed, MRN and "Page i of n" on every page."""
    pages = pdf_pages_text(pdf)
    dob = f"{patient.date_of_birth.day} {patient.date_of_birth:%b %Y}"
    expected = [clinic.name, patient.full_name, dob, f"MRN {patient.mrn}"]
    for number, text in enumerate(pages, start=1):
        for fact in [*expected, f"Page {number} of {len(pages)}"]:
            assert _squash(fact) in text, f"{fact!r} missing on page {number}: {text[:300]!r}"


def save_page_images(pdf: bytes, name: str) -> list[Path]:
    """Write each page as test-artifacts/pdf/<name>-<n>.png (60 dpi) for a person to look
    at; returns the paths ([] when poppler's pdftoppm is not installed)."""
    pdftoppm = shutil.which("pdftoppm")
    if pdftoppm is None:
        return []
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for old in _page_images(name):
        old.unlink()
    source = ARTIFACTS / f"{name}.pdf"
    source.write_bytes(pdf)
    subprocess.run(
        [pdftoppm, "-png", "-r", "60", str(source), str(ARTIFACTS / name)],
        check=True,
        timeout=60,
    )
    return _page_images(name)


def _page_images(name: str) -> list[Path]:
    # pdftoppm pads page numbers ("-01") when there are 10 pages or more.
    pattern = re.compile(re.escape(name) + r"-[0-9]+\.png")
    images = [p for p in ARTIFACTS.glob(f"{name}-*.png") if pattern.fullmatch(p.name)]
    return sorted(images, key=lambda p: int(p.stem.rsplit("-", 1)[1]))


def pdf_font_names(pdf: bytes) -> set[str]:
    """The fonts the PDF embeds, without their subset prefix ("Noto-Sans-CJK-SC")."""
    reader = PdfReader(io.BytesIO(pdf))
    names = set()
    for page in reader.pages:
        fonts = (page.get("/Resources") or {}).get("/Font") or {}
        for ref in fonts.values():
            names.add(str(ref.get_object()["/BaseFont"]).lstrip("/").split("+", 1)[-1])
    return names
