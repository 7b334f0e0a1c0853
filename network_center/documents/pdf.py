"""Printing legal documents: the HTML preview and the PDF/A-3b of record (SPEC §5).

This module knows nothing of plans or monitoring. It renders a ``LegalDocument`` — normally a
root (``parent is None``) — followed by its appendices, depth first in ``appendix_number`` order,
each on a new page, from the templates under ``templates/documents/render/`` and the stylesheet
``static/documents/print.css`` (ГОСТ Р 7.0.97-2025).

- ``document_context(document)`` — what the templates need. Everything of the document passed in
  is read from that instance (services set the requisites of a document being signed in memory
  before they render it); appendices and all points come from the database, the points of every
  sheet in one query.
- ``render_document_html(document, preview=False)`` — the HTML WeasyPrint gets (its tables carry
  their column widths and rules in style attributes), or with ``preview=True`` a fragment for a
  web page: no inline styles, no ``<style>``, only classes of print.css, which the page links;
  the QR code is an ``<img>`` with a ``data:`` URI.
- ``render_document_pdf(document)`` — PDF/A-3b with the bundled Liberation Serif embedded. The
  stylesheets and the font configuration are parsed once per process and reused.

WeasyPrint spends a millisecond or more per line box and per element on this kind of
page, so the markup is lean (see print.css): multi-line blocks are one text under
``white-space: pre-line`` rather than ``<br>``s; the QR code is a running element in the bottom
margin of the first page (not a footnote); the signature row is the stamp with position and name
placed beside it (not a table); tables have a fixed layout whose column widths are chosen here,
once, from the text (``_fit_columns``), and in the PDF each row of a table is one cell whose
lines carry the cells' pieces to their columns (``_as_lines``, «tables printed as lines»
below): a 150-line plan is a thousand boxes instead of eleven thousand. The HTML preview keeps
one cell per column, with soft hyphens only in the words wider than their column instead of
``hyphens: auto``. ``_document_html_class`` parses our well-formed markup with the C XML parser
and matches it against a cut-down user-agent stylesheet.

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

from __future__ import annotations

import base64
import bisect
import contextlib
import functools
import gc
import io
import math
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

from network_center.documents.body import Node, build_tree
from network_center.documents.models import DocumentPoint, LegalDocument

DEFAULT_LEFT_MARGIN_MM = 30
MIN_LEFT_MARGIN_MM = 20  # ГОСТ Р 7.0.97-2025, 5.1: at least 20 mm.
DRAFT_WORD = "ПРОЕКТ"
BLANK_DATE = "__.__.____"
BLANK_NUMBER = "___"
QR_BORDER = 2  # modules of quiet zone inside the 20 mm square; the page around it is blank
# The first page of a signed document keeps its lowest 26 mm above the 20 mm margin for the QR
# code (20 mm), its caption and a gap.
QR_PAGE_MARGIN_MM = 46
LANDSCAPE_COLUMNS = 6  # a sheet whose table has more columns is printed landscape
APPROVE_WORD = "УТВЕРЖДАЮ"
AGREEMENT_TITLE = "ЛИСТ СОГЛАСОВАНИЯ"
AGREEMENT_COLUMNS = ["Школа", "Должность", "И.О. Фамилия", "Решение", "Дата", "Замечания"]
ESIGN_TITLE = "Документ подписан простой электронной подписью"
PAPER_COPY = "Электронная копия документа, подписанного на бумажном носителе"
NARROW_NBSP = "\u202f"
ZERO_WIDTH_SPACE = "\u200b"

# Kinds whose level-1 numbered points are section titles («1. Общие положения»).
SECTIONED_KINDS = {LegalDocument.Kind.REGULATION, LegalDocument.Kind.AGREEMENT}

TEMPLATE = "documents/render/document.html"
PREVIEW_TEMPLATE = "documents/render/preview.html"

_APPENDIX_MARK_RE = re.compile(r"^(Приложение(?:\s+\S+)?)\s+(к\s.+?)\s+(от\s.+)$", re.S)
_BY_LINE_RE = re.compile(r"^(.+?)\s+(от\s.+)$", re.S)
_SPACES_RE = re.compile(r"[ \t\r\n\f\v]+")  # not the no-break spaces

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
    appendix_mark_text: str = ""  # the lines joined by newlines (printed ``white-space: pre-line``)
    approval_stamp: tuple[str, str] | None = None
    approval_lines: list[str] = field(default_factory=list)
    approval_text: str = ""
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


def document_context(document: LegalDocument, *, preview: bool = False) -> dict:
    """Everything the render templates need for ``document`` and its appendices: for the PDF,
    or for the HTML ``preview`` (whose tables are ordinary cells)."""
    appendices = _appendices(document)
    points = _points_by_document([document, *appendices])
    # A document is signed as a whole: appendices follow the state of the document passed in.
    is_draft = document.is_draft
    sheets = [_sheet(document, points, is_root=True, is_draft=is_draft, preview=preview)]
    sheets += [
        _sheet(a, points, is_root=False, is_draft=is_draft, preview=preview) for a in appendices
    ]

    verification_url = "" if is_draft else document.verification_url
    qr_image = qr_png_data_uri(verification_url) if verification_url else ""
    sheets[0].verification_url, sheets[0].qr_image = verification_url, qr_image
    issuer = document.issuer
    letterhead_lines = _letterhead_lines(issuer)
    closing = _paragraphs(document.closing, keep_lines=True)
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
        "letterhead_lines": letterhead_lines,
        "letterhead_text": _lines(letterhead_lines),
        "date_display": _date_display(document, is_draft),
        "number_display": BLANK_NUMBER if is_draft else document.display_number,
        "regline": _regline(document, is_draft),
        "operative_word": document.spaced_operative_word,
        "preamble_paragraphs": _paragraphs(document.preamble),
        "closing_paragraphs": closing,
        "closing_texts": [_lines(lines) for lines in closing],
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


def _sheet(document, points, *, is_root, is_draft, preview=False) -> Sheet:
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
    # A wide table (a plan has ten columns) does not fit 170 mm: its sheet turns landscape.
    landscape = bool(table and (table["landscape"] or len(table["columns"]) > LANDSCAPE_COLUMNS))
    width = _text_width_mm(landscape)
    for grid in (table, agreement):
        if grid:
            _fit_columns(grid, width)
            if not preview:
                _as_lines(grid, width)  # the PDF's rows, from the text as it is
            if "lines" not in grid:
                _hyphenate_rows(grid)  # cells: the preview's, or a text the font lacks
    mark_lines = _split(mark, _APPENDIX_MARK_RE) if mark else []
    return Sheet(
        document=document,
        tree=tree,
        blocks=_blocks(tree, layout=layout, sectioned=document.kind in SECTIONED_KINDS),
        is_root=is_root,
        layout=layout,
        appendix_mark=mark,
        appendix_mark_lines=mark_lines,
        appendix_mark_text=_lines(mark_lines),
        approval_stamp=stamp,
        approval_lines=approval_lines,
        approval_text=_lines(approval_lines),
        is_draft=is_draft,
        table=table,
        agreement_sheet=agreement,
        landscape=landscape,
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
    """{"columns": [...], "rows": [[...]]} with every row as wide as the header (or as the
    widest row when there is no header)."""
    if not isinstance(table, dict):
        return None
    columns = [str(c) for c in table.get("columns") or []]
    rows = []
    for row in table.get("rows") or []:
        if isinstance(row, dict):
            if row.get("group"):
                rows.append(Group(" ".join(str(row["group"]).split())))
            continue
        rows.append([_cell(c) for c in (row if isinstance(row, list) else [row])])
    cell_rows = [row for row in rows if not isinstance(row, Group)]
    if not columns and not cell_rows:
        return None
    width = len(columns) or max(len(row) for row in cell_rows)
    rows = [row if isinstance(row, Group) else (row + [""] * width)[:width] for row in rows]
    return {
        "columns": columns,
        "rows": rows,
        "width": width,
        "landscape": bool(table.get("landscape")),
    }


class Group(str):
    """A row of a table that heads a group of rows (a plan's direction): one cell, full width."""

    is_group = True


def _cell(value) -> str:
    """A table cell's text, its lines kept (the template prints them with ``<br>``: only the rare
    cell with several lines pays for them, where ``white-space: pre-line`` would cost every
    cell), runs of white space within a line made one space (no-break spaces kept)."""
    if value is None:
        return ""
    lines = str(value).replace("\r\n", "\n").replace("\r", "\n").split("\n")
    return "\n".join(_SPACES_RE.sub(" ", line).strip(" ") for line in lines).strip("\n")


# --- table geometry -----------------------------------------------------------------------------
# Tables are printed with ``table-layout: fixed``: WeasyPrint's automatic layout measures every
# cell of the table again on every page it spans (quadratic in the length of a plan). The column
# widths are chosen here instead, once, from the text (Liberation Serif metrics) and given to the
# <col> elements as classes ``doc-w1`` … ``doc-w100`` (percent of the table; no inline styles).
# A word wider than its column gets soft hyphens (Russian patterns), so that it breaks with a
# hyphen where it must and nowhere else: ``hyphens: auto`` would cost WeasyPrint a layout per
# hyphenation point tried on every line of every cell.
TABLE_FONT_PT = 12
CELL_PADDING_MM = 3.5  # 1.5 mm each side plus the 0.5 pt rules
CELL_PADDING_SIDE_MM = 1.5
MAX_WORD_SHARE = 0.2  # a column is never widened beyond this share for one long word
MAX_HEADER_SHARE = 0.3  # … nor for its header on one line
SHORT_TABLE_ROWS = 12  # up to this many rows a header is kept on one line if it can be
FULL_CELL_QUANTILE = 0.8  # columns share the width by their cells at this quantile (_fit_columns)
_WORD_RE = re.compile(r"[^ \n]+")  # cells hold single spaces and newlines (``_cell``)
_LETTERS_RE = re.compile(r"[^\W\d_]{6,}")
_BREAK_RE = re.compile(r"(?<=[\u00ad/-])")
PT_TO_MM = 25.4 / 72


def _text_width_mm(landscape: bool) -> float:
    """The width of the text block of a sheet (A4, ГОСТ margins: the left one from settings)."""
    return (297 if landscape else 210) - left_margin_mm() - 10


@functools.lru_cache(maxsize=2)
def _advances(bold: bool) -> tuple[dict[int, float], float]:
    """Advance widths of the bundled Liberation Serif in em, and a default for other characters."""
    from fontTools.ttLib import TTFont

    name = "LiberationSerif-Bold.ttf" if bold else "LiberationSerif-Regular.ttf"
    path = Path(settings.BASE_DIR) / "static" / "fonts" / "liberation" / name
    font = TTFont(path, lazy=True)
    units = font["head"].unitsPerEm
    metrics = font["hmtx"].metrics
    advances = {code: metrics[glyph][0] / units for code, glyph in font.getBestCmap().items()}
    return advances, 0.5


def _width_mm(text: str, *, bold: bool = False, size_pt: float = TABLE_FONT_PT) -> float:
    advances, default = _advances(bold)
    get = advances.get
    return sum(get(ord(char), default) for char in text) * size_pt * PT_TO_MM


@functools.lru_cache(maxsize=8192)  # words, and whole printed lines: venues, dates, names recur
def _word_width_mm(word: str, bold: bool) -> float:
    return _width_mm(word, bold=bold)


@functools.lru_cache(maxsize=4096)
def _piece_width_mm(word: str, bold: bool) -> float:
    """The width the word needs if it may break at its hyphens and hyphenation points."""
    pieces = _BREAK_RE.split(_soft_hyphens(word))
    if len(pieces) == 1:
        return _word_width_mm(word, bold)
    hyphen = _word_width_mm("-", bold)
    return max(_word_width_mm(piece, bold) for piece in pieces) + hyphen


@functools.lru_cache(maxsize=1)
def _hyphenator():
    import pyphen

    return pyphen.Pyphen(lang="ru_RU")


@functools.lru_cache(maxsize=4096)
def _soft_hyphens(word: str) -> str:
    """``word`` with soft hyphens between the syllables of its runs of letters."""
    dictionary = _hyphenator()
    return _LETTERS_RE.sub(lambda m: dictionary.inserted(m.group(0), hyphen="\u00ad"), word)


def _fit_columns(grid: dict, width_mm: float) -> None:
    """Choose the column widths of ``grid`` (a table or an agreement sheet) for a text block
    ``width_mm`` wide; put their classes in ``grid["col_classes"]`` and soft hyphens into the
    words that do not fit their column.

    What WeasyPrint's automatic layout would do, once instead of on every page: a column is at
    least as wide as its longest word (up to ``MAX_WORD_SHARE`` of the table) and, room
    permitting, as its header, and at most as wide as its longest line. Between the two, the
    columns share the width in proportion to the text of their fuller cells (the cell at the
    ``FULL_CELL_QUANTILE`` of each column's cells by amount of text): a row is as high as its
    fullest cell, so a column whose cells are sometimes long (a list of schools) gets the room
    that keeps those rows low, not just its average share.
    """
    columns, rows = grid["columns"], grid["rows"]
    count = len(columns) or grid.get("width") or 0
    if not count:
        grid["col_classes"] = []
        return
    words = [0.0] * count  # the widest word, mm
    pieces = [0.0] * count  # the widest piece of a word between its hyphenation points, mm
    longest = [0.0] * count  # the widest line (max-content), mm
    amount = [0.0] * count  # the text of a fuller cell, mm
    cell_amounts: list[list[float]] = [[] for _ in range(count)]
    headers = [0.0] * count
    vocabulary: list[set[str]] = [set() for _ in range(count)]  # the words of the cells
    space = _word_width_mm(" ", False)
    for index, header in enumerate(columns):
        for line in header.split("\n"):
            for word in _WORD_RE.findall(line):
                words[index] = max(words[index], _word_width_mm(word, True))
                pieces[index] = max(pieces[index], _piece_width_mm(word, True))
            headers[index] = max(headers[index], _width_mm(line, bold=True))
        amount[index] = headers[index]
    for row in rows:
        if isinstance(row, Group):
            continue
        for index, cell in enumerate(row):
            cell_amount = 0.0
            for line in cell.split("\n") if cell else ():
                # A line's width from its words' (cached): the text repeats itself a lot.
                line_words = _WORD_RE.findall(line)
                if not line_words:
                    continue
                vocabulary[index].update(line_words)
                widths = [_word_width_mm(word, False) for word in line_words]
                width = sum(widths) + space * (len(widths) - 1)
                words[index] = max(words[index], *widths)
                pieces[index] = max(
                    pieces[index], *(_piece_width_mm(word, False) for word in line_words)
                )
                longest[index] = max(longest[index], width)
                cell_amount += width
            cell_amounts[index].append(cell_amount)
    for index, amounts in enumerate(cell_amounts):
        # The cells that have text: a column filled in for one school of five (remarks) needs
        # the room of that one cell, not of the empty ones.
        amounts = sorted(a for a in amounts if a)
        if amounts:
            amount[index] = amounts[int(FULL_CELL_QUANTILE * (len(amounts) - 1))]
    inner = width_mm - count * CELL_PADDING_MM
    span = range(count)
    cap = MAX_WORD_SHARE * width_mm
    # The floor of each column: its header on one line (in a short table: in a long one the
    # room goes to the rows) and no word hyphenated if the table has room for that; else no word
    # hyphenated; else (a wide table) hyphenation where it must.
    floors = [
        [min(words[i], cap) for i in span],
        [min(pieces[i], cap) for i in span],
    ]
    if len(rows) <= SHORT_TABLE_ROWS:
        floors.insert(
            0,
            [max(min(words[i], cap), min(headers[i], MAX_HEADER_SHARE * width_mm)) for i in span],
        )
    for minimum in floors:
        if sum(minimum) <= inner:
            break
    else:
        minimum = [m * inner / sum(minimum) for m in minimum]
    maximum = [max(minimum[i], longest[i], headers[i], 1.0) for i in span]
    if sum(maximum) <= inner:
        # Every cell fits on its lines: widen the columns in proportion.
        widths = [w * inner / sum(maximum) for w in maximum]
    else:
        # Between minimum and maximum in proportion to the text: bisect for the factor.
        def fitted(factor):
            return [min(max(amount[i] * factor, minimum[i]), maximum[i]) for i in span]

        low, high = 0.0, max(maximum[i] / amount[i] for i in span if amount[i])
        for _ in range(40):
            middle = (low + high) / 2
            low, high = (middle, high) if sum(fitted(middle)) < inner else (low, middle)
        widths = fitted(high)
    # Whole percents: round up (a date must not break), take the excess from the widest.
    percents = [min(100, math.ceil((w + CELL_PADDING_MM) * 100 / width_mm)) for w in widths]
    while sum(percents) > 100:
        widest = max(range(count), key=percents.__getitem__)
        percents[widest] -= 1
    floor = [math.ceil((m + CELL_PADDING_MM) * 100 / width_mm) for m in minimum]
    percents = _balance(rows, percents, floor, width_mm)
    grid["col_classes"] = [f"doc-w{max(p, 1)}" for p in percents]
    grid["percents"] = percents
    # Soft hyphens where a word is wider than its column: only the columns that have such words.
    room = [p * width_mm / 100 - CELL_PADDING_MM for p in percents]
    grid["plain_columns"] = columns
    grid["columns"] = [_hyphenate(header, room[i], True) for i, header in enumerate(columns)]
    grid["narrow"] = [
        (i, room[i]) for i in span if any(_word_width_mm(w, False) > room[i] for w in vocabulary[i])
    ]


BALANCE_STEPS = (1, 2, 3)  # percents moved at a time between two columns


def _balance(rows, percents: list[int], floor: list[int], width_mm: float) -> list[int]:
    """``percents`` with whole percents moved from one column to another for as long as that
    makes the table shorter: fewer printed lines in all, a row being as high as its fullest
    cell. The proportional widths leave rows a line higher than they need (a venue wrapping
    onto a third line beside two-line cells); no column goes below ``floor`` (its longest word).
    Lines are counted greedily from the words' widths — what ``_wrap`` does, less its rare
    hyphenation of words wider than the column."""
    cells = [row for row in rows if not isinstance(row, Group)]
    count = len(percents)
    if len(cells) < 2 or count < 2:
        return percents
    space = _word_width_mm(" ", False)
    # Per column, per cell: its paragraphs as lists of word widths.
    words = [
        [
            [[_word_width_mm(w, False) for w in p.split(" ") if w] for p in row[i].split("\n")]
            if row[i]
            else []
            for row in cells
        ]
        for i in range(count)
    ]
    counted: dict[tuple[int, int], list[int]] = {}

    def lines(i: int, percent: int) -> list[int]:
        key = (i, percent)
        if key not in counted:
            room = percent * width_mm / 100 - CELL_PADDING_MM
            result = []
            for paragraphs in words[i]:
                n = 0
                for widths in paragraphs:
                    n += 1
                    used = -space
                    for w in widths:
                        if used + space + w > room and used > 0:
                            n += 1
                            used = w
                        else:
                            used += space + w
                result.append(n)
            counted[key] = result
        return counted[key]

    def height(trial):
        return sum(map(max, zip(*(lines(i, p) for i, p in enumerate(trial)), strict=True)))

    best = height(percents)
    improved = True
    while improved:
        improved = False
        for a in range(count):
            for b in range(count):
                if a == b:
                    continue
                for step in BALANCE_STEPS:
                    if percents[a] - step < floor[a]:
                        break
                    trial = list(percents)
                    trial[a] -= step
                    trial[b] += step
                    total = height(trial)
                    if total < best:
                        percents, best, improved = trial, total, True
                        break
    return percents


def _hyphenate_rows(grid: dict) -> None:
    """Soft hyphens in the words wider than their column (``_fit_columns`` found them)."""
    for row in grid["rows"]:
        if isinstance(row, Group):
            continue
        for i, room in grid["narrow"]:
            row[i] = _hyphenate(row[i], room, False)


def _hyphenate(text: str, room_mm: float, bold: bool) -> str:
    """``text`` with break opportunities in the words wider than ``room_mm``: soft hyphens
    between syllables and, inside a piece that is still too wide (a long number, an address), a
    zero-width space wherever the piece reaches the edge. Cells have no ``overflow-wrap`` (with
    it WeasyPrint breaks at a soft hyphen without printing the hyphen)."""
    if not text:
        return text
    return _WORD_RE.sub(lambda m: _fit_word(m.group(0), room_mm, bold), text)


def _fit_word(word: str, room_mm: float, bold: bool) -> str:
    if _word_width_mm(word, bold) <= room_mm:
        return word
    hyphen = _word_width_mm("-", bold)
    parts = []
    for part in _BREAK_RE.split(_soft_hyphens(word)):
        if _word_width_mm(part, bold) + hyphen <= room_mm:
            parts.append(part)
            continue
        chunk = ""
        for char in part:
            if chunk and _word_width_mm(chunk + char, bold) > room_mm:
                parts.append(chunk + ZERO_WIDTH_SPACE)
                chunk = ""
            chunk += char
        parts.append(chunk)
    return "".join(parts)


# --- tables printed as lines ---------------------------------------------------------------------
# WeasyPrint's cost grows with the boxes it lays out: a cell, and every line of text in a cell,
# is a box of its own at about a millisecond each, whatever the length of its text. A plan of 150
# events in ten columns is over ten thousand of them. So the body of a table is printed one box per
# row: its cells' text broken into lines here (greedy, as the renderer would: at spaces, after
# hyphens and dashes, at hyphenation points with a hyphen, anywhere in a piece still too wide),
# and each printed line of the row is one line of text in which Unicode spaces of known widths
# (em, en, thin, hair …) carry each cell's piece to the start of its column. The widths are the
# bundled font's advances; print.css turns kerning and ligatures off for these rows, so they are
# exactly what Pango lays out and WeasyPrint draws (its tab characters are not: it draws a tab
# 2.4 % wider than Pango placed it). The rules between the columns are one background image of
# the table (``_rules_image``), drawn once a page; the header row is printed as lines too. A table
# with a character the bundled font lacks (another font would draw it, with other widths) keeps
# one cell per column.
PX_PER_MM = 96 / 25.4
TABLE_EM_PX = TABLE_FONT_PT * 96 / 72
RULE_MM = 0.5 * PT_TO_MM
RULE_PIXELS = 4  # a rule is four pixels of the rules image wide
# The space characters that carry a piece to its column (em, en, ⅓, ¼, ⅕, ⅙ and hair spaces):
# their widths are the font's advances (``_advances``), the same in both weights.
EM_SPACE = "\u2003"
_SPACES = EM_SPACE + "\u2002\u2004\u2005\u2009\u2006\u200a"
FILL_TOLERANCE_EM = 0.01  # a piece starts within 0.04 mm of its column
_BREAK_AFTER_RE = re.compile(r"(?<=[-–—/])(?=[^\W\d_])")  # a hyphen or dash before a letter
_DASHES = {"-", "–", "—"}
HYPHEN = "\u2010"  # what WeasyPrint prints at a soft hyphen, and so do we


@functools.lru_cache(maxsize=1)
def _runs() -> tuple[list[float], list[str]]:
    """Every run of up to five spaces, by width in em (sorted)."""
    advances, _ = _advances(False)
    runs = {"": 0.0}
    for _ in range(5):
        for run in list(runs):
            for char in _SPACES:
                runs.setdefault("".join(sorted(run + char)), runs[run] + advances[ord(char)])
    ordered = sorted((width, run) for run, width in runs.items())
    return [width for width, _ in ordered], [run for _, run in ordered]


def _fill(gap_em: float) -> tuple[str, float]:
    """The fewest spaces within ``FILL_TOLERANCE_EM`` of ``gap_em`` (else the closest run), and
    their width in em. Whole ems carry all but the last two ems of the gap."""
    if gap_em <= 0:
        return "", 0.0
    ems = max(0, int(gap_em) - 2)
    rest = gap_em - ems
    widths, runs = _runs()
    low = bisect.bisect_left(widths, rest - FILL_TOLERANCE_EM)
    high = bisect.bisect_right(widths, rest + FILL_TOLERANCE_EM)
    if low < high:
        best = min(range(low, high), key=lambda i: (len(runs[i]), abs(widths[i] - rest)))
    else:
        index = bisect.bisect_left(widths, rest)
        best = min(
            (i for i in (index - 1, index) if 0 <= i < len(widths)),
            key=lambda i: abs(widths[i] - rest),
        )
    return EM_SPACE * ems + runs[best], ems + widths[best]  # an em space is an em wide


def _in_font(text: str) -> bool:
    return set(text) <= _font_characters()


@functools.lru_cache(maxsize=1)
def _font_characters() -> frozenset[str]:
    """The characters both weights of the bundled font draw, and the newline."""
    regular, bold = _advances(False)[0], _advances(True)[0]
    return frozenset(chr(code) for code in regular.keys() & bold.keys()) | {"\n"}


def _wrap(text: str, room_mm: float, bold: bool = False) -> list[str]:
    """``text`` broken into lines no wider than ``room_mm`` (at the table's size). Soft hyphens
    of the text are dropped: Pango draws none where a line does not break (the font gives it a
    hyphen's width), and the breaking here finds its own."""
    text = text.replace("\u00ad", "")
    lines: list[str] = []
    space = _word_width_mm(" ", bold)
    hyphen = _word_width_mm(HYPHEN, bold)
    for paragraph in text.split("\n"):
        line, width = "", 0.0
        words: list[str] = []
        for word in paragraph.split(" "):
            if word in _DASHES and words:
                words[-1] += " " + word  # a dash does not start a line
            elif word:
                words.append(word)
        for word in words:
            for index, piece in enumerate(_BREAK_AFTER_RE.split(word)):
                gap = space if line and index == 0 else 0.0
                piece_width = _word_width_mm(piece, bold)
                if width + gap + piece_width <= room_mm:
                    line += (" " if gap else "") + piece
                    width += gap + piece_width
                    continue
                if line:
                    lines.append(line)
                    line, width = "", 0.0
                if piece_width <= room_mm:
                    line, width = piece, piece_width
                    continue
                # Wider than the column: at hyphenation points with a hyphen, else anywhere.
                for syllable in _soft_hyphens(piece).split("\u00ad"):
                    syllable_width = _word_width_mm(syllable, bold)
                    if line and width + syllable_width + hyphen > room_mm:
                        lines.append(line + (HYPHEN if line[-1] not in "-–—/" else ""))
                        line, width = "", 0.0
                    if syllable_width <= room_mm:
                        line += syllable
                        width += syllable_width
                        continue
                    for char in syllable:
                        char_width = _word_width_mm(char, bold)
                        if line and width + char_width > room_mm:
                            lines.append(line)
                            line, width = "", 0.0
                        line += char
                        width += char_width
        lines.append(line)
    while lines and not lines[-1]:
        lines.pop()
    return lines


def _as_lines(grid: dict, width_mm: float) -> None:
    """Print ``grid`` one box per row (see above): ``grid["lines"]`` gets the column widths,
    ``grid["header_text"]`` the header (bold, each label centred on its column and on the
    header's height) and ``grid["row_texts"]`` the text of each row (a ``Group`` stays as it
    is) — or nothing at all if the text has a character the bundled font lacks."""
    rows, columns = grid["rows"], grid.get("plain_columns") or []
    if not all(isinstance(row, Group) or _in_font("".join(row)) for row in rows):
        return
    if not _in_font("".join(columns)):
        return
    widths = [p * width_mm / 100 for p in grid["percents"]]
    widths[-1] = width_mm - sum(widths[:-1])
    starts = [sum(widths[:i]) * PX_PER_MM for i in range(len(widths))]
    rooms = [w - CELL_PADDING_MM for w in widths]
    texts = []
    for row in rows:
        if isinstance(row, Group):
            texts.append(row)
            continue
        cells = [_wrap(cell, rooms[i]) if cell else [] for i, cell in enumerate(row)]
        texts.append(_place(cells, starts))
    header = ""
    if columns:
        cells = [_wrap(label, rooms[i], bold=True) for i, label in enumerate(columns)]
        height = max(map(len, cells), default=0)
        centred = []
        for i, lines in enumerate(cells):
            inner = (widths[i] - 2 * CELL_PADDING_SIDE_MM) * PX_PER_MM
            shifts = [(inner - _width_mm(line, bold=True) * PX_PER_MM) / 2 for line in lines]
            centred.append(([""] * ((height - len(lines)) // 2) + lines, shifts))
        header = _place(
            [lines for lines, _ in centred], starts, shifts=[s for _, s in centred], bold=True
        )
    grid["lines"] = [f"{w:.3f}mm" for w in widths]
    # The rules between the columns: 0.5 pt wide at the right edge of each column but the last,
    # the table's height; the table's left border is the first one.
    ends = tuple(round(sum(widths[: i + 1]) - RULE_MM, 3) for i in range(len(widths) - 1))
    grid["rules_style"] = (
        f'background-image: url("{_rules_image(ends, round(width_mm - RULE_MM, 3))}"); '
        "background-size: 100% 100%; background-repeat: no-repeat"
    )
    grid["header_text"] = header
    grid["row_texts"] = texts


@functools.lru_cache(maxsize=64)
def _rules_image(ends: tuple[float, ...], width_mm: float) -> str:
    """A PNG one pixel high and ``width_mm`` (the table's padding box) wide, black from each of
    ``ends`` for ``RULE_MM``, as a data URI: stretched over the table as its background, it draws
    every rule of a page at once. A bitmap because WeasyPrint draws it as one image XObject
    shared by every page (an SVG rule costs it a millisecond per rule and page: a tenth of a long
    plan's time); a pixel is a quarter of the rule, so a rule is within 0.02 mm of its place, and
    print.css keeps it unsmoothed (``image-rendering: pixelated``, which PDF/A requires)."""
    from PIL import Image

    count = max(1, round(width_mm * RULE_PIXELS / RULE_MM))
    pixel_mm = width_mm / count
    image = Image.new("L", (count, 1), 255)
    for end in ends:
        for x in range(round(end / pixel_mm), round((end + RULE_MM) / pixel_mm)):
            if 0 <= x < count:
                image.putpixel((x, 0), 0)
    buffer = io.BytesIO()
    image.save(buffer, "PNG", optimize=True)
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def _place(cells: list[list[str]], starts: list[float], shifts=None, bold=False) -> str:
    """The lines of a row: line n of every cell carried by spaces to the start of its column
    (plus its shift, if any: centring), trailing empty pieces left out."""
    printed = []
    for n in range(max(map(len, cells), default=0)):
        pieces = [lines[n] if n < len(lines) else "" for lines in cells]
        while pieces and not pieces[-1]:
            pieces.pop()
        line, x = "", 0.0
        for i, piece in enumerate(pieces):
            if not piece:
                continue
            target = starts[i]
            if shifts:
                offset = n - (len(cells[i]) - len(shifts[i]))
                target += max(0.0, shifts[i][offset]) if 0 <= offset < len(shifts[i]) else 0.0
            if target > x:
                spaces, width = _fill((target - x) / TABLE_EM_PX)
                line += spaces
                x += width * TABLE_EM_PX  # within a few thousandths of an em of the target
            line += piece
            x += _word_width_mm(piece, bold) * PX_PER_MM
        printed.append(line)
    return "\n".join(printed)


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


def _lines(lines) -> str:
    """Lines for an element printed ``white-space: pre-line``: one text with newlines, each line
    with its white space collapsed (no ``<br>``: each costs WeasyPrint a box of its own)."""
    return "\n".join(_SPACES_RE.sub(" ", str(line)).strip() for line in lines if line)


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
    """Narrow no-break spaces: they hold a piece of the line «22.05.2017 … № 1-139/1» together
    and, unlike U+00A0, are not stretched when the line is justified to both edges."""
    return " ".join((text or "").split()).replace(" ", NARROW_NBSP)


def _regline(document, is_draft) -> dict:
    """The line «22.05.2017 … № 1-139/1» as two no-break pieces (justified to both edges).

    An act prints date left and number right; a titled root document, place left and date
    with number right.
    """
    number = f"№{NARROW_NBSP}{_nbsp(BLANK_NUMBER if is_draft else document.display_number)}"
    date = _date_display(document, is_draft)
    if document.is_act:
        return {"left": date, "right": number}
    right = date if is_draft else f"{date}{NARROW_NBSP}{number}"
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
        "paper_text": "",
    }
    if is_draft:
        return signature
    if document.origin == LegalDocument.Origin.PAPER:
        signature["paper_copy"] = True
        signature["paper_lines"] = [PAPER_COPY]
        if document.verification_code:
            signature["paper_lines"].append(f"Код проверки: {document.verification_code}")
        signature["paper_text"] = _lines(signature["paper_lines"])
        return signature
    signer = ", ".join(p for p in (name, position) if p)
    lines = [f"Подписант: {signer}"]
    if document.signed_at:
        lines.append(f"Дата и время подписания: {format_signed_at(document.signed_at)}")
    if document.verification_code:
        lines.append(f"Код проверки: {document.verification_code}")
    signature["stamp"] = {"title": ESIGN_TITLE, "lines": lines, "text": _lines(lines)}
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
        "paper_text": signature["paper_text"],
        "position_text": _lines([line for line in lines if line]),
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
    return {
        "name": person.initials_name,
        "phone": person.phone,
        "text": _lines([person.initials_name, person.phone]),
    }


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
    return _render_html(document_context(document, preview=preview), preview=preview)


def _render_html(context: dict, *, preview: bool) -> str:
    context = {**context, "preview": preview}
    return render_to_string(PREVIEW_TEMPLATE if preview else TEMPLATE, context)


def render_document_pdf(document: LegalDocument) -> bytes:
    """PDF/A-3b of ``document`` and its appendices, fonts embedded."""
    context = document_context(document)
    html = _render_html(context, preview=False)
    renderer = _renderer()
    return renderer.write_pdf(html, draft=context["is_draft"], qr=bool(context["qr_image"]))


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
