"""The execution of an approved plan: each event planned → held (a report filed, accepted or
returned and filed again) / postponed / cancelled, along ``workflow.EXECUTION``. One function per
transition: guard, lock, change with ``update_fields``, a row of the event's history (who, what,
when, before → after), the people concerned told after the commit.

Execution never changes the approved revision's content: it has rows of its own
(``Execution``, one per event of the plan). ``open_executions`` makes them when a revision is
approved and, when an amendment is approved, points the events that stay at their lines in the
new revision, their execution carried over.

Evidence files are written to storage before the transaction that records them (no slow I/O
under a lock) and deleted again if that transaction fails: nothing half-stored stays.
"""

import hashlib
import logging

from django.core.files.base import ContentFile
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from network_center.centers.models import Center

from .. import notify, workflow
from ..errors import PlanError
from ..models import EvidenceFile, Execution, ExecutionEvent, ExecutionParticipation, Line

logger = logging.getLogger(__name__)
E = Execution.State
TABLE = workflow.EXECUTION


# Said when the file storage refuses an upload (disk or object store full or unreachable).
STORAGE_FAILED = gettext_lazy(
    "Файлы не удалось сохранить: хранилище файлов переполнено или недоступно. Ничего не "
    "сохранено. Попробуйте позже; если ошибка повторится, сообщите администратору."
)


class ExecutionConflict(PlanError):
    """The event's execution changed after this user opened it."""


def execution_url(execution) -> str:
    return reverse("plans:execution", args=[execution.pk])


def _lock(execution) -> Execution:
    # Only the execution's row is locked (``of``), and no nullable relation is joined:
    # PostgreSQL refuses FOR UPDATE on the nullable side of an outer join.
    return (
        Execution.objects.select_for_update(of=("self",))
        .select_related("plan__center", "line__revision")
        .get(pk=execution.pk)
    )


def _record(execution, action, *, actor, from_state=None, comment="", data=None):
    return ExecutionEvent.objects.create(
        execution=execution,
        action=action,
        from_state=execution.state if from_state is None else from_state,
        to_state=execution.state,
        actor=actor,
        comment=comment,
        data=data or {},
    )


def _check_version(execution, version):
    if version is not None and int(version) != execution.version:
        raise ExecutionConflict(
            _(
                "Пока вы заполняли форму, исполнение этого мероприятия изменил другой "
                "пользователь. Откройте его заново: ваши данные ниже не сохранены."
            )
        )


def _save(execution, rule, fields, *, actor, comment="", data=None):
    """Move a locked, checked execution along ``rule`` with its changed ``fields``."""
    from_state = execution.state
    execution.state = rule.target
    execution.version += 1
    execution.save(update_fields=["state", "version", *fields])
    _record(
        execution,
        "refile" if rule.name == "report" and from_state == E.RETURNED else rule.name,
        actor=actor,
        from_state=from_state,
        comment=comment,
        data=data,
    )


def _schools_of(line) -> set[int]:
    ids = {school.pk for school in line.schools.all()}
    if line.venue_id:
        ids.add(line.venue_id)
    return ids


def _responsible_users(line) -> set[int]:
    return {person.user_id for person in line.responsible.all() if person.user_id}


# --- opening and carrying over --------------------------------------------------------------------


def open_executions(revision, *, actor) -> int:
    """Give every line of a just-approved ``revision`` its execution (inside the approval's
    transaction). An event already executed under the previous revision keeps its execution,
    now pointing at its line here; a planned one takes the line's new dates. Returns how many
    were made."""
    lines = list(revision.lines.all())
    existing = {e.key: e for e in Execution.objects.select_for_update().filter(plan=revision.plan)}
    created = []
    for line in lines:
        execution = existing.get(line.key)
        if execution is None:
            created.append(
                Execution(
                    plan=revision.plan,
                    key=line.key,
                    line=line,
                    date_kind=line.date_kind,
                    date_from=line.date_from,
                    date_to=line.date_to,
                )
            )
            continue
        fields = ["line"]
        before = execution.line_id
        execution.line = line
        if execution.state == E.PLANNED:
            execution.date_kind, execution.date_from, execution.date_to = (
                line.date_kind,
                line.date_from,
                line.date_to,
            )
            fields += ["date_kind", "date_from", "date_to"]
        execution.version += 1
        execution.save(update_fields=[*fields, "version"])
        _record(
            execution,
            "carry",
            actor=actor,
            data={"line": [before, line.pk], "revision": revision.number},
        )
    Execution.objects.bulk_create(created)
    ExecutionEvent.objects.bulk_create(
        ExecutionEvent(execution=e, action="create", to_state=e.state, actor=actor) for e in created
    )
    return len(created)


# --- the transitions ------------------------------------------------------------------------------


def _participants_data(participants):
    return {str(school.pk): count for school, count, _ in participants}


