"""What the services of the app share: the refusal with a message, locking, how history rows
name values, and who hears of a change."""

from datetime import date

from django.core.exceptions import ValidationError
from django.db.models import Model

from network_center.centers.models import Center
from network_center.notifications.services import notify
from plans import notify as plan_notify
from plans.models import Line
from schools.models import Person


class CooperationError(ValidationError):
    """A refused change, with a message for the user (field errors where a field is to blame)."""


def lock_center(center: Center) -> Center:
    """The center's row, locked until the transaction ends: creations in one center serialise
    on it, so that the duplicate checks hold. ``of=("self",)``: PostgreSQL locks no row of the
    outer-joined head."""
    return (
        Center.objects.select_for_update(of=("self",))
        .select_related("hub", "head", "municipality")
        .get(pk=center.pk)
    )


def shown(value) -> str:
    """A value as a history row names it."""
    if value is None:
        return ""
    if isinstance(value, Person):
        return f"{value.full_name} ({value.organisation.short_name})"
    if isinstance(value, Line):
        return f"{value.title} ({value.dates_display})"
    if isinstance(value, date):
        return value.strftime("%d.%m.%Y")
    if isinstance(value, Model):
        return str(value)
    return str(value)


def logins_of(person_ids) -> set[int]:
    """The users behind these persons' cards (a person may have no login)."""
    ids = [pk for pk in person_ids if pk]
    if not ids:
        return set()
    return set(
        Person.objects.filter(pk__in=ids, user__isnull=False).values_list("user_id", flat=True)
    )


def coordinators(school_ids) -> set[int]:
    return plan_notify.coordinators(list(school_ids))


def center_heads(center: Center) -> set[int]:
    return plan_notify.center_heads(center)


def tell(users, *, actor, text, url) -> None:
    """Notify ``users`` but the one who made the change (in the change's transaction, the mail
    sent once it commits; ``text`` a callable, so that each reads it in their own language)."""
    notify({u for u in users if u and u != actor.pk}, text, url)
