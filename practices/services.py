"""Every change of the practice bank: the department marks an event, a material or a resource
as successful practice recommended for dissemination, with a reason, and withdraws the
recommendation, with a reason.

States::

    recommended ──withdraw (reason)──▶ withdrawn

Each change: the rule (``practices.rules``), ``transaction.atomic()``, a row lock
(``select_for_update`` — on the thing recommended when marking, so that two departments'
clicks make one recommendation; on the practice when withdrawing), ``save`` (``update_fields``
for a change), a ``PracticeEvent`` (who, when, before → after, the reason), and after the
commit a notification to the school whose practice it is (``network_center.notifications``).
Nothing else sets a practice's state.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from network_center.notifications.services import notify
from plans import notify as plan_notify
from plans.models import EvidenceFile, Execution
from schools.models import Membership, Organisation
from schools.permissions import require
from schools.resources import Resource

from .models import Practice, PracticeEvent

Kind = Practice.Kind
State = Practice.State
Role = Membership.Role

# Lazy: read in the language of whoever is refused.
DEPARTMENT_ONLY = gettext_lazy(
    "Рекомендует практику к распространению и снимает рекомендацию управление образования "
    "муниципального образования."
)
# The memberships that speak for a school and hear of its practice.
SCHOOL_ROLES = (Role.COORDINATOR, Role.HUB_DIRECTOR, Role.CENTER_HEAD)


class PracticeError(ValidationError):
    """A refused change, with a message for the user (``reason`` when the reason is to blame)."""


# --- what is recommended ---------------------------------------------------------------------


def kind_of(target) -> str:
    """The kind of practice a thing would be; ``ValueError`` for anything else."""
    if isinstance(target, Execution):
        return Kind.EVENT
    if isinstance(target, EvidenceFile):
        return Kind.MATERIAL
    if isinstance(target, Resource):
        return Kind.RESOURCE
    raise ValueError(f"Not a practice: {target!r}")


TARGET_FIELD = {Kind.EVENT: "execution", Kind.MATERIAL: "evidence", Kind.RESOURCE: "resource"}


def _event_school(execution) -> Organisation:
    """Whose event it is: its venue when that is a school, else the center's hub (an online
    event, one held at the department)."""
    venue = execution.line.venue
    if venue is not None and venue.kind == Organisation.Kind.SCHOOL:
        return venue
    return execution.plan.center.hub


def practice_for(target) -> Practice:
    """The practice ``target`` would become, unsaved and without a reason: what the rule
    ``practices.mark_practice`` is asked of (its municipality is the event's or the
    resource's). No query when the caller loaded the event with its plan, center and venue
    (``plans.views.execution.get_execution_for_user`` does), the file with its event, the
    resource with its school."""
    kind = kind_of(target)
    practice = Practice(kind=kind, **{TARGET_FIELD[kind]: target})
    if kind == Kind.RESOURCE:
        practice.municipality_id = target.school.municipality_id
        practice.school = target.school
        practice.title = target.title
        return practice
    execution = target if kind == Kind.EVENT else target.execution
    practice.municipality_id = execution.plan.center.municipality_id
    practice.school = _event_school(execution)
    practice.title = execution.line.title if kind == Kind.EVENT else target.original_name
    return practice


def refusal(target) -> str | None:
    """Why ``target`` cannot be recommended whatever is said of it, or None: an event is
    recommended once it was held and its report accepted, a material once its event's report
    was accepted (what the center head accepted is what the department spreads)."""
    kind = kind_of(target)
    if kind == Kind.EVENT and target.state != Execution.State.ACCEPTED:
        return _("Рекомендовать можно проведённое мероприятие, отчёт о котором принят.")
    if kind == Kind.MATERIAL and target.execution.state != Execution.State.ACCEPTED:
        return _("Рекомендовать можно материалы мероприятия, отчёт о котором принят.")
    return None


def active_practice(target) -> Practice | None:
    """The standing recommendation of ``target``, if any."""
    kind = kind_of(target)
    return Practice.objects.recommended().filter(**{TARGET_FIELD[kind]: target}).first()


def _lock_target(target):
    """The thing's row, locked until the transaction ends (only its own table's row:
    PostgreSQL refuses to lock the nullable side of an outer join), with what
    ``practice_for`` reads. None when it is gone."""
    kind = kind_of(target)
    if kind == Kind.EVENT:
        queryset = Execution.objects.select_related("plan__center__hub", "line__venue")
    elif kind == Kind.MATERIAL:
        queryset = EvidenceFile.objects.select_related(
            "execution__plan__center__hub", "execution__line__venue"
        )
    else:
        queryset = Resource.objects.select_related("school")
    return queryset.select_for_update(of=("self",)).filter(pk=target.pk).first()


def _clean_reason(reason, message) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise PracticeError({"reason": message})
    return reason


# --- who hears of it -------------------------------------------------------------------------


def people_told(practice) -> set[int]:
    """The school whose practice it is: the coordinators, directors and center heads of its
    school (and of the school that initiated the event), the head named on the school's card;
    for an event or a material the center's heads as well; who uploaded the material or
    entered the resource."""
    schools = {practice.school_id}
    users = set()
    event = practice.event
    if event is not None:
        line = event.line
        if line.initiator_id:
            schools.add(line.initiator_id)
        users |= plan_notify.center_heads(event.plan.center)
    if practice.kind == Kind.MATERIAL and practice.evidence.uploaded_by_id:
        users.add(practice.evidence.uploaded_by_id)
    if practice.kind == Kind.RESOURCE and practice.resource and practice.resource.created_by_id:
        users.add(practice.resource.created_by_id)
    users |= set(
        Membership.objects.filter(organisation_id__in=schools, role__in=SCHOOL_ROLES).values_list(
            "user_id", flat=True
        )
    )
    head = (
        Organisation.objects.filter(pk=practice.school_id, head__user__isnull=False)
        .values_list("head__user_id", flat=True)
        .first()
    )
    if head:
        users.add(head)
    return users


def _tell(practice, *, actor, text):
    """After the commit, in each recipient's language; never the one who made the change."""
    notify(
        {u for u in people_told(practice) if u and u != actor.pk},
        text,
        reverse("practices:detail", args=[practice.pk]),
    )


