"""Changes to organisations and roles that other code (admin actions, demo data, later imports)
must make the same way: validated, atomic, recorded in history."""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.core.exceptions import PermissionDenied, ValidationError
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


def replace_year_statuses(municipality, *, year: int, statuses, act, basis: str, actor=None):
    """Make the statuses of academic year ``year`` of the municipality's schools exactly
    ``statuses`` ([(school id, kind)]), each naming ``act`` — the department's order approving
    the year's list, being signed (``monitoring.lists.put_list_in_force``). Earlier years are
    kept; the statuses this replaces stay in their history (django-simple-history)."""
    wanted = {(school_id, kind) for school_id, kind in statuses}
    current = {
        (s.school_id, s.kind): s
        for s in SchoolStatus.objects.filter(
            school__municipality=municipality, year=year
        ).select_for_update()
    }
    for key, status in current.items():
        if key not in wanted:
            recorded_by(status, actor).delete()
    for school_id, kind in sorted(wanted):
        status = current.get((school_id, kind))
        if status is None:
            status = SchoolStatus(school_id=school_id, year=year, kind=kind)
        status.act = act
        status.basis = basis
        recorded_by(status, actor).save()


# What the department edits on an organisation's card (``forms.OrganisationForm``).
ORGANISATION_FIELDS = {
    "full_name",
    "short_name",
    "name_genitive",
    "letterhead",
    "higher_body",
    "number_pattern",
    "address",
    "phone",
    "email",
    "inn",
    "ogrn",
    "head",
}


def create_organisation(*, actor, kind: str, municipality, **fields) -> Organisation:
    """A new organisation of a municipality — a school, the administration, the department,
    the РМК, another body — entered by that municipality's department."""
    unknown = set(fields) - ORGANISATION_FIELDS - {"head"}
    if unknown:
        raise ValueError(f"Unknown fields: {sorted(unknown)}")
    organisation = Organisation(
        kind=kind, municipality=municipality, region_id=municipality.region_id, **fields
    )
    if not can(actor, "schools.add_organisation", organisation):
        raise PermissionDenied(_("Организации района вносит управление образования."))
    organisation.full_clean(exclude=["head"])
    with transaction.atomic():
        recorded_by(organisation, actor).save()
    return organisation


PERSON_FIELDS = {"last_name", "first_name", "patronymic", "position", "email", "phone"}


def add_person(
    organisation: Organisation,
    *,
    actor,
    username: str = "",
    password: str = "",
    role: str = "",
    **fields,
) -> Person:
    """A person of the organisation (ФИО, position, work contacts), with a login and a role
    when ``username`` is given. Passwords are hashed before the transaction."""
    if not can(actor, "schools.change_organisation", organisation):
        raise PermissionDenied(_("Сотрудников организаций района вносит управление образования."))
    if set(fields) - PERSON_FIELDS:
        raise ValueError(f"Unknown fields: {sorted(set(fields) - PERSON_FIELDS)}")
    User = get_user_model()
    if username and User.objects.filter(username=username).exists():
        raise ValidationError({"username": _("Такой логин уже занят.")})
    password_hash = make_password(password) if username else None
    with transaction.atomic():
        person = recorded_by(Person(organisation=organisation, **fields), actor)
        person.save()
        if username:
            user = create_login(person, username, "", password_hash=password_hash)
            if role:
                grant_role(user, organisation, role)
    return person


def update_person(person: Person, *, actor, **fields) -> Person:
    """Change a person's card: only the fields given, with a history row naming ``actor``."""
    if not can(actor, "schools.change_person", person):
        raise PermissionDenied(_("Сотрудников организаций района вносит управление образования."))
    if set(fields) - PERSON_FIELDS:
        raise ValueError(f"Unknown fields: {sorted(set(fields) - PERSON_FIELDS)}")
    with transaction.atomic():
        locked = Person.objects.select_for_update().get(pk=person.pk)
        changed = [name for name, value in fields.items() if getattr(locked, name) != value]
        if not changed:
            return locked
        for name in changed:
            setattr(locked, name, fields[name])
        recorded_by(locked, actor).save(update_fields=changed)
        if {"last_name", "first_name", "patronymic", "position"} & set(changed):
            from .resource_services import refresh_keywords

            refresh_keywords(locked)
    return locked


def update_organisation(organisation: Organisation, *, actor, **fields) -> Organisation:
    """Change an organisation's card (the department of its municipality): under a row lock,
    only the fields given, with a django-simple-history row naming ``actor``."""
    if not can(actor, "schools.change_organisation", organisation):
        raise PermissionDenied(
            _("Изменять карточку организации может только управление образования.")
        )
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


def change_language(*, actor, language: str) -> Person:
    """The interface language of ``actor``'s own pages (``Person.language``): under a row lock,
    with a django-simple-history row. Acts are printed in Russian whatever it is."""
    if not can(actor, "schools.change_own_language"):
        raise PermissionDenied(
            _(
                "Язык интерфейса выбирают сотрудники организаций: "
                "у этой учётной записи нет карточки."
            )
        )
    if language not in dict(settings.LANGUAGES):
        raise ValidationError({"language": _("Такого языка интерфейса нет.")})
    with transaction.atomic():
        person = Person.objects.select_for_update().get(user=actor)
        if person.language != language:
            person.language = language
            recorded_by(person, actor).save(update_fields=["language"])
    return person
