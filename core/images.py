"""Images people send (the consent signature, the clinic logo) are bounded before anything
decodes them.

A PNG of a few kilobytes can declare 13,300 x 13,300 pixels: its rows of zeros compress
a thousandfold, and decoding it takes hundreds of megabytes (a decompression bomb). So
the declared size is read from the file's header here, without decoding a pixel, and
checked against the limits of each use; only then does Pillow decode it. Pillow's own
limit (Image.MAX_IMAGE_PIXELS, set at startup by core.apps) is lowered too, for the
images decoded elsewhere: WeasyPrint and the PDF letterhead go through Pillow.
"""

import io
import struct
from dataclasses import dataclass
from typing import Literal

from django import forms
from PIL import Image, UnidentifiedImageError

# Pillow warns above this many pixels and refuses twice as many, for every image any part
# of the app decodes. The largest image the app accepts is a 4000 x 4000 logo (16 M).
DECODE_PIXEL_CEILING = 25_000_000

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
JPEG_START = b"\xff\xd8"
# JPEG frame headers (SOF0-SOF15), which carry the size; C4, C8 and CC are other markers.
_JPEG_FRAMES = frozenset(range(0xC0, 0xD0)) - {0xC4, 0xC8, 0xCC}
# JPEG markers with no length field after them.
_JPEG_STANDALONE = frozenset({0x01, *range(0xD0, 0xD8)})


@dataclass(frozen=True)
class ImageLimits:
    max_bytes: int
    max_width: int
    max_height: int
    max_pixels: int
    formats: frozenset[str] = frozenset({"PNG"})


@dataclass(frozen=True)
class Header:
    format: Literal["PNG", "JPEG"]
    width: int
    height: int


class ImageRefused(Exception):
    """An image refused before decoding. `reason` is "too_large" (bytes or pixels),
    "format" (not one of the allowed formats) or "unreadable"."""

    def __init__(self, reason: str, *, header: Header | None = None, size: int = 0):
        super().__init__(reason)
        self.reason = reason
        self.header = header
        self.size = size


def _png_header(data: bytes) -> Header | None:
    # The first chunk of every PNG is IHDR: its length (13), type, then width and height.
    if len(data) < 24 or data[12:16] != b"IHDR":
        return None
    width, height = struct.unpack(">II", data[16:24])
    return Header("PNG", width, height)


def _jpeg_header(data: bytes) -> Header | None:
    """The size in the first frame header, walking the segments before it by their
    lengths (EXIF and colour profiles come first and can be long)."""
    at = 2
    while at + 4 <= len(data):
        if data[at] != 0xFF:
            return None
        marker = data[at + 1]
        if marker == 0xFF:  # fill byte
            at += 1
            continue
        if marker in _JPEG_STANDALONE:
            at += 2
            continue
        if marker in (0xD9, 0xDA):  # end of image, or scan data before any frame header
            return None
        (length,) = struct.unpack(">H", data[at + 2 : at + 4])
        if length < 2:
            return None
        if marker in _JPEG_FRAMES:
            if at + 9 > len(data):
                return None
            height, width = struct.unpack(">HH", data[at + 5 : at + 9])
            return Header("JPEG", width, height)
        at += 2 + length
    return None


def read_header(data: bytes) -> Header | None:
    """The format and declared size of a PNG or JPEG, from its header alone; None for
    anything else (or a header too broken to read)."""
    if data.startswith(PNG_SIGNATURE):
        return _png_header(data)
    if data.startswith(JPEG_START):
        return _jpeg_header(data)
    return None


def is_within(header: Header, limits: ImageLimits) -> bool:
    return (
        header.width <= limits.max_width
        and header.height <= limits.max_height
        and header.width * header.height <= limits.max_pixels
    )


def check(data: bytes, limits: ImageLimits) -> Header:
    """The image's header if its bytes, format and declared size are within `limits`;
    ImageRefused otherwise. Nothing is decoded."""
    if len(data) > limits.max_bytes:
        raise ImageRefused("too_large", size=len(data))
    header = read_header(data)
    if header is None or header.width == 0 or header.height == 0:
        raise ImageRefused("unreadable", size=len(data))
    if header.format not in limits.formats:
        raise ImageRefused("format", header=header, size=len(data))
    if not is_within(header, limits):
        raise ImageRefused("too_large", header=header, size=len(data))
    return header


def decode(data: bytes, limits: ImageLimits) -> Image.Image:
    """The decoded image, once check() has passed it; ImageRefused if it is refused or
    does not decode as what its header says."""
    header = check(data, limits)
    try:
        image = Image.open(io.BytesIO(data), formats=[header.format])
        if image.format != header.format or image.size != (header.width, header.height):
            raise ImageRefused("unreadable", header=header, size=len(data))
        image.load()
    except Image.DecompressionBombError as exc:  # limits set above DECODE_PIXEL_CEILING
        raise ImageRefused("too_large", header=header, size=len(data)) from exc
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError) as exc:
        raise ImageRefused("unreadable", header=header, size=len(data)) from exc
    return image


class HeaderCheckedImageField(forms.ImageField):
    """forms.ImageField opens every upload with Pillow before the form's clean_<field>
    sees it, and Pillow refuses a picture declaring more than twice DECODE_PIXEL_CEILING
    pixels with Django's "not a valid image". A PNG or JPEG declaring more than the
    ceiling skips that: it reaches clean_<field> as the plain upload (no `.image`), to be
    refused there from its header with a message that gives its size."""

    def to_python(self, data):
        upload = forms.FileField.to_python(self, data)
        if upload is None:
            return None
        header = read_header(_head(upload))
        if header is not None and header.width * header.height > DECODE_PIXEL_CEILING:
            # Django's ImageField keeps the decoded picture here; File's stubs lack it.
            upload.image = None  # type: ignore[attr-defined]
            return upload
        return super().to_python(data)


# Enough of a file to hold its header: a JPEG's frame header can follow 64 KB segments.
_HEAD_BYTES = 1024 * 1024


def _head(upload) -> bytes:
    upload.seek(0)
    head = upload.read(_HEAD_BYTES)
    upload.seek(0)
    return head
