"""The campaign's XLSX template and the reading of a filled-in file, cell by cell.

Layout (the template writes it; a file written by hand follows it):

- the first non-empty row is the header: column A «Код школы», column B «Школа», then one
  column per indicator with its code;
- the rows below it with an empty column A before the first school are descriptions (the
  template's name, unit and valid range of each indicator) and are skipped;
- every row with something in column A is a school: its id (``Organisation.pk``), its name
  (not read), its values.

Tolerated, as spreadsheets written by people have them: empty rows and columns anywhere,
numbers stored as text, a decimal comma («12,5»), spaces (also non-breaking) inside a number.
An empty cell means «no value» (nothing is written, an existing value stays). Every other
problem is an error naming the row and the column, and the file is refused as a whole.
"""

import io
import math
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from schools.xlsx import write_cell

SCHOOL_HEADER = "Код школы"
NAME_HEADER = "Школа"
# Errors listed on the page at most; the count of the rest is said.
MAX_ERRORS = 200
# Progress is reported every 2 % of the rows, and never more often than every
# ``PROGRESS_MIN_ROWS`` rows: each report is one UPDATE of the import's record (and, through
# the data version, a new key for every cached page), so a file makes at most ~50 of them.
PROGRESS_SHARE = 50
PROGRESS_MIN_ROWS = 200


def progress_step(total_rows: int) -> int:
    """Every how many rows of a sheet of ``total_rows`` the reading reports its progress."""
    return max(PROGRESS_MIN_ROWS, math.ceil(total_rows / PROGRESS_SHARE))


def build_template(campaign, schools, indicators) -> bytes:
    """The XLSX template of ``campaign``: ``schools`` (rows) × ``indicators`` (columns)."""
    book = Workbook()
    sheet = book.active
    sheet.title = _("Значения")[:31]
    bold = Font(bold=True)
    write_cell(sheet, 1, 1, SCHOOL_HEADER).font = bold
    write_cell(sheet, 1, 2, NAME_HEADER).font = bold
    write_cell(sheet, 2, 2, _("Показатель"))
    write_cell(sheet, 3, 2, _("Единица измерения"))
    write_cell(sheet, 4, 2, _("Допустимые значения"))
    for column, indicator in enumerate(indicators, start=3):
        write_cell(sheet, 1, column, indicator.code).font = bold
        write_cell(sheet, 2, column, indicator.name).alignment = Alignment(wrap_text=True)
        write_cell(sheet, 3, column, indicator.unit)
        write_cell(sheet, 4, column, indicator.range_label)
        sheet.column_dimensions[get_column_letter(column)].width = 18
    for row, school in enumerate(schools, start=5):
        write_cell(sheet, row, 1, school.pk)
        write_cell(sheet, row, 2, school.short_name)
    sheet.column_dimensions["A"].width = 12
    sheet.column_dimensions["B"].width = 40
    sheet.freeze_panes = "C5"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@dataclass
class Parsed:
    """What a file holds: the validated values or the errors (never both used)."""

    values: list[tuple[int, int, Decimal]] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    error_count: int = 0
    rows: int = 0  # rows of schools
    # Rows of the sheet, empty ones and the header included: as its dimension says before the
    # reading (0 when the file does not say), as read after it.
    total_rows: int = 0
    processed_rows: int = 0

    def error(self, message: str) -> None:
        self.error_count += 1
        if len(self.errors) < MAX_ERRORS:
            self.errors.append(message)

    @property
    def ok(self) -> bool:
        return self.error_count == 0


