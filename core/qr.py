"""QR codes drawn by the server (segno, pure Python): a link handed to a patient on paper
or held up to their phone's camera, with no outside service seeing it."""

import segno
from django.utils.safestring import SafeString, mark_safe


def svg(data: str, *, title: str) -> SafeString:
    """An inline SVG of `data` as a QR code, medium error correction (survives a crease
    in the paper), with a quiet zone and a title for screen readers."""
    code = segno.make(data, error="m")
    # segno writes the SVG itself from the data's modules: no markup from `data` gets in,
    # and the title is escaped by segno.
    return mark_safe(  # noqa: S308
        code.svg_inline(scale=5, border=4, title=title, dark="#000", light="#fff")
    )
