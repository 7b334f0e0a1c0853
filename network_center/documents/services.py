"""Every change of a legal document goes through these functions.

Shape of each (STYLE.md §2): guard the actor and the state → atomic → lock → change →
append-only ``DocumentEvent`` → side effects (PDF rendering) after commit. Slow I/O never runs
inside the transaction: the PDF of a signed act is rendered by ``store_signed_pdf`` once the
signature has committed, and stored with its SHA-256; it is never re-rendered.
"""

import logging
import re
from datetime import date as date_cls
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import F, Max, ProtectedError, Q
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from schools import outbox
from schools.history import recorded_by as _by
from schools.models import Organisation

from . import tasks
from .body import ParsedPoint
from .models import (
    DocumentEvent,
    DocumentPoint,
    DocumentReader,
    DocumentRelation,
    LegalDocument,
    SigningFailure,
    SigningRight,
    can_draft_for,
    can_register_for,
    new_verification_code,
    sha256_of,
)
from .signals import document_signed

logger = logging.getLogger(__name__)


# Said when the file storage refuses an upload (disk or object store full or unreachable).
STORAGE_FAILED = gettext_lazy(
    "Файл не удалось сохранить: хранилище файлов переполнено или недоступно. Ничего не "
    "сохранено. Попробуйте позже; если ошибка повторится, сообщите администратору."
)


class DocumentError(ValidationError):
    """A refused change, with a message for the user."""


class EditConflict(DocumentError):
    """Someone else saved the draft after this editor opened it."""


EDITABLE_FIELDS = {
    "kind",
    "heading",
    "preamble",
    "operative_word",
    "closing",
    "place",
    "date_style",
    "signing_right",
    "executor",
    "executor_mark",
    "appendix_label",
    "in_force_from",
    "approved_by_parent",
    "table",
    "agreement_sheet",
    "approval_by_signature",
}


def _event(document, action, actor, **data):
    DocumentEvent.objects.create(document=document, action=action, actor=actor, data=data)


def _guard_drafter(document_or_issuer, actor):
    issuer = (
        document_or_issuer.issuer
        if isinstance(document_or_issuer, LegalDocument)
        else document_or_issuer
    )
    if not can_draft_for(actor, issuer):
        raise PermissionDenied(_("Готовить документы этой организации вам не поручено."))


def _guard_draft(document):
    if not document.is_draft or (document.parent_id and document.root.is_signed):
        raise DocumentError(_("Документ подписан: его нельзя изменить. Подготовьте новый акт."))


def _check_kind(issuer, kind, *, appendix):
    if kind not in LegalDocument.kinds_for_issuer(issuer, appendix=appendix):
        label = LegalDocument.Kind(kind).label
        if appendix:
            raise DocumentError(
                _("%(kind)s не может быть приложением: это самостоятельный акт.") % {"kind": label}
            )
        allowed = ", ".join(
            str(LegalDocument.Kind(k).label).lower()
            for k in LegalDocument.kinds_for_issuer(issuer)
            if k in LegalDocument.ACT_KINDS
        )
        raise DocumentError(
            _("%(issuer)s не издаёт документ вида «%(kind)s»: её акты — %(allowed)s.")
            % {"issuer": issuer.short_name, "kind": label, "allowed": allowed}
        )


def _apply_signing_right(fields, issuer):
    """The signatory, the printed position and «И.о.» come from the chosen signing right of
    the issuer — never typed."""
    if "signing_right" not in fields:
        return
    right = fields["signing_right"]
    if right is not None and right.organisation_id != issuer.pk:
        raise DocumentError(
            _("Подписать документ может только лицо с правом подписи от имени %(issuer)s.")
            % {"issuer": issuer.short_name_genitive}
        )
    fields["signatory"] = right.person if right else None
    fields["signatory_position"] = right.position if right else ""
    fields["signatory_acting"] = right.is_acting if right else False


def _touch(document):
    """Bump the root's version so that concurrent editors of the whole document notice."""
    root = document.root
    LegalDocument.objects.filter(pk=root.pk).update(version=F("version") + 1)


# --- drafting -----------------------------------------------------------------------------------


