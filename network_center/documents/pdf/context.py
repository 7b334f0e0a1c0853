"""The template context of a printed document: what ``templates/documents/render/`` need for a
``LegalDocument`` and its appendices, and the HTML rendered from it.

- ``document_context(document, preview=False)`` — everything the templates read. Everything of
  the document passed in is read from that instance (services set the requisites of a document
  being signed in memory before they render it); appendices (``_appendices``, depth first in
  ``appendix_number`` order) and all points come from the database, the points of every sheet in
  one query (``_points_by_document``).
- ``Sheet`` — a document as printed on its own sheets (the root, or one appendix): its body as
  ``Block`` paragraphs, its marks and stamps, its table and agreement sheet (``_table``,
  ``_agreement_sheet``) with the column widths and printed lines of ``tables``.
- The signature, «УТВЕРЖДАЮ» and executor blocks (``_signature``, ``_approval_signature``,
  ``_executor``), from the requisites formatted by ``requisites``.
- ``render_document_html`` / ``render_html`` — the templates rendered with the context: the page
  WeasyPrint gets, or the preview fragment.

All of them run in Russian whatever the reader's interface language (``documents.language``).
"""

from __future__ import annotations

import functools
from collections import Counter, namedtuple
from dataclasses import dataclass, field

from django.db.models import F
from django.template.loader import render_to_string

from network_center.documents.body import Node, build_tree
from network_center.documents.language import in_russian
from network_center.documents.models import DocumentPoint, LegalDocument

from .qr import qr_png_data_uri, qr_svg_data_uri
from .requisites import (
    APPENDIX_MARK_RE,
    BLANK_NUMBER,
    BY_LINE_RE,
    DRAFT_WORD,
    SPACES_RE,
    date_display,
    format_signed_at,
    iso,
    letterhead_lines,
    paragraphs,
    pre_line_text,
    regline,
    signatory_position,
    split,
)
from .tables import Group, as_lines, fit_columns, hyphenate_rows, text_width_mm

LANDSCAPE_COLUMNS = 6  # a sheet whose table has more columns is printed landscape
APPROVE_WORD = "УТВЕРЖДАЮ"
AGREEMENT_TITLE = "ЛИСТ СОГЛАСОВАНИЯ"
ESIGN_TITLE = "Документ подписан простой электронной подписью"
PAPER_COPY = "Электронная копия документа, подписанного на бумажном носителе"

# Kinds whose level-1 numbered points are section titles («1. Общие положения»).
SECTIONED_KINDS = {LegalDocument.Kind.REGULATION, LegalDocument.Kind.AGREEMENT}

TEMPLATE = "documents/render/document.html"
PREVIEW_TEMPLATE = "documents/render/preview.html"

# What build_tree reads of a point, fetched as tuples: no model instances for long regulations.
_Point = namedtuple("_Point", "pk document_id parent_id position style text executor deadline")


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


@in_russian
def document_context(document: LegalDocument, *, preview: bool = False) -> dict:
    """Everything the render templates need for ``document`` and its appendices: for the PDF,
    or for the HTML ``preview`` (whose tables are ordinary cells)."""
    appendices = _appendices(document)
    points = _points_by_document([document, *appendices])
    if document.pk is None and getattr(document, "draft_points", None):
        # An unsaved draft rendered «ПРОЕКТ» before it exists (a year-end report before the plan
        # is closed) carries its body as parsed points.
        points[None] = _unsaved_points(document.draft_points)
    # A document is signed as a whole: appendices follow the state of the document passed in.
    is_draft = document.is_draft
    sheets = [_sheet(document, points, is_root=True, is_draft=is_draft, preview=preview)]
    siblings = Counter(a.parent_id for a in appendices)
    sheets += [
        _sheet(
            a,
            points,
            is_root=False,
            is_draft=is_draft,
            preview=preview,
            sole=siblings[a.parent_id] == 1,
        )
        for a in appendices
    ]

    verification_url = "" if is_draft else document.verification_url
    qr_image = qr_png_data_uri(verification_url) if verification_url else ""
    sheets[0].verification_url, sheets[0].qr_image = verification_url, qr_image
    issuer = document.issuer
    letterhead = letterhead_lines(issuer)
    closing = paragraphs(document.closing, keep_lines=True)
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
        "created": iso(document.signed_at) if document.signed_at else "",
        "letterhead_lines": letterhead,
        "letterhead_text": pre_line_text(letterhead),
        "date_display": date_display(document, is_draft),
        "number_display": BLANK_NUMBER if is_draft else document.display_number,
        "regline": regline(document, is_draft),
        "operative_word": document.spaced_operative_word,
        "preamble_paragraphs": paragraphs(document.preamble),
        "closing_paragraphs": closing,
        "closing_texts": [pre_line_text(lines) for lines in closing],
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


def _unsaved_points(parsed) -> list[_Point]:
    """Parsed points as the rows ``build_tree`` reads, under made-up negative keys."""
    rows: list[_Point] = []

    def add(items, parent_id):
        for position, item in enumerate(items, start=1):
            pk = -(len(rows) + 1)
            rows.append(_Point(pk, None, parent_id, position, item.style, item.text, "", ""))
            add(item.children, pk)

    add(parsed, None)
    return rows


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


