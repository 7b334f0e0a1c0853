"""Printing legal documents: the HTML preview and the PDF/A-3b of record (SPEC §5).

This module knows nothing of plans or monitoring. It renders a ``LegalDocument`` — normally a
root (``parent is None``) — followed by its appendices, depth first in ``appendix_number`` order,
each on a new page, from the templates under ``templates/documents/render/`` and the stylesheet
``static/documents/print.css`` (ГОСТ Р 7.0.97-2025).

- ``document_context(document)`` — what the templates need. Everything of the document passed in
  is read from that instance (services set the requisites of a document being signed in memory
  before they render it); appendices and all points come from the database, the points of every
  sheet in one query.
- ``render_document_html(document, preview=False)`` — the HTML WeasyPrint gets, or with
  ``preview=True`` a fragment for a web page: no inline styles, no ``<style>``, only classes of
  print.css, which the page links; the QR code is an ``<img>`` with a ``data:`` URI.
- ``render_document_pdf(document)`` — PDF/A-3b with the bundled Liberation Serif embedded. The
  stylesheets and the font configuration are parsed once per process and reused.

A draft prints «ПРОЕКТ» in the top margin of every page, blanks for its number and date, and has
neither QR code nor signature stamp. A signed document has the QR code (реквизит 31) at the
bottom right of its first page, pointing to its public verification page, and a framed stamp of
the simple electronic signature — or, for a document registered from paper, a line saying that
this is an electronic copy of a document signed on paper.

Also printed when the document carries them: a table (``table``; a sheet whose table has more
than six columns, like a plan's, turns landscape), a лист согласования (``agreement_sheet``, on a
page of its own after the sheet) and, for a titled root approved by its signatory's own signature
(``approval_by_signature``), the stamp «УТВЕРЖДАЮ» top right instead of a signature line.
"""

from __future__ import annotations

import functools
import re
import threading
import zoneinfo
from collections import namedtuple
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db.models import F
from django.template.loader import render_to_string
from django.utils import timezone

from network_center.body import Node, build_tree
from network_center.models.documents import DocumentPoint, LegalDocument

DEFAULT_LEFT_MARGIN_MM = 30
MIN_LEFT_MARGIN_MM = 20  # ГОСТ Р 7.0.97-2025, 5.1: at least 20 mm.
DRAFT_WORD = "ПРОЕКТ"
BLANK_DATE = "__.__.____"
BLANK_NUMBER = "___"
QR_BORDER = 2  # modules of quiet zone inside the 20 mm square; the page around it is blank
LANDSCAPE_COLUMNS = 6  # a sheet whose table has more columns is printed landscape
APPROVE_WORD = "УТВЕРЖДАЮ"
AGREEMENT_TITLE = "ЛИСТ СОГЛАСОВАНИЯ"
AGREEMENT_COLUMNS = ["Школа", "Должность", "И.О. Фамилия", "Решение", "Дата", "Замечания"]
ESIGN_TITLE = "Документ подписан простой электронной подписью"
PAPER_COPY = "Электронная копия документа, подписанного на бумажном носителе"

# Kinds whose level-1 numbered points are section titles («1. Общие положения»).
SECTIONED_KINDS = {LegalDocument.Kind.REGULATION, LegalDocument.Kind.AGREEMENT}

TEMPLATE = "documents/render/document.html"
PREVIEW_TEMPLATE = "documents/render/preview.html"

_APPENDIX_MARK_RE = re.compile(r"^(Приложение(?:\s+\S+)?)\s+(к\s.+?)\s+(от\s.+)$", re.S)
_BY_LINE_RE = re.compile(r"^(.+?)\s+(от\s.+)$", re.S)

# What build_tree reads of a point, fetched as tuples: no model instances for long regulations.
_Point = namedtuple("_Point", "pk document_id parent_id position style text executor deadline")


# --- context ------------------------------------------------------------------------------------
@dataclass
class Block:
    """One printed paragraph of a document's body."""

    css: str  # "" for an ordinary paragraph, "doc-section" for a section title
    text: str
    meta: str = ""  # «Срок: …; ответственный: …» printed under a point