def _store_files(files, actor) -> list[EvidenceFile]:
    """Write the uploads to storage (outside any transaction) as unsaved rows; each upload is
    ``(upload, kind)`` with the kind judged by ``schools.filetypes``."""
    stored = []
    now = timezone.now()
    try:
        for upload, kind in files:
            upload.seek(0)
            data = upload.read()
            evidence = EvidenceFile(
                original_name=upload.name[:255],
                content_type=kind.content_type,
                size=len(data),
                sha256=hashlib.sha256(data).hexdigest(),
                uploaded_by=actor,
                uploaded_at=now,
            )
            try:
                evidence.file.save(f"evidence.{kind.extension}", ContentFile(data), save=False)
            except Exception as exc:
                # Whatever the storage raises (OSError of a full disk, botocore's errors of an
                # object store): the user is told on the form, no row is saved.
                logger.exception("Could not store the evidence file %r", evidence.original_name)
                raise PlanError({"files": STORAGE_FAILED}) from exc
            stored.append(evidence)
    except Exception:
        _discard(stored)
        raise
    return stored


def _discard(stored):
    for evidence in stored:
        try:
            evidence.file.storage.delete(evidence.file.name)
        except Exception:  # the row was never saved; a stray file is only logged
            logger.exception("Could not delete the stray evidence file %s", evidence.file.name)


def _attach(execution, stored, actor):
    for evidence in stored:
        evidence.execution = execution
    EvidenceFile.objects.bulk_create(stored)
    for evidence in stored:
        _record(execution, "file_added", actor=actor, comment=evidence.original_name)


def report(
    execution: Execution,
    *,
    actor,
    held_on,
    outcome: str,
    materials: str = "",
    participants=(),
    files=(),
    version=None,
) -> Execution:
    """File the report of a held event (or file a returned one again, corrected): the actual
    date, the participants per school (``(school, count, persons)``), the outcome, materials and
    evidence files (``(upload, kind)``). The center head is told."""
    TABLE.check_who("report", actor, execution)
    if held_on is None:
        raise PlanError({"held_on": _("Укажите, когда мероприятие состоялось.")})
    if held_on > timezone.localdate():
        raise PlanError({"held_on": _("Отчитаться можно о мероприятии, которое уже прошло.")})
    if not outcome.strip():
        raise PlanError({"outcome": _("Опишите итоги мероприятия.")})
    if not participants:
        raise PlanError({"participants": _("Укажите участников хотя бы одной школы.")})
    stored = _store_files(files, actor)
    try:
        with transaction.atomic():
            locked = _lock(execution)
            _check_version(locked, version)
            rule = TABLE.check("report", actor, locked)
            before = {
                "held_on": locked.held_on.isoformat() if locked.held_on else "",
                "participants": {str(p.school_id): p.count for p in locked.participations.all()},
            }
            locked.held_on = held_on
            locked.outcome = outcome
            locked.materials = materials
            locked.reported_by = actor
            locked.reported_at = timezone.now()
            locked.participations.all().delete()
            for school, count, persons in participants:
                row = ExecutionParticipation.objects.create(
                    execution=locked, school=school, count=count
                )
                if persons:
                    row.persons.set(persons)
            _save(
                locked,
                rule,
                ["held_on", "outcome", "materials", "reported_by", "reported_at"],
                actor=actor,
                data={
                    "held_on": [before["held_on"], held_on.isoformat()],
                    "participants": [before["participants"], _participants_data(participants)],
                },
            )
            _attach(locked, stored, actor)
            notify.notify(
                notify.center_heads(locked.plan.center),
                lambda: (
                    _("Отчёт о мероприятии «%(title)s» ждёт проверки.")
                    % {"title": locked.line.title}
                ),
                execution_url(locked),
            )
    except BaseException:
        _discard(stored)
        raise
    return locked


def postpone(
    execution: Execution, *, actor, date_kind, date_from, date_to=None, reason: str, version=None
) -> Execution:
    """Move an event that has not happened to new dates, with the reason; the schools taking
    part and the people responsible are told."""
    TABLE.check_who("postpone", actor, execution)
    if not reason.strip():
        raise PlanError({"reason": _("Укажите причину переноса.")})
    if date_kind != Line.DateKind.PERIOD:
        date_to = None
    elif date_to is None or date_to < date_from:
        raise PlanError({"date_to": _("Окончание периода не может быть раньше начала.")})
    with transaction.atomic():
        locked = _lock(execution)
        _check_version(locked, version)
        rule = TABLE.check("postpone", actor, locked)
        before = locked.dates_display
        if (locked.date_kind, locked.date_from, locked.date_to) == (date_kind, date_from, date_to):
            raise PlanError({"date_from": _("Новые сроки совпадают с прежними.")})
        locked.date_kind, locked.date_from, locked.date_to = date_kind, date_from, date_to
        locked.reason = reason
        _save(
            locked,
            rule,
            ["date_kind", "date_from", "date_to", "reason"],
            actor=actor,
            comment=reason,
            data={"dates": [before, locked.dates_display]},
        )
        line = locked.line
        notify.notify(
            notify.coordinators(_schools_of(line)) | _responsible_users(line),
            lambda: (
                _("Мероприятие «%(title)s» перенесено: %(before)s → %(after)s. %(reason)s")
                % {
                    "title": line.title,
                    "before": before,
                    "after": locked.dates_display,
                    "reason": reason,
                }
            ),
            execution_url(locked),
        )
    return locked


