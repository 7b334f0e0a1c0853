"""Printing legal documents: the HTML preview and the PDF/A-3b of record (SPEC §5).

This package knows nothing of plans or monitoring. It renders a ``LegalDocument`` — normally a
root (``parent is None``) — followed by its appendices, depth first in ``appendix_number`` order,
each on a new page, from the templates under ``templates/documents/render/`` and the stylesheet
``static/documents/print.css`` (ГОСТ Р 7.0.97-2025).

The public API, re-exported here — import it from ``network_center.documents.pdf``:

- ``render_document_html(document, preview=False)`` — the HTML WeasyPrint gets (its tables carry
  their column widths and rules in style attributes), or with ``preview=True`` a fragment for a
  web page: no inline styles, no ``<style>``, only classes of print.css, which the page links;
  the QR code is an ``<img>`` with a ``data:`` URI.
- ``render_document_pdf(document)`` — PDF/A-3b with the bundled Liberation Serif embedded. The
  stylesheets and the font configuration are parsed once per process and reused.
- ``document_context(document)`` — what the templates get; ``format_signed_at`` — the moment of
  signing as printed; ``left_margin_mm()`` — the left margin setting, checked; ``qr_svg`` and
  ``qr_png_data_uri`` — the QR code of a verification URL.

The modules, one job each — so that the typesetting can be read and tested without the
database, the wording of requisites without the layout, and WeasyPrint's internals, on which
two shortcuts rely, are in one place to re-check when WeasyPrint is upgraded:

- ``context`` — the template context: ``document_context``, the ``Sheet`` of the root and of
  each appendix with its body as ``Block`` paragraphs, the points of every sheet in one query,
  the table and the agreement sheet (a sheet stored with its own column titles, or under the
  default columns), the signature, «УТВЕРЖДАЮ» and executor blocks; and the HTML rendered from
  it (``render_document_html``).
- ``requisites`` — the requisites as text: letterhead lines, the registration line, dates,
  the signatory's position, no-break spaces, ``format_signed_at``, paragraphs and line splits.
- ``tables`` — the typesetting engine of tables: the page (the left margin setting, the width
  of the text block), column widths from the font's advances (fontTools) with Russian
  hyphenation (pyphen), and the PDF's tables printed as lines with the column rules as one
  bitmap.
- ``qr`` — the QR code (segno), cached, as PNG or SVG.
- ``weasy`` — the adapter to WeasyPrint, the only module that imports it:
  ``render_document_pdf``, the stylesheets and fonts cached per process, the XML-parser and
  user-agent-stylesheet shortcuts, the garbage collector paused while it lays out.

Dependencies run one way: ``weasy`` uses ``context``, which uses ``tables``, ``requisites`` and
``qr``; nothing in the package imports ``weasy`` but this file.

WeasyPrint spends a millisecond or more per line box and per element on this kind of
page, so the markup is lean (see print.css): multi-line blocks are one text under
``white-space: pre-line`` rather than ``<br>``s; the QR code is a running element in the bottom
margin of the first page (not a footnote); the signature row is the stamp with position and name
placed beside it (not a table); tables have a fixed layout whose column widths are chosen once,
from the text (``tables.fit_columns``), and in the PDF each row of a table is one cell whose
lines carry the cells' pieces to their columns (``tables.as_lines``, «tables printed as lines»):
a 150-line plan is a thousand boxes instead of eleven thousand. The HTML preview keeps one cell
per column, with soft hyphens only in the words wider than their column instead of
``hyphens: auto``. ``weasy._document_html_class`` parses our well-formed markup with the C XML
parser and matches it against a cut-down user-agent stylesheet.

A draft prints «ПРОЕКТ» in the top margin of every page, blanks for its number and date, and has
neither QR code nor signature stamp. A signed document has the QR code (реквизит 31) at the
bottom right of its first page (whose bottom margin widens for it: the code stays above the
20 mm margin), pointing to its public verification page, and a framed stamp of
the simple electronic signature — or, for a document registered from paper, a line saying that
this is an electronic copy of a document signed on paper.

Also printed when the document carries them: a table (``table``; a sheet whose table has more
than six columns, like a plan's, turns landscape), a лист согласования (``agreement_sheet``, on a
page of its own after the sheet) and, for a titled root approved by its signatory's own signature
(``approval_by_signature``), the stamp «УТВЕРЖДАЮ» top right instead of a signature line.
"""

from .context import document_context, render_document_html
from .qr import qr_png_data_uri, qr_svg
from .requisites import format_signed_at
from .tables import left_margin_mm
from .weasy import render_document_pdf

__all__ = [
    "document_context",
    "format_signed_at",
    "left_margin_mm",
    "qr_png_data_uri",
    "qr_svg",
    "render_document_html",
    "render_document_pdf",
]
