"""Images people send are bounded before anything decodes them: a small file that
declares a huge picture (a decompression bomb) is refused from its header, with a clear
message, and the web worker's memory does not grow with what it declares."""

import base64
import io
import os
import struct
import subprocess
import sys
import zlib
from pathlib import Path

import pytest
from django.urls import reverse
from PIL import Image

from intake.models import IntakeConsent
from tests.intake.answers import HAPPY, blank_signature_data_url
from tests.intake.test_kiosk_flow import _fill, kiosk  # noqa: F401  (the tablet's session)

BASE_DIR = Path(__file__).resolve().parents[2]
SIGNATURE_TOO_LARGE = "The signature is too large. Please clear it and sign again."
# The bound the issue sets on what refusing one bomb may cost the worker.
MAX_GROWTH_MIB = 20


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png_bomb(width: int = 13_300, height: int = 13_300, size: int = 51 * 1024) -> bytes:
    """A PNG of `size` bytes that declares width x height pixels: 1-bit grey whose rows
    are all zeros, so the image data compresses about 1000 to 1. Decoded, Pillow holds a
    byte per pixel (177 MB for 13,300 x 13,300), and as many again converted to grey."""
    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    packer = zlib.compressobj(9)
    row = b"\0" * (1 + (width + 7) // 8)  # the filter byte, then the row's bits
    data = b"".join(packer.compress(row) for _ in range(height)) + packer.flush()
    head = b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", header)
    tail = _chunk(b"IDAT", data) + _chunk(b"IEND", b"")
    filler = size - len(head) - len(tail) - 12 - len(b"Comment\0")
    assert filler >= 0, "the image data alone is larger than `size`"
    png = head + _chunk(b"tEXt", b"Comment\0" + b"x" * filler) + tail
    assert len(png) == size
    return png


def jpeg_declaring(width: int, height: int) -> bytes:
    """A small, real JPEG whose frame header is changed to declare width x height."""
    buffer = io.BytesIO()
    Image.new("RGB", (16, 16), "navy").save(buffer, format="JPEG")
    jpeg = bytearray(buffer.getvalue())
    at = jpeg.index(b"\xff\xc0")  # baseline frame header: length, precision, height, width
    jpeg[at + 5 : at + 9] = struct.pack(">HH", height, width)
    return bytes(jpeg)


def data_url(png: bytes) -> str:
    return "data:image/png;base64," + base64.b64encode(png).decode()


def peak_growth_mib(setup: str, run: str, *, env: dict | None = None) -> tuple[float, str]:
    """Run `run` in a fresh Python process with Django set up (tests.settings) and
    `setup` done, and return how far it raised the process's peak memory, in MiB, with
    what `run` printed. A fresh process, because the peak of a long test run hides it."""
    script = "\n".join(
        [
            "import resource, django",
            "django.setup()",
            setup,
            "before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss",
            run,
            "after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss",
            "print('GROWTH_KIB', after - before)",
        ]
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=BASE_DIR,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "tests.settings", **(env or {})},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    lines = result.stdout.splitlines()
    growth_kib = int(next(line for line in lines if line.startswith("GROWTH_KIB")).split()[1])
    return growth_kib / 1024, "\n".join(line for line in lines if not line.startswith("GROWTH"))


def test_the_bomb_is_what_the_issue_describes():
    png = png_bomb()
    assert len(png) == 51 * 1024
    # Pillow's default limit only warns at this size: it would decode it.
    assert 13_300 * 13_300 < 2 * 89_478_485
    parser = zlib.decompressobj()
    at, chunks = 8, {}
    while at < len(png):
        (length,) = struct.unpack(">I", png[at : at + 4])
        chunks[png[at + 4 : at + 8]] = png[at + 8 : at + 8 + length]
        at += 12 + length
    assert struct.unpack(">II", chunks[b"IHDR"][:8]) == (13_300, 13_300)
    assert len(parser.decompress(chunks[b"IDAT"])) == 13_300 * (1 + 13_300 // 8 + 1)


@pytest.mark.django_db
def test_a_signature_declaring_a_huge_picture_gets_400_and_keeps_what_was_typed(kiosk):  # noqa: F811
    _fill(kiosk, ["about"])
    bomb = data_url(png_bomb())
    consent = reverse("kiosk:step", args=["consent"])
    response = kiosk.post(consent, {**HAPPY["consent"], "signature": bomb, "nav": "next"})
    assert response.status_code == 400
    page = response.content.decode()
    assert f'id="signature-error">{SIGNATURE_TOO_LARGE}' in page  # next to the signature
    assert 'value="Ana Núñez"' in page  # what the patient typed is kept
    assert bomb not in page  # and the bomb is not sent back for the tablet to decode
    assert not IntakeConsent.objects.filter(intake=kiosk.intake).exists()

    response = kiosk.post(
        reverse("kiosk:autosave", args=["consent"]), {**HAPPY["consent"], "signature": bomb}
    )
    assert response.status_code == 400
    assert SIGNATURE_TOO_LARGE in response.content.decode()

    # After a reload the typed name is still there; only the signature is asked again.
    page = kiosk.get(consent).content.decode()
    assert 'value="Ana Núñez"' in page
    response = kiosk.post(consent, {**HAPPY["consent"], "nav": "next"})
    assert response.status_code == 302


@pytest.mark.django_db
def test_other_signature_problems_keep_their_status(kiosk):  # noqa: F811
    _fill(kiosk, ["about"])
    response = kiosk.post(
        reverse("kiosk:step", args=["consent"]),
        {**HAPPY["consent"], "signature": blank_signature_data_url(), "nav": "next"},
    )
    assert response.status_code == 200
    assert "The signature box is empty" in response.content.decode()


def test_refusing_a_signature_bomb_grows_the_worker_by_under_20_mb():
    growth, printed = peak_growth_mib(
        setup="\n".join(
            [
                "from django import forms",
                "from intake.forms import decode_signature",
                "from tests.intake.test_image_bounds import data_url, png_bomb",
                "bomb = data_url(png_bomb())",
            ]
        ),
        run="\n".join(
            [
                "try:",
                "    decode_signature(bomb)",
                "except forms.ValidationError as refused:",
                "    print(refused.messages[0])",
            ]
        ),
    )
    assert printed == SIGNATURE_TOO_LARGE
    assert growth < MAX_GROWTH_MIB, f"decoding the bomb grew the worker by {growth:.0f} MiB"


def test_a_real_signature_still_decodes():
    from intake.forms import decode_signature

    assert decode_signature(HAPPY["consent"]["signature"]).startswith(b"\x89PNG")


def test_pillow_refuses_huge_images_everywhere_not_only_in_the_forms():
    """WeasyPrint and the PDF letterhead decode images through Pillow too."""
    from core.images import DECODE_PIXEL_CEILING

    assert Image.MAX_IMAGE_PIXELS == DECODE_PIXEL_CEILING
    assert 4000 * 4000 < DECODE_PIXEL_CEILING < 13_300 * 13_300 // 2
    with pytest.raises(Image.DecompressionBombError):
        Image.open(io.BytesIO(png_bomb()))


def test_what_the_signature_pad_exports_fits_the_signature_bounds():
    """The pad exports at most 800 px wide, its 200 px tall box scaled by at most the
    devicePixelRatio (static/js/signature-pad.js, intake.css): 800 x 800 at ratio 4."""
    from intake.forms import SIGNATURE_LIMITS

    script = (BASE_DIR / "static/js/signature-pad.js").read_text()
    assert "const EXPORT_MAX_WIDTH = 800;" in script
    assert "--sig-h: 200px;" in (BASE_DIR / "static/css/intake.css").read_text()
    assert SIGNATURE_LIMITS.max_width >= 800 and SIGNATURE_LIMITS.max_height >= 4 * 200
    assert SIGNATURE_LIMITS.max_pixels >= 800 * 800


@pytest.mark.parametrize(
    "save",
    [
        {"format": "PNG"},
        {"format": "JPEG"},
        {"format": "JPEG", "progressive": True},
        {"format": "JPEG", "exif": b"Exif\0\0" + b"\0" * 60_000},  # a long segment first
    ],
    ids=["png", "jpeg", "progressive-jpeg", "jpeg-with-exif"],
)
def test_the_declared_size_is_read_from_the_header_as_pillow_reads_it(save):
    from core.images import read_header

    buffer = io.BytesIO()
    Image.new("RGB", (321, 123), "navy").save(buffer, **save)
    header = read_header(buffer.getvalue())
    assert (header.format, header.width, header.height) == (save["format"], 321, 123)
    assert read_header(b"GIF89a" + b"\0" * 20) is None
