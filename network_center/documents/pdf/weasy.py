"""The adapter to WeasyPrint: the one module of the package that imports it, and the one that
relies on its internals (WeasyPrint is pinned in pyproject.toml; re-check this module, and the
table test of tests/test_pdf.py, when it is upgraded).

- ``render_document_pdf(document)`` — PDF/A-3b of the HTML ``context`` renders, with the bundled
  Liberation Serif embedded.
- ``_Renderer`` — the stylesheets (print.css, the left margin, the draft's «ПРОЕКТ», the first
  page's room for the QR code) and the font configuration, parsed once per process and rebuilt
  only when the margin setting or print.css changes (``_renderer``).
- ``_document_html_class`` — two shortcuts into WeasyPrint's HTML input: our markup parsed with
  Python's XML parser, and a cut-down user-agent stylesheet (below).
- ``_collector_paused`` — the garbage collector off while WeasyPrint builds its boxes.
"""

from __future__ import annotations

import contextlib
import functools
import gc
import re
import threading
from pathlib import Path

from django.conf import settings

from network_center.documents.language import in_russian
from network_center.documents.models import LegalDocument

from .context import document_context, render_html
from .requisites import DRAFT_WORD
from .tables import left_margin_mm

# The first page of a signed document keeps its lowest 26 mm above the 20 mm margin for the QR
# code (20 mm), its caption and a gap.
QR_PAGE_MARGIN_MM = 46


@in_russian
def render_document_pdf(document: LegalDocument) -> bytes:
    """PDF/A-3b of ``document`` and its appendices, fonts embedded."""
    context = document_context(document)
    html = render_html(context, preview=False)
    renderer = _renderer()
    return renderer.write_pdf(html, draft=context["is_draft"], qr=bool(context["qr_image"]))


def render_html_pdf(html: str) -> bytes:
    """PDF/A-3b of a page of our own print templates that is not an act (an analytical note,
    a report): the same fonts, print.css and margins as the documents, no draft mark, no QR."""
    return _renderer().write_pdf(html, draft=False)


# --- WeasyPrint input -----------------------------------------------------------------------------
# Two shortcuts for the HTML of our own templates, each with WeasyPrint's ordinary path as the
# fallback, worth about a tenth of the time of a one-page order. The PDF is the same, byte for
# byte (checked on signed, draft and paper-copy orders, a regulation, a list, plans with their
# agreement sheets); WeasyPrint is pinned (pyproject.toml), check again when it is upgraded:
# - the markup is well-formed XML but for its void elements, so the C XML parser reads it, in a
#   fraction of the time of WeasyPrint's pure-Python HTML5 parser; anything it refuses goes to
#   the HTML5 parser;
# - the user-agent stylesheet is cut down to the rules for the elements the templates use
#   (``_LEAN_UA_RULES``, copied from WeasyPrint's html5_ua.css, plus its whole @page block):
#   WeasyPrint matches every rule of its full stylesheet against every element. A document with
#   any other element gets the full stylesheet — add an element's rules there when a template
#   starts to use it.
_VOID_RE = re.compile(
    r"<(area|base|br|col|embed|hr|img|input|link|meta|source|track|wbr)\b([^>]*?)/?>"
)
_LEAN_UA_TAGS = frozenset(
    {"html", "head", "meta", "title", "body", "section", "div", "p", "b", "br", "img"}
    | {"table", "colgroup", "col", "thead", "tbody", "tr", "th", "td"}
)
_LEAN_UA_RULES = """
head, meta, title { display: none }
body, div, html, p, section { display: block }
table { display: table }
colgroup { display: table-column-group }
col { display: table-column }
thead { display: table-header-group }
tbody { display: table-row-group }
tr { display: table-row }
td, th { display: table-cell }
p { margin-top: 1em; margin-bottom: 1em }
body { margin: 8px }
table { border-spacing: 2px; border-collapse: separate }
td, th { padding: 1px }
thead, tbody, table > tr { vertical-align: middle }
tr, td, th { vertical-align: inherit }
html { color-scheme: light }
b, th { font-weight: bold }
table, td, th { border-color: gray }
thead, tbody, tr { border-color: inherit }
br::before { content: "\\A"; white-space: pre-line }
::marker { font-variant-numeric: tabular-nums; white-space: pre; text-transform: none }
table { text-indent: initial }
img { overflow: hidden }
table { box-sizing: border-box }
::footnote-call {
  content: counter(footnote); vertical-align: super; font-size: smaller; line-height: inherit
}
::footnote-marker { content: counter(footnote) ". " }
"""


