"""The working group: the hub director edits a draft composition; every change refreshes the
draft order «Об утверждении состава рабочей группы …» with the list as its appendix; signing that
order puts the composition in force and supersedes the previous one."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

from network_center.documents import services as document_services
from network_center.documents.body import ParsedPoint
from network_center.documents.language import in_russian
from network_center.documents.models import DocumentRelation, LegalDocument, SigningRight
from schools.history import recorded_by as by
from schools.models import Organisation, Person
from schools.services import create_person

from ..models import Center, Composition, Member, is_hub_director
from .centers import share_network_documents


class WorkingGroupError(ValidationError):
    pass


def _guard(center, actor):
    if not is_hub_director(actor, center):
        raise PermissionDenied(_("Состав рабочей группы утверждает директор базовой школы."))
    if center.status != Center.Status.ACTIVE:
        raise WorkingGroupError(_("Центр закрыт."))


def network_organisations(center):
    """Where members may come from: the hub, the participant schools and the municipality's
    methodological office."""
    today = timezone.localdate()
    return Organisation.objects.filter(
        Q(pk=center.hub_id)
        | Q(center_participations__center=center, center_participations__until__isnull=True)
        | Q(center_participations__center=center, center_participations__until__gte=today)
        | Q(
            municipality_id=center.municipality_id,
            kind=Organisation.Kind.METHODOLOGICAL_OFFICE,
        )
    ).distinct()


def draft_composition(center: Center, *, actor) -> Composition:
    """The center's draft composition, started from the one in force if there is none yet."""
    _guard(center, actor)
    with transaction.atomic():
        Center.objects.select_for_update().get(pk=center.pk)
        draft = center.compositions.filter(status=Composition.Status.DRAFT).first()
        if draft:
            return draft
        version = (center.compositions.aggregate(v=Max("version"))["v"] or 0) + 1
        draft = by(Composition(center=center, version=version, created_by=actor), actor)
        draft.save()
        current = center.compositions.in_force().first()
        if current:
            members = [
                Member(
                    composition=draft,
                    person_id=m.person_id,
                    role=m.role,
                    responsibility=m.responsibility,
                )
                for m in current.members.all()
            ]
            bulk_create_with_history(members, Member, default_user=actor)
        return draft


def _check_member(center, person, role, composition, member=None):
    if not network_organisations(center).filter(pk=person.organisation_id).exists():
        raise WorkingGroupError(
            {"person": _("В рабочую группу входят сотрудники школ сети и методического кабинета.")}
        )
    others = composition.members.exclude(pk=member.pk if member else None)
    if others.filter(person=person).exists():
        raise WorkingGroupError({"person": _("Этот сотрудник уже в составе.")})
    # One head and one secretary per group (the order names them); deputies and members, many.
    single = {
        Member.Role.HEAD: _("Руководитель рабочей группы уже назначен."),
        Member.Role.SECRETARY: _("Секретарь рабочей группы уже назначен."),
    }
    if role in single and others.filter(role=role).exists():
        raise WorkingGroupError({"role": single[role]})


@transaction.atomic
def add_member(
    center: Center, *, actor, person: Person, role: str, responsibility: str = ""
) -> Member:
    composition = draft_composition(center, actor=actor)
    _check_member(center, person, role, composition)
    member = by(
        Member(composition=composition, person=person, role=role, responsibility=responsibility),
        actor,
    )
    member.save()
    sync_composition_order(composition, actor=actor)
    return member


@transaction.atomic
def add_new_person_as_member(
    center: Center,
    *,
    actor,
    organisation: Organisation,
    last_name: str,
    first_name: str,
    patronymic: str,
    position: str,
    email: str = "",
    phone: str = "",
    role: str,
    responsibility: str = "",
) -> Member:
    """Create a person of a network organisation inline and add them to the draft."""
    _guard(center, actor)
    if not network_organisations(center).filter(pk=organisation.pk).exists():
        raise WorkingGroupError({"organisation": _("Организация не входит в сеть центра.")})
    person = create_person(
        organisation,
        last_name=last_name.strip(),
        first_name=first_name.strip(),
        patronymic=patronymic.strip(),
        position=position.strip(),
        email=email,
        phone=phone,
    )
    return add_member(center, actor=actor, person=person, role=role, responsibility=responsibility)


@transaction.atomic
def update_member(member: Member, *, actor, role: str, responsibility: str) -> Member:
    center = member.composition.center
    _guard(center, actor)
    if member.composition.status != Composition.Status.DRAFT:
        raise WorkingGroupError(_("Утверждённый состав изменить нельзя."))
    _check_member(center, member.person, role, member.composition, member=member)
    member.role = role
    member.responsibility = responsibility
    by(member, actor).save(update_fields=["role", "responsibility"])
    sync_composition_order(member.composition, actor=actor)
    return member