def _empty(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _text(value) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def parse_number(value) -> Decimal | None:
    """A cell's number, or ``None`` when it is not one: numbers, numbers stored as text, a
    decimal comma, spaces between digits."""
    if isinstance(value, bool | datetime | date):
        return None
    if isinstance(value, int | float | Decimal):
        number = Decimal(str(value))
    else:
        text = str(value).strip().replace("\u00a0", "").replace("\u202f", "").replace(" ", "")
        text = text.replace(",", ".")
        try:
            number = Decimal(text)
        except InvalidOperation:
            return None
    return number if number.is_finite() else None


def _school_id(value) -> int | None:
    number = parse_number(value)
    if number is None or number != number.to_integral_value() or number <= 0:
        return None
    return int(number)


def _name_key(text: str) -> str:
    """A school's name as people type it: case, «ёлочки» / "straight" / “curly” quotes, «ё»,
    «№» with or without its space and runs of spaces do not matter."""
    text = str(text).casefold().replace("ё", "е")
    text = re.sub(r"[«»\"“”„'‘’]", "", text)
    text = re.sub(r"№\s*", "№ ", text)
    return re.sub(r"\s+", " ", text).strip()


def school_names(rows) -> dict[str, int | None]:
    """Name key → school id for ``(id, short name, full name)`` rows: a file written by hand
    may name its schools instead of giving the template's ids. A name two schools share maps
    to ``None`` (ambiguous: the row is refused, never guessed)."""
    names: dict[str, int | None] = {}
    for pk, *labels in rows:
        for label in {_name_key(label) for label in labels if label}:
            names[label] = pk if names.get(label, pk) == pk else None
    return names


def read_workbook(
    data,
    *,
    schools: dict[int, str],
    indicators: dict[str, object],
    progress=None,
    names: dict[str, int | None] | None = None,
):
    """Read and validate the values of ``data`` (an XLSX file: its bytes, or a binary file
    open for reading — the stored upload, read without loading it whole).

    ``schools``: id → short name of the campaign's municipality's schools (``names``: their
    name keys, ``school_names``, for a row that names its school); ``indicators``:
    code → Indicator of the campaign; ``progress``: called as ``progress(processed, total)``
    before the first row and every ``progress_step(total)`` rows. Returns a ``Parsed``.

    The sheet is streamed (openpyxl's read-only mode): memory grows with the values kept, not
    with the cells of the file."""
    parsed = Parsed()
    source = io.BytesIO(data) if isinstance(data, bytes | bytearray) else data
    try:
        book = load_workbook(source, read_only=True, data_only=True)
    except Exception:  # openpyxl raises anything from KeyError to XML errors on a broken file
        parsed.error(_("Файл не удалось прочитать как книгу Excel (XLSX)."))
        return parsed
    try:
        if not book.worksheets:
            parsed.error(_("В книге нет ни одного листа."))
            return parsed
        sheet = book.worksheets[0]
        # The dimension a file records is a promise, not a fact: read, the count is exact.
        parsed.total_rows = sheet.max_row or 0
        _read_sheet(
            _counted(sheet.iter_rows(values_only=True), parsed, progress),
            parsed,
            schools,
            indicators,
            names or {},
        )
    finally:
        book.close()
    parsed.total_rows = parsed.processed_rows
    if parsed.ok and not parsed.values:
        parsed.error(_("В файле нет ни одного значения."))
    return parsed


def _counted(rows, parsed, progress):
    """``rows`` as they are, counting them into ``parsed.processed_rows`` and reporting the
    count to ``progress`` every ``progress_step`` rows."""
    step = progress_step(parsed.total_rows)
    if progress is not None:
        progress(0, parsed.total_rows)
    for number, row in enumerate(rows, start=1):
        parsed.processed_rows = number
        yield row
        if progress is not None and number % step == 0:
            progress(number, max(parsed.total_rows, number))


def _school_of(first, second, schools, names) -> int | None:
    """The school a row names: the template's id in column A, or — in a file written by hand —
    the school's short or full name in column A, or in column B when A is empty."""
    school_id = _school_id(first)
    if school_id is not None:
        return school_id if school_id in schools else None
    for value in (first, second):
        if not _empty(value):
            found = names.get(_name_key(_text(value)))
            if found is not None:
                return found
            if value is first:
                return None
    return None


def _read_sheet(rows, parsed, schools, indicators, names):
    columns = None  # column index → Indicator, or None for a column without a code
    seen_rows: dict[int, int] = {}
    started = False
    # Each indicator's rounding, computed once rather than per cell.
    exponents = {i.pk: Decimal(1).scaleb(-i.decimals) for i in indicators.values()}
    for number, row in enumerate(rows, start=1):
        if not any(v is not None and not _empty(v) for v in row):
            continue
        if columns is None:
            columns = _header(row, parsed, indicators)
            if columns is None:
                return
            continue
        first = row[0] if row else None
        second = row[1] if len(row) > 1 else None
        named = _empty(first) and not _empty(second) and _name_key(_text(second)) in names
        if _empty(first) and not started and not named:
            continue  # the template's descriptions of the indicators
        cells = [(i, v) for i, v in enumerate(row) if i >= 2 and not _empty(v)]
        if _empty(first) and not named:
            parsed.error(_("Строка %(row)s, столбец A: не указан код школы.") % {"row": number})
            continue
        started = True
        school_id = _school_of(first, second, schools, names)
        if school_id is None:
            parsed.error(
                _("Строка %(row)s, столбец A: неизвестная школа «%(value)s».")
                % {"row": number, "value": _text(second if _empty(first) else first)[:50]}
            )
            continue
        if school_id in seen_rows:
            parsed.error(
                _("Строка %(row)s, столбец A: школа «%(school)s» уже указана в строке %(first)s.")
                % {"row": number, "school": schools[school_id], "first": seen_rows[school_id]}
            )
            continue
        seen_rows[school_id] = number
        parsed.rows += 1
        for index, value in cells:
            indicator = columns.get(index)
            if indicator is False:
                continue  # an unknown column, reported once in the header
            if indicator is None:
                parsed.error(
                    _("Строка %(row)s, столбец %(column)s: значение в столбце без кода показателя.")
                    % {"row": number, "column": get_column_letter(index + 1)}
                )
                continue
            number_value = parse_number(value)
            if number_value is None or not (
                indicator.min_value <= number_value <= indicator.max_value
            ):
                _value_error(parsed, number, index, indicator, value, number_value)
                continue
            parsed.values.append(
                (
                    school_id,
                    indicator.pk,
                    number_value.quantize(exponents[indicator.pk], ROUND_HALF_UP),
                )
            )
    if columns is None:
        parsed.error(_("Файл пуст: нет строки заголовка с кодами показателей."))


def _value_error(parsed, number, index, indicator, value, number_value):
    where = {"row": number, "column": get_column_letter(index + 1), "code": indicator.code}
    if number_value is None:
        parsed.error(
            _("Строка %(row)s, столбец %(column)s (%(code)s): «%(value)s» — не число.")
            % {**where, "value": _text(value)[:50]}
        )
        return
    parsed.error(
        _(
            "Строка %(row)s, столбец %(column)s (%(code)s): %(value)s — вне "
            "допустимого диапазона %(range)s."
        )
        % {**where, "value": _text(value)[:50], "range": indicator.range_label}
    )


def _header(row, parsed, indicators):
    """Column index → Indicator from the header row; errors for unknown codes."""
    columns = {}
    known = {code.upper(): indicator for code, indicator in indicators.items()}
    seen = {}
    for index, value in enumerate(row):
        if index < 2 or _empty(value):
            continue
        code = _text(value).upper()
        letter = get_column_letter(index + 1)
        indicator = known.get(code)
        if indicator is None:
            parsed.error(
                _("Строка заголовка, столбец %(column)s: неизвестный показатель «%(code)s».")
                % {"column": letter, "code": _text(value)[:50]}
            )
            columns[index] = False
            continue
        if code in seen:
            parsed.error(
                _(
                    "Строка заголовка, столбец %(column)s: показатель %(code)s уже в "
                    "столбце %(first)s."
                )
                % {"column": letter, "code": indicator.code, "first": seen[code]}
            )
            columns[index] = False
            continue
        seen[code] = letter
        columns[index] = indicator
    if not any(columns.values()):
        parsed.error(_("В строке заголовка нет ни одного кода показателя кампании."))
        return None
    return columns
