"""What every service of the plans app does the same way: name a plan in messages, lock a
revision, take a transition of its table and write the history row."""

from django.urls import reverse

from .. import workflow
from ..models import Revision, Transition


def plan_name(plan) -> str:
    """A plan as messages name it: «2026/2027 (Центр … на базе СОШ № 2 г. Дмитриева)»."""
    return f"{plan.academic_year} ({plan.center.short_name})"


def plan_url(plan) -> str:
    return reverse("plans:detail", args=[plan.pk])


def proposal_url(proposal) -> str:
    return reverse("plans:proposal", args=[proposal.pk])


def lock_revision(revision) -> Revision:
    """The revision's row, locked until the transaction ends: transitions and edits of one
    revision serialise on it."""
    return Revision.objects.select_for_update().select_related("plan__center").get(pk=revision.pk)


def record(revision, action, *, actor, comment="", data=None, from_state=None, to_state=None):
    """Append a row to the revision's history (who, what, when, state before → after)."""
    return Transition.objects.create(
        revision=revision,
        action=action,
        from_state=from_state or revision.state,
        to_state=to_state or revision.state,
        actor=actor,
        comment=comment,
        data=data or {},
    )


def move(revision, rule: workflow.Rule, *, actor, comment=""):
    """Move a locked revision along ``rule`` (already checked against the table) and record it."""
    from_state = revision.state
    revision.state = rule.target
    revision.save(update_fields=["state"])
    record(
        revision,
        rule.name,
        actor=actor,
        comment=comment,
        from_state=from_state,
        to_state=rule.target,
    )