def _sheet(document, points, *, is_root, is_draft, preview=False, sole=True) -> Sheet:
    tree = build_tree(points.get(document.pk, []))
    layout = "act" if is_root and document.is_act else "titled"
    mark = "" if is_root else document.appendix_mark(sole=sole)
    stamp = None if is_root else document.approval_stamp()
    approval_lines = []
    if stamp:
        word, by_line = stamp
        approval_lines = [word, *split(by_line, BY_LINE_RE)]
    table = _table(document.table)
    agreement = _agreement_sheet(document)
    # A wide table (a plan has ten columns) does not fit 170 mm: its sheet turns landscape.
    landscape = bool(table and (table["landscape"] or len(table["columns"]) > LANDSCAPE_COLUMNS))
    width = text_width_mm(landscape)
    for grid in (table, agreement):
        if grid:
            fit_columns(grid, width)
            if not preview:
                as_lines(grid, width)  # the PDF's rows, from the text as it is
            if "lines" not in grid:
                hyphenate_rows(grid)  # cells: the preview's, or a text the font lacks
    mark_lines = split(mark, APPENDIX_MARK_RE) if mark else []
    return Sheet(
        document=document,
        tree=tree,
        blocks=_blocks(tree, layout=layout, sectioned=document.kind in SECTIONED_KINDS),
        is_root=is_root,
        layout=layout,
        appendix_mark=mark,
        appendix_mark_lines=mark_lines,
        appendix_mark_text=pre_line_text(mark_lines),
        approval_stamp=stamp,
        approval_lines=approval_lines,
        approval_text=pre_line_text(approval_lines),
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


def _cell(value) -> str:
    """A table cell's text, its lines kept (the template prints them with ``<br>``: only the rare
    cell with several lines pays for them, where ``white-space: pre-line`` would cost every
    cell), runs of white space within a line made one space (no-break spaces kept)."""
    if value is None:
        return ""
    lines = str(value).replace("\r\n", "\n").replace("\r", "\n").split("\n")
    return "\n".join(SPACES_RE.sub(" ", line).strip(" ") for line in lines).strip("\n")


def _agreement_sheet(document) -> dict | None:
    """Лист согласования: a row per party that agrees the document, as its writer stored it in
    ``LegalDocument.agreement_sheet`` — ``{"columns": [...], "rows": [...]}``: the columns'
    titles are the writer's (a plan's are the visas': school, position, name, decision, date,
    remarks — this module knows none of them). Rows are lists in the order of the columns, or
    dicts keyed by the column titles."""
    sheet = getattr(document, "agreement_sheet", None)
    if not isinstance(sheet, dict) or not sheet.get("columns"):
        return None
    rows = sheet.get("rows")
    columns = keys = [str(c) for c in sheet["columns"]]
    if not rows or not isinstance(rows, list):
        return None
    width = len(keys)
    cells = []
    for row in rows:
        if isinstance(row, dict):
            row = [row.get(key) for key in keys]
        elif not isinstance(row, list | tuple):
            row = [row]
        texts = [" ".join(str(c).split()) if c is not None else "" for c in row]
        cells.append((texts + [""] * width)[:width])
    dative = LegalDocument.DATIVE.get(document.kind, "")
    return {
        "title": AGREEMENT_TITLE,
        "subtitle": f"к {dative} {document.heading}" if dative else document.heading,
        "columns": columns,
        "rows": cells,
    }


def _signature(document, is_draft) -> dict | None:
    if not (document.signatory_id or document.signatory_position):
        return None
    position = signatory_position(document)
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
        signature["paper_text"] = pre_line_text(signature["paper_lines"])
        return signature
    signer = ", ".join(p for p in (name, position) if p)
    lines = [f"Подписант: {signer}"]
    if document.signed_at:
        lines.append(f"Дата и время подписания: {format_signed_at(document.signed_at)}")
    if document.verification_code:
        lines.append(f"Код проверки: {document.verification_code}")
    signature["stamp"] = {"title": ESIGN_TITLE, "lines": lines, "text": pre_line_text(lines)}
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
        "position_text": pre_line_text([line for line in lines if line]),
        "date": date_display(document, is_draft),
    }


def _executor(document) -> dict | None:
    """The executor mark, bottom left of the last page: as the act has it
    (``executor_mark``, one line per line), else from the executor's card."""
    if document.executor_mark.strip():
        lines = [line.strip() for line in document.executor_mark.splitlines() if line.strip()]
        return {"name": lines[0], "phone": " ".join(lines[1:]), "text": pre_line_text(lines)}
    if not document.executor_id:
        return None
    person = document.executor
    return {
        "name": person.initials_name,
        "phone": person.phone,
        "text": pre_line_text([person.initials_name, person.phone]),
    }


@in_russian
def render_document_html(document: LegalDocument, *, preview: bool = False) -> str:
    """The document as HTML: a full page for WeasyPrint, or a fragment for the site's layout."""
    return render_html(document_context(document, preview=preview), preview=preview)


@in_russian
def render_html(context: dict, *, preview: bool) -> str:
    context = {**context, "preview": preview}
    return render_to_string(PREVIEW_TEMPLATE if preview else TEMPLATE, context)
