"""What is overdue in the plans, and for whom (the home page's block, a center's overdue list,
``manage.py send_reminders``).

Three kinds of things are overdue on a day ``today``:

=========  ============================================  =========================================
kind       what                                          who is to act (the recipients)
=========  ============================================  =========================================
event      an event of the plan in force past its last   the people responsible for the line, the
           day (``Execution.ends_on``) with no report:   coordinators of its venue school, the
           still planned or postponed                    center head
visa       a school's visa still pending on a revision   the coordinators of that school, the
           on agreement after ``Revision.visas_due``     center head
report     a report the center head returned that was    whoever filed it, the people responsible
           not filed again (state returned)              for the line, the center head
=========  ============================================  =========================================

«The center head» is as ``plans.notify.center_heads`` says: the center's head (a person) and
whoever holds the role at the hub. Each thing has a ``subject`` naming it at one moment — an
event's current last day, a visa's due date, a return's time — so that a reminder about it is
sent once (``plans.reminders``), and again only when that moment changes (the event postponed
again and past its new date, the report returned again).

Every function here costs a fixed number of queries, however many things are overdue.
"""

from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db.models import Prefetch, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from network_center.centers.models import Center
from schools.access import Role, get_access
from schools.models import Membership, Person

from .calendar import MONTH, first_of_month
from .models import Execution, Line, Plan, Revision, Visa

E = Execution.State
KINDS = {
    "event": _("Нет отчёта о мероприятии"),
    "visa": _("Школа не согласовала план"),
    "report": _("Отчёт возвращён и не подан снова"),
}


@dataclass
class Overdue:
    """One overdue thing: what it is, where it leads, since when."""

    kind: str
    subject: str
    title: str
    center: Center
    url: str
    since: date  # the first day it is overdue
    today: date
    execution: Execution | None = None
    visa: Visa | None = None
    recipients: set[int] = field(default_factory=set)

    @property
    def kind_display(self):
        return KINDS[self.kind]

    @property
    def days(self) -> int:
        return (self.today - self.since).days + (0 if self.kind == "report" else 1)

    @property
    def days_display(self) -> str:
        """«просрочено на 3 дня»; for a returned report, how long ago it was returned."""
        n = self.days
        if self.kind == "report":
            if n <= 0:
                return str(_("возвращён сегодня"))
            return ngettext("возвращён %(n)s день назад", "возвращён %(n)s дней назад", n) % {
                "n": n
            }
        return ngettext("просрочено на %(n)s день", "просрочено на %(n)s дней", n) % {"n": n}


# --- what is overdue ----------------------------------------------------------------------------


def past_q(today: date) -> Q:
    """Events whose last day is before ``today`` (``Execution.ends_on`` in SQL)."""
    return Q(date_kind=MONTH, date_from__lt=first_of_month(today)) | (
        ~Q(date_kind=MONTH) & (Q(date_to__lt=today) | Q(date_to__isnull=True, date_from__lt=today))
    )


def _overdue_q(today: date) -> tuple[Q, Q]:
    """(events without a report past their date, reports returned and not refiled)."""
    return Q(state__in=Execution.OPEN) & past_q(today), Q(state=E.RETURNED)


def _executions(queryset):
    # Only the plan in force is executed: a closed plan has every event settled, and an event
    # an amendment dropped points at a superseded revision.
    return queryset.filter(line__revision__state=Revision.State.APPROVED).select_related(
        "line", "line__venue", "plan__center__head"
    )


def _visas(today: date):
    return Visa.objects.filter(
        decision=Visa.Decision.PENDING,
        revision__state=Revision.State.ON_AGREEMENT,
        revision__visas_due__lt=today,
    ).select_related("school", "revision__plan__center__head")


def _items(executions, visas, today: date) -> list[Overdue]:
    items = []
    for execution in executions:
        url = reverse("plans:execution", args=[execution.pk])
        common = dict(
            title=execution.line.title,
            center=execution.plan.center,
            url=url,
            today=today,
            execution=execution,
        )
        if execution.state == E.RETURNED:
            returned = timezone.localdate(execution.decided_at) if execution.decided_at else today
            moment = execution.decided_at.isoformat() if execution.decided_at else execution.version
            items.append(
                Overdue(
                    "report",
                    f"report-returned:{execution.pk}:{moment}",
                    since=returned,
                    **common,
                )
            )
        else:
            ends = execution.ends_on
            items.append(
                Overdue(
                    "event",
                    f"event-overdue:{execution.pk}:{ends.isoformat()}",
                    since=ends + timedelta(days=1),
                    **common,
                )
            )
    for visa in visas:
        revision = visa.revision
        items.append(
            Overdue(
                "visa",
                f"visa-due:{visa.pk}:{revision.visas_due.isoformat()}",
                title=str(revision.plan),
                center=revision.plan.center,
                url=reverse("plans:detail", args=[revision.plan_id]),
                since=revision.visas_due + timedelta(days=1),
                today=today,
                visa=visa,
            )
        )
    items.sort(key=lambda item: (item.since, item.kind, item.title))
    return items


