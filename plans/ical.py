"""The iCalendar file (RFC 5545) of a calendar feed: a VEVENT per event, built with the
``icalendar`` library.

Every event is all-day (a plan names days, periods and months, never hours): ``DTSTART`` is its
first day, ``DTEND`` the day after its last (exclusive, as the standard says), a month-kind
event spans its month. Its ``UID`` is the execution's and never changes, so a postponement
moves the same event in the subscriber's calendar: its new dates, with ``SEQUENCE`` the
execution's ``version`` (raised by every change of it). A cancelled event stays with
``STATUS:CANCELLED``, so that the calendars that had it remove or strike it.
"""

from datetime import timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from icalendar import Calendar, Event

from . import calendar
from .models import Execution

E = Execution.State
PRODID = "-//network_center//Календарь мероприятий сетевого взаимодействия//RU"
# How often a client should read the feed again (a hint; Google reads it when it wants).
REFRESH = timedelta(hours=6)


def site_host() -> str:
    return urlsplit(settings.SITE_URL).hostname or "localhost"


def event_uid(execution) -> str:
    """Stable for the event's whole life, whatever its dates or the plan's revision."""
    return f"execution-{execution.pk}@{site_host()}"


def location(line) -> str:
    venue = line.venue
    if venue is None:
        return ""
    return ", ".join(part for part in (venue.short_name, venue.address) if part)


def description(execution) -> str:
    line = execution.line
    rows = [
        _("Форма: %(form)s") % {"form": line.form.name},
        _("Формат: %(format)s") % {"format": line.get_format_display()},
        _("Состояние: %(state)s") % {"state": execution.get_state_display()},
        _("Сроки: %(dates)s") % {"dates": execution.dates_display},
    ]
    if execution.date_kind == calendar.MONTH:
        rows.append(_("Проводится в течение месяца; точная дата уточняется."))
    if execution.is_moved:
        rows.append(_("Перенесено, по плану было: %(dates)s") % {"dates": line.dates_display})
    if execution.state in (E.POSTPONED, E.CANCELLED) and execution.reason:
        rows.append(_("Причина: %(reason)s") % {"reason": execution.reason})
    if line.audience:
        rows.append(_("Целевая аудитория: %(audience)s") % {"audience": line.audience})
    rows.append(_("Центр: %(center)s") % {"center": execution.plan.center.short_name})
    return "\n".join(rows)


def vevent(execution, *, now) -> Event:
    line = execution.line
    url = settings.SITE_URL + reverse("plans:execution", args=[execution.pk])
    modified = getattr(execution, "modified", None) or now
    event = Event()
    event.add("uid", event_uid(execution))
    event.add("dtstamp", modified)
    event.add("last-modified", modified)
    event.add("sequence", execution.version)
    event.add("dtstart", calendar.starts_on(execution))
    event.add("dtend", execution.ends_on + timedelta(days=1))
    event.add("summary", line.title)
    if where := location(line):
        event.add("location", where)
    event.add("description", f"{description(execution)}\n{url}")
    event.add("categories", [line.get_format_display(), line.form.name])
    event.add("url", url)
    event.add("status", "CANCELLED" if execution.state == E.CANCELLED else "CONFIRMED")
    # An all-day event of the network does not make its subscriber busy all day.
    event.add("transp", "TRANSPARENT")
    return event


def feed_calendar(title: str, executions) -> bytes:
    """The ``text/calendar`` body of a feed named ``title`` with ``executions``."""
    now = timezone.now().replace(microsecond=0)
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", title)
    cal.add("refresh-interval", REFRESH, parameters={"VALUE": "DURATION"})
    cal.add("x-published-ttl", REFRESH)
    for execution in executions:
        cal.add_component(vevent(execution, now=now))
    return cal.to_ical()
