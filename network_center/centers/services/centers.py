"""Centers and their participants: created and changed by the department only."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from network_center.documents import services as document_services
from network_center.documents.models import LegalDocument
from schools.access import Role, get_access
from schools.history import recorded_by as by
from schools.models import Organisation

from ..models import Center, Participation


class CenterError(ValidationError):
    pass


def share_network_documents(center: Center) -> None:
    """Who reads the acts a center rests on (``documents.services.share_with``): the creating
    act, its regulation and the working group's orders are read by the hub and every school that
    takes or took part; a cooperation agreement by the hub and its school. Called by every
    service that changes these relations; adding readers is idempotent."""
    participations = list(center.participations.only("school_id", "agreement_id"))
    network = [center.hub_id, *(p.school_id for p in participations)]
    basis = [center.creating_act, center.regulation]
    basis += [c.order for c in center.compositions.exclude(order=None).select_related("order")]
    for document in basis:
        if document is not None:
            document_services.share_with(document, network)
    for participation in participations:
        if participation.agreement_id:
            document_services.share_with(
                participation.agreement, [center.hub_id, participation.school_id]
            )


def can_manage_centers(user, municipality_id) -> bool:
    access = get_access(user)
    return access.is_superuser or municipality_id in access.municipality_ids(Role.DEPARTMENT)


def _guard(actor, municipality_id):
    if not can_manage_centers(actor, municipality_id):
        raise PermissionDenied(_("Центрами управляет управление образования муниципалитета."))


CENTER_FIELDS = {
    "name",
    "short_name",
    "name_genitive",
    "hub",
    "head",
    "creating_act",
    "regulation",
    "plan_approver",
}


def _validate_acts(center):
    for field in ("creating_act", "regulation"):
        act = getattr(center, field)
        if act is not None and act.issuer.municipality_id != center.municipality_id:
            raise CenterError({field: _("Документ другого муниципалитета.")})


@transaction.atomic
def create_center(municipality, *, actor, **fields) -> Center:
    _guard(actor, municipality.pk)
    if set(fields) - CENTER_FIELDS:
        raise CenterError(f"Unknown fields: {sorted(set(fields) - CENTER_FIELDS)}")
    center = Center(municipality=municipality, **fields)
    center.full_clean()
    _validate_acts(center)
    by(center, actor).save()
    share_network_documents(center)
    return center


@transaction.atomic
def update_center(center: Center, *, actor, **fields) -> Center:
    _guard(actor, center.municipality_id)
    if set(fields) - CENTER_FIELDS:
        raise CenterError(f"Unknown fields: {sorted(set(fields) - CENTER_FIELDS)}")
    locked = Center.objects.select_for_update().get(pk=center.pk)
    if locked.status == Center.Status.CLOSED:
        raise CenterError(_("Центр закрыт: изменить его нельзя."))
    for name, value in fields.items():
        setattr(locked, name, value)
    locked.full_clean()
    _validate_acts(locked)
    by(locked, actor).save(update_fields=list(fields))
    share_network_documents(locked)
    return locked


@transaction.atomic
def close_center(center: Center, *, actor, act: LegalDocument) -> Center:
    """Close a center by a signed act of the department."""
    _guard(actor, center.municipality_id)
    locked = Center.objects.select_for_update().get(pk=center.pk)
    if locked.status != Center.Status.ACTIVE:
        raise CenterError(_("Центр уже закрыт."))
    if (
        not act.is_signed
        or act.issuer.municipality_id != locked.municipality_id
        or act.kind not in LegalDocument.ACT_KINDS
        or act.parent_id
        or act.issuer.kind == Organisation.Kind.SCHOOL
    ):
        raise CenterError(
            _("Закрыть центр можно только подписанным распорядительным актом управления.")
        )
    locked.status = Center.Status.CLOSED
    locked.closed_by = act
    by(locked, actor).save(update_fields=["status", "closed_by"])
    return locked


PARTICIPANT_FIELDS = {"school", "category", "since", "until", "agreement"}


def _guard_active(center):
    if center.status != Center.Status.ACTIVE:
        raise CenterError(_("Центр закрыт: изменить его нельзя."))


def _validate_agreement(participation):
    agreement = participation.agreement
    if agreement is not None:
        if agreement.kind != LegalDocument.Kind.AGREEMENT:
            raise CenterError({"agreement": _("Выберите соглашение о сотрудничестве.")})
        if agreement.issuer.municipality_id != participation.center.municipality_id:
            raise CenterError({"agreement": _("Соглашение другого муниципалитета.")})


@transaction.atomic
def add_participant(center: Center, *, actor, **fields) -> Participation:
    _guard(actor, center.municipality_id)
    _guard_active(center)
    if set(fields) - PARTICIPANT_FIELDS:
        raise CenterError(f"Unknown fields: {sorted(set(fields) - PARTICIPANT_FIELDS)}")
    if Participation.objects.filter(center=center, school=fields.get("school")).exists():
        raise CenterError({"school": _("Эта школа уже участвует в центре.")})
    participation = Participation(center=center, **fields)
    participation.full_clean(validate_unique=False)
    _validate_agreement(participation)
    by(participation, actor).save()
    share_network_documents(center)
    return participation


@transaction.atomic
def update_participant(participation: Participation, *, actor, **fields) -> Participation:
    _guard(actor, participation.center.municipality_id)
    _guard_active(participation.center)
    allowed = PARTICIPANT_FIELDS - {"school"}
    if set(fields) - allowed:
        raise CenterError(f"Unknown fields: {sorted(set(fields) - allowed)}")
    for name, value in fields.items():
        setattr(participation, name, value)
    participation.full_clean(validate_unique=False)
    _validate_agreement(participation)
    by(participation, actor).save(update_fields=list(fields))
    share_network_documents(participation.center)
    return participation


@transaction.atomic
def remove_participant(participation: Participation, *, actor) -> None:
    """Remove a participant entered by mistake; a school that leaves gets an end date instead."""
    _guard(actor, participation.center.municipality_id)
    _guard_active(participation.center)
    by(participation, actor).delete()
