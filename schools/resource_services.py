"""Every change of a school's resources: entered, edited, deleted — each asked of the rules,
atomic, under a row lock, and recorded as a ``ResourceEvent`` (who, when, each field before →
after).

Nobody is notified: the notifications app sits above this one (``tests/test_boundaries.py``),
and a resource is news to nobody in particular — the center finds it when it plans.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from .models import Person
from .permissions import can
from .resources import Resource, ResourceEvent, Subject

Kind = Resource.Kind

# What a caller may set; ``kind`` is chosen once, when the resource is entered.
COMMON_FIELDS = ("title", "description", "is_available")
# The order in which a history row names the fields: the model's.
FIELD_ORDER = [
    f.name
    for f in Resource._meta.get_fields()
    if f.name
    in {
        *COMMON_FIELDS,
        "subjects",
        *(name for names in Resource.KIND_FIELDS.values() for name in names),
    }
]
_EMPTY = {"person": None, "url": "", "quantity": None}


def _shown(name, value) -> str:
    """A field's value as the history names it."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return _("да") if value else _("нет")
    if name == "subjects":
        return ", ".join(sorted(str(subject) for subject in value))
    if name == "person":
        return value.full_name
    return str(value)


def _values(resource: Resource, subjects) -> dict[str, str]:
    names = [*COMMON_FIELDS, *Resource.KIND_FIELDS[resource.kind]]
    values = {name: _shown(name, getattr(resource, name)) for name in names}
    values["subjects"] = _shown("subjects", subjects)
    return values


def keywords(resource: Resource, subjects) -> str:
    """What the search reads besides the title and the description (``Resource.keywords``):
    in Russian whoever typed it, as the search's configuration is Russian."""
    with translation.override("ru"):
        words = [str(resource.get_kind_display()), *resource.capacities]
        words += [subject.name for subject in subjects]
        if resource.person is not None:
            words += [resource.person.full_name, resource.person.position]
    return " ".join(words)


def refresh_keywords(person: Person) -> int:
    """After a person's card changed (name, position): the search words of the resources
    naming them, so that the search finds the teacher under their new name at once. Not an edit
    of the resource: no version, no history row (the card's change is in the card's history)."""
    resources = list(
        Resource.objects.filter(person=person).select_related("person").prefetch_related("subjects")
    )
    for resource in resources:
        Resource.objects.filter(pk=resource.pk).update(
            keywords=keywords(resource, list(resource.subjects.all()))
        )
    return len(resources)


def _validate(school, kind, fields, subjects):
    """Refusals a form would show beside its fields (a ``ValidationError`` by field)."""
    errors = {}
    for name in ("title", "description", "url"):
        value = fields.get(name)
        # Forms refuse control characters already; PostgreSQL would fail on a NUL, so the
        # service refuses it for every other caller too.
        if isinstance(value, str) and "\x00" in value:
            errors[name] = _("Недопустимый символ в тексте.")
    if not (fields.get("title") or "").strip():
        errors["title"] = _("Укажите краткое название ресурса.")
    if kind == Kind.STAFF:
        person = fields.get("person")
        if person is None:
            errors["person"] = _("Выберите педагога.")
        elif person.organisation_id != school.pk:
            errors["person"] = _("Педагог — сотрудник этой школы.")
        if not any(fields.get(name) for name in Resource.CAPACITIES):
            errors["as_mentor"] = _(
                "Отметьте, кем педагог готов работать в сети: наставником, тренером или "
                "ведущим мастер-классов."
            )
    quantity = fields.get("quantity")
    if quantity is not None and quantity < 0:
        errors["quantity"] = _("Количество не может быть отрицательным.")
    if any(not isinstance(subject, Subject) for subject in subjects):
        raise ValueError("subjects must be Subject instances")
    if errors:
        raise ValidationError(errors)


def _check_fields(kind, fields):
    allowed = {*COMMON_FIELDS, *Resource.KIND_FIELDS[kind]}
    unknown = set(fields) - allowed
    if unknown:
        raise ValueError(f"Fields not of a {kind} resource: {sorted(unknown)}")