@dataclass
class Sheet:
    """A document as printed on its own sheets: the root, or one appendix."""

    document: LegalDocument
    tree: list[Node]
    blocks: list[Block]
    is_root: bool
    layout: str  # "act" or "titled"
    appendix_mark: str = ""
    appendix_mark_lines: list[str] = field(default_factory=list)
    approval_stamp: tuple[str, str] | None = None
    approval_lines: list[str] = field(default_factory=list)
    is_draft: bool = True
    table: dict | None = None
    agreement_sheet: dict | None = None
    landscape: bool = False
    approval_signature: dict | None = None  # «УТВЕРЖДАЮ …» of a root approved by signature
    verification_url: str = ""  # signed root only
    qr_image: str = ""  # signed root only: the QR code as a PNG data URI

    @property
    def has_marks(self):
        return bool(self.appendix_mark_lines or self.approval_lines or self.approval_signature)

    @property
    def title_word(self):
        return self.document.title_word

    @property
    def heading(self):
        return self.document.heading


def document_context(document: LegalDocument) -> dict:
    """Everything the render templates need for ``document`` and its appendices."""
    appendices = _appendices(document)
    points = _points_by_document([document, *appendices])
    # A document is signed as a whole: appendices follow the state of the document passed in.
    is_draft = document.is_draft
    sheets = [_sheet(document, points, is_root=True, is_draft=is_draft)]
    sheets += [_sheet(a, points, is_root=False, is_draft=is_draft) for a in appendices]

    verification_url = "" if is_draft else document.verification_url
    qr_image = qr_png_data_uri(verification_url) if verification_url else ""
    sheets[0].verification_url, sheets[0].qr_image = verification_url, qr_image
    issuer = document.issuer
    signature = _signature(document, is_draft)
    if signature and not document.is_act and getattr(document, "approval_by_signature", False):
        # Approved by the signatory's own signature: «УТВЕРЖДАЮ» top right, no signature line.
        sheets[0].approval_signature = _approval_signature(document, signature, is_draft)
        signature = None
    return {
        "document": document,
        "issuer": issuer,
        "sheets": sheets,
        "root": sheets[0],
        "is_draft": is_draft,
        "is_signed": document.is_signed,
        "draft_word": DRAFT_WORD,
        "title": str(document),
        "author": str(issuer),
        "created": _iso(document.signed_at) if document.signed_at else "",
        "letterhead_lines": _letterhead_lines(issuer),
        "date_display": _date_display(document, is_draft),
        "number_display": BLANK_NUMBER if is_draft else document.display_number,
        "regline": _regline(document, is_draft),
        "operative_word": document.spaced_operative_word,
        "preamble_paragraphs": _paragraphs(document.preamble),
        "closing_paragraphs": _paragraphs(document.closing, keep_lines=True),
        "signature": signature,
        "executor": _executor(document),
        "verification_url": verification_url,
        "verification_code": "" if is_draft else (document.verification_code or ""),
        # The QR code as a PNG data URI (what the templates print) and, computed only if a
        # template asks for it, as an SVG data URI.
        "qr_image": qr_image,
        "qr_svg": functools.partial(qr_svg_data_uri, verification_url) if verification_url else "",
    }


def _appendices(document) -> list[LegalDocument]:
    """All appendices below ``document``, depth first by number; one query per nesting level.

    Each appendix's ``parent`` is set to the in-memory parent, so its appendix mark and approval
    stamp read the requisites of the document being rendered, not a stale row.
    """
    if document.pk is None:
        return []
    children: dict[int, list[LegalDocument]] = {}
    by_pk = {document.pk: document}
    level = [document.pk]
    while level:
        rows = list(
            LegalDocument.objects.filter(parent_id__in=level).order_by(
                F("appendix_number").asc(nulls_last=True), "pk"
            )
        )
        for row in rows:
            row.parent = by_pk[row.parent_id]
            by_pk[row.pk] = row
            children.setdefault(row.parent_id, []).append(row)
        level = [row.pk for row in rows]

    ordered: list[LegalDocument] = []

    def visit(pk):
        for child in children.get(pk, []):
            ordered.append(child)
            visit(child.pk)

    visit(document.pk)
    return ordered


