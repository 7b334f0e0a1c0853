"""Typed cells of the product's XLSX exports: data, never code.

Numbers are numbers, dates are date cells shown «ДД.ММ.ГГГГ», text is text whatever it starts
with: a value such as «=HYPERLINK(…)», «+7 …» or «@…» is written as a string cell with the quote
prefix (OWASP «CSV injection»), so a spreadsheet neither evaluates it on opening nor turns it
into a formula when someone edits the cell. Characters XML cannot carry are dropped.
"""

from datetime import date, datetime

from django.utils import timezone
from django.utils.translation import gettext
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, WriteOnlyCell

DATE_FORMAT = "DD.MM.YYYY"
# What a spreadsheet reads as the start of a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def fill(cell, value):
    """Give ``cell`` the typed ``value``; returns the cell."""
    if value is None or value == "":
        return cell
    if isinstance(value, datetime):
        value = timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    if isinstance(value, date):
        cell.value = value
        cell.number_format = DATE_FORMAT
    elif isinstance(value, bool):
        cell.value = gettext("да") if value else gettext("нет")
    elif isinstance(value, int | float):
        cell.value = value
    else:
        text = ILLEGAL_CHARACTERS_RE.sub("", str(value))
        cell.value = text
        # openpyxl takes a string starting with «=» for a formula; this one is text.
        cell.data_type = "s"
        if text.startswith(FORMULA_STARTS):
            cell.quotePrefix = True
    return cell


def write_cell(sheet, row: int, column: int, value):
    """A typed cell of a normal worksheet."""
    return fill(sheet.cell(row=row, column=column), value)


def write_only_row(sheet, values):
    """A row of typed cells for a write-only worksheet (large exports stream rows)."""
    return [fill(WriteOnlyCell(sheet), value) for value in values]