def _record(resource, action, before, after, *, actor):
    fields = {
        name: [before.get(name, ""), after.get(name, "")]
        for name in FIELD_ORDER
        if before.get(name, "") != after.get(name, "")
    }
    ResourceEvent.objects.create(
        resource_id=resource.pk,
        school_id=resource.school_id,
        title=resource.title,
        action=action,
        actor=actor,
        fields=fields,
    )


def add_resource(school, *, actor, kind: str, subjects=(), **fields) -> Resource:
    """A resource ``school`` offers to the network, entered by its coordinator or director."""
    if kind not in Kind.values:
        raise ValueError(f"Unknown kind: {kind!r}")
    _check_fields(kind, fields)
    if not can(actor, "schools.add_resource", school):
        raise PermissionDenied(_("Ресурсы школы вносят её представитель и директор."))
    subjects = list(subjects)
    _validate(school, kind, fields, subjects)
    with transaction.atomic():
        resource = Resource(school=school, kind=kind, created_by=actor, **fields)
        resource.keywords = keywords(resource, subjects)
        resource.save()
        resource.subjects.set(subjects)
        _record(
            resource, ResourceEvent.Action.CREATED, {}, _values(resource, subjects), actor=actor
        )
    return resource


def update_resource(
    resource: Resource, *, actor, subjects=None, version: int | None = None, **fields
) -> Resource:
    """Change a resource: only the fields given (``subjects``: the whole new list), with a
    history row naming each field before → after. A save that changes nothing writes
    nothing. ``version`` is the one the editor opened: a newer save by someone else is not
    overwritten, the editor is told and keeps their input."""
    with transaction.atomic():
        locked = (
            Resource.objects.select_for_update(of=("self",))
            .select_related("school__head", "person")
            .filter(pk=resource.pk)
            .first()
        )
        if locked is None:
            raise ValidationError(_("Этот ресурс уже удалён."))
        _check_fields(locked.kind, fields)
        if not can(actor, "schools.change_resource", locked):
            raise PermissionDenied(
                _("Ресурсы школы изменяют её представитель, директор и управление образования.")
            )
        if version is not None and version != locked.version:
            raise ValidationError(
                _(
                    "Пока вы редактировали ресурс, его сохранил другой пользователь. Ваши "
                    "изменения не сохранены: откройте ресурс заново и внесите их."
                )
            )
        current = list(locked.subjects.all())
        new_subjects = current if subjects is None else list(subjects)
        merged = {
            name: getattr(locked, name)
            for name in (*COMMON_FIELDS, *Resource.KIND_FIELDS[locked.kind])
        }
        merged.update(fields)
        _validate(locked.school, locked.kind, merged, new_subjects)
        before = _values(locked, current)
        changed = [name for name, value in fields.items() if getattr(locked, name) != value]
        subjects_changed = {s.pk for s in new_subjects} != {s.pk for s in current}
        if not changed and not subjects_changed:
            return locked
        for name in changed:
            setattr(locked, name, fields[name])
        locked.keywords = keywords(locked, new_subjects)
        locked.updated_at = timezone.now()
        locked.version += 1
        locked.save(update_fields=[*changed, "keywords", "updated_at", "version"])
        if subjects_changed:
            locked.subjects.set(new_subjects)
        _record(
            locked,
            ResourceEvent.Action.CHANGED,
            before,
            _values(locked, new_subjects),
            actor=actor,
        )
    return locked


def delete_resource(resource: Resource, *, actor) -> None:
    """Remove a resource the school no longer offers; its history stays (with what it was)."""
    with transaction.atomic():
        locked = (
            Resource.objects.select_for_update(of=("self",))
            .select_related("school__head", "person")
            .filter(pk=resource.pk)
            .first()
        )
        if locked is None:
            raise ValidationError(_("Этот ресурс уже удалён."))
        if not can(actor, "schools.delete_resource", locked):
            raise PermissionDenied(_("Удалять ресурсы школы могут её представитель и директор."))
        before = _values(locked, list(locked.subjects.all()))
        _record(locked, ResourceEvent.Action.DELETED, before, {}, actor=actor)
        locked.delete()


def ensure_subjects():
    """The seeded reference list of subjects (migration 0007 seeds it too; a flushed test
    database or an emptied table gets it back from here)."""
    from .migrations._subjects import SUBJECTS

    for position, name in enumerate(SUBJECTS, start=1):
        Subject.objects.get_or_create(name=name, defaults={"position": position})
