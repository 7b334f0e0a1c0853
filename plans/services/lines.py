"""The lines of a revision in work: added, edited (optimistic ``version``: a stale editor is told,
nothing is overwritten) and deleted. Every change is a row of the revision's history naming the
line and its fields before → after, bumps the revision's ``content_version`` and asks again the
schools that had decided (``workflow.VISA``'s ``reset``; an agreed revision goes back on
agreement, ``workflow.REVISION``'s ``reagree``)."""

from datetime import date

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from schools.permissions import can

from .. import notify, workflow
from ..errors import LineConflict, PlanError
from ..models import EventForm, Line, Revision
from .common import lock_revision, move, plan_name, plan_url, record
from .visas import reset_visas

S = Revision.State

LINE_FIELDS = {
    "direction",
    "risk_factor",
    "title",
    "form",
    "format",
    "audience",
    "venue",
    "date_kind",
    "date_from",
    "date_to",
    "expected_result",
    "resources",
    "initiator",
}
M2M_FIELDS = {"responsible", "schools", "needed_resources"}
# The order in which a history row names the fields: the model's.
FIELD_ORDER = [f.name for f in Line._meta.get_fields() if f.name in LINE_FIELDS | M2M_FIELDS]


def _shown(name, value) -> str:
    """A field's value as the history names it."""
    if value is None:
        return ""
    if name == "format":
        return str(Line.Format(value).label)
    if name == "date_kind":
        return str(Line.DateKind(value).label)
    if isinstance(value, date):
        return value.strftime("%d.%m.%Y")
    if name in M2M_FIELDS:
        return ", ".join(sorted(str(item) for item in value))
    return str(value)


def _values(line: Line) -> dict[str, str]:
    values = {name: _shown(name, getattr(line, name)) for name in LINE_FIELDS}
    values["responsible"] = _shown("responsible", line.responsible.all())
    values["schools"] = _shown("schools", line.schools.all())
    values["needed_resources"] = _shown("needed_resources", line.needed_resources.all())
    return values


def _brief(text, limit=120) -> str:
    """A value as the plan page's history sentence shows it; the row's data keeps it whole."""
    if not text:
        return "—"
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _label(name) -> str:
    return str(Line._meta.get_field(name).verbose_name)


def _record_line(revision, action, line, before: dict, after: dict, *, actor):
    """The history row of a line's change: which line, and each field that changed."""
    fields = {
        name: [before.get(name, ""), after.get(name, "")]
        for name in FIELD_ORDER
        if before.get(name, "") != after.get(name, "")
    }
    comment = f"«{after.get('title') or before.get('title')}»"
    if action == "line_edited":
        comment += ": " + "; ".join(
            f"{_label(name)} «{_brief(old)}» → «{_brief(new)}»"
            for name, (old, new) in fields.items()
        )
    record(
        revision,
        action,
        actor=actor,
        comment=comment,
        data={
            "line": str(line.key),
            "title": after.get("title") or before["title"],
            "fields": fields,
        },
    )


def _content_changed(revision: Revision, actor):
    """A change of a locked revision's content: a new content version, and every school that
    had decided is asked again."""
    revision.content_version += 1
    revision.save(update_fields=["content_version"])
    if revision.state not in (S.ON_AGREEMENT, S.AGREED):
        return
    reset = reset_visas(revision)
    schools = sorted(visa.school.short_name for visa in reset)
    # The visas given stay in the history (their «visa» rows); that they no longer count is a
    # row too.
    comment = _("Визы сброшены: %(schools)s.") % {"schools": ", ".join(schools)} if reset else ""
    if revision.state == S.AGREED:
        rule = workflow.REVISION.follow("reagree", revision)
        move(revision, rule, actor=actor, comment=comment)
    elif reset:
        record(revision, "visas_reset", actor=actor, comment=comment, data={"schools": schools})
    if reset:
        notify.notify(
            notify.coordinators([visa.school_id for visa in reset]),
            lambda: (
                _("План %(plan)s изменён: согласуйте его заново.")
                % {"plan": plan_name(revision.plan)}
            ),
            plan_url(revision.plan),
        )


def _validate_line(revision, fields):
    center = revision.plan.center
    for name, value in fields.items():
        # Forms refuse NUL already (Django's ProhibitNullCharactersValidator); PostgreSQL would
        # answer with an error, so the service refuses it for every other caller too.
        if isinstance(value, str) and "\x00" in value:
            raise PlanError({name: _("Недопустимый символ в тексте.")})
    if fields.get("date_kind") == Line.DateKind.PERIOD and not fields.get("date_to"):
        raise PlanError({"date_to": _("Для периода укажите дату окончания.")})
    if (
        fields.get("date_to")
        and fields.get("date_from")
        and fields["date_to"] < fields["date_from"]
    ):
        raise PlanError({"date_to": _("Окончание раньше начала.")})
    network = {center.hub_id, *center.participations.values_list("school_id", flat=True)}
    venue = fields.get("venue")
    if venue is not None and venue.pk not in network:
        raise PlanError({"venue": _("Место проведения — школа сети центра.")})
    schools = fields.get("schools")
    if schools is not None and any(s.pk not in network for s in schools):
        raise PlanError({"schools": _("Участвовать могут только школы сети центра.")})
    resources = fields.get("needed_resources")
    if resources and any(r.school_id not in network for r in resources):
        raise PlanError({"needed_resources": _("Ресурсы — только школ сети центра.")})
    initiator = fields.get("initiator")
    if initiator is not None and initiator.pk not in network:
        raise PlanError({"initiator": _("Инициатор — центр или школа-участник.")})


