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
    rows: int = 0

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


def read_workbook(data: bytes, *, schools: dict[int, str], indicators: dict[str, object]):
    """Read and validate the values of ``data`` (an XLSX file).

    ``schools``: id → short name of the campaign's municipality's schools; ``indicators``:
    code → Indicator of the campaign. Returns a ``Parsed``."""
    parsed = Parsed()
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # openpyxl raises anything from KeyError to XML errors on a broken file
        parsed.error(_("Файл не удалось прочитать как книгу Excel (XLSX)."))
        return parsed
    try:
        sheet = book.worksheets[0]
        _read_sheet(sheet.iter_rows(values_only=True), parsed, schools, indicators)
    finally:
        book.close()
    if parsed.ok and not parsed.values:
        parsed.error(_("В файле нет ни одного значения."))
    return parsed


def _read_sheet(rows, parsed, schools, indicators):
    columns = None  # column index → Indicator, or None for a column without a code
    seen_rows: dict[int, int] = {}
    started = False
    for number, row in enumerate(rows, start=1):
        if all(_empty(v) for v in row):
            continue
        if columns is None:
            columns = _header(row, parsed, indicators)
            if columns is None:
                return
            continue
        first = row[0] if row else None
        if _empty(first) and not started:
            continue  # the template's descriptions of the indicators
        cells = [(i, v) for i, v in enumerate(row) if i >= 2 and not _empty(v)]
        if _empty(first):
            parsed.error(_("Строка %(row)s, столбец A: не указан код школы.") % {"row": number})
            continue
        started = True
        school_id = _school_id(first)
        if school_id is None or school_id not in schools:
            parsed.error(
                _("Строка %(row)s, столбец A: неизвестная школа «%(value)s».")
                % {"row": number, "value": _text(first)[:50]}
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
            letter = get_column_letter(index + 1)
            if indicator is False:
                continue  # an unknown column, reported once in the header
            if indicator is None:
                parsed.error(
                    _("Строка %(row)s, столбец %(column)s: значение в столбце без кода показателя.")
                    % {"row": number, "column": letter}
                )
                continue
            where = {"row": number, "column": letter, "code": indicator.code}
            number_value = parse_number(value)
            if number_value is None:
                parsed.error(
                    _("Строка %(row)s, столбец %(column)s (%(code)s): «%(value)s» — не число.")
                    % {**where, "value": _text(value)[:50]}
                )
                continue
            if not indicator.min_value <= number_value <= indicator.max_value:
                parsed.error(
                    _(
                        "Строка %(row)s, столбец %(column)s (%(code)s): %(value)s — вне "
                        "допустимого диапазона %(range)s."
                    )
                    % {**where, "value": _text(value)[:50], "range": indicator.range_label}
                )
                continue
            exponent = Decimal(1).scaleb(-indicator.decimals)
            parsed.values.append(
                (school_id, indicator.pk, number_value.quantize(exponent, ROUND_HALF_UP))
            )
    if columns is None:
        parsed.error(_("Файл пуст: нет строки заголовка с кодами показателей."))


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