@transaction.atomic
def create_document(
    issuer: Organisation, *, actor, kind: str, heading: str, parent=None, **fields
) -> LegalDocument:
    """Start a draft (or an appendix of a draft) issued by ``issuer``."""
    _guard_drafter(issuer, actor)
    unknown = set(fields) - EDITABLE_FIELDS
    if unknown:
        raise DocumentError(f"Unknown fields: {sorted(unknown)}")
    appendix_number = None
    if parent is not None:
        _guard_draft(parent)
        parent = LegalDocument.objects.select_for_update().get(pk=parent.pk)
        issuer = parent.issuer
        appendix_number = (parent.appendices.aggregate(n=Max("appendix_number"))["n"] or 0) + 1
    _check_kind(issuer, kind, appendix=parent is not None)
    _apply_signing_right(fields, issuer)
    document = _by(
        LegalDocument(
            issuer=issuer,
            kind=kind,
            heading=heading,
            parent=parent,
            appendix_number=appendix_number,
            created_by=actor,
            **fields,
        ),
        actor,
    )
    document.save()
    _event(document, "created", actor)
    if parent is not None:
        _touch(parent)
    return document


@transaction.atomic
def add_appendix(
    parent: LegalDocument, *, actor, kind: str, heading: str, points=(), **fields
) -> LegalDocument:
    """An appendix of a draft with its body, in one transaction: when the body is refused
    the appendix is not left behind without it."""
    appendix = create_document(
        parent.issuer, actor=actor, kind=kind, heading=heading, parent=parent, **fields
    )
    if points:
        replace_body(appendix, list(points), actor=actor)
    return appendix


@transaction.atomic
def update_document(document: LegalDocument, *, actor, version: int | None = None, **fields):
    """Change a draft's requisites. ``version`` is the one the editor saw: if the document was
    saved by someone else since, the change is refused and nothing is lost."""
    _guard_drafter(document, actor)
    unknown = set(fields) - EDITABLE_FIELDS
    if unknown:
        raise DocumentError(f"Unknown fields: {sorted(unknown)}")
    locked = LegalDocument.objects.select_for_update().get(pk=document.pk)
    _guard_draft(locked)
    if "kind" in fields:
        _check_kind(locked.issuer, fields["kind"], appendix=locked.parent_id is not None)
    _apply_signing_right(fields, locked.issuer)
    if version is not None and locked.version != version:
        raise EditConflict(
            _(
                "Документ уже изменил другой пользователь, пока вы его редактировали. "
                "Ваши изменения не сохранены: откройте документ заново и внесите их ещё раз."
            )
        )
    changed = {k: v for k, v in fields.items() if getattr(locked, k) != v}
    for name, value in changed.items():
        setattr(locked, name, value)
    locked.version = locked.version + 1
    _by(locked, actor).save(update_fields=[*changed, "version", "updated_at"])
    if changed:
        _event(locked, "edited", actor, fields=sorted(changed))
    if locked.parent_id:
        _touch(locked)
    return locked


def _next_position(document, parent_id):
    last = DocumentPoint.objects.filter(document=document, parent_id=parent_id).aggregate(
        m=Max("position")
    )["m"]
    return (last or 0) + 1


@transaction.atomic
def add_point(
    document: LegalDocument,
    *,
    actor,
    text: str,
    style: str = DocumentPoint.Style.NUMBERED,
    parent: DocumentPoint | None = None,
    executor: str = "",
    deadline: str = "",
) -> DocumentPoint:
    _guard_drafter(document, actor)
    _guard_draft(document)
    if parent is not None and parent.document_id != document.pk:
        raise DocumentError(_("Пункт относится к другому документу."))
    if not text.strip():
        raise DocumentError(_("Введите текст пункта."))
    point = _by(
        DocumentPoint(
            document=document,
            parent=parent,
            position=_next_position(document, parent.pk if parent else None),
            style=style,
            text=text.strip(),
            executor=executor,
            deadline=deadline,
        ),
        actor,
    )
    point.save()
    _touch(document)
    _event(document, "point_added", actor, point=point.pk, text=point.text[:200])
    return point


