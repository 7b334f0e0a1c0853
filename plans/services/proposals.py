"""Proposals of events by the participant schools, along ``workflow.PROPOSAL``: submitted by a
school's coordinator, accepted into the revision in work (the center has the final say on place,
form and dates, and what it changed is recorded), declined or returned by the center, resubmitted
or withdrawn by the school. Every decision reaches the proposer."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .. import notify, workflow
from ..errors import PlanError
from ..models import Line, Plan, Proposal, ProposalEvent
from ..queries import working_revision
from .common import proposal_url
from .lines import add_line

PROPOSAL = workflow.PROPOSAL

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


def _event(proposal, from_state, actor, comment=""):
    ProposalEvent.objects.create(
        proposal=proposal,
        from_state=from_state,
        to_state=proposal.state,
        actor=actor,
        comment=comment,
    )


def _lock(proposal) -> Proposal:
    return Proposal.objects.select_for_update().select_related("plan__center").get(pk=proposal.pk)


def _refuse_unknown(fields):
    if set(fields) - PROPOSAL_FIELDS:
        raise PlanError(f"Unknown fields: {sorted(set(fields) - PROPOSAL_FIELDS)}")


def submit_proposal(plan: Plan, school, *, actor, **fields) -> Proposal:
    _refuse_unknown(fields)
    proposal = Proposal(plan=plan, school=school, author=actor, state=workflow.NEW, **fields)
    PROPOSAL.check_who("submit", actor, proposal)
    if not fields.get("justification", "").strip():
        raise PlanError({"justification": _("Обоснуйте предложение.")})
    with transaction.atomic():
        # Serialises with the transitions that start or end the plan's revision in work.
        proposal.plan = Plan.objects.select_for_update().select_related("center").get(pk=plan.pk)
        rule = PROPOSAL.check("submit", actor, proposal)
        proposal.state = rule.target
        proposal.save(force_insert=True)
        _event(proposal, workflow.NEW, actor)
        notify.notify(
            notify.center_heads(plan.center),
            lambda: (
                _("%(school)s предлагает мероприятие «%(title)s».")
                % {"school": school.short_name, "title": proposal.title}
            ),
            proposal_url(proposal),
        )
    return proposal


def _decide(locked, rule, *, actor, comment, **extra):
    """Record the center's decision on a locked, checked proposal and tell the school."""
    from_state = locked.state
    locked.state = rule.target
    locked.decision_comment = comment
    locked.decided_at = timezone.now()
    locked.version += 1
    for name, value in extra.items():
        setattr(locked, name, value)
    locked.save(update_fields=["state", "decision_comment", "decided_at", "version", *extra])
    _event(locked, from_state, actor, comment)

    def text():
        words = _("Предложение «%(title)s»: %(state)s.") % {
            "title": locked.title,
            "state": locked.get_state_display().lower(),
        }
        if locked.changes:
            words += " " + _("Центр изменил: %(changes)s.") % {
                "changes": "; ".join(
                    f"{field} «{old or '—'}» → «{new or '—'}»"
                    for field, old, new in locked.changes_display()
                )
            }
        return words + (f" {comment}" if comment else "")

    notify.notify(
        [locked.author_id, *notify.coordinators([locked.school_id])], text, proposal_url(locked)
    )
    return locked


def accept_proposal(proposal: Proposal, *, actor, comment: str = "", **overrides) -> Proposal:
    """Accept: the proposal becomes a line of the working revision. The center has the final
    say on place, form and dates; what it changed is recorded and shown to the school."""
    PROPOSAL.check_who("accept", actor, proposal)
    with transaction.atomic():
        locked = _lock(proposal)
        rule = PROPOSAL.check("accept", actor, locked)
        proposed = {f: getattr(locked, f) for f in PROPOSAL_FIELDS - {"justification"}}
        final = {**proposed, **{k: v for k, v in overrides.items() if k in proposed}}
        changes = {}
        for name, value in final.items():
            if value != proposed[name]:
                changes[name] = [_shown(name, proposed[name]), _shown(name, value)]
        line = add_line(
            working_revision(locked.plan),
            actor=actor,
            initiator=locked.school,
            schools=[locked.school],
            **final,
        )
        return _decide(locked, rule, actor=actor, comment=comment, line=line, changes=changes)


def _shown(name, value):
    if value is None:
        return ""
    if name == "format":
        return str(Line.Format(value).label)
    if name == "date_kind":
        return str(Line.DateKind(value).label)
    if hasattr(value, "strftime"):
        return value.strftime("%d.%m.%Y")
    return str(value)


def decline_proposal(proposal: Proposal, *, actor, reason: str) -> Proposal:
    PROPOSAL.check_who("decline", actor, proposal)
    if not reason.strip():
        raise PlanError({"comment": _("Укажите причину отклонения.")})
    with transaction.atomic():
        locked = _lock(proposal)
        rule = PROPOSAL.check("decline", actor, locked)
        return _decide(locked, rule, actor=actor, comment=reason)


def return_proposal(proposal: Proposal, *, actor, comment: str) -> Proposal:
    PROPOSAL.check_who("return", actor, proposal)
    if not comment.strip():
        raise PlanError({"comment": _("Напишите, что доработать.")})
    with transaction.atomic():
        locked = _lock(proposal)
        rule = PROPOSAL.check("return", actor, locked)
        return _decide(locked, rule, actor=actor, comment=comment)


def withdraw_proposal(proposal: Proposal, *, actor) -> Proposal:
    PROPOSAL.check_who("withdraw", actor, proposal)
    with transaction.atomic():
        locked = _lock(proposal)
        rule = PROPOSAL.check("withdraw", actor, locked)
        from_state = locked.state
        locked.state = rule.target
        locked.version += 1
        locked.save(update_fields=["state", "version"])
        _event(locked, from_state, actor)
        notify.notify(
            notify.center_heads(locked.plan.center),
            lambda: (
                _("%(school)s отозвала предложение «%(title)s».")
                % {"school": locked.school.short_name, "title": locked.title}
            ),
            proposal_url(locked),
        )
    return locked


def resubmit_proposal(proposal: Proposal, *, actor, **fields) -> Proposal:
    """The school revises a returned proposal and submits it again."""
    _refuse_unknown(fields)
    PROPOSAL.check_who("resubmit", actor, proposal)
    with transaction.atomic():
        locked = _lock(proposal)
        rule = PROPOSAL.check("resubmit", actor, locked)
        for name, value in fields.items():
            setattr(locked, name, value)
        from_state = locked.state
        locked.state = rule.target
        locked.version += 1
        locked.save(update_fields=[*fields, "state", "version"])
        _event(locked, from_state, actor)
        notify.notify(
            notify.center_heads(locked.plan.center),
            lambda: (
                _("%(school)s доработала предложение «%(title)s».")
                % {"school": locked.school.short_name, "title": locked.title}
            ),
            proposal_url(locked),
        )
    return locked
