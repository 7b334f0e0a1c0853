"""The effectiveness of the network in numbers (SPEC §6): per center and per municipality for an
academic year, and per municipality of a region side by side.

Every figure is read with a constant number of queries, whatever the number of centers, lines or
schools: each kind of figure is one query grouped by center (or municipality) — aggregated in
SQL where the database can (timeliness, forms, reach, proposals), or one query of plain values
where Python must pair them (indicators against their baseline, statuses of two years). Nothing
here writes anything. The results are plain dataclasses, read by the pages, the PDF and the
XLSX alike, so the three never disagree.

Definitions (what the pages and the report say in words):

- **An event of the year** is an execution of the center's plan for that academic year whose
  line is in the revision in force or closed (a line an amendment dropped is no longer the
  plan's, ``plans.services.execution``). Only approved plans have executions.
- **Held on time**: held (a report filed: reported, returned or accepted) on or before the last
  day of the line's planned dates — the day; the period's end; the month's last day. **Held
  late**: held after it (a postponed event held on its new date is late). **Not held**:
  cancelled, or still planned or postponed past its (new) dates. **Upcoming**: planned or
  postponed with its dates still ahead of ``today``. The share held on time is of the events
  that are due (all but the upcoming).
- **Events by form and format**: held events.
- **Reach**: per school, the held events it sent people to and how many came
  (``ExecutionParticipation``).
- **Proposals**: made to the year's plan (in any state) and accepted.
- **Mentoring pairs** of the center whose period overlaps the academic year (1 September –
  31 August), by state, and the results of the completed ones.
- **Indicators against the baseline**: for each participant school, its baseline campaign is
  the municipality's earliest campaign with values for that school, its latest the latest
  campaign of the year or before with values; per indicator the two values, the change and
  whether it is an improvement given ``Indicator.direction``. Read through
  ``IndicatorValue.visible_to`` — whoever monitoring does not show a school's values to does
  not see them here either.
- **Schools that left a list**: had the status in year Y − 1 and not in Y; entered: the other
  way round. Only when the municipality has a confirmed list (any status) for both years —
  otherwise there is nothing to compare and the change is unknown (``None``).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db.models import Case, CharField, Count, Exists, F, OuterRef, Q, Sum, Value, When
from django.db.models.functions import Coalesce, ExtractMonth, ExtractYear
from django.utils import timezone

from cooperation.models import MentoringPair
from monitoring.models import Indicator, IndicatorValue
from network_center.centers.models import Center, Participation
from plans.models import Execution, ExecutionParticipation, Line, Plan, Proposal, Revision
from schools.models import SchoolStatus

E = Execution.State
HELD = sorted(Execution.HELD)
OPEN = sorted(Execution.OPEN)
IN_FORCE = [Revision.State.APPROVED, Revision.State.CLOSED]
MONTH = Line.DateKind.MONTH
# Indicators shown per school on a page (``SchoolIndicators.shown``); the rest in the exports.
PAGE_INDICATORS = 12

# The categories of an event of the year, in the order the charts stack them.
ON_TIME, LATE, CANCELLED, OVERDUE, UPCOMING = "on_time", "late", "cancelled", "overdue", "upcoming"


def academic_year_of(day: date) -> int:
    """The academic year a day belongs to: 2026 from 1 September 2026 to 31 August 2027."""
    return day.year if day.month >= 9 else day.year - 1


def year_span(year: int) -> tuple[date, date]:
    return date(year, 9, 1), date(year + 1, 8, 31)


def academic_year_label(year: int) -> str:
    return f"{year}/{year + 1}"


# --- the dataclasses ------------------------------------------------------------------------------


@dataclass
class Timeliness:
    on_time: int = 0
    late: int = 0
    cancelled: int = 0
    overdue: int = 0
    upcoming: int = 0

    def add(self, other: Timeliness) -> None:
        for name in (ON_TIME, LATE, CANCELLED, OVERDUE, UPCOMING):
            setattr(self, name, getattr(self, name) + getattr(other, name))

    @property
    def not_held(self) -> int:
        return self.cancelled + self.overdue

    @property
    def held(self) -> int:
        return self.on_time + self.late

    @property
    def total(self) -> int:
        return self.held + self.not_held + self.upcoming

    @property
    def due(self) -> int:
        return self.total - self.upcoming

    @property
    def share_on_time(self) -> float | None:
        """Of the events due, the share held on time (0…1); ``None`` when none is due."""
        return self.on_time / self.due if self.due else None

    @property
    def percent_on_time(self) -> int | None:
        share = self.share_on_time
        return None if share is None else round(share * 100)


@dataclass
class Tally:
    """A labelled count (events of a form, proposals in a state)."""

    label: str
    n: int


@dataclass
class SchoolReach:
    school_id: int
    name: str
    events: int = 0
    participants: int = 0


@dataclass
class Proposals:
    made: int = 0
    accepted: int = 0
    by_state: dict = field(default_factory=dict)  # state → n

    def add(self, other: Proposals) -> None:
        self.made += other.made
        self.accepted += other.accepted
        for state, n in other.by_state.items():
            self.by_state[state] = self.by_state.get(state, 0) + n

    @property
    def tallies(self) -> list[Tally]:
        return [
            Tally(str(label), self.by_state.get(value, 0))
            for value, label in Proposal.State.choices
            if self.by_state.get(value)
        ]


@dataclass
class PairRow:
    """A mentoring pair as the report shows it: no names (the mentee is a teacher with
    persistently low results, 152-ФЗ), the subject, the mentee's school, period, state, results."""

    subject: str
    school: str
    date_from: date
    date_to: date
    state: str
    state_label: str
    results: str


