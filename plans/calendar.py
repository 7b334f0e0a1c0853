"""Reads of the calendar of events: which events a user sees in a span of days, and the month or
week they are laid out in.

An event on the calendar is an ``Execution`` of a plan in force or closed (its revision
approved or closed): its current dates (moved by a postponement), its state. An event of a line
that an amendment dropped points at a superseded revision and is no longer on the calendar.
Who sees which event is ``Execution.objects.visible_to``; the calendar only narrows it.

Every read here is one query however many events the span holds: the events come with their
line, form, venue and center (``select_related``), and nothing is asked per event.
"""

import calendar as pycalendar
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db.models import Q
from django.utils.formats import date_format

from network_center.centers.models import Center, Participation
from schools.models import Organisation

from .models import Execution, Line, Revision

MONTH = Line.DateKind.MONTH
# The revisions whose events are on the calendar: the plan in force and closed plans.
SHOWN = (Revision.State.APPROVED, Revision.State.CLOSED)


def first_of_month(day: date) -> date:
    return day.replace(day=1)


def next_month(day: date) -> date:
    """The first day of the month after ``day``'s."""
    return (day.replace(day=28) + timedelta(days=4)).replace(day=1)


def last_of_month(day: date) -> date:
    return day.replace(day=pycalendar.monthrange(day.year, day.month)[1])


def starts_on(execution) -> date:
    """The first day of an event: a month-kind event («октябрь 2026») starts on the 1st."""
    if execution.date_kind == MONTH:
        return first_of_month(execution.date_from)
    return execution.date_from


def shown_executions(user):
    """The events ``user`` sees on the calendar, with what an event's item prints."""
    return (
        Execution.objects.visible_to(user)
        .filter(line__revision__state__in=SHOWN)
        .select_related("line__form", "line__venue", "plan__center")
    )


def overlapping(queryset, start: date, end: date):
    """The events of ``queryset`` taking place on at least one day of ``start`` … ``end``: a day
    on it, a period crossing it, a month-kind event of a month it touches."""
    return queryset.filter(
        Q(date_kind=MONTH, date_from__gte=first_of_month(start), date_from__lt=next_month(end))
        | (
            ~Q(date_kind=MONTH)
            & Q(date_from__lte=end)
            & (Q(date_to__gte=start) | Q(date_to__isnull=True, date_from__gte=start))
        )
    )


def filtered(queryset, *, center=None, school=None, form=None, format=None):
    """Narrow the events to a center, a school (its venue, among its schools or its
    initiator — as ``Execution.visible_to`` counts a school in), a form and a format."""
    if center is not None:
        queryset = queryset.filter(plan__center=center)
    if school is not None:
        queryset = queryset.filter(line__in=school_lines(school))
    if form is not None:
        queryset = queryset.filter(line__form=form)
    if format:
        queryset = queryset.filter(line__format=format)
    return queryset


def school_lines(school):
    """The ids of the lines a school takes part in (a subquery, so no join multiplies events)."""
    return Line.objects.filter(Q(venue=school) | Q(schools=school) | Q(initiator=school)).values(
        "pk"
    )


def filter_centers(user):
    """The centers of the filter: those the user sees."""
    return Center.objects.visible_to(user).select_related("municipality").order_by("short_name")


def filter_schools(user):
    """The schools of the filter: the hubs and participants of the centers the user sees."""
    centers = Center.objects.visible_to(user)
    return Organisation.objects.filter(
        Q(pk__in=centers.values("hub_id"))
        | Q(pk__in=Participation.objects.filter(center__in=centers).values("school_id"))
    ).order_by("short_name")


# --- the month and the week -----------------------------------------------------------------------


@dataclass
class Day:
    date: date
    in_span: bool  # within the month shown (a week's every day is)
    is_today: bool
    events: list = field(default_factory=list)
    # The events that began on an earlier day of the same week: shown in brief.
    continued: set = field(default_factory=set)

    @property
    def is_weekend(self):
        return self.date.weekday() >= 5


@dataclass
class Layout:
    """A month or a week of days (weeks start on Monday), the events on each day, and the
    month-kind events of the months it shows."""

    view: str
    anchor: date
    start: date  # the first day shown (a Monday)
    end: date  # the last day shown (a Sunday)
    weeks: list[list[Day]]
    months: list[tuple[date, list]]  # (month, its month-kind events)
    count: int

    @property
    def days(self):
        return [day for week in self.weeks for day in week]

    @property
    def title(self) -> str:
        if self.view == "month":
            return date_format(self.anchor, "F Y")
        if self.start.month == self.end.month:
            return f"{self.start.day} – {date_format(self.end, 'j E Y')}"
        if self.start.year == self.end.year:
            return f"{date_format(self.start, 'j E')} – {date_format(self.end, 'j E Y')}"
        return f"{date_format(self.start, 'j E Y')} – {date_format(self.end, 'j E Y')}"

    @property
    def previous(self) -> date:
        if self.view == "month":
            return first_of_month(self.anchor - timedelta(days=1))
        return self.start - timedelta(days=7)

    @property
    def following(self) -> date:
        if self.view == "month":
            return next_month(self.anchor)
        return self.start + timedelta(days=7)


def span(view: str, day: date) -> tuple[date, date, date]:
    """(anchor, first day, last day) shown for ``day``: its month's whole weeks, or its week."""
    if view == "month":
        anchor = first_of_month(day)
        start = anchor - timedelta(days=anchor.weekday())
        last = last_of_month(anchor)
        end = last + timedelta(days=6 - last.weekday())
        return anchor, start, end
    start = day - timedelta(days=day.weekday())
    return start, start, start + timedelta(days=6)


def lay_out(view: str, day: date, executions, *, today: date) -> Layout:
    """Put the events on the days of ``view`` («month» or «week») around ``day``. An event on a
    day is on that day; a period is on each of its days within the span; a month-kind event is
    listed with its month («в течение месяца»), not on a day."""
    anchor, start, end = span(view, day)
    days = {}
    weeks = []
    current = start
    while current <= end:
        week = []
        for _ in range(7):
            in_span = view == "week" or current.month == anchor.month
            days[current] = Day(current, in_span, current == today)
            week.append(days[current])
            current += timedelta(days=1)
        weeks.append(week)
    # The months whose month-kind events are listed: the month shown, or the one or two
    # months a week touches.
    months: dict[date, list] = {first_of_month(d): [] for d in {anchor, start, end}}
    if view == "month":
        months = {anchor: []}
    count = 0
    for execution in sorted(executions, key=lambda e: (starts_on(e), e.line.title, e.pk)):
        if execution.date_kind == MONTH:
            month = first_of_month(execution.date_from)
            if month in months:
                months[month].append(execution)
                count += 1
            continue
        count += 1
        first = max(execution.date_from, start)
        last = min(execution.ends_on, end)
        current = first
        while current <= last:
            days[current].events.append(execution)
            # A period is told in full on its first day and at the start of each week.
            if current != first and current.weekday() != 0:
                days[current].continued.add(execution.pk)
            current += timedelta(days=1)
    return Layout(
        view=view,
        anchor=anchor,
        start=start,
        end=end,
        weeks=weeks,
        months=[(month, items) for month, items in sorted(months.items()) if items],
        count=count,
    )
