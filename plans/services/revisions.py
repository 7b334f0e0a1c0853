"""A plan and its revisions: creating the plan, and the transitions of ``workflow.REVISION`` —
submit, return, approve, amend, close (agreed and superseded follow from other changes: a visa,
an approval).

Every transition has one shape (STYLE.md §2): the table names the actor (before any lock) →
atomic → the revision's row locked (concurrent transitions serialise on it) → the table asked
again, state included → ``save(update_fields=…)`` → a ``Transition`` row → notifications and the
PDF after commit. Slow work stays out of the transaction: the approver's password is checked
before the lock, and the approved document's PDF is rendered after the commit.
"""

from datetime import timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from network_center.centers.models import Center
from network_center.documents import services as document_services
from network_center.documents.models import LegalDocument, SigningRight
from schools.models import Organisation
from schools.permissions import can

from .. import notify, printing, reporting, workflow
from ..errors import PlanError
from ..models import Plan, Revision, Visa
from ..queries import active_participations
from .common import lock_revision, move, plan_name, plan_url, record
from .execution import open_executions
from .lines import copy_lines

S = Revision.State
REVISION = workflow.REVISION


def create_plan(center: Center, year: int, *, actor, copy_from: Revision | None = None) -> Plan:
    """Start the plan of ``year`` with a first draft revision, optionally copying the lines of
    an earlier revision (last year's plan) shifted by the difference in years."""
    if not can(actor, "plans.add_plan", center):
        raise PermissionDenied(_("План составляет руководитель центра."))
    if center.status != Center.Status.ACTIVE:
        raise PlanError(_("Центр закрыт."))
    if copy_from is not None and copy_from.plan.center_id != center.pk:
        raise PlanError(_("Копировать можно только план этого центра."))
    with transaction.atomic():
        Center.objects.select_for_update().get(pk=center.pk)
        if Plan.objects.filter(center=center, year=year).exists():
            raise PlanError(_("План на этот учебный год уже есть."))
        plan = Plan.objects.create(center=center, year=year)
        revision = Revision.objects.create(plan=plan, number=1, created_by=actor)
        data = {}
        if copy_from is not None:
            copied = copy_lines(
                copy_from, revision, shift_years=year - copy_from.plan.year, keep_keys=False
            )
            data = {"copied_from": copy_from.pk, "lines": copied}
        record(revision, "create", actor=actor, data=data)
    return plan


def submit(revision: Revision, *, actor, comment: str = "") -> Revision:
    """Send a draft for agreement: a pending visa for every current participant school."""
    REVISION.check_who("submit", actor, revision)
    with transaction.atomic():
        revision = lock_revision(revision)
        rule = REVISION.check("submit", actor, revision)
        if not revision.lines.exists():
            raise PlanError(_("В плане нет ни одного мероприятия."))
        participations = list(active_participations(revision.plan.center))
        if not participations:
            raise PlanError(_("У центра нет школ-участников: согласовывать некому."))
        # Visas are asked afresh for the current content of every participant school; the
        # decisions on an earlier submission stay in the history.
        revision.visas.all().delete()
        Visa.objects.bulk_create(Visa(revision=revision, school=p.school) for p in participations)
        # A visa still pending after this date is overdue (the overdue lists, the reminders).
        revision.visas_due = timezone.localdate() + timedelta(days=settings.PLAN_VISA_DAYS)
        revision.save(update_fields=["visas_due"])
        move(revision, rule, actor=actor, comment=comment)
        notify.notify(
            notify.coordinators([p.school_id for p in participations]),
            lambda: (
                _("План %(plan)s ждёт согласования вашей школы.")
                % {"plan": plan_name(revision.plan)}
            ),
            plan_url(revision.plan),
        )
    return revision


def return_for_revision(revision: Revision, *, actor, comment: str) -> Revision:
    REVISION.check_who("return", actor, revision)
    if not comment.strip():
        raise PlanError(_("Укажите, что нужно доработать."))
    with transaction.atomic():
        revision = lock_revision(revision)
        rule = REVISION.check("return", actor, revision)
        move(revision, rule, actor=actor, comment=comment)
        notify.notify(
            notify.center_heads(revision.plan.center),
            lambda: (
                _("План %(plan)s возвращён на доработку: %(comment)s")
                % {"plan": plan_name(revision.plan), "comment": comment}
            ),
            plan_url(revision.plan),
        )
    return revision


def approve(revision: Revision, *, actor, password: str) -> Revision:
    """Approve an agreed revision. The approver signs the approving document with a simple
    electronic signature: the department's order with the plan as its appendix, or the plan
    itself with «УТВЕРЖДАЮ» when the hub director approves. The revision is frozen, and the
    revision in force before it is superseded."""
    REVISION.check_who("approve", actor, revision)
    approving_right(revision.plan.center, actor)
    # PBKDF2 is slow by design: checked before anything is locked, with the login's lockout.
    try:
        document_services.confirm_password(
            actor, password, action=APPROVE_ACTION, not_done=_("план не утверждён")
        )
    except document_services.DocumentError as exc:
        raise PlanError({"password": exc.messages[0]}) from exc
    with transaction.atomic():
        revision = lock_revision(revision)
        rule = REVISION.check("approve", actor, revision)
        document = _approval_document(revision, actor)
        # Everyone who sees the plan reads its approving act: the hub and every school agreeing.
        document_services.share_with(
            document,
            [revision.plan.center.hub_id, *revision.visas.values_list("school_id", flat=True)],
        )
        # The password was checked above; the PDF is rendered after the commit.
        signed = document_services.seal_with_signature(document, actor=actor)
        previous = revision.plan.revisions.filter(state=S.APPROVED).exclude(pk=revision.pk)
        for old in previous.select_for_update():
            superseded = REVISION.follow("superseded", old)
            move(old, superseded, actor=actor, comment=_("Утверждена новая редакция."))
        revision.approval_document = signed
        revision.approved_at = timezone.now()
        revision.save(update_fields=["approval_document", "approved_at"])
        move(revision, rule, actor=actor)
        # Every event of the plan in force gets its execution; those that stay from the
        # previous revision keep theirs.
        open_executions(revision, actor=actor)
        notify.notify(
            notify.network(revision.plan.center),
            lambda: _("План %(plan)s утверждён.") % {"plan": plan_name(revision.plan)},
            plan_url(revision.plan),
        )
    return revision


