"""The effectiveness report as XLSX: the numbers of the page, one sheet per kind, data only.

Cells are typed by ``schools.xlsx`` (numbers, dates, and text that is never a formula: a school's
name or a pair's results beginning with «=», «+», «-» or «@» is written as text with the quote
prefix). Like the PDF it is written in Russian whatever the reader's interface language.
"""

import io

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from network_center.documents.language import in_russian
from schools.xlsx import write_cell

from .metrics import Effectiveness, MunicipalityEffectiveness
from .printing import region_heading, report_heading

IMPROVED = {True: "лучше", False: "хуже", None: "без изменений"}


def _table(sheet, first_row: int, columns, rows) -> None:
    bold = Font(bold=True)
    wrap = Alignment(wrap_text=True, vertical="top")
    for number, (heading, width) in enumerate(columns, start=1):
        write_cell(sheet, first_row, number, heading).font = bold
        sheet.column_dimensions[get_column_letter(number)].width = width
    last = first_row
    for last, values in enumerate(rows, start=first_row + 1):
        for number, value in enumerate(values, start=1):
            write_cell(sheet, last, number, value).alignment = wrap
    sheet.auto_filter.ref = f"A{first_row}:{get_column_letter(len(columns))}{max(last, first_row)}"
    sheet.freeze_panes = f"A{first_row + 1}"


# The columns of an events' timeliness, and their values (``_timeliness_values``).
TIMELINESS_COLUMNS = [
    ("Мероприятий", 14),
    ("Проведено в срок", 16),
    ("Проведено с опозданием", 16),
    ("Не проведено", 14),
    ("в т. ч. отменено", 14),
    ("Предстоит", 12),
    ("Доля в срок, %", 14),
]


def _timeliness_values(t):
    return [t.total, t.on_time, t.late, t.not_held, t.cancelled, t.upcoming, t.percent_on_time]


def _timeliness_row(label, t):
    return [label, *_timeliness_values(t)]


@in_russian
def workbook(data: Effectiveness) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = "Исполнение"
    write_cell(sheet, 1, 1, f"Аналитическая справка {report_heading(data)}").font = Font(bold=True)
    rows = []
    if isinstance(data, MunicipalityEffectiveness):
        rows += [_timeliness_row(c.center.short_name, c.timeliness) for c in data.centers]
    rows.append(_timeliness_row("Всего", data.timeliness))
    _table(
        sheet,
        3,
        [("Центр", 40), *TIMELINESS_COLUMNS],
        rows,
    )

    forms = book.create_sheet("Формы")
    _table(
        forms,
        1,
        [("Вид", 14), ("Форма или формат", 40), ("Проведено мероприятий", 20)],
        [["форма", t.label, t.n] for t in data.forms]
        + [["формат", t.label, t.n] for t in data.formats],
    )

    reach = book.create_sheet("Охват школ")
    _table(
        reach,
        1,
        [("Школа", 40), ("Мероприятий с участием", 22), ("Участников", 14)],
        [[r.name, r.events, r.participants] for r in data.reach],
    )

    proposals = book.create_sheet("Предложения")
    _table(
        proposals,
        1,
        [("Состояние", 30), ("Предложений", 14)],
        [[t.label, t.n] for t in data.proposals.tallies]
        + [["Всего внесено", data.proposals.made], ["Принято", data.proposals.accepted]],
    )

    mentoring = book.create_sheet("Наставничество")
    _table(
        mentoring,
        1,
        [
            ("Предмет", 20),
            ("Школа наставляемого", 36),
            ("Начало", 12),
            ("Окончание", 12),
            ("Состояние", 20),
            ("Результаты", 60),
        ],
        [
            [p.subject, p.school, p.date_from, p.date_to, p.state_label, p.results]
            for p in data.mentoring.pairs
        ],
    )

    indicators = book.create_sheet("Показатели")
    _table(
        indicators,
        1,
        [
            ("Школа", 36),
            ("Код", 16),
            ("Показатель", 40),
            ("Единица", 10),
            ("Базовый год", 12),
            ("Базовое значение", 14),
            ("Последний год", 12),
            ("Последнее значение", 14),
            ("Изменение", 12),
            ("Оценка", 14),
        ],
        [
            [
                school.name,
                c.code,
                c.name,
                c.unit,
                school.baseline_year,
                None if c.baseline is None else float(c.baseline),
                school.latest_year,
                None if c.latest is None else float(c.latest),
                None if c.change is None else float(c.change),
                IMPROVED[c.improved] if school.comparable else "нет данных для сравнения",
            ]
            for school in data.indicators
            for c in school.changes
        ],
    )

    statuses = book.create_sheet("ШНОР")
    if isinstance(data, MunicipalityEffectiveness):
        _table(
            statuses,
            1,
            [("Статус", 30), ("Школ", 10), ("Вошли", 50), ("Вышли", 50)],
            [
                [
                    s.label,
                    s.count,
                    "нет перечня прошлого года" if s.entered is None else ", ".join(s.entered),
                    "нет перечня прошлого года" if s.left is None else ", ".join(s.left),
                ]
                for s in data.statuses
            ],
        )
    else:
        _table(
            statuses,
            1,
            [("Школы-участники, вышедшие из перечня ШНОР", 60)],
            [[name] for name in (data.left_shnor or [])],
        )
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


@in_russian
def region_workbook(groups, year_label: str) -> bytes:
    """The regional view as XLSX: a row per municipality of every observed region — its active
    centers, the schools of each list with those that entered and left it since the year
    before, its centers' events by timeliness and their reach."""
    book = Workbook()
    sheet = book.active
    sheet.title = "Муниципалитеты"
    write_cell(
        sheet, 1, 1, f"Аналитическая справка {region_heading(groups, year_label)}"
    ).font = Font(bold=True)
    kinds = next((row.statuses for _region, rows in groups for row in rows), [])
    columns = [("Регион", 30), ("Муниципалитет", 30), ("Центров", 10)]
    for status in kinds:
        label = status.label
        columns += [(label, 12), (f"{label}: вошли", 12), (f"{label}: вышли", 12)]
    columns += [*TIMELINESS_COLUMNS, ("Школ охвачено", 14), ("Участников", 12)]
    rows = []
    for region, region_rows in groups:
        for row in region_rows:
            values = [region.name, row.municipality.name, row.centers]
            for status in row.statuses:
                values += [
                    status.count,
                    None if status.entered is None else len(status.entered),
                    None if status.left is None else len(status.left),
                ]
            values += [*_timeliness_values(row.timeliness), row.schools_reached, row.participants]
            rows.append(values)
    _table(sheet, 3, columns, rows)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
