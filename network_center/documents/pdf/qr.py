"""The QR code (реквизит 31) of a signed document: its verification URL, drawn with segno.

The printed page and the preview use the PNG data URI (one pixel per module); the SVG forms are
for templates and callers that want a scalable code.
"""

from __future__ import annotations

import functools
import io

QR_BORDER = 2  # modules of quiet zone inside the 20 mm square; the page around it is blank


@functools.lru_cache(maxsize=256)
def make_qr(url: str):
    """The segno QR code (error correction M) printed on signed documents.

    Cached: segno evaluates all eight masks in pure Python (~20 ms), and a document's preview
    and its PDF show the same code.
    """
    import segno

    return segno.make(url, error="m", micro=False, boost_error=False)


def qr_svg(url: str) -> str:
    """The QR code of ``url`` as SVG markup, scalable (viewBox, no fixed size)."""
    buffer = io.BytesIO()
    make_qr(url).save(buffer, kind="svg", border=QR_BORDER, omitsize=True, xmldecl=False)
    return buffer.getvalue().decode()


def qr_svg_data_uri(url: str) -> str:
    return make_qr(url).svg_data_uri(border=QR_BORDER, omitsize=True, nl=False)


@functools.lru_cache(maxsize=256)
def qr_png_data_uri(url: str) -> str:
    """The QR code as a PNG ``data:`` URI, one pixel per module, for ``<img>``.

    A bitmap is what the printed page uses: WeasyPrint draws an SVG path through its Python
    path parser (10–25 ms for a QR code), a PNG costs next to nothing, and print.css scales it
    with ``image-rendering: pixelated`` (``/Interpolate false`` in the PDF) so edges stay sharp.
    """
    return make_qr(url).png_data_uri(border=QR_BORDER, scale=1)