@dataclass
class Mentoring:
    active: int = 0
    completed: int = 0
    stopped: int = 0
    pairs: list[PairRow] = field(default_factory=list)

    def add(self, other: Mentoring) -> None:
        self.active += other.active
        self.completed += other.completed
        self.stopped += other.stopped
        self.pairs += other.pairs

    @property
    def total(self) -> int:
        return self.active + self.completed + self.stopped


@dataclass
class IndicatorChange:
    code: str
    name: str
    unit: str
    direction: str
    group: str
    baseline: Decimal | None
    latest: Decimal | None
    decimals: int = 1
    min_value: Decimal = Decimal(0)
    max_value: Decimal = Decimal(100)

    @property
    def change(self) -> Decimal | None:
        if self.baseline is None or self.latest is None:
            return None
        return self.latest - self.baseline

    @property
    def improved(self) -> bool | None:
        """True: better, False: worse, None: no change or nothing to compare."""
        change = self.change
        if not change:
            return None
        return change > 0 if self.direction == Indicator.Direction.HIGHER else change < 0

    def display(self, value) -> str:
        if value is None:
            return ""
        return f"{value:.{self.decimals}f}".replace(".", ",")

    @property
    def baseline_display(self) -> str:
        return self.display(self.baseline)

    @property
    def latest_display(self) -> str:
        return self.display(self.latest)

    @property
    def moved(self) -> Decimal:
        """How far it moved, as a share of its range (0 when there is nothing to compare):
        what ranks indicators of different units against each other."""
        change = self.change
        span = self.max_value - self.min_value
        if change is None or span <= 0:
            return Decimal(0)
        return abs(change) / span

    @property
    def change_display(self) -> str:
        change = self.change
        if change is None:
            return ""
        sign = "+" if change > 0 else ("−" if change < 0 else "±")
        return sign + self.display(abs(change))


@dataclass
class SchoolIndicators:
    school_id: int
    name: str
    baseline_year: int | None = None
    latest_year: int | None = None
    changes: list[IndicatorChange] = field(default_factory=list)

    @property
    def comparable(self) -> bool:
        return self.baseline_year is not None and self.latest_year != self.baseline_year

    @property
    def shown(self) -> list[IndicatorChange]:
        """The indicators a page shows: all of them up to ``PAGE_INDICATORS``; beyond, those
        that moved most (``moved``), in the catalogue's order. A region's monitoring has some
        sixty indicators per school: forty schools of them made the municipality's page 2.5 MB
        of HTML; every one stays in the XLSX and the PDF report."""
        if len(self.changes) <= PAGE_INDICATORS:
            return self.changes
        ranked = sorted(range(len(self.changes)), key=lambda i: (-self.changes[i].moved, i))
        return [self.changes[i] for i in sorted(ranked[:PAGE_INDICATORS])]

    @property
    def hidden(self) -> int:
        """How many indicators the page leaves to the XLSX and the PDF."""
        return len(self.changes) - len(self.shown)

    @property
    def improved(self) -> int:
        return sum(1 for c in self.changes if c.improved is True)

    @property
    def worsened(self) -> int:
        return sum(1 for c in self.changes if c.improved is False)