@transaction.atomic
def remove_member(member: Member, *, actor) -> None:
    center = member.composition.center
    _guard(center, actor)
    composition = member.composition
    if composition.status != Composition.Status.DRAFT:
        raise WorkingGroupError(_("Утверждённый состав изменить нельзя."))
    by(member, actor).delete()
    sync_composition_order(composition, actor=actor)


@in_russian
def composition_rows(composition):
    """The rows of the composition's list, an appendix of the order: in Russian whatever the
    hub director's interface language (the roles are choice labels)."""
    members = sorted(
        composition.members.select_related("person__organisation"),
        key=lambda m: (Member.ROLE_ORDER[m.role], m.person.last_name, m.person.first_name),
    )
    return [
        [
            str(i),
            m.person.full_name,
            f"{m.person.position}, {m.person.organisation.short_name}",
            m.get_role_display(),
            m.responsibility,
        ]
        for i, m in enumerate(members, start=1)
    ]


COLUMNS = ["№ п/п", "Фамилия, имя, отчество", "Должность, организация", "Роль", "Направление"]


def sync_composition_order(composition: Composition, *, actor) -> LegalDocument:
    """Create or refresh the draft order approving ``composition`` and its appendix."""
    center = composition.center
    hub = center.hub
    previous = center.compositions.in_force().select_related("order").first()
    heading = f"Об утверждении состава рабочей группы {center.short_name_genitive()}"
    preamble = _preamble(center)
    points = [
        ParsedPoint(
            "numbered",
            f"Утвердить состав рабочей группы {center.short_name_genitive()} (приложение 1).",
        ),
    ]
    if previous and previous.order and previous.order.is_signed:
        points.append(
            ParsedPoint(
                "numbered",
                f"Признать утратившим силу приказ от {previous.order.date:%d.%m.%Y} "
                f"№ {previous.order.number} «{previous.order.heading}».",
            )
        )
    points.append(
        ParsedPoint("numbered", "Контроль за исполнением настоящего приказа оставляю за собой.")
    )
    rows = composition_rows(composition)
    order = composition.order
    if order is None:
        order = document_services.create_document(
            hub,
            actor=actor,
            kind=LegalDocument.Kind.ORDER,
            heading=heading,
            preamble=preamble,
            # Only the hub's director (or acting director) signs the composition order.
            signing_right=SigningRight.objects.default_for(hub),
            executor=center.head,
        )
        document_services.create_document(
            hub,
            actor=actor,
            kind=LegalDocument.Kind.LIST,
            heading=f"рабочей группы {center.short_name_genitive()}",
            parent=order,
            approved_by_parent=True,
            table={"columns": COLUMNS, "rows": rows},
        )
        composition.order = order
        by(composition, actor).save(update_fields=["order"])
        share_network_documents(center)
    else:
        document_services.update_document(order, actor=actor, heading=heading, preamble=preamble)
        appendix = order.appendices.get(appendix_number=1)
        document_services.update_document(
            appendix, actor=actor, table={"columns": COLUMNS, "rows": rows}
        )
    document_services.replace_body(order, points, actor=actor)
    if previous and previous.order and previous.order.is_signed:
        document_services.set_relation(
            order, actor=actor, kind=DocumentRelation.Kind.CANCELS, target=previous.order
        )
    return order


def _preamble(center):
    regulation = center.regulation
    if regulation and regulation.parent and regulation.parent.is_signed:
        act = regulation.parent
        return (
            f"В соответствии с Положением о центре, утверждённым {act.INSTRUMENTAL[act.kind]} "
            f"{act.issuer.short_name_genitive} от {act.date:%d.%m.%Y} № {act.number}"
        )
    return "В соответствии с Положением о центре сетевого взаимодействия"


def activate_composition_for(document: LegalDocument, *, on_date, actor=None) -> None:
    """Called inside the signing transaction: the composition approved by ``document`` takes
    effect and the one in force before it is superseded."""
    composition = Composition.objects.filter(order=document).select_for_update().first()
    if composition is None or composition.status != Composition.Status.DRAFT:
        return
    current = composition.center.compositions.in_force().select_for_update().first()
    if current:
        current.status = Composition.Status.SUPERSEDED
        current.effective_until = on_date
        by(current, actor).save(update_fields=["status", "effective_until"])
    composition.status = Composition.Status.IN_FORCE
    composition.effective_from = on_date
    by(composition, actor).save(update_fields=["status", "effective_from"])