def add_line(
    revision: Revision, *, actor, responsible=(), schools=(), needed_resources=(), **fields
) -> Line:
    with transaction.atomic():
        revision = lock_revision(revision)
        if not can(actor, "plans.add_line", revision):
            raise PermissionDenied(_("Добавлять мероприятия может руководитель центра."))
        fields.setdefault("initiator", revision.plan.center.hub)
        _validate_line(
            revision,
            {**fields, "schools": list(schools), "needed_resources": list(needed_resources)},
        )
        position = (revision.lines.aggregate(m=Max("position"))["m"] or 0) + 1
        line = Line.objects.create(revision=revision, position=position, **fields)
        line.responsible.set(responsible)
        line.schools.set(schools)
        line.needed_resources.set(needed_resources)
        _record_line(revision, "line_added", line, {}, _values(line), actor=actor)
        _content_changed(revision, actor)
    return line


def update_line(line: Line, *, actor, version: int | None = None, **fields) -> Line:
    """Change a line. ``version`` is what the editor saw; a newer save by someone else is not
    overwritten: the editor is told and keeps their input. A save that changes nothing changes
    nothing: no new version, no history row, no visa asked again."""
    unknown = set(fields) - LINE_FIELDS - M2M_FIELDS
    if unknown:
        raise PlanError(f"Unknown fields: {sorted(unknown)}")
    with transaction.atomic():
        revision = lock_revision(line.revision)
        locked = Line.objects.select_for_update().filter(pk=line.pk, revision=revision).first()
        if locked is None:
            raise PlanError(_("Это мероприятие уже удалено из плана."))
        locked.revision = revision
        if not can(actor, "plans.change_line", locked):
            raise PermissionDenied(_("Это мероприятие вам изменять не поручено."))
        if version is not None and locked.version != version:
            raise LineConflict(
                _(
                    "Это мероприятие уже изменил другой пользователь, пока вы его редактировали. "
                    "Ваши изменения не сохранены: посмотрите новую версию и внесите их снова."
                )
            )
        merged = {f: getattr(locked, f) for f in LINE_FIELDS}
        merged.update({k: v for k, v in fields.items() if k in LINE_FIELDS})
        _validate_line(
            revision,
            {
                **merged,
                "schools": fields.get("schools"),
                "needed_resources": fields.get("needed_resources"),
            },
        )
        before = _values(locked)
        changed = [f for f in LINE_FIELDS & set(fields) if getattr(locked, f) != fields[f]]
        related = [
            name
            for name in M2M_FIELDS & set(fields)
            if {item.pk for item in fields[name]}
            != set(getattr(locked, name).values_list("pk", flat=True))
        ]
        if not changed and not related:
            return locked
        for name in changed:
            setattr(locked, name, fields[name])
        locked.version += 1
        locked.save(update_fields=[*changed, "version"])
        for name in related:
            getattr(locked, name).set(fields[name])
        after = _values(locked)
        _record_line(revision, "line_edited", locked, before, after, actor=actor)
        _content_changed(revision, actor)
    return locked


def delete_line(line: Line, *, actor) -> None:
    with transaction.atomic():
        revision = lock_revision(line.revision)
        locked = Line.objects.select_for_update().filter(pk=line.pk, revision=revision).first()
        if locked is None:
            raise PlanError(_("Это мероприятие уже удалено из плана."))
        locked.revision = revision
        if not can(actor, "plans.delete_line", locked):
            raise PermissionDenied(_("Удалять мероприятия может руководитель центра."))
        before = _values(locked)
        locked.delete()
        _record_line(revision, "line_deleted", locked, before, {}, actor=actor)
        _content_changed(revision, actor)


def copy_lines(source: Revision, target: Revision, *, shift_years=0, keep_keys=True):
    """Copy lines into another revision (the new revision's own history row says where they
    came from). An amendment keeps each line's key so that the comparison of revisions matches
    them; a new year's plan starts new keys."""
    lines = list(source.lines.prefetch_related("responsible", "schools", "needed_resources"))
    for line in lines:
        copy = Line.objects.create(
            revision=target,
            position=line.position,
            **({"key": line.key} if keep_keys else {}),
            **{f: getattr(line, f) for f in LINE_FIELDS - {"date_from", "date_to"}},
            date_from=_shift(line.date_from, shift_years),
            date_to=_shift(line.date_to, shift_years),
        )
        copy.responsible.set(line.responsible.all())
        copy.schools.set(line.schools.all())
        copy.needed_resources.set(line.needed_resources.all())
    return len(lines)


def _shift(value, years):
    if value is None or years == 0:
        return value
    try:
        return value.replace(year=value.year + years)
    except ValueError:  # 29 February
        return value.replace(year=value.year + years, day=28)


def ensure_event_forms():
    """The seeded reference list of forms (migration 0002 seeds it too; a flushed test database
    or an emptied table gets it back from here)."""
    from ..migrations._forms import FORMS

    for position, name in enumerate(FORMS, start=1):
        EventForm.objects.get_or_create(name=name, defaults={"position": position})
