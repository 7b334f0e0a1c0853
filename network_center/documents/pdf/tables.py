"""The typesetting engine of printed tables: column widths from the bundled font's metrics, and
the PDF's tables printed as lines.

- The page: ``left_margin_mm()`` (the setting, checked against ГОСТ Р 7.0.97) and
  ``text_width_mm(landscape)``, the width of the text block a table is set in.
- Table geometry: ``fit_columns(grid, width_mm)`` chooses the column widths once, from the text
  (advances of Liberation Serif read with fontTools, Russian hyphenation with pyphen), and
  ``_balance`` moves whole percents between columns while the table gets fewer printed lines;
  ``hyphenate_rows`` puts soft hyphens into the words wider than their column (the preview's
  cells, or a table the font cannot print as lines).
- Tables printed as lines: ``as_lines(grid, width_mm)`` breaks every row's cells into lines
  (``_wrap``) and carries each line's pieces to their columns with Unicode spaces of known
  widths (``_place``, ``_fill``); the column rules are one bitmap (``_rules_image``).

A ``grid`` is the dict the context builds for a table or an agreement sheet (``columns``,
``rows`` — lists of cell texts, or a ``Group`` heading a group of rows — and ``width``); these
functions add the keys the templates read. Nothing here touches WeasyPrint: it is the geometry
WeasyPrint is given.
"""

from __future__ import annotations

import base64
import bisect
import functools
import io
import math
import re
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

DEFAULT_LEFT_MARGIN_MM = 30
MIN_LEFT_MARGIN_MM = 20  # ГОСТ Р 7.0.97-2025, 5.1: at least 20 mm.


# --- the page -----------------------------------------------------------------------------------
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


def text_width_mm(landscape: bool) -> float:
    """The width of the text block of a sheet (A4, ГОСТ margins: the left one from settings)."""
    return (297 if landscape else 210) - left_margin_mm() - 10


class Group(str):
    """A row of a table that heads a group of rows (a plan's direction): one cell, full width."""

    is_group = True


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
FULL_CELL_QUANTILE = 0.8  # columns share the width by their cells at this quantile (fit_columns)
_WORD_RE = re.compile(r"[^ \n]+")  # cells hold single spaces and newlines (context._cell)
_LETTERS_RE = re.compile(r"[^\W\d_]{6,}")
_BREAK_RE = re.compile(r"(?<=[\u00ad/-])")
PT_TO_MM = 25.4 / 72
ZERO_WIDTH_SPACE = "\u200b"


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


def fit_columns(grid: dict, width_mm: float) -> None:
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


def hyphenate_rows(grid: dict) -> None:
    """Soft hyphens in the words wider than their column (``fit_columns`` found them)."""
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


def as_lines(grid: dict, width_mm: float) -> None:
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
