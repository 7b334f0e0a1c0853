"""The requisites of a printed document as text (ГОСТ Р 7.0.97-2025): letterhead lines, the
registration line «22.05.2017 … № 1-139/1», dates, the signatory's position, the moment of
signing, and the helpers that split free text into paragraphs and lines.

Pure formatting: strings in, strings out — no database, no layout, no WeasyPrint.
"""

from __future__ import annotations

import re
import zoneinfo

from django.conf import settings
from django.utils import timezone

DRAFT_WORD = "ПРОЕКТ"
BLANK_DATE = "__.__.____"
BLANK_NUMBER = "___"
NARROW_NBSP = "\u202f"

# «Приложение», «Приложение 2», «Приложение № 2» | «к приказу …» | «от … № …»
APPENDIX_MARK_RE = re.compile(r"^(Приложение(?:\s+(?!к\s)\S+){0,2})\s+(к\s.+?)\s+(от\s.+)$", re.S)
BY_LINE_RE = re.compile(r"^(.+?)\s+(от\s.+)$", re.S)
SPACES_RE = re.compile(r"[ \t\r\n\f\v]+")  # not the no-break spaces


def pre_line_text(lines) -> str:
    """Lines for an element printed ``white-space: pre-line``: one text with newlines, each line
    with its white space collapsed (no ``<br>``: each costs WeasyPrint a box of its own)."""
    return "\n".join(SPACES_RE.sub(" ", str(line)).strip() for line in lines if line)


def split(text: str, pattern: re.Pattern) -> list[str]:
    match = pattern.match(text)
    return [g for g in match.groups() if g] if match else [text]


def paragraphs(text: str, *, keep_lines: bool = False) -> list:
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


def letterhead_lines(issuer) -> list[str]:
    # A letterhead is stored as printed on the blank («г. ДМИТРИЕВА» keeps its lower-case «г.»);
    # the fallback, the full name, is upper-cased as a letterhead is.
    lines = issuer.letterhead_lines
    return lines if issuer.letterhead else [line.upper() for line in lines]


def _nbsp(text: str) -> str:
    """Narrow no-break spaces: they hold a piece of the line «22.05.2017 … № 1-139/1» together
    and, unlike U+00A0, are not stretched when the line is justified to both edges."""
    return " ".join((text or "").split()).replace(" ", NARROW_NBSP)


def regline(document, is_draft) -> dict:
    """The line «22.05.2017 … № 1-139/1» as two no-break pieces (justified to both edges).

    An act prints date left and number right; a titled root document, place left and date
    with number right.
    """
    number = f"№{NARROW_NBSP}{_nbsp(BLANK_NUMBER if is_draft else document.display_number)}"
    # «22 мая 2017 г.» is one piece too: its spaces must not stretch to the middle of the line.
    date = _nbsp(date_display(document, is_draft))
    if document.is_act:
        return {"left": date, "right": number}
    right = date if is_draft else f"{date}{NARROW_NBSP}{number}"
    return {"left": _nbsp(document.place), "right": right}


MONTHS_GENITIVE = (
    "января",
    "февраля",
    "марта",
    "апреля",
    "мая",
    "июня",
    "июля",
    "августа",
    "сентября",
    "октября",
    "ноября",
    "декабря",
)
BLANK_DATE_WORDS = "«___» __________ 20__ г."


def date_in_words(value) -> str:
    """«22 мая 2017 г.»"""
    return f"{value.day} {MONTHS_GENITIVE[value.month - 1]} {value.year} г."


def date_display(document, is_draft) -> str:
    """The act's date in the form the act uses: «22.06.2021» or «22 мая 2017 г.»."""
    words = getattr(document, "date_style", "numeric") == "words"
    if is_draft or not document.date:
        return BLANK_DATE_WORDS if words else BLANK_DATE
    return date_in_words(document.date) if words else f"{document.date:%d.%m.%Y}"


def signatory_position(document) -> str:
    position = document.signatory_position or (
        document.signatory.position if document.signatory else ""
    )
    if document.signatory_acting and position and not position.lower().startswith("и.о."):
        position = f"И.о. {position}"
    return position


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


def iso(moment) -> str:
    return moment.isoformat(timespec="seconds") if moment else ""