@transaction.atomic
def update_point(point: DocumentPoint, *, actor, **fields) -> DocumentPoint:
    _guard_drafter(point.document, actor)
    _guard_draft(point.document)
    allowed = {"text", "style", "executor", "deadline"}
    if set(fields) - allowed:
        raise DocumentError(f"Unknown fields: {sorted(set(fields) - allowed)}")
    if "text" in fields and not fields["text"].strip():
        raise DocumentError(_("Введите текст пункта."))
    before = {name: getattr(point, name) for name in fields}
    for name, value in fields.items():
        setattr(point, name, value.strip() if isinstance(value, str) else value)
    changed = {
        name: [before[name], getattr(point, name)]
        for name in fields
        if before[name] != getattr(point, name)
    }
    if not changed:
        return point
    _by(point, actor).save(update_fields=list(changed))
    _touch(point.document)
    _event(point.document, "point_edited", actor, point=point.pk, changes=changed)
    return point


@transaction.atomic
def move_point(point: DocumentPoint, *, actor, direction: str) -> None:
    """Swap a point with its previous (``up``) or next (``down``) sibling."""
    _guard_drafter(point.document, actor)
    _guard_draft(point.document)
    siblings = list(
        DocumentPoint.objects.select_for_update()
        .filter(document_id=point.document_id, parent_id=point.parent_id)
        .order_by("position", "pk")
    )
    index = next(i for i, p in enumerate(siblings) if p.pk == point.pk)
    other = index - 1 if direction == "up" else index + 1
    if not 0 <= other < len(siblings):
        return
    siblings[index], siblings[other] = siblings[other], siblings[index]
    for position, sibling in enumerate(siblings, start=1):
        if sibling.position != position:
            sibling.position = position
            _by(sibling, actor).save(update_fields=["position"])
    _touch(point.document)
    _event(point.document, "point_moved", actor, point=point.pk, direction=direction)


@transaction.atomic
def delete_point(point: DocumentPoint, *, actor) -> None:
    _guard_drafter(point.document, actor)
    _guard_draft(point.document)
    document = point.document
    text = point.text
    _by(point, actor).delete()
    _touch(document)
    _event(document, "point_deleted", actor, text=text[:200])


@transaction.atomic
def replace_body(document: LegalDocument, points: list[ParsedPoint], *, actor) -> int:
    """Replace all points of a draft with a parsed tree (``body.parse_body_text``)."""
    _guard_drafter(document, actor)
    _guard_draft(document)
    DocumentPoint.objects.filter(document=document).delete()
    created = 0

    def create(items, parent):
        nonlocal created
        for position, item in enumerate(items, start=1):
            point = DocumentPoint.objects.create(
                document=document,
                parent=parent,
                position=position,
                style=item.style,
                text=item.text,
            )
            created += 1
            create(item.children, point)

    create(points, None)
    _touch(document)
    _event(document, "edited", actor, fields=["points"])
    return created


@transaction.atomic
def delete_draft(document: LegalDocument, *, actor) -> None:
    _guard_drafter(document, actor)
    _guard_draft(document)
    parent = document.parent
    title = str(document)
    try:
        with transaction.atomic():
            # The draft goes with its events; django-simple-history keeps its last state and
            # who deleted it (``LegalDocument.history``).
            _by(document, actor).delete()
    except ProtectedError as exc:
        # Another app keeps this draft (a working group's order follows its composition).
        owner = next(iter(exc.protected_objects), None)
        raise DocumentError(
            _("Этот проект связан с объектом «%(owner)s»: измените его там.") % {"owner": owner}
        ) from exc
    if parent is not None:
        # Keep appendix numbers consecutive: «Приложение 1, 2, 3».
        for number, appendix in enumerate(parent.appendices.order_by("appendix_number"), 1):
            if appendix.appendix_number != number:
                LegalDocument.objects.filter(pk=appendix.pk).update(appendix_number=number)
        _touch(parent)
        _event(parent, "appendix_deleted", actor, title=title)


