"""Interaction groups: created and edited by who manages the center, their members added (or
their role changed) and removed. The coordinator is always one of the members: made one when
named, and not removed while coordinating. Every change appends a ``GroupEvent``."""

from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from schools.models import Person
from schools.permissions import require

from ..models import GroupEvent, GroupMember, InteractionGroup
from ..queries import linkable_lines, network_people
from .common import CooperationError, coordinators, lock_center, logins_of, shown
from .common import tell as _tell

# Lazy: read in the language of whoever is refused.
MANAGERS_ONLY = gettext_lazy(
    "Группы взаимодействия формируют руководитель центра, директор базовой школы и управление "
    "образования."
)


def group_url(group) -> str:
    return reverse("cooperation:group", args=[group.pk])


def _lock(group) -> InteractionGroup:
    return (
        InteractionGroup.objects.select_for_update(of=("self",))
        .select_related("center__hub", "center__head", "coordinator__organisation")
        .get(pk=group.pk)
    )


def _event(group, action, *, actor, data):
    GroupEvent.objects.create(group=group, action=action, actor=actor, data=data)


def _lines_shown(lines) -> str:
    return "; ".join(sorted(shown(line) for line in lines))


def _validate(center, *, name, purpose, coordinator, lines, members=(), group=None):
    errors = {}
    if not (name or "").strip():
        errors["name"] = _("Назовите группу.")
    else:
        same = InteractionGroup.objects.filter(center=center, name=name.strip())
        if group is not None:
            same = same.exclude(pk=group.pk)
        if same.exists():
            errors["name"] = _("В центре уже есть группа с таким названием.")
    if not (purpose or "").strip():
        errors["purpose"] = _("Опишите цель и содержание работы группы.")
    people = {p.pk for p in [coordinator, *members] if p is not None}
    if coordinator is None:
        errors["coordinator"] = _("Назначьте координатора группы.")
    outside = people - set(
        network_people(center).filter(pk__in=people).values_list("pk", flat=True)
    )
    if outside:
        field = (
            "coordinator" if coordinator is not None and coordinator.pk in outside else "members"
        )
        errors[field] = _(
            "В группу входят сотрудники базовой школы, школ-участников и методического кабинета."
        )
    line_ids = {line.pk for line in lines}
    keep = list(group.lines.values_list("pk", flat=True)) if group is not None else []
    allowed = set(
        linkable_lines(center, keep=keep).filter(pk__in=line_ids).values_list("pk", flat=True)
    )
    if line_ids - allowed:
        errors["lines"] = _("Выберите мероприятия утверждённого плана этого центра.")
    if errors:
        raise CooperationError(errors)


def _schools_told(person_ids) -> set[int]:
    """The members' logins and the coordinators of their schools."""
    schools = Person.objects.filter(pk__in=person_ids).values_list("organisation_id", flat=True)
    return logins_of(person_ids) | coordinators(set(schools))


def create_group(
    center, *, actor, name, purpose, coordinator, lines=(), members=()
) -> InteractionGroup:
    """A new group of the center; its coordinator and ``members`` are its first members."""
    require(actor, "cooperation.add_group", center, MANAGERS_ONLY)
    lines, members = list(lines), list(members)
    with transaction.atomic():
        center = lock_center(center)
        require(actor, "cooperation.add_group", center, MANAGERS_ONLY)
        _validate(
            center,
            name=name,
            purpose=purpose,
            coordinator=coordinator,
            lines=lines,
            members=members,
        )
        group = InteractionGroup.objects.create(
            center=center,
            name=name.strip(),
            purpose=purpose.strip(),
            coordinator=coordinator,
            created_by=actor,
        )
        group.lines.set(lines)
        people = list({p.pk: p for p in [coordinator, *members]}.values())
        GroupMember.objects.bulk_create([GroupMember(group=group, person=p) for p in people])
        _event(
            group,
            "created",
            actor=actor,
            data={
                "name": group.name,
                "coordinator": shown(coordinator),
                "lines": _lines_shown(lines),
                "members": sorted(shown(p) for p in people),
            },
        )
        _tell(
            _schools_told([p.pk for p in people]),
            actor=actor,
            text=lambda: (
                _("Сформирована группа взаимодействия «%(name)s» (%(center)s).")
                % {"name": group.name, "center": center.short_name}
            ),
            url=group_url(group),
        )
    return group