def _event(practice, action, *, actor, from_state, reason):
    PracticeEvent.objects.create(
        practice=practice,
        action=action,
        from_state=from_state,
        to_state=practice.state,
        actor=actor,
        reason=reason,
    )


# --- the changes ------------------------------------------------------------------------------


def mark_practice(target, *, actor, reason) -> Practice:
    """Recommend ``target`` (an accepted event, a material of one, a resource) for
    dissemination, with the department's ``reason``."""
    reason = _clean_reason(reason, _("Напишите, чем этот опыт полезен другим школам."))
    require(actor, "practices.mark_practice", practice_for(target), DEPARTMENT_ONLY)
    with transaction.atomic():
        # Serialises marking of one thing: the duplicate check below holds.
        locked = _lock_target(target)
        if locked is None:
            raise PracticeError(_("Этого больше нет: рекомендовать нечего."))
        practice = practice_for(locked)
        require(actor, "practices.mark_practice", practice, DEPARTMENT_ONLY)
        if message := refusal(locked):
            raise PracticeError(message)
        if active_practice(locked) is not None:
            raise PracticeError(_("Это уже рекомендовано к распространению."))
        practice.reason = reason
        practice.marked_by = actor
        practice.marked_at = timezone.now()
        practice.save(force_insert=True)
        _event(practice, PracticeEvent.Action.MARKED, actor=actor, from_state="", reason=reason)
        _tell(
            practice,
            actor=actor,
            text=lambda: (
                _("Управление образования рекомендовало к распространению: %(kind)s «%(title)s».")
                % {"kind": practice.get_kind_display().lower(), "title": practice.title}
            ),
        )
    return practice


def withdraw_practice(practice, *, actor, reason) -> Practice:
    """Withdraw a standing recommendation, saying why (it stays in the bank's history)."""
    reason = _clean_reason(reason, _("Укажите причину снятия рекомендации."))
    require(actor, "practices.withdraw_practice", practice, DEPARTMENT_ONLY)
    with transaction.atomic():
        locked = (
            Practice.objects.select_for_update(of=("self",))
            .select_related(
                "execution__plan__center",
                "execution__line",
                "evidence__execution__plan__center",
                "evidence__execution__line",
                "resource",
            )
            .get(pk=practice.pk)
        )
        require(actor, "practices.withdraw_practice", locked, DEPARTMENT_ONLY)
        if not locked.is_recommended:
            raise PracticeError(_("Рекомендация уже снята."))
        before = locked.state
        locked.state = State.WITHDRAWN
        locked.withdrawn_by = actor
        locked.withdrawn_at = timezone.now()
        locked.withdraw_reason = reason
        locked.save(update_fields=["state", "withdrawn_by", "withdrawn_at", "withdraw_reason"])
        _event(
            locked, PracticeEvent.Action.WITHDRAWN, actor=actor, from_state=before, reason=reason
        )
        _tell(
            locked,
            actor=actor,
            text=lambda: (
                _("Рекомендация к распространению снята: %(kind)s «%(title)s». Причина: %(reason)s")
                % {
                    "kind": locked.get_kind_display().lower(),
                    "title": locked.title,
                    "reason": reason,
                }
            ),
        )
    return locked