@dataclass
class StatusChange:
    """One status (ШНОР, ШНСУ, …) in a year against the year before."""

    kind: str
    label: str
    current: list[str] = field(default_factory=list)  # the schools' names this year
    entered: list[str] | None = None  # None: no list of the year before to compare with
    left: list[str] | None = None

    @property
    def count(self) -> int:
        return len(self.current)


@dataclass
class Effectiveness:
    """The figures of one center, or of a municipality's centers together."""

    year: int
    timeliness: Timeliness = field(default_factory=Timeliness)
    forms: list[Tally] = field(default_factory=list)
    formats: list[Tally] = field(default_factory=list)
    reach: list[SchoolReach] = field(default_factory=list)
    proposals: Proposals = field(default_factory=Proposals)
    mentoring: Mentoring = field(default_factory=Mentoring)
    indicators: list[SchoolIndicators] = field(default_factory=list)
    left_shnor: list[str] | None = None

    @property
    def academic_year(self) -> str:
        return academic_year_label(self.year)

    @property
    def participants(self) -> int:
        return sum(r.participants for r in self.reach)

    @property
    def schools_reached(self) -> int:
        return sum(1 for r in self.reach if r.events)


@dataclass
class CenterEffectiveness(Effectiveness):
    center: Center | None = None


@dataclass
class MunicipalityEffectiveness(Effectiveness):
    municipality: object = None
    centers: list[CenterEffectiveness] = field(default_factory=list)
    statuses: list[StatusChange] = field(default_factory=list)


@dataclass
class RegionRow:
    """One municipality of the regional view."""

    municipality: object
    year: int
    centers: int = 0
    timeliness: Timeliness = field(default_factory=Timeliness)
    participants: int = 0
    schools_reached: int = 0
    statuses: list[StatusChange] = field(default_factory=list)


# --- the queries, each grouped by a key (a center's or a municipality's id) -----------------------


def _month_index(name):
    return ExtractYear(name) * 12 + ExtractMonth(name)


def _events(year: int, **scope):
    """The events of the year's plans (``scope`` selects the centers)."""
    return Execution.objects.filter(plan__year=year, line__revision__state__in=IN_FORCE, **scope)


def _category(today: date):
    """The category of an event (see the module's docstring), as an SQL expression."""
    planned_end = Coalesce(F("line__date_to"), F("line__date_from"))
    today_month = today.year * 12 + today.month
    on_time = Q(state__in=HELD) & (
        Q(line__date_kind=MONTH, held_month__lte=F("planned_month"))
        | (~Q(line__date_kind=MONTH) & Q(held_on__lte=planned_end))
        # A held event without its date (never written by the services) counts as on time.
        | Q(held_on__isnull=True)
    )
    upcoming = Q(state__in=OPEN) & (
        Q(date_kind=MONTH, own_month__gte=today_month)
        | (~Q(date_kind=MONTH) & Q(own_end__gte=today))
    )
    return Case(
        When(on_time, then=Value(ON_TIME)),
        When(state__in=HELD, then=Value(LATE)),
        When(state=E.CANCELLED, then=Value(CANCELLED)),
        When(upcoming, then=Value(UPCOMING)),
        default=Value(OVERDUE),
        output_field=CharField(),
    )


def timeliness_by(key: str, year: int, today: date, **scope) -> dict[int, Timeliness]:
    """One query: the events of the year by ``key`` and category."""
    rows = (
        _events(year, **scope)
        .alias(
            held_month=_month_index("held_on"),
            planned_month=_month_index("line__date_from"),
            own_month=_month_index("date_from"),
            own_end=Coalesce(F("date_to"), F("date_from")),
        )
        .annotate(category=_category(today))
        .values(key, "category")
        .annotate(n=Count("pk"))
        .order_by()
    )
    result: dict[int, Timeliness] = defaultdict(Timeliness)
    for row in rows:
        setattr(result[row[key]], row["category"], row["n"])
    return result