def cancel(execution: Execution, *, actor, reason: str) -> Execution:
    """Cancel an event that has not happened, with the reason."""
    TABLE.check_who("cancel", actor, execution)
    if not reason.strip():
        raise PlanError({"comment": _("Укажите причину отмены.")})
    with transaction.atomic():
        locked = _lock(execution)
        rule = TABLE.check("cancel", actor, locked)
        locked.reason = reason
        _save(locked, rule, ["reason"], actor=actor, comment=reason)
        line = locked.line
        notify.notify(
            notify.coordinators(_schools_of(line)) | _responsible_users(line),
            lambda: (
                _("Мероприятие «%(title)s» отменено: %(reason)s")
                % {"title": line.title, "reason": reason}
            ),
            execution_url(locked),
        )
    return locked


def _decided(locked, rule, *, actor, comment=""):
    locked.decided_by = actor
    locked.decided_at = timezone.now()
    locked.remarks = comment if rule.name == "return" else ""
    _save(locked, rule, ["decided_by", "decided_at", "remarks"], actor=actor, comment=comment)


def accept_report(execution: Execution, *, actor) -> Execution:
    """The center head accepts a filed report; who filed it is told."""
    TABLE.check_who("accept", actor, execution)
    with transaction.atomic():
        locked = _lock(execution)
        rule = TABLE.check("accept", actor, locked)
        _decided(locked, rule, actor=actor)
        notify.notify(
            {locked.reported_by_id} | _responsible_users(locked.line),
            lambda: _("Отчёт о мероприятии «%(title)s» принят.") % {"title": locked.line.title},
            execution_url(locked),
        )
    return locked


def return_report(execution: Execution, *, actor, remarks: str) -> Execution:
    """The center head returns a filed report with remarks; who filed it corrects it and
    files it again."""
    TABLE.check_who("return", actor, execution)
    if not remarks.strip():
        raise PlanError({"comment": _("Напишите, что исправить в отчёте.")})
    with transaction.atomic():
        locked = _lock(execution)
        rule = TABLE.check("return", actor, locked)
        _decided(locked, rule, actor=actor, comment=remarks)
        notify.notify(
            {locked.reported_by_id} | _responsible_users(locked.line),
            lambda: (
                _("Отчёт о мероприятии «%(title)s» возвращён на доработку: %(remarks)s")
                % {"title": locked.line.title, "remarks": remarks}
            ),
            execution_url(locked),
        )
    return locked


# --- evidence files -------------------------------------------------------------------------------


def add_evidence(execution: Execution, *, actor, files) -> list[EvidenceFile]:
    """Attach evidence files (``(upload, kind)``) to an event whose report is not accepted."""
    TABLE.check_who("report", actor, execution)
    stored = _store_files(files, actor)
    try:
        with transaction.atomic():
            locked = _lock(execution)
            if not workflow.files_open(locked):
                raise PlanError(_("Файлы принятого отчёта не меняются."))
            _attach(locked, stored, actor)
            locked.version += 1
            locked.save(update_fields=["version"])
    except BaseException:
        _discard(stored)
        raise
    return stored


def remove_evidence(evidence: EvidenceFile, *, actor) -> None:
    """Remove a file of a report not yet accepted; the row goes, then (after the commit) the
    stored file."""
    execution = evidence.execution
    TABLE.check_who("report", actor, execution)
    with transaction.atomic():
        locked = _lock(execution)
        if not workflow.files_open(locked):
            raise PlanError(_("Файлы принятого отчёта не меняются."))
        name, storage = evidence.file.name, evidence.file.storage
        EvidenceFile.objects.filter(pk=evidence.pk).delete()
        locked.version += 1
        locked.save(update_fields=["version"])
        _record(locked, "file_removed", actor=actor, comment=evidence.original_name)
        transaction.on_commit(lambda: storage.delete(name))


def centers_with_executions(user):
    """The centers whose events ``user`` may see (for the calendar's and lists' filters)."""
    return (
        Center.objects.visible_to(user)
        .filter(plans__executions__in=Execution.objects.visible_to(user))
        .distinct()
    )
