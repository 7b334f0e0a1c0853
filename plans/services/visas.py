"""The schools' visas on a revision (the лист согласования): given by each school's coordinator
while the plan is on agreement, asked again when the content changes (``workflow.VISA``)."""

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .. import notify, workflow
from ..errors import PlanError
from ..models import Revision, Visa
from .common import lock_revision, move, plan_name, plan_url, record

VISA_FIELDS = [
    "decision",
    "remarks",
    "content_version",
    "decided_by",
    "decided_by_person",
    "decided_at",
]


def give_visa(revision: Revision, school, *, actor, decision: str, remarks: str = "") -> Visa:
    """A participant school's coordinator agrees, agrees with remarks, or objects. When every
    school agrees with the current content, the revision is agreed in the same transaction."""
    rule = workflow.VISA.leading_to(decision)
    if rule is None:
        raise PlanError(_("Выберите решение."))
    remarks = remarks.strip()
    if rule.needs_comment and not remarks:
        raise PlanError({"remarks": _("Напишите замечания.")})
    visa = Visa.objects.filter(revision=revision, school=school).first()
    workflow.VISA.check_who(rule.name, actor, visa or Visa(revision=revision, school=school))
    if visa is None:
        raise PermissionDenied(_("Ваша школа не участвует в согласовании этого плана."))
    with transaction.atomic():
        revision = lock_revision(revision)
        visa = Visa.objects.select_for_update().get(pk=visa.pk)
        visa.revision = revision
        workflow.VISA.check(rule.name, actor, visa)
        before = visa.decision
        visa.decision = rule.target
        visa.remarks = remarks
        visa.content_version = revision.content_version
        visa.decided_by = actor
        visa.decided_by_person = getattr(actor, "person", None)
        visa.decided_at = timezone.now()
        visa.save(update_fields=VISA_FIELDS)
        record(
            revision,
            "visa",
            actor=actor,
            comment=f"{school.short_name}: {visa.get_decision_display()}"
            + (f" — {visa.remarks}" if visa.remarks else ""),
            data={"school": school.short_name, "decision": [before, visa.decision]},
        )
        center = revision.plan.center
        notify.notify(
            notify.center_heads(center),
            lambda: (
                _("%(school)s: %(decision)s по плану %(plan)s.")
                % {
                    "school": school.short_name,
                    "decision": visa.get_decision_display().lower(),
                    "plan": plan_name(revision.plan),
                }
            ),
            plan_url(revision.plan),
        )
        if workflow.REVISION.applies("agreed", revision):
            agreed = workflow.REVISION.follow("agreed", revision)
            move(revision, agreed, actor=actor, comment=_("Все школы согласовали план."))
            notify.notify(
                notify.approvers(center),
                lambda: (
                    _("План %(plan)s согласован всеми школами и ждёт утверждения.")
                    % {"plan": plan_name(revision.plan)}
                ),
                plan_url(revision.plan),
            )
    return visa


def reset_visas(revision: Revision) -> list[Visa]:
    """Ask again every school that decided on a locked revision whose content changed: each
    decided visa goes back to pending along the table's ``reset`` rule. The caller records it
    (one row naming the schools) and tells the schools. Returns the visas reset."""
    given = list(
        revision.visas.select_for_update(of=("self",))
        .exclude(decision=Visa.Decision.PENDING)
        .select_related("school")
    )
    for visa in given:
        rule = workflow.VISA.follow("reset", visa)
        visa.decision = rule.target
        visa.remarks = ""
        visa.content_version = None
        visa.decided_by = None
        visa.decided_by_person = None
        visa.decided_at = None
        visa.save(update_fields=VISA_FIELDS)
    return given