APPROVE_ACTION = "approve_plan"


def approving_organisation(center: Center):
    """Who approves the center's plans: the hub (its director, «УТВЕРЖДАЮ») or the department of
    the center's municipality (its head, by order)."""
    if center.plan_approver == Center.Approver.HUB_DIRECTOR:
        return center.hub
    return (
        Organisation.objects.filter(
            municipality_id=center.municipality_id, kind=Organisation.Kind.DEPARTMENT
        )
        .order_by("pk")
        .first()
    )


def approving_right(center: Center, actor) -> SigningRight:
    """The actor's right to sign for the approving organisation, in force today, or a refusal:
    a plan is approved only by the person entitled to sign for the approver."""
    organisation = approving_organisation(center)
    right = (
        SigningRight.objects.held_by(actor)
        .in_force(timezone.localdate())
        .filter(organisation=organisation)
        .select_related("person", "organisation")
        .order_by("kind")
        .first()
        if organisation is not None
        else None
    )
    if right is None:
        raise PlanError(
            _(
                "Утвердить план может только лицо с правом подписи от имени %(organisation)s "
                "(руководитель или исполняющий его обязанности)."
            )
            % {"organisation": organisation.short_name_genitive if organisation else "—"}
        )
    return right


def _approval_document(revision: Revision, actor) -> LegalDocument:
    """The unsigned document that approves ``revision``, in the words of ``plans.printing``,
    signed by the actor's right to sign for the approver."""
    center = revision.plan.center
    right = approving_right(center, actor)
    table = printing.plan_print_table(revision)
    sheet = printing.agreement_sheet(revision)
    if center.plan_approver == Center.Approver.HUB_DIRECTOR:
        return document_services.create_document(
            right.organisation,
            actor=actor,
            kind=LegalDocument.Kind.PLAN,
            heading=printing.plan_heading(revision),
            signing_right=right,
            approval_by_signature=True,
            table=table,
            agreement_sheet=sheet,
        )
    department = right.organisation
    order = document_services.create_document(
        department,
        actor=actor,
        kind=LegalDocument.Kind.ORDER,
        heading=printing.approval_order_heading(revision),
        preamble=printing.APPROVAL_PREAMBLE,
        signing_right=right,
        executor=center.head,
    )
    document_services.replace_body(order, printing.approval_order_points(revision), actor=actor)
    document_services.create_document(
        department,
        actor=actor,
        kind=LegalDocument.Kind.PLAN,
        heading=printing.plan_heading(revision),
        parent=order,
        approved_by_parent=True,
        table=table,
        agreement_sheet=sheet,
    )
    return order


def amend(revision: Revision, *, actor) -> Revision:
    """Start a new revision from an approved one; the approved one stays in force until the new
    one is approved."""
    REVISION.check_who("amend", actor, revision)
    with transaction.atomic():
        revision = lock_revision(revision)
        REVISION.check("amend", actor, revision)
        number = (revision.plan.revisions.aggregate(m=Max("number"))["m"] or 0) + 1
        new = Revision.objects.create(
            plan=revision.plan, number=number, based_on=revision, created_by=actor
        )
        copied = copy_lines(revision, new)
        record(
            new,
            "amend",
            actor=actor,
            comment=_("Новая редакция на основе утверждённой."),
            data={"based_on": revision.number, "lines": copied},
        )
    return new


def close(revision: Revision, *, actor, comment: str) -> Revision:
    REVISION.check_who("close", actor, revision)
    if not comment.strip():
        raise PlanError(_("Кратко опишите итоги года."))
    with transaction.atomic():
        revision = lock_revision(revision)
        rule = REVISION.check("close", actor, revision)
        revision.execution_report = _execution_report_document(revision, actor)
        revision.save(update_fields=["execution_report"])
        move(revision, rule, actor=actor, comment=comment)
    return revision


def _execution_report_document(revision: Revision, actor) -> LegalDocument:
    """The hub's year-end report on the plan, drafted from the execution as it stands at the
    close (which freezes it): the totals and each school's reach as its text, a row per event
    in its landscape table; for the hub's head to sign through the documents app."""
    hub = revision.plan.center.hub
    report = reporting.execution_report(revision)
    right = (
        SigningRight.objects.filter(organisation=hub)
        .in_force(timezone.localdate())
        .order_by("kind", "pk")
        .first()
    )
    document = document_services.create_document(
        hub,
        actor=actor,
        kind=LegalDocument.Kind.REPORT,
        heading=reporting.report_heading(revision),
        table=reporting.report_table(report),
        **({"signing_right": right} if right else {}),
    )
    document_services.replace_body(document, reporting.report_points(report), actor=actor)
    document_services.share_with(
        document, [hub.pk, *revision.visas.values_list("school_id", flat=True)]
    )
    return document


# What the plan page's buttons call: (revision, actor, the transition form's cleaned data).
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