GROUP_FIELDS = ("name", "purpose", "coordinator", "lines")


def update_group(group, *, actor, **fields) -> InteractionGroup:
    """Change a group's card: name, purpose, coordinator (one of its members), plan lines."""
    unknown = set(fields) - set(GROUP_FIELDS)
    if unknown:
        raise CooperationError(f"Unknown fields: {sorted(unknown)}")
    require(actor, "cooperation.change_group", group, MANAGERS_ONLY)
    with transaction.atomic():
        locked = _lock(group)
        require(actor, "cooperation.change_group", locked, MANAGERS_ONLY)
        current_lines = list(locked.lines.select_related("revision__plan"))
        before = {
            "name": locked.name,
            "purpose": locked.purpose,
            "coordinator": locked.coordinator,
            "lines": current_lines,
        }
        values = {**before, **fields}
        for name in ("name", "purpose"):
            values[name] = (values[name] or "").strip()
        _validate(
            locked.center,
            name=values["name"],
            purpose=values["purpose"],
            coordinator=values["coordinator"],
            lines=values["lines"],
            group=locked,
        )
        coordinator = values["coordinator"]
        if not locked.members.filter(person=coordinator).exists():
            raise CooperationError({"coordinator": _("Координатор — один из участников группы.")})
        changed = [
            name
            for name in ("name", "purpose", "coordinator")
            if name in fields and before[name] != values[name]
        ]
        new_lines = "lines" in fields and {line.pk for line in values["lines"]} != {
            line.pk for line in current_lines
        }
        if not changed and not new_lines:
            return locked
        for name in changed:
            setattr(locked, name, values[name])
        if changed:
            locked.save(update_fields=changed)
        diff = {name: [shown(before[name]), shown(values[name])] for name in changed}
        if new_lines:
            locked.lines.set(values["lines"])
            diff["lines"] = [_lines_shown(current_lines), _lines_shown(values["lines"])]
        _event(locked, "edited", actor=actor, data={"fields": diff})
    return locked


def add_member(group, *, actor, person, role="") -> GroupMember:
    """Add a person of the network to the group, or change the role of one already in it."""
    require(actor, "cooperation.change_group", group, MANAGERS_ONLY)
    role = (role or "").strip()
    with transaction.atomic():
        locked = _lock(group)
        require(actor, "cooperation.change_group", locked, MANAGERS_ONLY)
        if person is None or not network_people(locked.center).filter(pk=person.pk).exists():
            raise CooperationError(
                {
                    "person": _(
                        "В группу входят сотрудники базовой школы, школ-участников и "
                        "методического кабинета."
                    )
                }
            )
        member = GroupMember.objects.filter(group=locked, person=person).first()
        if member is not None:
            if member.role == role:
                return member
            before = member.role
            member.role = role
            member.save(update_fields=["role"])
            _event(
                locked,
                "member_changed",
                actor=actor,
                data={"person": shown(person), "role": [before, role]},
            )
            return member
        member = GroupMember.objects.create(group=locked, person=person, role=role)
        _event(locked, "member_added", actor=actor, data={"person": shown(person), "role": role})
        _tell(
            _schools_told([person.pk]),
            actor=actor,
            text=lambda: (
                _("%(person)s включён(а) в группу взаимодействия «%(name)s».")
                % {"person": person.full_name, "name": locked.name}
            ),
            url=group_url(locked),
        )
    return member


def remove_member(member, *, actor) -> None:
    """Remove a member; the coordinator stays until another one is named."""
    require(actor, "cooperation.change_group", member.group, MANAGERS_ONLY)
    with transaction.atomic():
        locked = _lock(member.group)
        require(actor, "cooperation.change_group", locked, MANAGERS_ONLY)
        row = GroupMember.objects.filter(pk=member.pk, group=locked).select_related(
            "person__organisation"
        )
        row = row.first()
        if row is None:
            raise CooperationError(_("Этот сотрудник уже исключён из группы."))
        if row.person_id == locked.coordinator_id:
            raise CooperationError(
                _("Координатора нельзя исключить: сначала назначьте другого координатора.")
            )
        row.delete()
        _event(
            locked,
            "member_removed",
            actor=actor,
            data={"person": shown(row.person), "role": row.role},
        )
