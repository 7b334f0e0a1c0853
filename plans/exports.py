"""A revision as an XLSX workbook: every field of every line, and the лист согласования.

Cells are typed by ``schools.xlsx``: numbers, date cells, and text that is never a formula.
The workbook is the plan's content, as the printed plan is, so it is written in Russian
(``in_russian``) whatever the interface language of whoever downloads it.
"""

import io

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from network_center.documents.language import in_russian
from schools.xlsx import write_cell

from .models import Revision
from .printing import AGREEMENT_COLUMNS, responsible_names
from .queries import line_numbers

# (heading, width, value of a line)
LINE_COLUMNS = [
    ("№", 5, None),
    ("Направление", 30, lambda line: line.direction),
    ("Мероприятие", 40, lambda line: line.title),
    ("Форма", 18, lambda line: line.form.name),
    ("Формат", 16, lambda line: line.get_format_display()),
    ("Целевая аудитория", 24, lambda line: line.audience),
    ("Место проведения", 24, lambda line: line.venue.short_name if line.venue else ""),
    ("Сроки", 18, lambda line: line.dates_display),
    ("Начало", 12, lambda line: line.date_from),
    ("Окончание", 12, lambda line: line.date_to),
    ("Ответственные", 28, responsible_names),
    ("Школы-участники", 30, lambda line: ", ".join(s.short_name for s in line.schools.all())),
    ("Ожидаемый результат", 40, lambda line: line.expected_result),
    ("Необходимые ресурсы", 30, lambda line: line.resources),
    ("Ресурсы сети", 30, lambda line: "; ".join(str(r) for r in line.needed_resources.all())),
    ("Инициатор", 24, lambda line: line.initiator.short_name),
    ("Фактор риска", 30, lambda line: line.risk_factor.name if line.risk_factor else ""),
]
AGREEMENT_WIDTHS = [30, 28, 20, 24, 12, 40]
HEADER_ROW = 4  # after the title, the state and an empty row


def _write_table(sheet, first_row: int, headings, widths, rows):
    bold = Font(bold=True)
    wrap = Alignment(wrap_text=True, vertical="top")
    for column, (heading, width) in enumerate(zip(headings, widths, strict=True), start=1):
        write_cell(sheet, first_row, column, heading).font = bold
        sheet.column_dimensions[get_column_letter(column)].width = width
    row_number = first_row
    for row_number, values in enumerate(rows, start=first_row + 1):
        for column, value in enumerate(values, start=1):
            write_cell(sheet, row_number, column, value).alignment = wrap
    last = get_column_letter(len(headings))
    sheet.auto_filter.ref = f"A{first_row}:{last}{max(row_number, first_row)}"
    sheet.freeze_panes = f"A{first_row + 1}"


def line_rows(revision: Revision):
    lines = (
        revision.lines.select_related("form", "venue", "initiator", "risk_factor")
        .prefetch_related("responsible", "schools", "needed_resources__school")
        .order_by("date_from", "position", "pk")
    )
    # Listed by date for the spreadsheet; numbered as in the printed plan.
    numbers = line_numbers(revision)
    for line in lines:
        yield [numbers[line.pk], *(value(line) for _, _, value in LINE_COLUMNS[1:])]


def agreement_rows(revision: Revision):
    for visa in revision.visas.select_related("school", "decided_by_person"):
        person = visa.decided_by_person
        yield [
            visa.school.short_name,
            person.position if person else "",
            person.initials_name.replace("\u00a0", " ") if person else "",
            visa.get_decision_display(),
            visa.decided_at,
            visa.remarks,
        ]


@in_russian
def revision_workbook(revision: Revision) -> bytes:
    """The XLSX file of ``revision``: sheet «План» (every field of every line, in date order)
    and sheet «Лист согласования» (a row per school)."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "План"
    write_cell(sheet, 1, 1, f"{revision.plan}, редакция {revision.number}").font = Font(bold=True)
    write_cell(sheet, 2, 1, f"Состояние: {revision.get_state_display()}")
    _write_table(
        sheet,
        HEADER_ROW,
        [heading for heading, _, _ in LINE_COLUMNS],
        [width for _, width, _ in LINE_COLUMNS],
        line_rows(revision),
    )
    visas = workbook.create_sheet("Лист согласования")
    _write_table(visas, 1, AGREEMENT_COLUMNS, AGREEMENT_WIDTHS, agreement_rows(revision))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


@in_russian
def file_name(revision: Revision) -> str:
    return f"План_{revision.plan.academic_year.replace('/', '-')}_ред{revision.number}.xlsx"