def _points_by_document(documents) -> dict[int, list[_Point]]:
    pks = [d.pk for d in documents if d.pk is not None]
    result: dict[int, list[_Point]] = {pk: [] for pk in pks}
    if not pks:
        return result
    rows = DocumentPoint.objects.filter(document_id__in=pks).values_list(*_Point._fields)
    for row in rows.order_by():
        point = _Point(*row)
        result[point.document_id].append(point)
    return result


def _sheet(document, points, *, is_root, is_draft) -> Sheet:
    tree = build_tree(points.get(document.pk, []))
    layout = "act" if is_root and document.is_act else "titled"
    mark = "" if is_root else document.appendix_mark()
    stamp = None if is_root else document.approval_stamp()
    approval_lines = []
    if stamp:
        word, by_line = stamp
        approval_lines = [word, *_split(by_line, _BY_LINE_RE)]
    table = _table(document.table)
    agreement = _agreement_sheet(document)
    return Sheet(
        document=document,
        tree=tree,
        blocks=_blocks(tree, layout=layout, sectioned=document.kind in SECTIONED_KINDS),
        is_root=is_root,
        layout=layout,
        appendix_mark=mark,
        appendix_mark_lines=_split(mark, _APPENDIX_MARK_RE) if mark else [],
        approval_stamp=stamp,
        approval_lines=approval_lines,
        is_draft=is_draft,
        table=table,
        agreement_sheet=agreement,
        # A wide table (a plan has ten columns) does not fit 170 mm: its sheet turns landscape.
        landscape=bool(table and len(table["columns"]) > LANDSCAPE_COLUMNS),
    )


def _blocks(tree: list[Node], *, layout: str, sectioned: bool) -> list[Block]:
    """The tree as a flat list of paragraphs: templates loop once, no recursive includes.

    In an act every point is a paragraph starting with its number. In a titled document the
    level-1 numbered points are section titles — always for a regulation or an agreement, and
    for other kinds when they have numbered clauses under them.
    """
    blocks: list[Block] = []

    def visit(node: Node):
        if node.style == "numbered":
            text = f"{node.number} {node.text}"
            is_section = (
                layout == "titled"
                and node.level == 1
                and (sectioned or any(c.style == "numbered" for c in node.children))
            )
            css = "doc-section" if is_section else ""
        elif node.style == "bullet":
            text, css = f"– {node.text}", ""
        else:
            text, css = node.text, ""
        blocks.append(Block(css=css, text=text, meta=_point_meta(node)))
        for child in node.children:
            visit(child)

    for node in tree:
        visit(node)
    return blocks


def _point_meta(node: Node) -> str:
    parts = []
    if node.deadline:
        parts.append(f"Срок: {node.deadline}")
    if node.executor:
        parts.append(f"ответственный: {node.executor}")
    if not parts:
        return ""
    text = "; ".join(parts)
    return f"({text[0].upper()}{text[1:]})"


def _table(table) -> dict | None:
    """{"columns": [...], "rows": [[...]]} with every row as wide as the header."""
    if not isinstance(table, dict):
        return None
    columns = [str(c) for c in table.get("columns") or []]
    rows = []
    for row in table.get("rows") or []:
        cells = ["" if c is None else str(c) for c in (row if isinstance(row, list) else [row])]
        if columns:
            cells = (cells + [""] * len(columns))[: len(columns)]
        rows.append(cells)
    if not columns and not rows:
        return None
    return {"columns": columns, "rows": rows}


_AGREEMENT_KEYS = ["school", "position", "name", "decision", "date", "remarks"]