@transaction.atomic
def set_relation(document: LegalDocument, *, actor, kind: str, target: LegalDocument):
    _guard_drafter(document, actor)
    _guard_draft(document)
    if target.pk == document.pk:
        raise DocumentError(_("Документ не может ссылаться сам на себя."))
    if not target.is_signed:
        raise DocumentError(_("Изменять или отменять можно только подписанный документ."))
    relation = DocumentRelation.objects.filter(source=document, kind=kind, target=target).first()
    if relation is None:
        relation = _by(DocumentRelation(source=document, kind=kind, target=target), actor)
        relation.save()
        _event(document, "relation_added", actor, kind=kind, target=str(target))
    return relation


@transaction.atomic
def remove_relation(relation: DocumentRelation, *, actor) -> None:
    _guard_drafter(relation.source, actor)
    _guard_draft(relation.source)
    _by(relation, actor).delete()
    _event(
        relation.source, "relation_removed", actor, kind=relation.kind, target=str(relation.target)
    )


# --- signing rights ----------------------------------------------------------------------------


def can_manage_signing_rights(user, organisation) -> bool:
    """The department keeps who may sign for the organisations of its municipality, as it keeps
    their cards (the same rule); nobody grants a right to sign to themselves."""
    from schools.permissions import can

    return can(user, "schools.change_organisation", organisation)


@transaction.atomic
def grant_signing_right(
    organisation: Organisation,
    *,
    actor,
    person,
    kind: str,
    position: str,
    valid_from: date_cls,
    valid_until: date_cls | None = None,
    basis: LegalDocument | None = None,
    basis_text: str = "",
) -> SigningRight:
    """Record that ``person`` may sign for ``organisation`` over a period: as its head, or as
    acting head («И.о.») on the basis of an appointing act."""
    if not can_manage_signing_rights(actor, organisation):
        raise PermissionDenied(_("Права подписи ведёт управление образования."))
    if person.user_id is not None and person.user_id == actor.pk:
        raise PermissionDenied(_("Право подписи нельзя предоставить самому себе."))
    if person.organisation_id != organisation.pk:
        raise DocumentError(
            _("%(person)s — сотрудник другой организации.") % {"person": person.full_name}
        )
    position = position.strip()
    if not position:
        raise DocumentError(_("Укажите должность, как её печатать в подписи."))
    if valid_until is not None and valid_until < valid_from:
        raise DocumentError(_("Окончание права подписи раньше его начала."))
    if kind == SigningRight.Kind.ACTING and not (basis or basis_text.strip()):
        raise DocumentError(_("Укажите акт о возложении обязанностей."))
    Organisation.objects.select_for_update().get(pk=organisation.pk)
    if kind == SigningRight.Kind.HEAD:
        overlapping = SigningRight.objects.filter(
            organisation=organisation, kind=SigningRight.Kind.HEAD
        ).filter(Q(valid_until__isnull=True) | Q(valid_until__gte=valid_from))
        if valid_until is not None:
            overlapping = overlapping.filter(valid_from__lte=valid_until)
        if overlapping.exists():
            raise DocumentError(
                _(
                    "У организации уже есть руководитель с правом подписи на этот период: "
                    "сначала укажите, по какое число действует его право."
                )
            )
    right = _by(
        SigningRight(
            organisation=organisation,
            person=person,
            kind=kind,
            position=position,
            valid_from=valid_from,
            valid_until=valid_until,
            basis=basis,
            basis_text=basis_text.strip(),
        ),
        actor,
    )
    right.save()
    return right


@transaction.atomic
def end_signing_right(right: SigningRight, *, actor, last_day: date_cls) -> SigningRight:
    """The right ends after ``last_day`` (the acts it signed stay signed)."""
    if not can_manage_signing_rights(actor, right.organisation):
        raise PermissionDenied(_("Права подписи ведёт управление образования."))
    locked = SigningRight.objects.select_for_update().get(pk=right.pk)
    if last_day < locked.valid_from:
        raise DocumentError(_("Окончание права подписи раньше его начала."))
    locked.valid_until = last_day
    _by(locked, actor).save(update_fields=["valid_until"])
    return locked


# --- readers --------------------------------------------------------------------------------


