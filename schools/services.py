"""Changes to organisations and roles that other code (admin actions, demo data, later imports)
must make the same way: validated, atomic, recorded in history."""

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

from .access import forget_access
from .history import recorded_by
from .models import Membership, Organisation, Person, SchoolStatus
from .permissions import can


def grant_role(user, organisation: Organisation, role: str) -> Membership:
    """Give ``user`` ``role`` in ``organisation`` (idempotent); checks the organisation's kind."""
    membership = Membership(user=user, organisation=organisation, role=role)
    membership.clean()
    membership, _ = Membership.objects.get_or_create(
        user=user, organisation=organisation, role=role
    )
    forget_access(user)
    return membership


def create_person(
    organisation: Organisation,
    *,
    last_name: str,
    first_name: str,
    patronymic: str = "",
    position: str,
    email: str = "",
    phone: str = "",
) -> Person:
    person, _ = Person.objects.get_or_create(
        organisation=organisation,
        last_name=last_name,
        first_name=first_name,
        patronymic=patronymic,
        defaults={"position": position, "email": email, "phone": phone},
    )
    return person


def create_login(
    person: Person,
    username: str,
    password: str,
    *,
    is_superuser: bool = False,
    password_hash: str | None = None,
):
    """Give a person a login; the user's display name comes from the person.

    ``password_hash`` lets a bulk caller (the demo) hash a shared password once instead of once
    per user: PBKDF2 costs a third of a second each time by design."""
    User = get_user_model()
    with transaction.atomic():
        user, created = User.objects.get_or_create(
            username=username,
            defaults={
                "first_name": person.first_name,
                "last_name": person.last_name,
                "email": person.email,
                "is_staff": is_superuser,
                "is_superuser": is_superuser,
            },
        )
        if created:
            if password_hash:
                user.password = password_hash
            else:
                user.set_password(password)
            user.save(update_fields=["password"])
        if person.user_id != user.pk:
            person.user = user
            person.save(update_fields=["user"])
    return user


def record_school_status(school: Organisation, *, year: int, kind: str, basis: str = "", note=""):
    """Record that ``school`` has status ``kind`` in academic year ``year`` (kept as history)."""
    if not school.is_school:
        raise ValueError("Статус устанавливается только школе.")
    status, _ = SchoolStatus.objects.update_or_create(
        school=school, year=year, kind=kind, defaults={"basis": basis, "note": note}
    )
    return status


# What the department edits on an organisation's card (``forms.OrganisationForm``).
ORGANISATION_FIELDS = {
    "full_name",
    "short_name",
    "address",
    "phone",
    "email",
    "inn",
    "ogrn",
    "head",
}


def update_organisation(organisation: Organisation, *, actor, **fields) -> Organisation:
    """Change an organisation's card (the department of its municipality): under a row lock,
    only the fields given, with a django-simple-history row naming ``actor``."""
    if not can(actor, "schools.change_organisation", organisation):
        raise PermissionDenied(_("Изменять карточку школы может только управление образования."))
    unknown = set(fields) - ORGANISATION_FIELDS
    if unknown:
        raise ValueError(f"Unknown fields: {sorted(unknown)}")
    with transaction.atomic():
        locked = Organisation.objects.select_for_update().get(pk=organisation.pk)
        changed = [name for name, value in fields.items() if getattr(locked, name) != value]
        if not changed:
            return locked
        for name in changed:
            setattr(locked, name, fields[name])
        recorded_by(locked, actor).save(update_fields=changed)
    return locked
