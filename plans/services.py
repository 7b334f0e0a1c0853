"""Every change of a plan, its lines, visas and proposals.

Transitions have one shape (STYLE.md §2): check the table in ``plans.workflow`` → atomic → lock
the revision row (concurrent transitions serialise on it) → re-check → change state →
append a ``Transition`` → notifications and documents after commit.
"""

from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, Max, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from network_center.centers.models import Center, Participation
from network_center.documents import services as document_services
from network_center.documents.body import ParsedPoint
from network_center.documents.models import LegalDocument
from schools.access import get_access

from . import notify, workflow
from .models import EventForm, Line, Plan, Proposal, ProposalEvent, Revision, Transition, Visa

S = Revision.State


class PlanError(ValidationError):
    """A refused change, with a message for the user."""


class LineConflict(PlanError):
    """The line was saved by someone else after this editor opened it."""


LINE_FIELDS = {
    "direction",
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
M2M_FIELDS = {"responsible", "schools"}


def plan_name(plan) -> str:
    """A plan as messages name it: «2026/2027 (Центр … на базе СОШ № 2 г. Дмитриева)»."""
    return f"{plan.academic_year} ({plan.center.short_name})"


def plan_url(plan):
    return reverse("plans:detail", args=[plan.pk])


def _lock(revision) -> Revision:
    return Revision.objects.select_for_update().select_related("plan__center").get(pk=revision.pk)


def _record(revision, action, from_state, to_state, actor, comment=""):
    Transition.objects.create(
        revision=revision,
        action=action,
        from_state=from_state,
        to_state=to_state,
        actor=actor,
        comment=comment,
    )


def _set_state(revision, to_state, action, actor, comment=""):
    from_state = revision.state
    revision.state = to_state
    revision.save(update_fields=["state"])
    _record(revision, action, from_state, to_state, actor, comment)


def _check(name, actor, revision):
    if not workflow.allowed(name, actor, revision):
        rule = workflow.TRANSITIONS[name]
        if revision.state not in rule.sources:
            raise PlanError(
                _("Действие «%(action)s» невозможно: план в состоянии «%(state)s».")
                % {"action": rule.label, "state": revision.get_state_display()}
            )
        raise PermissionDenied(_("Это действие вам не доступно."))


def active_participations(center: Center, on: date | None = None):
    on = on or timezone.localdate()
    return center.participations.filter(Q(until__isnull=True) | Q(until__gte=on)).select_related(
        "school"
    )


# --- plans and revisions ---------------------------------------------------------------------


def create_plan(center: Center, year: int, *, actor, copy_from: Revision | None = None) -> Plan:
    """Start the plan of ``year`` with a first draft revision, optionally copying the lines of
    an earlier revision (last year's plan) shifted by the difference in years."""
    access = get_access(actor)
    if not (access.is_superuser or workflow.manages_plan(actor, center)) or access.is_read_only:
        raise PermissionDenied(_("План составляет руководитель центра."))
    if center.status != Center.Status.ACTIVE:
        raise PlanError(_("Центр закрыт."))
    with transaction.atomic():
        Center.objects.select_for_update().get(pk=center.pk)
        if Plan.objects.filter(center=center, year=year).exists():
            raise PlanError(_("План на этот учебный год уже есть."))
        plan = Plan.objects.create(center=center, year=year)
        revision = Revision.objects.create(plan=plan, number=1, created_by=actor)
        _record(revision, "create", S.DRAFT, S.DRAFT, actor)
        if copy_from is not None:
            if copy_from.plan.center_id != center.pk:
                raise PlanError(_("Копировать можно только план этого центра."))
            shift = year - copy_from.plan.year
            _copy_lines(copy_from, revision, shift_years=shift, keep_keys=False)
    return plan


def _shift(value, years):
    if value is None or years == 0:
        return value
    try:
        return value.replace(year=value.year + years)
    except ValueError:  # 29 February
        return value.replace(year=value.year + years, day=28)


def _copy_lines(source: Revision, target: Revision, *, shift_years=0, keep_keys=True):
    """Copy lines into another revision. An amendment keeps each line's key so that the
    comparison of revisions matches them; a new year's plan starts new keys."""
    lines = list(source.lines.prefetch_related("responsible", "schools"))
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


def working_revision(plan: Plan) -> Revision | None:
    return plan.revisions.filter(state__in=[S.DRAFT, S.ON_AGREEMENT, S.AGREED]).first()


def approved_revision(plan: Plan) -> Revision | None:
    return plan.revisions.filter(state=S.APPROVED).first()


# --- lines -------------------------------------------------------------------------------------


def _content_changed(revision: Revision, actor):
    """An edit after visas were given invalidates them: every school is asked again."""
    Revision.objects.filter(pk=revision.pk).update(content_version=F("content_version") + 1)
    revision.refresh_from_db(fields=["content_version", "state"])
    if revision.state in (S.ON_AGREEMENT, S.AGREED):
        given = revision.visas.exclude(decision=Visa.Decision.PENDING)
        schools = dict(given.values_list("school_id", "school__short_name"))
        school_ids = list(schools)
        given.update(
            decision=Visa.Decision.PENDING,
            remarks="",
            content_version=None,
            decided_by=None,
            decided_by_person=None,
            decided_at=None,
        )
        # The visas given stay in the history (their «visa» rows); that they no longer count
        # is a row too.
        reset = ", ".join(sorted(schools.values()))
        comment = _("Визы сброшены: %(schools)s.") % {"schools": reset} if reset else ""
        if revision.state == S.AGREED:
            _set_state(revision, S.ON_AGREEMENT, "reagree", actor, comment)
        elif reset:
            _record(revision, "visas_reset", revision.state, revision.state, actor, comment)
        if school_ids:
            notify.notify(
                notify.coordinators(school_ids),
                _("План %(plan)s изменён: согласуйте его заново.")
                % {"plan": plan_name(revision.plan)},
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
    initiator = fields.get("initiator")
    if initiator is not None and initiator.pk not in network:
        raise PlanError({"initiator": _("Инициатор — центр или школа-участник.")})


@transaction.atomic
def add_line(revision: Revision, *, actor, responsible=(), schools=(), **fields) -> Line:
    revision = _lock(revision)
    if not workflow.may_edit_lines(actor, revision):
        raise PermissionDenied(_("Добавлять мероприятия может руководитель центра."))
    fields.setdefault("initiator", revision.plan.center.hub)
    _validate_line(revision, {**fields, "schools": list(schools)})
    position = (revision.lines.aggregate(m=Max("position"))["m"] or 0) + 1
    line = Line.objects.create(revision=revision, position=position, **fields)
    line.responsible.set(responsible)
    line.schools.set(schools)
    _content_changed(revision, actor)
    return line


@transaction.atomic
def update_line(line: Line, *, actor, version: int | None = None, **fields) -> Line:
    """Change a line. ``version`` is what the editor saw; a newer save by someone else is not
    overwritten: the editor is told and keeps their input."""
    revision = _lock(line.revision)
    locked = Line.objects.select_for_update().get(pk=line.pk)
    if not workflow.may_edit_lines(actor, revision, locked):
        raise PermissionDenied(_("Это мероприятие вам изменять не поручено."))
    if version is not None and locked.version != version:
        raise LineConflict(
            _(
                "Это мероприятие уже изменил другой пользователь, пока вы его редактировали. "
                "Ваши изменения не сохранены: посмотрите новую версию и внесите их снова."
            )
        )
    unknown = set(fields) - LINE_FIELDS - M2M_FIELDS
    if unknown:
        raise PlanError(f"Unknown fields: {sorted(unknown)}")
    merged = {f: getattr(locked, f) for f in LINE_FIELDS}
    merged.update({k: v for k, v in fields.items() if k in LINE_FIELDS})
    _validate_line(revision, {**merged, "schools": fields.get("schools")})
    for name in LINE_FIELDS & set(fields):
        setattr(locked, name, fields[name])
    locked.version += 1
    locked.save()
    if "responsible" in fields:
        locked.responsible.set(fields["responsible"])
    if "schools" in fields:
        locked.schools.set(fields["schools"])
    _content_changed(revision, actor)
    return locked


@transaction.atomic
def delete_line(line: Line, *, actor) -> None:
    revision = _lock(line.revision)
    if (
        not workflow.may_edit_lines(actor, revision)
        or not workflow.manages_plan(actor, revision.plan.center)
        and not get_access(actor).is_superuser
    ):
        raise PermissionDenied(_("Удалять мероприятия может руководитель центра."))
    line.delete()
    _content_changed(revision, actor)


# --- transitions -------------------------------------------------------------------------------


def submit(revision: Revision, *, actor, comment: str = "") -> Revision:
    with transaction.atomic():
        revision = _lock(revision)
        _check("submit", actor, revision)
        if not revision.lines.exists():
            raise PlanError(_("В плане нет ни одного мероприятия."))
        participations = list(active_participations(revision.plan.center))
        if not participations:
            raise PlanError(_("У центра нет школ-участников: согласовывать некому."))
        # Visas are asked afresh for the current content of every participant school.
        revision.visas.all().delete()
        Visa.objects.bulk_create(Visa(revision=revision, school=p.school) for p in participations)
        _set_state(revision, S.ON_AGREEMENT, "submit", actor, comment)
        notify.notify(
            notify.coordinators([p.school_id for p in participations]),
            _("План %(plan)s ждёт согласования вашей школы.") % {"plan": plan_name(revision.plan)},
            plan_url(revision.plan),
        )
    return revision


def return_for_revision(revision: Revision, *, actor, comment: str) -> Revision:
    if not comment.strip():
        raise PlanError(_("Укажите, что нужно доработать."))
    with transaction.atomic():
        revision = _lock(revision)
        _check("return", actor, revision)
        _set_state(revision, S.DRAFT, "return", actor, comment)
        notify.notify(
            notify.center_heads(revision.plan.center),
            _("План %(plan)s возвращён на доработку: %(comment)s")
            % {"plan": plan_name(revision.plan), "comment": comment},
            plan_url(revision.plan),
        )
    return revision


def give_visa(revision: Revision, school, *, actor, decision: str, remarks: str = "") -> Visa:
    """A participant school's coordinator agrees, agrees with remarks, or objects."""
    if decision not in (
        Visa.Decision.AGREED,
        Visa.Decision.AGREED_WITH_REMARKS,
        Visa.Decision.OBJECTED,
    ):
        raise PlanError(_("Выберите решение."))
    if decision != Visa.Decision.AGREED and not remarks.strip():
        raise PlanError({"remarks": _("Напишите замечания.")})
    with transaction.atomic():
        revision = _lock(revision)
        if revision.state != S.ON_AGREEMENT:
            raise PlanError(_("План сейчас не на согласовании."))
        if school.pk not in workflow.coordinated_school_ids(actor):
            raise PermissionDenied(_("Визу школы даёт её представитель."))
        visa = Visa.objects.select_for_update().filter(revision=revision, school=school).first()
        if visa is None:
            raise PermissionDenied(_("Ваша школа не участвует в согласовании этого плана."))
        visa.decision = decision
        visa.remarks = remarks.strip()
        visa.content_version = revision.content_version
        visa.decided_by = actor
        visa.decided_by_person = getattr(actor, "person", None)
        visa.decided_at = timezone.now()
        visa.save()
        _record(
            revision,
            "visa",
            revision.state,
            revision.state,
            actor,
            f"{school.short_name}: {visa.get_decision_display()}"
            + (f" — {visa.remarks}" if visa.remarks else ""),
        )
        center = revision.plan.center
        notify.notify(
            notify.center_heads(center),
            _("%(school)s: %(decision)s по плану %(plan)s.")
            % {
                "school": school.short_name,
                "decision": visa.get_decision_display().lower(),
                "plan": plan_name(revision.plan),
            },
            plan_url(revision.plan),
        )
        pending_or_objected = revision.visas.exclude(decision__in=Visa.AGREEING).exists()
        if not pending_or_objected:
            _set_state(revision, S.AGREED, "agreed", actor, _("Все школы согласовали план."))
            notify.notify(
                notify.approvers(center),
                _("План %(plan)s согласован всеми школами и ждёт утверждения.")
                % {"plan": plan_name(revision.plan)},
                plan_url(revision.plan),
            )
    return visa


def approve(revision: Revision, *, actor, password: str) -> Revision:
    """Approve an agreed revision. The approver signs the approving document with a simple
    electronic signature: the department's order with the plan as its appendix, or the plan
    itself with «УТВЕРЖДАЮ» when the hub director approves. The revision is frozen."""
    if not password or not actor.check_password(password):
        raise PlanError({"password": _("Неверный пароль: план не утверждён.")})
    with transaction.atomic():
        revision = _lock(revision)
        _check("approve", actor, revision)
        stale = revision.visas.exclude(content_version=revision.content_version).exists()
        if stale or revision.visas.exclude(decision__in=Visa.AGREEING).exists():
            raise PlanError(_("Не все школы согласовали текущую редакцию."))
        document = _approval_document(revision, actor)
        # Everyone who sees the plan reads its approving act: the hub and every school agreeing.
        document_services.share_with(
            document,
            [revision.plan.center.hub_id, *revision.visas.values_list("school_id", flat=True)],
        )
        # The password was checked above, before the revision was locked.
        signed = document_services.seal_with_signature(document, actor=actor)
        previous = revision.plan.revisions.filter(state=S.APPROVED).exclude(pk=revision.pk)
        for old in previous.select_for_update():
            _set_state(old, S.SUPERSEDED, "superseded", actor, _("Утверждена новая редакция."))
        revision.approval_document = signed
        revision.approved_at = timezone.now()
        revision.save(update_fields=["approval_document", "approved_at"])
        _set_state(revision, S.APPROVED, "approve", actor)
        center = revision.plan.center
        notify.notify(
            notify.network(center),
            _("План %(plan)s утверждён.") % {"plan": plan_name(revision.plan)},
            plan_url(revision.plan),
        )
    return revision


PLAN_COLUMNS = [
    "№",
    "Направление",
    "Мероприятие",
    "Форма, формат",
    "Целевая аудитория",
    "Место проведения",
    "Сроки",
    "Ответственные",
    "Школы-участники",
    "Ожидаемый результат",
]


def _responsible(line: Line) -> str:
    """«Зайцева М.А., Белова Н.В.» (prefetched ``responsible``), plain spaces for a table cell."""
    return ", ".join(p.name_initials.replace("\u00a0", " ") for p in line.responsible.all())


def plan_table(revision: Revision) -> dict:
    """Every column of the lines, in date order: the XLSX export of a revision."""
    lines = (
        revision.lines.select_related("form", "venue", "initiator")
        .prefetch_related("responsible", "schools")
        .order_by("date_from", "position", "pk")
    )
    rows = []
    for n, line in enumerate(lines, start=1):
        rows.append(
            [
                str(n),
                line.direction,
                line.title,
                f"{line.form.name}, {line.get_format_display()}",
                line.audience,
                line.venue.short_name if line.venue else "",
                line.dates_display,
                _responsible(line),
                ", ".join(s.short_name for s in line.schools.all()),
                line.expected_result,
            ]
        )
    return {"columns": PLAN_COLUMNS, "rows": rows}


PRINT_COLUMNS = [
    "№",
    "Мероприятие (форма, формат)",
    "Сроки, место проведения",
    "Участники",
    "Ответственные",
    "Ожидаемый результат",
]
PRINT_FORMATS = {"in_person": "очно", "blended": "очно-заочно", "remote": "дистанционно"}
ALL_SCHOOLS = "все школы — участники сети"


def participant_ids(revision: Revision, visas=None, participations=None) -> set[int]:
    """The schools that agree ``revision``: those with a visa once it was sent for agreement,
    the center's current participants before. ``visas`` and ``participations`` (all of the
    center's) save the queries when the caller has them."""
    visas = revision.visas.all() if visas is None else visas
    if ids := {visa.school_id for visa in visas}:
        return ids
    if participations is None:
        return {p.school_id for p in active_participations(revision.plan.center)}
    today = timezone.localdate()
    return {p.school_id for p in participations if p.is_current(today)}


def involves_every_school(school_ids, participants: set[int]) -> bool:
    """Whether a line for ``school_ids`` is for the whole network (printed «все школы — участники
    сети»): every school agreeing the plan takes part, and there is more than one."""
    return len(participants) > 1 and participants <= set(school_ids)


def plan_print_table(revision: Revision) -> dict:
    """The lines as the approved plan prints them: grouped by direction (a row heading each
    group, in the order of the plan page's grouping), by date within a group, numbered through;
    the form and format with the event, the audience with the schools — «все школы — участники
    сети» when a line involves every school that agrees the plan. Every field of a line is in
    the XLSX export (``plan_table``); this is what a page of the printed plan holds, landscape."""
    lines = list(
        revision.lines.select_related("form", "venue")
        .prefetch_related("responsible", "schools")
        .order_by("direction", "date_from", "position", "pk")
    )
    participants = participant_ids(revision)
    rows: list = []
    direction = None
    for n, line in enumerate(lines, start=1):
        if line.direction != direction:
            direction = line.direction
            rows.append({"group": direction})
        venue = line.venue.short_name if line.venue else ""
        schools = list(line.schools.all())
        if involves_every_school((school.pk for school in schools), participants):
            involved = ALL_SCHOOLS
        else:
            involved = ", ".join(school.short_name for school in schools)
        rows.append(
            [
                str(n),
                f"{line.title} ({line.form.name}, {PRINT_FORMATS.get(line.format, line.format)})",
                "\n".join(part for part in (line.dates_display, venue) if part),
                "; ".join(part for part in (line.audience, involved) if part),
                _responsible(line),
                line.expected_result,
            ]
        )
    return {"columns": PRINT_COLUMNS, "rows": rows, "landscape": True}


def agreement_sheet(revision: Revision) -> list[list[str]]:
    rows = []
    for visa in revision.visas.select_related("school", "decided_by_person"):
        person = visa.decided_by_person
        rows.append(
            [
                visa.school.short_name,
                person.position if person else "",
                person.initials_name.replace("\u00a0", " ") if person else "",
                visa.get_decision_display(),
                visa.decided_at.astimezone(timezone.get_current_timezone()).strftime("%d.%m.%Y")
                if visa.decided_at
                else "",
                visa.remarks,
            ]
        )
    return rows


def draft_plan_document(revision: Revision) -> LegalDocument:
    """An unsaved plan document of a revision in work, for its «ПРОЕКТ» PDF."""
    center = revision.plan.center
    return LegalDocument(
        issuer=center.hub,
        kind=LegalDocument.Kind.PLAN,
        heading=(
            f"совместной деятельности {center.short_name_genitive()} "
            f"на {revision.plan.academic_year} учебный год"
        ),
        table=plan_print_table(revision),
        agreement_sheet=agreement_sheet(revision) or None,
    )


def _approval_document(revision: Revision, actor) -> LegalDocument:
    center = revision.plan.center
    person = getattr(actor, "person", None)
    if person is None:
        raise PlanError(_("У вашей учётной записи нет карточки сотрудника: подписать нельзя."))
    heading = (
        f"совместной деятельности {center.short_name_genitive()} "
        f"на {revision.plan.academic_year} учебный год"
    )
    if center.plan_approver == Center.Approver.HUB_DIRECTOR:
        return document_services.create_document(
            center.hub,
            actor=actor,
            kind=LegalDocument.Kind.PLAN,
            heading=heading,
            signatory=person,
            signatory_position=person.position,
            approval_by_signature=True,
            table=plan_print_table(revision),
            agreement_sheet=agreement_sheet(revision),
        )
    department = person.organisation
    order = document_services.create_document(
        department,
        actor=actor,
        kind=LegalDocument.Kind.ORDER,
        heading=f"Об утверждении плана {heading}",
        preamble="В соответствии с Положением о центре сетевого взаимодействия, на основании "
        "согласования плана всеми школами — участниками сетевого взаимодействия",
        signatory=person,
        signatory_position=person.position,
        executor=center.head,
    )
    document_services.replace_body(
        order,
        [
            ParsedPoint(
                "numbered",
                f"Утвердить план {heading} (приложение 1).",
            ),
            ParsedPoint(
                "numbered",
                "Руководителю центра обеспечить выполнение плана; школам — участникам сетевого "
                "взаимодействия обеспечить участие педагогических работников в мероприятиях "
                "плана.",
            ),
            ParsedPoint(
                "numbered", "Контроль за исполнением настоящего приказа оставляю за собой."
            ),
        ],
        actor=actor,
    )
    document_services.create_document(
        department,
        actor=actor,
        kind=LegalDocument.Kind.PLAN,
        heading=heading,
        parent=order,
        approved_by_parent=True,
        table=plan_print_table(revision),
        agreement_sheet=agreement_sheet(revision),
    )
    return order


def amend(revision: Revision, *, actor) -> Revision:
    """Start a new revision from an approved one; the approved one stays in force until the new
    one is approved."""
    with transaction.atomic():
        revision = _lock(revision)
        _check("amend", actor, revision)
        number = (revision.plan.revisions.aggregate(m=Max("number"))["m"] or 0) + 1
        new = Revision.objects.create(
            plan=revision.plan, number=number, based_on=revision, created_by=actor
        )
        _copy_lines(revision, new)
        _record(new, "amend", S.DRAFT, S.DRAFT, actor, _("Новая редакция на основе утверждённой."))
    return new


def close(revision: Revision, *, actor, comment: str) -> Revision:
    if not comment.strip():
        raise PlanError(_("Кратко опишите итоги года."))
    with transaction.atomic():
        revision = _lock(revision)
        _check("close", actor, revision)
        _set_state(revision, S.CLOSED, "close", actor, comment)
    return revision


TRANSITION_SERVICES = {
    "submit": lambda revision, actor, data: submit(revision, actor=actor, comment=data["comment"]),
    "return": lambda revision, actor, data: return_for_revision(
        revision, actor=actor, comment=data["comment"]
    ),
    "approve": lambda revision, actor, data: approve(
        revision, actor=actor, password=data["password"]
    ),
    "amend": lambda revision, actor, data: amend(revision, actor=actor),
    "close": lambda revision, actor, data: close(revision, actor=actor, comment=data["comment"]),
}


# --- comparison --------------------------------------------------------------------------------

FIELD_LABELS = {
    "direction": "Направление",
    "title": "Мероприятие",
    "form": "Форма",
    "format": "Формат",
    "audience": "Целевая аудитория",
    "venue": "Место проведения",
    "dates": "Сроки",
    "responsible": "Ответственные",
    "schools": "Школы-участники",
    "expected_result": "Ожидаемый результат",
    "resources": "Необходимые ресурсы",
    "initiator": "Инициатор",
}


def _snapshot(revision: Revision) -> dict:
    lines = (
        revision.lines.select_related("form", "venue", "initiator")
        .prefetch_related("responsible", "schools")
        .order_by("date_from", "position", "pk")
    )
    result = {}
    for line in lines:
        result[line.key] = {
            "direction": line.direction,
            "title": line.title,
            "form": line.form.name,
            "format": line.get_format_display(),
            "audience": line.audience,
            "venue": line.venue.short_name if line.venue else "",
            "dates": line.dates_display,
            "responsible": ", ".join(sorted(p.full_name for p in line.responsible.all())),
            "schools": ", ".join(sorted(s.short_name for s in line.schools.all())),
            "expected_result": line.expected_result,
            "resources": line.resources,
            "initiator": line.initiator.short_name,
        }
    return result


def compare_revisions(old: Revision, new: Revision) -> dict:
    """Lines added, removed and changed field by field; lines are matched by their key."""
    before, after = _snapshot(old), _snapshot(new)
    changed = []
    for key in after.keys() & before.keys():
        fields = [
            (FIELD_LABELS[f], before[key][f], after[key][f])
            for f in FIELD_LABELS
            if before[key][f] != after[key][f]
        ]
        if fields:
            changed.append({"title": after[key]["title"], "fields": fields})
    return {
        "added": [after[k] for k in after if k not in before],
        "removed": [before[k] for k in before if k not in after],
        "changed": changed,
    }


# --- proposals ---------------------------------------------------------------------------------

PROPOSAL_FIELDS = {
    "title",
    "direction",
    "form",
    "format",
    "audience",
    "venue",
    "date_kind",
    "date_from",
    "date_to",
    "expected_result",
    "resources",
    "justification",
}


def _proposal_event(proposal, from_state, actor, comment=""):
    ProposalEvent.objects.create(
        proposal=proposal,
        from_state=from_state,
        to_state=proposal.state,
        actor=actor,
        comment=comment,
    )


def submit_proposal(plan: Plan, school, *, actor, **fields) -> Proposal:
    if school.pk not in workflow.coordinated_school_ids(actor):
        raise PermissionDenied(_("Предлагать мероприятия может представитель школы."))
    if not Participation.objects.filter(center=plan.center, school=school).exists():
        raise PermissionDenied(_("Ваша школа не участвует в этом центре."))
    if set(fields) - PROPOSAL_FIELDS:
        raise PlanError(f"Unknown fields: {sorted(set(fields) - PROPOSAL_FIELDS)}")
    if not fields.get("justification", "").strip():
        raise PlanError({"justification": _("Обоснуйте предложение.")})
    with transaction.atomic():
        revision = working_revision(plan)
        if revision is None:
            raise PlanError(_("Сейчас нет проекта плана, в который можно предложить мероприятие."))
        proposal = Proposal.objects.create(plan=plan, school=school, author=actor, **fields)
        _proposal_event(proposal, "", actor)
        notify.notify(
            notify.center_heads(plan.center),
            _("%(school)s предлагает мероприятие «%(title)s».")
            % {"school": school.short_name, "title": proposal.title},
            reverse("plans:proposal", args=[proposal.pk]),
        )
    return proposal


def _lock_proposal(proposal) -> Proposal:
    return Proposal.objects.select_for_update().select_related("plan__center").get(pk=proposal.pk)


def _decide(proposal, *, actor, to_state, comment, extra=None):
    proposal = _lock_proposal(proposal)
    center = proposal.plan.center
    if not (get_access(actor).is_superuser or workflow.manages_plan(actor, center)):
        raise PermissionDenied(_("О предложениях решает руководитель центра."))
    if proposal.state != Proposal.State.SUBMITTED:
        raise PlanError(_("Решение по этому предложению уже принято."))
    from_state = proposal.state
    proposal.state = to_state
    proposal.decision_comment = comment
    proposal.decided_at = timezone.now()
    proposal.version += 1
    for name, value in (extra or {}).items():
        setattr(proposal, name, value)
    proposal.save()
    _proposal_event(proposal, from_state, actor, comment)
    text = _("Предложение «%(title)s»: %(state)s.") % {
        "title": proposal.title,
        "state": proposal.get_state_display().lower(),
    }
    if proposal.changes:
        text += " " + _("Центр изменил: %(changes)s.") % {
            "changes": "; ".join(
                f"{field} «{old or '—'}» → «{new or '—'}»"
                for field, old, new in proposal.changes_display()
            )
        }
    notify.notify(
        [proposal.author_id, *notify.coordinators([proposal.school_id])],
        text + (f" {comment}" if comment else ""),
        reverse("plans:proposal", args=[proposal.pk]),
    )
    return proposal


@transaction.atomic
def accept_proposal(proposal: Proposal, *, actor, comment: str = "", **overrides) -> Proposal:
    """Accept: the proposal becomes a line of the working revision. The center has the final
    say on place, form and dates; what it changed is recorded and shown to the school."""
    locked = _lock_proposal(proposal)
    revision = working_revision(locked.plan)
    if revision is None:
        raise PlanError(_("Нет проекта плана, в который можно включить мероприятие."))
    proposed = {f: getattr(locked, f) for f in PROPOSAL_FIELDS - {"justification"}}
    final = {**proposed, **{k: v for k, v in overrides.items() if k in proposed}}
    changes = {}
    for name, value in final.items():
        if value != proposed[name]:
            changes[name] = [_display(locked, name, proposed[name]), _display(locked, name, value)]
    line = add_line(
        revision,
        actor=actor,
        initiator=locked.school,
        schools=[locked.school],
        **final,
    )
    return _decide(
        locked,
        actor=actor,
        to_state=Proposal.State.ACCEPTED,
        comment=comment,
        extra={"line": line, "changes": changes},
    )


def _display(proposal, name, value):
    if value is None:
        return ""
    if name == "format":
        return str(Line.Format(value).label)
    if name == "date_kind":
        return str(Line.DateKind(value).label)
    if hasattr(value, "strftime"):
        return value.strftime("%d.%m.%Y")
    return str(value)


@transaction.atomic
def decline_proposal(proposal: Proposal, *, actor, reason: str) -> Proposal:
    if not reason.strip():
        raise PlanError({"comment": _("Укажите причину отклонения.")})
    return _decide(proposal, actor=actor, to_state=Proposal.State.DECLINED, comment=reason)


@transaction.atomic
def return_proposal(proposal: Proposal, *, actor, comment: str) -> Proposal:
    if not comment.strip():
        raise PlanError({"comment": _("Напишите, что доработать.")})
    return _decide(proposal, actor=actor, to_state=Proposal.State.RETURNED, comment=comment)


@transaction.atomic
def withdraw_proposal(proposal: Proposal, *, actor) -> Proposal:
    locked = _lock_proposal(proposal)
    if locked.school_id not in workflow.coordinated_school_ids(actor):
        raise PermissionDenied(_("Отозвать предложение может только его школа."))
    if locked.state not in (Proposal.State.SUBMITTED, Proposal.State.RETURNED):
        raise PlanError(_("Это предложение уже нельзя отозвать."))
    from_state = locked.state
    locked.state = Proposal.State.WITHDRAWN
    locked.version += 1
    locked.save(update_fields=["state", "version"])
    _proposal_event(locked, from_state, actor)
    notify.notify(
        notify.center_heads(locked.plan.center),
        _("%(school)s отозвала предложение «%(title)s».")
        % {"school": locked.school.short_name, "title": locked.title},
        reverse("plans:proposal", args=[locked.pk]),
    )
    return locked


@transaction.atomic
def resubmit_proposal(proposal: Proposal, *, actor, **fields) -> Proposal:
    """The school revises a returned proposal and submits it again."""
    locked = _lock_proposal(proposal)
    if locked.school_id not in workflow.coordinated_school_ids(actor):
        raise PermissionDenied(_("Дорабатывает предложение его школа."))
    if locked.state != Proposal.State.RETURNED:
        raise PlanError(_("Дорабатывать можно только возвращённое предложение."))
    if set(fields) - PROPOSAL_FIELDS:
        raise PlanError(f"Unknown fields: {sorted(set(fields) - PROPOSAL_FIELDS)}")
    for name, value in fields.items():
        setattr(locked, name, value)
    from_state = locked.state
    locked.state = Proposal.State.SUBMITTED
    locked.version += 1
    locked.save()
    _proposal_event(locked, from_state, actor)
    notify.notify(
        notify.center_heads(locked.plan.center),
        _("%(school)s доработала предложение «%(title)s».")
        % {"school": locked.school.short_name, "title": locked.title},
        reverse("plans:proposal", args=[locked.pk]),
    )
    return locked


def ensure_event_forms():
    """The seeded reference list of forms (migration 0002 seeds it too; a flushed test database
    or an emptied table gets it back from here)."""
    from .migrations._forms import FORMS

    for position, name in enumerate(FORMS, start=1):
        EventForm.objects.get_or_create(name=name, defaults={"position": position})
