"""The plan workflow as data: one table of transitions that both guards the services and decides
which buttons a user sees (STYLE.md §3). Deny by default: a transition without a rule naming who
may take it is refused.

    draft ──submit──▶ on_agreement ──(all schools agreed)──▶ agreed ──approve──▶ approved
      ▲                   │                                     │                │
      └──────return───────┴───────────────return────────────────┘   amend (new revision)
                                                                     close ──▶ closed
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from network_center.centers.models import Center
from schools.access import Role, get_access

from .models import Revision

S = Revision.State


def is_center_head(user, center: Center) -> bool:
    access = get_access(user)
    return center.hub_id in access.organisation_ids(Role.CENTER_HEAD) or (
        center.head_id is not None and center.head.user_id == user.pk
    )


def is_department(user, center: Center) -> bool:
    return center.municipality_id in get_access(user).municipality_ids(Role.DEPARTMENT)


def is_hub_director(user, center: Center) -> bool:
    return center.hub_id in get_access(user).organisation_ids(Role.HUB_DIRECTOR)


def is_approver(user, center: Center) -> bool:
    if center.plan_approver == Center.Approver.HUB_DIRECTOR:
        return is_hub_director(user, center)
    return is_department(user, center)


def manages_plan(user, center: Center) -> bool:
    """The center head or the department: who drafts, submits, returns, amends and closes."""
    return is_center_head(user, center) or is_department(user, center)


def may_return(user, center: Center) -> bool:
    return manages_plan(user, center) or is_approver(user, center)


def coordinated_school_ids(user) -> set[int]:
    return get_access(user).organisation_ids(Role.COORDINATOR)


@dataclass(frozen=True)
class TransitionRule:
    name: str
    label: str
    sources: frozenset
    target: str | None
    who: Callable | None
    needs_comment: bool = False
    button: str = "primary"
    confirm: str = ""
    done: str = ""  # what the user is told when it is done


TRANSITIONS: dict[str, TransitionRule] = {
    rule.name: rule
    for rule in [
        TransitionRule(
            "submit",
            _("Отправить на согласование"),
            frozenset({S.DRAFT}),
            S.ON_AGREEMENT,
            manages_plan,
            done=_("План отправлен на согласование: школы получили запрос."),
        ),
        TransitionRule(
            "return",
            _("Вернуть на доработку"),
            frozenset({S.ON_AGREEMENT, S.AGREED}),
            S.DRAFT,
            may_return,
            needs_comment=True,
            button="outline-secondary",
            done=_("План возвращён на доработку, замечания записаны."),
        ),
        TransitionRule(
            "approve",
            _("Утвердить"),
            frozenset({S.AGREED}),
            S.APPROVED,
            is_approver,
            button="success",
            done=_("План утверждён: документ подписан, его PDF сохранён, участники уведомлены."),
        ),
        TransitionRule(
            "amend",
            _("Внести изменения (новая редакция)"),
            frozenset({S.APPROVED}),
            None,
            manages_plan,
            button="outline-primary",
            done=_("Начата новая редакция; утверждённая действует, пока не утверждена новая."),
        ),
        TransitionRule(
            "close",
            _("Закрыть план (итоги года)"),
            frozenset({S.APPROVED}),
            S.CLOSED,
            manages_plan,
            needs_comment=True,
            button="outline-dark",
            confirm=_("Закрыть план? После этого он только для чтения."),
            done=_("План закрыт."),
        ),
    ]
}


def allowed(name: str, user, revision: Revision) -> bool:
    """May ``user`` take transition ``name`` on ``revision`` now? Unknown names: no."""
    rule = TRANSITIONS.get(name)
    if rule is None or rule.who is None or user is None or not user.is_authenticated:
        return False
    if revision.state not in rule.sources:
        return False
    if (
        rule.name == "amend"
        and revision.plan.revisions.filter(state__in=[S.DRAFT, S.ON_AGREEMENT, S.AGREED]).exists()
    ):
        return False
    access = get_access(user)
    if access.is_read_only:
        return False
    return access.is_superuser or rule.who(user, revision.plan.center)


def may_take(name: str, user, revision: Revision) -> bool:
    """Could ``user`` ever take ``name`` on this plan, whatever its state (the role part)."""
    rule = TRANSITIONS.get(name)
    if rule is None or rule.who is None or user is None or not user.is_authenticated:
        return False
    access = get_access(user)
    if access.is_read_only:
        return False
    return access.is_superuser or rule.who(user, revision.plan.center)


def available_transitions(user, revision: Revision) -> list[TransitionRule]:
    return [rule for name, rule in TRANSITIONS.items() if allowed(name, user, revision)]


def may_edit_lines(user, revision: Revision, line=None) -> bool:
    """The center head and the department edit any line of a revision in work; a working-group
    member edits the lines they are responsible for."""
    if not revision.is_editable:
        return False
    access = get_access(user)
    if access.is_read_only:
        return False
    center = revision.plan.center
    if access.is_superuser or manages_plan(user, center):
        return True
    if line is not None and access.has_role(Role.WG_MEMBER):
        return any(p.user_id == user.pk for p in line.responsible.all())
    return False


def may_give_visa(user, revision: Revision, school_id: int) -> bool:
    return revision.state == S.ON_AGREEMENT and school_id in coordinated_school_ids(user)