def share_with(document: LegalDocument, organisations) -> None:
    """Let the staff of ``organisations`` read ``document`` and its appendices once it is signed.

    Called by the service that makes the act (it knows whom the act concerns); idempotent. Who
    may read is not part of the signed content, so readers may be added after signing."""
    org_ids = {getattr(o, "pk", o) for o in organisations if o is not None}
    if not org_ids:
        return
    parts = _all_parts(document.root)
    DocumentReader.objects.bulk_create(
        [DocumentReader(document_id=part.pk, organisation_id=o) for part in parts for o in org_ids],
        ignore_conflicts=True,
    )


def _share_with_parts(document: LegalDocument, parts) -> None:
    """At signing, appendices made after the root was shared get the root's readers."""
    org_ids = list(document.readers.values_list("organisation_id", flat=True))
    DocumentReader.objects.bulk_create(
        [DocumentReader(document_id=p.pk, organisation_id=o) for p in parts for o in org_ids],
        ignore_conflicts=True,
    )


# --- signing and registration ------------------------------------------------------------------


def _check_signable(document):
    if document.parent_id:
        raise DocumentError(_("Приложение подписывается вместе с основным документом."))
    if not document.is_draft:
        raise DocumentError(_("Документ уже подписан."))
    if not document.heading.strip():
        raise DocumentError(_("У документа нет заголовка."))


def _all_parts(document):
    """The root and its appendices, recursively."""
    parts = [document]
    for appendix in document.appendices.all():
        parts.extend(_all_parts(appendix))
    return parts


def _check_signing_right(document, on_date, *, actor=None):
    """The act's signatory holds a right to sign for its issuer on ``on_date``; signed in the
    system, the signatory is the actor."""
    right = document.signing_right
    if right is None:
        raise DocumentError(
            _("Выберите подписанта среди лиц с правом подписи от имени %(issuer)s.")
            % {"issuer": document.issuer.short_name_genitive}
        )
    if right.organisation_id != document.issuer_id:
        raise DocumentError(
            _("Подписать документ может только лицо с правом подписи от имени %(issuer)s.")
            % {"issuer": document.issuer.short_name_genitive}
        )
    if not right.in_force_on(on_date):
        raise DocumentError(
            _("Право подписи «%(right)s» действует %(period)s: на %(date)s его нет.")
            % {
                "right": right,
                "period": right.period,
                "date": date_format(on_date, "SHORT_DATE_FORMAT"),
            }
        )
    if actor is not None and right.person.user_id != actor.pk:
        raise PermissionDenied(_("Подписать документ может только указанный в нём подписант."))
    return right