def _agreement_sheet(document) -> dict | None:
    """Лист согласования: one row per school — school, position, И.О. Фамилия, decision, date,
    remarks. Rows are lists in that order, or dicts with those keys in English."""
    rows = getattr(document, "agreement_sheet", None)
    if not rows or not isinstance(rows, list):
        return None
    width = len(_AGREEMENT_KEYS)
    cells = []
    for row in rows:
        if isinstance(row, dict):
            row = [row.get(key) for key in _AGREEMENT_KEYS]
        elif not isinstance(row, list | tuple):
            row = [row]
        texts = [" ".join(str(c).split()) if c is not None else "" for c in row]
        cells.append((texts + [""] * width)[:width])
    dative = LegalDocument.DATIVE.get(document.kind, "")
    return {
        "title": AGREEMENT_TITLE,
        "subtitle": f"к {dative} {document.heading}" if dative else document.heading,
        "columns": AGREEMENT_COLUMNS,
        "rows": cells,
    }


def _split(text: str, pattern: re.Pattern) -> list[str]:
    match = pattern.match(text)
    return [g for g in match.groups() if g] if match else [text]


def _paragraphs(text: str, *, keep_lines: bool = False) -> list:
    """Paragraphs of a free-text field: one per line, or per blank-line block keeping lines."""
    text = (text or "").replace("\r\n", "\n").strip()
    if not text:
        return []
    if keep_lines:
        return [
            [line.strip() for line in block.split("\n") if line.strip()]
            for block in re.split(r"\n\s*\n", text)
            if block.strip()
        ]
    return [line.strip() for line in text.split("\n") if line.strip()]


def _letterhead_lines(issuer) -> list[str]:
    # A letterhead is stored as printed on the blank («г. ДМИТРИЕВА» keeps its lower-case «г.»);
    # the fallback, the full name, is upper-cased as a letterhead is.
    lines = issuer.letterhead_lines
    return lines if issuer.letterhead else [line.upper() for line in lines]


def _nbsp(text: str) -> str:
    return " ".join((text or "").split()).replace(" ", "\u00a0")


def _regline(document, is_draft) -> dict:
    """The line «22.05.2017 … № 1-139/1» as two no-break pieces (justified to both edges).

    An act prints date left and number right; a titled root document, place left and date
    with number right.
    """
    number = f"№\u00a0{_nbsp(BLANK_NUMBER if is_draft else document.display_number)}"
    date = _date_display(document, is_draft)
    if document.is_act:
        return {"left": date, "right": number}
    right = date if is_draft else f"{date}\u00a0{number}"
    return {"left": _nbsp(document.place), "right": right}


def _date_display(document, is_draft) -> str:
    if is_draft or not document.date:
        return BLANK_DATE
    return f"{document.date:%d.%m.%Y}"


def _position(document) -> str:
    position = document.signatory_position or (
        document.signatory.position if document.signatory else ""
    )
    if document.signatory_acting and position and not position.lower().startswith("и.о."):
        position = f"И.о. {position}"
    return position


def _signature(document, is_draft) -> dict | None:
    if not (document.signatory_id or document.signatory_position):
        return None
    position = _position(document)
    name = document.signatory.initials_name if document.signatory_id else ""
    signature = {
        "position": position,
        "name": name,
        "stamp": None,
        "paper_copy": False,
        "paper_lines": [],
    }
    if is_draft:
        return signature
    if document.origin == LegalDocument.Origin.PAPER:
        signature["paper_copy"] = True
        signature["paper_lines"] = [PAPER_COPY]
        if document.verification_code:
            signature["paper_lines"].append(f"Код проверки: {document.verification_code}")
        return signature
    signer = ", ".join(p for p in (name, position) if p)
    lines = [f"Подписант: {signer}"]
    if document.signed_at:
        lines.append(f"Дата и время подписания: {format_signed_at(document.signed_at)}")
    if document.verification_code:
        lines.append(f"Код проверки: {document.verification_code}")
    signature["stamp"] = {"title": ESIGN_TITLE, "lines": lines}
    return signature


