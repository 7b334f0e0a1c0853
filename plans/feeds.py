"""Calendar feeds: a secret address at which a calendar application (Google, Яндекс, Outlook)
reads the events of a school, of a person or of a center (``CalendarFeed``); creating and
revoking one, and what a feed shows when it is read.

What a user may subscribe to: a school they belong to (any role of theirs at it), themselves as
a person (the events they are responsible for), a center they see
(``plans.add_feed``). Only the owner revokes their feed (``plans.revoke_feed``).
The feed's row keeps who made it (its owner, the only one who may act on it), when, and when it
was revoked: that is its history.

**A feed shows only what its owner may see, decided again at every read**: the events are
``Execution.objects.visible_to(owner)`` narrowed to the feed's subject. An owner whose login was
deactivated, or who may no longer subscribe to the subject (left the school, lost sight of the
center), gets a valid calendar **with no events** rather than an error: a calendar application
keeps the events it last read when the address fails, but replaces them by an empty calendar —
so the copies on the subscribers' phones are cleared of what the owner may no longer see. A
revoked or unknown token answers 404 (``views/calendar.py:ical_feed``).
"""

import secrets
from dataclasses import dataclass
from datetime import date, timedelta

from django.db import transaction
from django.db.models import OuterRef, Q, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from network_center.centers.models import Center
from schools.access import get_access
from schools.models import Organisation, Person
from schools.permissions import require

from . import calendar
from .errors import PlanError
from .models import CalendarFeed, Execution, ExecutionEvent, Line

Scope = CalendarFeed.Scope
# How far back a feed reaches: the events of the last year and everything after.
FEED_PAST_DAYS = 366
# Active feeds per user: one per device and subject is plenty; a bound keeps a script from
# making rows without end.
MAX_ACTIVE_FEEDS = 20


@dataclass(frozen=True)
class Option:
    """Something a user may subscribe to: a scope and its subject."""

    scope: str
    subject: object
    label: str

    @property
    def key(self) -> str:
        return f"{self.scope}:{self.subject.pk}"


def subscription_options(user) -> list[Option]:
    """The schools the user belongs to, the user as a person, the centers the user sees (three
    queries)."""
    access = get_access(user)
    options = []
    schools = Organisation.objects.filter(
        pk__in=access.organisation_ids(), kind=Organisation.Kind.SCHOOL
    ).order_by("short_name")
    for school in schools:
        options.append(Option(Scope.SCHOOL, school, _("Школа: %(name)s") % {"name": school}))
    person = Person.objects.filter(user=user).first() if user.is_authenticated else None
    if person is not None:
        options.append(
            Option(
                Scope.PERSON,
                person,
                _("Мои мероприятия (я среди ответственных): %(name)s")
                % {"name": person.name_initials},
            )
        )
    for center in Center.objects.visible_to(user).order_by("short_name"):
        options.append(Option(Scope.CENTER, center, _("Центр: %(name)s") % {"name": center}))
    return options


def may_subscribe(user, feed: CalendarFeed) -> bool:
    """Whether ``user`` may have ``feed``'s subject in a calendar: a school of theirs, their own
    person, a center they see. Asked when the feed is made and at every read."""
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    if feed.scope == Scope.SCHOOL:
        return (
            feed.school is not None
            and feed.school.kind == Organisation.Kind.SCHOOL
            and feed.school_id in get_access(user).organisation_ids()
        )
    if feed.scope == Scope.PERSON:
        return feed.person is not None and feed.person.user_id == user.pk
    if feed.scope == Scope.CENTER:
        return (
            feed.center_id is not None
            and Center.objects.visible_to(user).filter(pk=feed.center_id).exists()
        )
    return False


def feeds_of(user):
    """A user's own feeds, the only ones they see: the address is the owner's secret."""
    return CalendarFeed.objects.filter(owner=user).select_related("school", "person", "center")


def feed_title(feed: CalendarFeed) -> str:
    if feed.scope == Scope.SCHOOL:
        return _("Мероприятия школы %(name)s") % {"name": feed.school}
    if feed.scope == Scope.PERSON:
        return _("Мероприятия, за которые отвечает %(name)s") % {"name": feed.person.name_initials}
    return _("Мероприятия центра %(name)s") % {"name": feed.center}


# --- changes ------------------------------------------------------------------------------------


def create_feed(*, actor, scope: str, subject) -> CalendarFeed:
    """A new feed of ``subject`` (a school, a person, a center) with a new random token (256
    bits: unguessable, so the address itself is the credential)."""
    feed = CalendarFeed(
        owner=actor,
        scope=scope,
        token=secrets.token_urlsafe(32),
        **{scope: subject},
    )
    require(
        actor,
        "plans.add_feed",
        feed,
        _("Подписаться можно на свою школу, на свои мероприятия или на центр, который вы видите."),
    )
    with transaction.atomic():
        # The owner's feeds, locked: two requests at once do not both pass the bound.
        active = list(
            CalendarFeed.objects.select_for_update()
            .filter(owner=actor, revoked_at=None)
            .values_list("pk", flat=True)
        )
        if len(active) >= MAX_ACTIVE_FEEDS:
            raise PlanError(
                _("Действующих подписок уже %(n)s: отзовите ненужные, чтобы создать новую.")
                % {"n": len(active)}
            )
        feed.save()
    return feed


def revoke_feed(feed: CalendarFeed, *, actor) -> CalendarFeed:
    """Revoke a feed: from now on its address answers 404."""
    require(actor, "plans.revoke_feed", feed, _("Отозвать подписку может её владелец."))
    with transaction.atomic():
        locked = CalendarFeed.objects.select_for_update().get(pk=feed.pk)
        if locked.revoked_at is not None:
            raise PlanError(_("Подписка уже отозвана."))
        locked.revoked_at = timezone.now()
        locked.save(update_fields=["revoked_at"])
    return locked


# --- reading a feed -------------------------------------------------------------------------------


def active_feed(token: str) -> CalendarFeed | None:
    """The feed of a token, unless it was revoked (then, as for an unknown token, None)."""
    return (
        CalendarFeed.objects.active()
        .select_related("owner", "school", "person", "center")
        .filter(token=token)
        .first()
    )


def feed_executions(feed: CalendarFeed, *, today: date | None = None):
    """The events a feed shows: those of its subject that its owner sees today, from a year
    back on, each with the time of its last change (``modified``). None at all when the owner
    may no longer subscribe to the subject (see the module's docstring)."""
    owner = feed.owner
    if not may_subscribe(owner, feed):
        return Execution.objects.none()
    today = today or timezone.localdate()
    events = calendar.shown_executions(owner)
    if feed.scope == Scope.SCHOOL:
        events = events.filter(line__in=calendar.school_lines(feed.school))
    elif feed.scope == Scope.PERSON:
        events = events.filter(
            line__in=Line.responsible.through.objects.filter(person=feed.person).values("line_id")
        )
    else:
        events = events.filter(plan__center=feed.center)
    since = today - timedelta(days=FEED_PAST_DAYS)
    events = events.filter(
        Q(date_kind=calendar.MONTH, date_from__gte=calendar.first_of_month(since))
        | Q(date_to__gte=since)
        | Q(date_to__isnull=True, date_from__gte=since)
    )
    last_change = ExecutionEvent.objects.filter(execution=OuterRef("pk")).order_by("-at", "-pk")
    return events.annotate(modified=Subquery(last_change.values("at")[:1])).order_by(
        "date_from", "pk"
    )