def confirm_password(actor, password: str, *, action: str, not_done: str = "") -> None:
    """The simple electronic signature: the signatory's own password, with the login's lockout
    policy (``AXES_FAILURE_LIMIT`` wrong passwords within ``AXES_COOLOFF_TIME`` lock this
    signing action of this user until the cool-off has passed). PBKDF2 is slow by design: call
    this before taking any lock."""
    limit = settings.AXES_FAILURE_LIMIT
    cooloff = settings.AXES_COOLOFF_TIME
    now = timezone.now()
    recent = SigningFailure.objects.filter(user=actor, action=action, at__gte=now - cooloff)
    times = list(recent.order_by("-at").values_list("at", flat=True)[:limit])
    if len(times) >= limit:
        until = timezone.localtime(times[0] + cooloff)
        raise DocumentError(
            _(
                "Слишком много неверных паролей подряд: подписание заблокировано до %(time)s. "
                "Если пароль забыт, обратитесь к администратору."
            )
            % {"time": f"{until:%H:%M}"}
        )
    if not password or not actor.check_password(password):
        SigningFailure.objects.create(user=actor, action=action)
        left = limit - len(times) - 1
        raise DocumentError(
            _("Неверный пароль: документ не подписан. Осталось попыток: %(left)s.") % {"left": left}
            if left
            else _("Неверный пароль: подписание заблокировано на %(minutes)s мин.")
            % {"minutes": int(cooloff.total_seconds() // 60)},
            # The form shows it at the password field.
            code="password",
        )
    recent.delete()


def _seal(document, *, actor, origin, number, sequence, on_date, right, scan_name=None):
    """Make the root and its appendices signed, in one transaction (caller holds the locks)."""
    now = timezone.now()
    parts = _all_parts(document)
    _share_with_parts(document, parts[1:])
    for part in parts:
        part.state = LegalDocument.State.SIGNED
        part.origin = origin
        part.signed_at = now
        part.signed_by = actor
        part._signing = True
        fields = ["state", "origin", "signed_at", "signed_by", "updated_at"]
        if part.pk == document.pk:
            part.number = number
            part.sequence = sequence
            part.date = on_date
            part.year = on_date.year
            part.verification_code = new_verification_code()
            # What is printed is the signing right as it stands at signing.
            part.signing_right = right
            part.signatory = right.person
            part.signatory_position = right.position
            part.signatory_acting = right.is_acting
            fields += [
                "number",
                "sequence",
                "date",
                "year",
                "verification_code",
                "signing_right",
                "signatory",
                "signatory_position",
                "signatory_acting",
            ]
            if part.in_force_from is None:
                part.in_force_from = on_date
                fields.append("in_force_from")
            if scan_name is not None:
                part.scan.name = scan_name  # stored before the transaction began
                fields.append("scan")
        part.save(update_fields=fields)
        part._signing = False
    # What the act does to other acts takes effect with it.
    for relation in document.relations.filter(kind=DocumentRelation.Kind.CANCELS).select_related(
        "target"
    ):
        target = relation.target
        if target.lost_force_by_id is None:
            target.lost_force_by = document
            target.lost_force_on = on_date
            target.save(update_fields=["lost_force_by", "lost_force_on"])
            _event(target, "lost_force", actor, by=document.pk)
    # What the act brings into force elsewhere (a working group's composition …) takes effect
    # in this transaction: the apps concerned subscribe to the signal.
    document_signed.send(LegalDocument, document=document, on_date=on_date, actor=actor)


SIGN_ACTION = "sign_document"


def sign_document(document: LegalDocument, *, actor, password: str) -> LegalDocument:
    """Sign with a simple electronic signature (63-ФЗ): the signatory, who holds the issuer's
    signing right in force today, confirms with their own password.

    The registration number is the next in the issuer's year, under a lock on the issuer, so two
    signatures at once never get the same number; the unique constraint backs this up.
    """
    _check_signable(document)
    _check_signing_right(document, timezone.localdate(), actor=actor)
    confirm_password(actor, password, action=SIGN_ACTION)
    return seal_with_signature(document, actor=actor)


def _next_sequence(issuer_id, year):
    """The next number of the issuer's series: past every number already taken, electronic or
    paper (a paper act registered under a number of the series takes its place in it)."""
    last = (
        LegalDocument.objects.filter(issuer_id=issuer_id, year=year).aggregate(m=Max("sequence"))[
            "m"
        ]
        or 0
    )
    return last + 1


def seal_with_signature(document: LegalDocument, *, actor) -> LegalDocument:
    """The signing itself, for a caller that has just confirmed the signatory's password
    (``sign_document``, plan approval): PBKDF2 is slow by design and must not run while the
    caller holds row locks."""
    _check_signable(document)
    _check_signing_right(document, timezone.localdate(), actor=actor)
    with transaction.atomic():
        issuer = Organisation.objects.select_for_update().get(pk=document.issuer_id)
        locked = (
            LegalDocument.objects.select_for_update(of=("self",))
            .select_related("signing_right__person")
            .get(pk=document.pk)
        )
        _check_signable(locked)
        today = timezone.localdate()
        right = _check_signing_right(locked, today, actor=actor)
        sequence = _next_sequence(locked.issuer_id, today.year)
        taken = set(
            LegalDocument.objects.filter(issuer_id=issuer.pk, year=today.year).values_list(
                "number", flat=True
            )
        )
        # A legacy paper number outside the series may still look like one of it.
        while issuer.format_number(sequence) in taken:
            sequence += 1
        try:
            with transaction.atomic():
                _seal(
                    locked,
                    actor=actor,
                    origin=LegalDocument.Origin.ELECTRONIC,
                    number=issuer.format_number(sequence),
                    sequence=sequence,
                    on_date=today,
                    right=right,
                )
        except IntegrityError as exc:
            raise DocumentError(
                _("Номер уже занят другим документом этой организации. Повторите подписание.")
            ) from exc
        _event(
            locked,
            "signed",
            actor,
            number=locked.number,
            signatory=right.person.full_name,
            position=right.printed_position,
            code=locked.verification_code,
        )
        outbox.enqueue(tasks.render_signed_pdf, locked.pk)
    return locked


def series_sequence(issuer: Organisation, number: str) -> int | None:
    """The place of ``number`` in the issuer's series («1-{n}» → «1-12» is 12), or None when
    the number is not of the series."""
    pattern = re.escape(issuer.number_pattern).replace(re.escape("{n}"), r"(\d+)")
    match = re.fullmatch(pattern, number)
    return int(match.group(1)) if match else None


def _check_paper_place(locked, number, sequence, on_date):
    """A paper act of the series keeps the order of the journal: not dated before an act with
    a smaller number, nor after one with a larger number, of the same issuer and year."""
    same_year = LegalDocument.objects.filter(
        issuer_id=locked.issuer_id, year=on_date.year, parent=None
    ).exclude(pk=locked.pk)
    if LegalDocument.objects.filter(
        issuer_id=locked.issuer_id, year=on_date.year, number=number
    ).exists() or (sequence is not None and same_year.filter(sequence=sequence).exists()):
        raise DocumentError(
            _("Номер %(number)s за %(year)s год у этой организации уже зарегистрирован.")
            % {"number": number, "year": on_date.year}
        )
    if sequence is None:
        return
    before = same_year.filter(sequence__lt=sequence, date__gt=on_date).order_by("-date").first()
    if before is not None:
        raise DocumentError(
            _(
                "Дата %(date)s раньше даты акта с меньшим номером (№ %(other)s от %(other_date)s): "
                "задним числом регистрировать нельзя."
            )
            % {
                "date": date_format(on_date, "SHORT_DATE_FORMAT"),
                "other": before.number,
                "other_date": date_format(before.date, "SHORT_DATE_FORMAT"),
            }
        )
    after = same_year.filter(sequence__gt=sequence, date__lt=on_date).order_by("date").first()
    if after is not None:
        raise DocumentError(
            _(
                "Дата %(date)s позже даты акта с большим номером (№ %(other)s от %(other_date)s): "
                "проверьте номер и дату."
            )
            % {
                "date": date_format(on_date, "SHORT_DATE_FORMAT"),
                "other": after.number,
                "other_date": date_format(after.date, "SHORT_DATE_FORMAT"),
            }
        )


def register_paper_document(
    document: LegalDocument,
    *,
    actor,
    number: str,
    on_date: date_cls,
    signing_right: SigningRight | None = None,
    scan=None,
) -> LegalDocument:
    """Register an act already signed on paper, under its paper number and date.

    Only the issuer's registrars may (``can_register_for``). The paper's signatory is chosen
    among the issuer's signing rights in force on the paper's date. A number of the issuer's
    series takes its place in it — the electronic numbering continues after the largest — and
    must keep the journal's order of dates. The product renders an electronic copy with a
    verification code; it never imitates the paper signature.
    """
    _check_signable(document)
    if not can_register_for(actor, document.issuer):
        raise PermissionDenied(
            _("Регистрировать бумажные акты %(issuer)s вам не поручено.")
            % {"issuer": document.issuer.short_name_genitive}
        )
    number = number.strip()
    if not number:
        raise DocumentError(_("Укажите регистрационный номер."))
    if on_date > timezone.localdate():
        raise DocumentError(_("Дата документа не может быть в будущем."))
    if signing_right is not None:
        document.signing_right = signing_right
    _check_signing_right(document, on_date)
    # The scan is written to storage before the transaction: no file I/O under the row lock.
    # If the registration is refused, the stored file is removed again.
    scan_name = None
    if scan is not None:
        field = LegalDocument._meta.get_field("scan")
        try:
            scan_name = field.storage.save(field.generate_filename(document, scan.name), scan)
        except Exception as exc:
            # Whatever the storage raises (OSError of a full disk, botocore's errors of an
            # object store): the user is told, nothing is registered, no row names the file.
            logger.exception("Could not store the scan of document %s", document.pk)
            raise DocumentError(STORAGE_FAILED) from exc
    try:
        with transaction.atomic():
            issuer = Organisation.objects.select_for_update().get(pk=document.issuer_id)
            locked = LegalDocument.objects.select_for_update().get(pk=document.pk)
            _check_signable(locked)
            locked.signing_right = document.signing_right
            right = _check_signing_right(locked, on_date)
            sequence = series_sequence(issuer, number)
            _check_paper_place(locked, number, sequence, on_date)
            try:
                with transaction.atomic():
                    _seal(
                        locked,
                        actor=actor,
                        origin=LegalDocument.Origin.PAPER,
                        number=number,
                        sequence=sequence,
                        on_date=on_date,
                        right=right,
                        scan_name=scan_name,
                    )
            except IntegrityError as exc:
                raise DocumentError(_("Этот номер уже зарегистрирован.")) from exc
            _event(
                locked,
                "registered",
                actor,
                number=number,
                signatory=right.person.full_name,
                position=right.printed_position,
                has_scan=bool(scan),
            )
            outbox.enqueue(tasks.render_signed_pdf, locked.pk)
        return locked
    except BaseException:
        if scan_name is not None:
            LegalDocument._meta.get_field("scan").storage.delete(scan_name)
        raise


# How long after its signature a signed act may still be waiting for its PDF before the sweep
# queues its rendering again: the first render and its retries (``tasks.RETRY_DELAYS``) begin
# within seconds on a running worker.
PDF_OVERDUE = timedelta(minutes=15)


def requeue_unrendered_pdfs(*, now=None, overdue: timedelta = PDF_OVERDUE) -> list[int]:
    """Queue again the rendering of every signed act still without its PDF ``overdue`` after
    its signature (``manage.py requeue_pdfs``, run every few minutes beside the workers).

    A worker killed while it rendered leaves an act at «PDF готовится» for good otherwise: the
    queue keeps its task «running», and no worker takes it again (a worker that only lost the
    database puts it back itself: ``manage.py db_worker``). The rendering's task is written in
    the signature's own transaction (``schools.outbox``), so a change committed without its task
    — once seen when PostgreSQL was restarted under load (``bench/faults.py``) — is no longer a
    cause. Safe to repeat: ``store_signed_pdf`` leaves a stored PDF alone, so a render that was
    only slow costs one more look at the row. Returns the acts' ids."""
    cutoff = (now or timezone.now()) - overdue
    ids = list(
        LegalDocument.objects.filter(
            parent=None, state=LegalDocument.State.SIGNED, pdf="", signed_at__lt=cutoff
        )
        .order_by("signed_at", "pk")
        .values_list("pk", flat=True)
    )
    for pk in ids:
        tasks.render_signed_pdf.enqueue(pk)
    return ids


def store_signed_pdf(document_id: int) -> LegalDocument:
    """Render and store the PDF of a signed document, once (run by ``tasks.render_signed_pdf``).

    Safe to call again: a document that already has its PDF is left as it is — the stored file
    is the document. Rendering and writing the file happen outside any transaction; only the
    recording of the stored name and digest takes the row lock. A failure raises, and the task
    retries later; until then the document's pages say «PDF готовится»."""
    from .pdf import render_document_pdf

    document = LegalDocument.objects.select_related("issuer", "signatory").get(pk=document_id)
    if not document.is_signed or document.pdf:
        return document
    data = render_document_pdf(document)
    field = document.pdf.field
    name = field.storage.save(
        field.generate_filename(document, document.download_name), ContentFile(data)
    )
    with transaction.atomic():
        locked = LegalDocument.objects.select_for_update().get(pk=document_id)
        if not locked.pdf:
            locked.pdf.name = name
            locked.pdf_sha256 = sha256_of(data)
            locked.pdf_size = len(data)
            locked.save(update_fields=["pdf", "pdf_sha256", "pdf_size"])
            _event(locked, "pdf_stored", None, sha256=locked.pdf_sha256, size=len(data))
            return locked
    # Another worker stored it first: ours is a duplicate of no legal standing.
    field.storage.delete(name)
    return locked