@functools.lru_cache(maxsize=1)
def _document_html_class():
    """A ``weasyprint.HTML`` with the two shortcuts above (built once: it imports WeasyPrint)."""
    import xml.etree.ElementTree as ElementTree

    import cssselect2
    import weasyprint
    from weasyprint.html import UA, UA_COUNTER_STYLE

    page_rules = re.search(r"^@page \{.*?^\}", UA, re.S | re.M).group(0)
    lean_ua = weasyprint.CSS(string=_LEAN_UA_RULES + page_rules, counter_style=UA_COUNTER_STYLE)

    class DocumentHTML(weasyprint.HTML):
        def __init__(self, string: str, base_url: str, url_fetcher):
            try:
                root = ElementTree.fromstring(_VOID_RE.sub(r"<\1\2/>", string))
            except ElementTree.ParseError:
                super().__init__(string=string, base_url=base_url, url_fetcher=url_fetcher)
            else:
                # What weasyprint.HTML.__init__ sets, from the tree the XML parser built.
                self.base_url = base_url
                self.url_fetcher = url_fetcher
                self.media_type = "print"
                self.wrapper_element = cssselect2.ElementWrapper.from_html_root(
                    root, content_language=None
                )
                self.etree_element = self.wrapper_element.etree_element
            self._lean_user_agent = all(
                element.tag in _LEAN_UA_TAGS for element in self.etree_element.iter()
            )

        def _ua_stylesheets(self, forms=False):
            if self._lean_user_agent and not forms:
                return [lean_ua]
            return super()._ua_stylesheets(forms)

    return DocumentHTML


class _Renderer:
    """WeasyPrint with the stylesheets and fonts parsed once (per process and left margin)."""

    def __init__(self, key: tuple, left_margin_mm: float, css_path: Path):
        import weasyprint
        from weasyprint.text.fonts import FontConfiguration

        self.key = key
        self.weasyprint = weasyprint
        self.html_class = _document_html_class()
        self.base_url = str(css_path.parent)
        self.url_fetcher = weasyprint.URLFetcher(allowed_protocols={"file", "data"})
        self.font_config = FontConfiguration()
        self.lock = threading.Lock()
        common = {"font_config": self.font_config, "url_fetcher": self.url_fetcher}
        base = weasyprint.CSS(filename=str(css_path), **common)
        margin = weasyprint.CSS(string=f"@page {{ margin-left: {left_margin_mm:g}mm }}", **common)
        # «ПРОЕКТ» in the top margin of every page of a draft, level with the page number.
        draft = weasyprint.CSS(
            string=(
                f"@page {{ @top-right {{ content: '{DRAFT_WORD}'; "
                "font-family: 'Liberation Serif'; font-size: 12pt; font-weight: bold; "
                "letter-spacing: 0.12em; vertical-align: top; padding-top: 10mm; } }"
            ),
            **common,
        )
        # A signed document: the QR code (a running element, print.css) in the bottom margin of
        # the first page, which is widened for it — level with the 20 mm margin, not in it.
        qr = weasyprint.CSS(
            string=(
                f"@page :first {{ margin-bottom: {QR_PAGE_MARGIN_MM}mm; "
                "@bottom-right { content: element(qr); width: 100mm; "
                "vertical-align: bottom; padding-bottom: 20mm } }"
            ),
            **common,
        )
        self.stylesheets = {
            (False, False): [base, margin],
            (True, False): [base, margin, draft],
            (False, True): [base, margin, qr],
            (True, True): [base, margin, draft, qr],
        }

    def write_pdf(self, html: str, *, draft: bool, qr: bool = False) -> bytes:
        with self.lock, _collector_paused():
            document = self.html_class(
                string=html, base_url=self.base_url, url_fetcher=self.url_fetcher
            )
            return document.write_pdf(
                stylesheets=self.stylesheets[draft, qr],
                font_config=self.font_config,
                pdf_variant="pdf/a-3b",
            )


@contextlib.contextmanager
def _collector_paused():
    """The cyclic garbage collector off while WeasyPrint builds its boxes: it allocates tens of
    thousands of objects that live until the PDF is written, and each collection would walk
    them all (and the rest of the process) again — a tenth of the time of a long document.
    Reference counting still frees what it can; collections resume when the render is done."""
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


_renderer_lock = threading.Lock()
_renderer_cache: _Renderer | None = None


def print_css_path() -> Path:
    return Path(settings.BASE_DIR) / "static" / "documents" / "print.css"


def _renderer() -> _Renderer:
    """The cached renderer; rebuilt only if the margin setting or print.css changed."""
    global _renderer_cache
    path = print_css_path()
    key = (left_margin_mm(), str(path), path.stat().st_mtime_ns)
    renderer = _renderer_cache
    if renderer is None or renderer.key != key:
        with _renderer_lock:
            renderer = _renderer_cache
            if renderer is None or renderer.key != key:
                renderer = _renderer_cache = _Renderer(key, key[0], path)
    return renderer