def forms_by(key: str, year: int, **scope) -> dict[int, tuple[list[Tally], list[Tally]]]:
    """One query: the held events by ``key``, form and format; (forms, formats) by key, each
    largest first."""
    rows = (
        _events(year, state__in=HELD, **scope)
        .values(key, "line__form__name", "line__format")
        .annotate(n=Count("pk"))
        .order_by()
    )
    forms: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    formats: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    labels = dict(Line.Format.choices)
    for row in rows:
        forms[row[key]][row["line__form__name"]] += row["n"]
        formats[row[key]][str(labels.get(row["line__format"], row["line__format"]))] += row["n"]

    def tallies(counts):
        return [Tally(label, n) for label, n in sorted(counts.items(), key=lambda i: (-i[1], i[0]))]

    return {k: (tallies(forms[k]), tallies(formats[k])) for k in forms}


def reach_by(key: str, year: int, **scope) -> dict[int, list[SchoolReach]]:
    """One query: per ``key`` and school, the held events it took part in and how many came."""
    events = _events(year, state__in=HELD, **scope).values("pk")
    rows = (
        # The year again on the outer rows (implied by ``events``): without it PostgreSQL joined
        # every year's participations (95,000 in a region) before keeping the year's — 135 ms
        # of the regional view.
        ExecutionParticipation.objects.filter(execution__in=events, execution__plan__year=year)
        .values(f"execution__{key}", "school_id", "school__short_name")
        .annotate(events=Count("pk"), participants=Sum("count"))
        .order_by()
    )
    result: dict[int, list[SchoolReach]] = defaultdict(list)
    for row in rows:
        result[row[f"execution__{key}"]].append(
            SchoolReach(
                row["school_id"], row["school__short_name"], row["events"], row["participants"]
            )
        )
    for reach in result.values():
        reach.sort(key=lambda r: r.name)
    return result


def proposals_by(year: int, center_ids) -> dict[int, Proposals]:
    rows = (
        Proposal.objects.filter(plan__year=year, plan__center_id__in=center_ids)
        .values("plan__center_id", "state")
        .annotate(n=Count("pk"))
        .order_by()
    )
    result: dict[int, Proposals] = defaultdict(Proposals)
    for row in rows:
        entry = result[row["plan__center_id"]]
        entry.by_state[row["state"]] = row["n"]
        entry.made += row["n"]
        if row["state"] == Proposal.State.ACCEPTED:
            entry.accepted += row["n"]
    return result


def mentoring_by(year: int, center_ids, user) -> dict[int, Mentoring]:
    """The pairs the user sees (``MentoringPair.visible_to``) whose period overlaps the year."""
    start, end = year_span(year)
    pairs = (
        MentoringPair.objects.visible_to(user)
        .filter(center_id__in=center_ids, date_from__lte=end, date_to__gte=start)
        .select_related("mentee__organisation")
        .order_by("date_from", "pk")
    )
    states = dict(MentoringPair.State.choices)
    result: dict[int, Mentoring] = defaultdict(Mentoring)
    for pair in pairs:
        entry = result[pair.center_id]
        setattr(entry, pair.state, getattr(entry, pair.state) + 1)
        entry.pairs.append(
            PairRow(
                subject=pair.subject,
                school=pair.mentee.organisation.short_name if pair.mentee.organisation else "",
                date_from=pair.date_from,
                date_to=pair.date_to,
                state=pair.state,
                state_label=str(states[pair.state]),
                results=pair.results or pair.stop_reason,
            )
        )
    return result


def participants_by(year: int, center_ids) -> dict[int, list[tuple[int, str]]]:
    """The schools taking part in each center at some time of the year: (id, name)."""
    start, end = year_span(year)
    rows = (
        Participation.objects.filter(center_id__in=center_ids, since__lte=end)
        .filter(Q(until__isnull=True) | Q(until__gte=start))
        .values_list("center_id", "school_id", "school__short_name")
        .order_by("school__short_name")
    )
    result: dict[int, list[tuple[int, str]]] = defaultdict(list)
    for center_id, school_id, name in rows:
        result[center_id].append((school_id, name))
    return result