def _approval_signature(document, signature, is_draft) -> dict:
    """The stamp «УТВЕРЖДАЮ / position, organisation / [signature mark] / И.О. Фамилия / date»."""
    position = signature["position"]
    organisation = document.issuer.short_name
    lines = [position]
    if organisation and organisation not in position:
        lines.append(organisation)
    return {
        "word": APPROVE_WORD,
        "position_lines": [line for line in lines if line],
        "name": signature["name"],
        "stamp": signature["stamp"],
        "paper_lines": signature["paper_lines"],
        "date": _date_display(document, is_draft),
    }


def format_signed_at(moment) -> str:
    """«22.05.2017 14:03 (МСК)»: the moment of signing in the project's time zone."""
    tz_name = settings.TIME_ZONE or "UTC"
    if timezone.is_aware(moment):
        moment = moment.astimezone(zoneinfo.ZoneInfo(tz_name))
    if tz_name == "Europe/Moscow":
        label = "МСК"
    else:
        offset = moment.utcoffset()
        if offset is None:
            label = tz_name
        else:
            minutes = int(offset.total_seconds() // 60)
            sign = "+" if minutes >= 0 else "−"
            label = f"UTC{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"
    return f"{moment:%d.%m.%Y %H:%M} ({label})"


def _executor(document) -> dict | None:
    if not document.executor_id:
        return None
    person = document.executor
    return {"name": person.initials_name, "phone": person.phone}


def _iso(moment) -> str:
    return moment.isoformat(timespec="seconds") if moment else ""


# --- QR code ------------------------------------------------------------------------------------
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
    import io

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


# --- rendering ----------------------------------------------------------------------------------
def render_document_html(document: LegalDocument, *, preview: bool = False) -> str:
    """The document as HTML: a full page for WeasyPrint, or a fragment for the site's layout."""
    return _render_html(document_context(document), preview=preview)


def _render_html(context: dict, *, preview: bool) -> str:
    context = {**context, "preview": preview}
    return render_to_string(PREVIEW_TEMPLATE if preview else TEMPLATE, context)


def render_document_pdf(document: LegalDocument) -> bytes:
    """PDF/A-3b of ``document`` and its appendices, fonts embedded."""
    context = document_context(document)
    html = _render_html(context, preview=False)
    renderer = _renderer()
    return renderer.write_pdf(html, draft=context["is_draft"])


class _Renderer:
    """WeasyPrint with the stylesheets and fonts parsed once (per process and left margin)."""

    def __init__(self, key: tuple, left_margin_mm: float, css_path: Path):
        import weasyprint
        from weasyprint.text.fonts import FontConfiguration

        self.key = key
        self.weasyprint = weasyprint
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
        self.stylesheets = [base, margin]
        self.draft_stylesheets = [base, margin, draft]

    def write_pdf(self, html: str, *, draft: bool) -> bytes:
        with self.lock:
            document = self.weasyprint.HTML(
                string=html, base_url=self.base_url, url_fetcher=self.url_fetcher
            )
            return document.write_pdf(
                stylesheets=self.draft_stylesheets if draft else self.stylesheets,
                font_config=self.font_config,
                pdf_variant="pdf/a-3b",
            )


_renderer_lock = threading.Lock()
_renderer_cache: _Renderer | None = None


def left_margin_mm() -> float:
    """settings.DOCUMENT_LEFT_MARGIN_MM: 30 mm by default (documents kept long, ГОСТ Р 7.0.97)."""
    value = getattr(settings, "DOCUMENT_LEFT_MARGIN_MM", DEFAULT_LEFT_MARGIN_MM)
    try:
        value = float(value)
    except (TypeError, ValueError):
        raise ImproperlyConfigured(
            "DOCUMENT_LEFT_MARGIN_MM must be a number of millimetres."
        ) from None
    if not MIN_LEFT_MARGIN_MM <= value <= 60:
        raise ImproperlyConfigured(
            f"DOCUMENT_LEFT_MARGIN_MM must be between {MIN_LEFT_MARGIN_MM} and 60 (ГОСТ Р 7.0.97)."
        )
    return value


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