def overdue_for_user(user, *, today: date | None = None) -> list[Overdue]:
    """What is overdue for ``user`` to act on (the home page): two queries, none for a
    regional observer (who acts on nothing)."""
    today = today or timezone.localdate()
    access = get_access(user)
    if access.is_read_only:
        return []
    heads = access.organisation_ids(Role.CENTER_HEAD)
    coordinated = access.organisation_ids(Role.COORDINATOR)
    events_q, returned_q = _overdue_q(today)
    responsible = Q(
        line__in=Line.responsible.through.objects.filter(person__user=user).values("line_id")
    )
    heads_q = Q(plan__center__hub_id__in=heads) | Q(plan__center__head__user=user)
    # Within what the user sees: every item links to a page that opens.
    executions = _executions(Execution.objects.visible_to(user)).filter(
        (events_q & (responsible | Q(line__venue_id__in=coordinated) | heads_q))
        | (returned_q & (Q(reported_by=user) | responsible | heads_q))
    )
    visas = _visas(today).filter(
        Q(school_id__in=coordinated)
        | Q(revision__plan__center__hub_id__in=heads)
        | Q(revision__plan__center__head__user=user),
        revision__plan__in=Plan.objects.visible_to(user),
    )
    return _items(executions, visas, today)


def overdue_for_center(center: Center, user, *, today: date | None = None) -> list[Overdue]:
    """Everything overdue in ``center``'s plans that ``user`` sees (the center's overdue list),
    with the people responsible for each event: three queries."""
    today = today or timezone.localdate()
    events_q, returned_q = _overdue_q(today)
    executions = (
        _executions(Execution.objects.visible_to(user))
        .filter(plan__center=center)
        .filter(events_q | returned_q)
        .prefetch_related(
            Prefetch("line__responsible", queryset=Person.objects.order_by("last_name"))
        )
    )
    visas = _visas(today).filter(revision__plan__center=center)
    return _items(executions, visas, today)


def overdue_everywhere(*, today: date | None = None) -> list[Overdue]:
    """Everything overdue in every center, each with its recipients (active logins only):
    what ``manage.py send_reminders`` reminds of. Six queries."""
    today = today or timezone.localdate()
    events_q, returned_q = _overdue_q(today)
    executions = list(
        _executions(Execution.objects.all())
        .filter(events_q | returned_q)
        .prefetch_related(Prefetch("line__responsible", queryset=Person.objects.only("user_id")))
    )
    visas = list(_visas(today))
    items = _items(executions, visas, today)
    schools = {e.line.venue_id for e in executions if e.line.venue_id} | {
        v.school_id for v in visas
    }
    hubs = {item.center.hub_id for item in items}
    coordinators, heads = {}, {}
    for role, organisation_id, user_id in Membership.objects.filter(
        Q(role=Role.COORDINATOR, organisation_id__in=schools)
        | Q(role=Role.CENTER_HEAD, organisation_id__in=hubs)
    ).values_list("role", "organisation_id", "user_id"):
        target = coordinators if role == Role.COORDINATOR else heads
        target.setdefault(organisation_id, set()).add(user_id)
    for item in items:
        center = item.center
        people = set(heads.get(center.hub_id, ()))
        if center.head_id and center.head.user_id:
            people.add(center.head.user_id)
        if item.kind == "visa":
            people |= coordinators.get(item.visa.school_id, set())
        else:
            line = item.execution.line
            people |= {p.user_id for p in line.responsible.all() if p.user_id}
            if item.kind == "event":
                people |= coordinators.get(line.venue_id, set())
            elif item.execution.reported_by_id:
                people.add(item.execution.reported_by_id)
        item.recipients = people
    from django.contrib.auth import get_user_model

    everyone = set().union(*(item.recipients for item in items)) if items else set()
    active = set(
        get_user_model()
        .objects.filter(pk__in=everyone, is_active=True)
        .values_list("pk", flat=True)
    )
    for item in items:
        item.recipients &= active
    return items