def indicators_of(schools: list[tuple[int, str]], year: int, user) -> list[SchoolIndicators]:
    """Each school's indicators, its latest campaign of ``year`` or before against its baseline
    (its earliest): two queries (the catalogue, the values), whatever the number of schools."""
    if not schools:
        return []
    catalogue = {i.pk: i for i in Indicator.objects.order_by("position", "code")}
    rows = (
        IndicatorValue.objects.visible_to(user)
        .filter(school_id__in=[pk for pk, _ in schools], campaign__year__lte=year)
        .values_list("school_id", "indicator_id", "campaign__year", "value")
    )
    values: dict[int, dict[int, dict[int, Decimal]]] = defaultdict(lambda: defaultdict(dict))
    years: dict[int, set[int]] = defaultdict(set)
    for school_id, indicator_id, campaign_year, value in rows:
        values[school_id][indicator_id][campaign_year] = value
        years[school_id].add(campaign_year)
    result = []
    for school_id, name in schools:
        entry = SchoolIndicators(school_id, name)
        if years[school_id]:
            entry.baseline_year, entry.latest_year = min(years[school_id]), max(years[school_id])
            for indicator_id, indicator in catalogue.items():
                by_year = values[school_id].get(indicator_id)
                if not by_year:
                    continue
                entry.changes.append(
                    IndicatorChange(
                        code=indicator.code,
                        name=indicator.name,
                        unit=indicator.unit,
                        direction=indicator.direction,
                        group=indicator.group,
                        baseline=by_year.get(entry.baseline_year),
                        latest=by_year.get(entry.latest_year),
                        decimals=indicator.decimals,
                        min_value=indicator.min_value,
                        max_value=indicator.max_value,
                    )
                )
        result.append(entry)
    return result


def statuses_by_municipality(year: int, municipality_ids) -> dict[int, list[StatusChange]]:
    """One query: the statuses of the municipalities' schools in ``year`` and the year before,
    compared (``StatusChange`` per kind)."""
    rows = SchoolStatus.objects.filter(
        school__municipality_id__in=municipality_ids, year__in=[year - 1, year]
    ).values_list("school__municipality_id", "year", "kind", "school__short_name")
    seen: dict[int, dict[int, dict[str, set[str]]]] = defaultdict(
        lambda: defaultdict(lambda: defaultdict(set))
    )
    for municipality_id, status_year, kind, name in rows:
        seen[municipality_id][status_year][kind].add(name)
    result = {}
    for municipality_id in municipality_ids:
        by_year = seen.get(municipality_id, {})
        now, before = by_year.get(year), by_year.get(year - 1)
        changes = []
        for kind, label in SchoolStatus.Kind.choices:
            current = sorted(now.get(kind, ())) if now else []
            change = StatusChange(kind, str(label), current)
            if now is not None and before is not None:
                change.entered = sorted(set(current) - before.get(kind, set()))
                change.left = sorted(before.get(kind, set()) - set(current))
            changes.append(change)
        result[municipality_id] = changes
    return result


def _left(changes: list[StatusChange], kind=SchoolStatus.Kind.SHNOR) -> list[str] | None:
    return next(c.left for c in changes if c.kind == kind)


# --- the figures of centers and municipalities ----------------------------------------------------


def _centers_effectiveness(
    centers: list[Center], year: int, user, today: date, statuses: list[StatusChange] | None
) -> list[CenterEffectiveness]:
    """Every figure of ``centers`` (of one municipality) for ``year``: one query per kind."""
    ids = [c.pk for c in centers]
    key = "plan__center_id"
    timeliness = timeliness_by(key, year, today, plan__center_id__in=ids)
    forms = forms_by(key, year, plan__center_id__in=ids)
    reach = reach_by(key, year, plan__center_id__in=ids)
    proposals = proposals_by(year, ids)
    mentoring = mentoring_by(year, ids, user)
    participants = participants_by(year, ids)
    all_schools = sorted(
        {s for schools in participants.values() for s in schools}, key=lambda s: s[1]
    )
    indicators = {s.school_id: s for s in indicators_of(all_schools, year, user)}
    left = _left(statuses) if statuses is not None else None
    result = []
    for center in centers:
        names = {name for _, name in participants.get(center.pk, [])}
        result.append(
            CenterEffectiveness(
                year=year,
                center=center,
                timeliness=timeliness.get(center.pk, Timeliness()),
                forms=forms.get(center.pk, ([], []))[0],
                formats=forms.get(center.pk, ([], []))[1],
                reach=reach.get(center.pk, []),
                proposals=proposals.get(center.pk, Proposals()),
                mentoring=mentoring.get(center.pk, Mentoring()),
                indicators=[indicators[pk] for pk, _ in participants.get(center.pk, [])],
                left_shnor=None if left is None else [n for n in left if n in names],
            )
        )
    return result


def center_effectiveness(center: Center, year: int, *, user, today: date | None = None):
    """The figures of one center for the academic year ``year``."""
    today = today or timezone.localdate()
    statuses = statuses_by_municipality(year, [center.municipality_id])[center.municipality_id]
    return _centers_effectiveness([center], year, user, today, statuses)[0]


def _tallies_sum(lists) -> list[Tally]:
    counts: dict[str, int] = defaultdict(int)
    for tallies in lists:
        for t in tallies:
            counts[t.label] += t.n
    return [Tally(label, n) for label, n in sorted(counts.items(), key=lambda i: (-i[1], i[0]))]


def municipality_effectiveness(municipality, year: int, *, user, today: date | None = None):
    """The figures of every active center of ``municipality`` (and of those closed that had a
    plan that year), each and together; the statuses of its schools against the year before."""
    today = today or timezone.localdate()
    centers = list(
        Center.objects.filter(municipality=municipality)
        .filter(
            Q(status=Center.Status.ACTIVE)
            | Exists(Plan.objects.filter(center=OuterRef("pk"), year=year))
        )
        .select_related("hub", "head", "municipality")
        .order_by("short_name")
    )
    statuses = statuses_by_municipality(year, [municipality.pk])[municipality.pk]
    per_center = _centers_effectiveness(centers, year, user, today, statuses) if centers else []
    total = MunicipalityEffectiveness(
        year=year, municipality=municipality, centers=per_center, statuses=statuses
    )
    reach: dict[int, SchoolReach] = {}
    indicators: dict[int, SchoolIndicators] = {}
    for entry in per_center:
        total.timeliness.add(entry.timeliness)
        total.proposals.add(entry.proposals)
        total.mentoring.add(entry.mentoring)
        for r in entry.reach:
            acc = reach.setdefault(r.school_id, SchoolReach(r.school_id, r.name))
            acc.events += r.events
            acc.participants += r.participants
        for s in entry.indicators:
            indicators.setdefault(s.school_id, s)
    total.forms = _tallies_sum(e.forms for e in per_center)
    total.formats = _tallies_sum(e.formats for e in per_center)
    total.reach = sorted(reach.values(), key=lambda r: r.name)
    total.indicators = sorted(indicators.values(), key=lambda s: s.name)
    total.left_shnor = _left(statuses)
    return total


def region_rows(municipalities: list, year: int, *, today: date | None = None) -> list[RegionRow]:
    """The regional view: per municipality its active centers, the statuses of its schools
    against the year before, the timeliness of its centers' events and their reach — five
    queries, whatever the number of municipalities."""
    today = today or timezone.localdate()
    ids = [m.pk for m in municipalities]
    centers = dict(
        Center.objects.filter(municipality_id__in=ids, status=Center.Status.ACTIVE)
        .values("municipality_id")
        .annotate(n=Count("pk"))
        .values_list("municipality_id", "n")
        .order_by()
    )
    key = "plan__center__municipality_id"
    timeliness = timeliness_by(key, year, today, plan__center__municipality_id__in=ids)
    reach = reach_by(key, year, plan__center__municipality_id__in=ids)
    statuses = statuses_by_municipality(year, ids)
    rows = []
    for municipality in municipalities:
        schools = reach.get(municipality.pk, [])
        rows.append(
            RegionRow(
                municipality=municipality,
                year=year,
                centers=centers.get(municipality.pk, 0),
                timeliness=timeliness.get(municipality.pk, Timeliness()),
                participants=sum(r.participants for r in schools),
                schools_reached=len(schools),
                statuses=statuses[municipality.pk],
            )
        )
    return rows


# --- the years one may choose ---------------------------------------------------------------------


@dataclass
class Years:
    choices: list[int]
    default: int


def years_of(plans, today: date | None = None) -> Years:
    """The years of ``plans`` (a queryset) and the current academic year, latest first; the
    default is the latest year whose plan has events (an approved plan), else the current year.
    One query."""
    today = today or timezone.localdate()
    current = academic_year_of(today)
    rows = (
        plans.annotate(has_events=Exists(Execution.objects.filter(plan=OuterRef("pk"))))
        .values_list("year", "has_events")
        .order_by()
    )
    years, executed = {current}, set()
    for year, has_events in rows:
        years.add(year)
        if has_events:
            executed.add(year)
    executed = {y for y in executed if y <= current} or executed
    return Years(sorted(years, reverse=True), max(executed) if executed else current)
