"""The workflows of the plans app as data: a table of transitions for revisions, one for the
schools' visas and one for proposals. Each rule names who may take it, from which states, to
which state; the same table guards the services (``check`` / ``follow``) and decides which
buttons a user sees (``available``), so a rule is never written twice (STYLE.md §3).

Deny by default: a transition whose rule names no one is refused to everyone, and so is any
transition to a regional observer. Automatic rules are taken by the services themselves as the
consequence of another change (every school agreed → the revision is agreed; the content changed
→ the visas are asked again; a new revision approved → the old one is superseded): no user
takes them by hand, but they go through the table all the same.

Revisions (SPEC §4)::

    draft ──submit──▶ on_agreement ──(all schools agreed)──▶ agreed ──approve──▶ approved
      ▲                   │  ▲                                  │                │  │  │
      └──────return───────┴──┼─────────────return───────────────┘   amend (new draft) │
                             └──────────(edited after agreement)─┘                    │
                                           superseded ◀──(a newer one approved)──┘  close ▶ closed

Visas: pending ──agree / agree with remarks / object──▶ decided (a school may change its
decision while the plan is on agreement); decided ──(the content changed)──▶ pending.

Proposals: submitted ──accept / decline / return──▶ accepted / declined / returned;
returned ──resubmit──▶ submitted; submitted or returned ──withdraw──▶ withdrawn.

Execution of an event of the plan in force (``plans.services.execution``)::

    planned ──report──▶ reported ──accept──▶ accepted
      │  ▲                 │  ▲
      │  │              return │ report (corrected)
      │  │                 ▼  │
      │  └──report──┐    returned
      ├─postpone─▶ postponed ─postpone─▶ postponed
      └─cancel───▶ cancelled ◀─cancel─── postponed
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.utils.translation import gettext_lazy as _

from network_center.documents.models import can_draft_for

from . import roles
from .errors import PlanError
from .models import Execution, Proposal, Revision, Visa
from .queries import IN_WORK

S = Revision.State
D = Visa.Decision
P = Proposal.State
E = Execution.State
# The state of a proposal not yet saved: the «from» of its submission.
NEW = ""


@dataclass(frozen=True)
class Rule:
    """One transition: ``who(user, obj)`` may take it when ``obj`` is in one of ``sources`` and
    ``when(obj)`` holds; it leads to ``target`` (``None``: the rule makes a new object)."""

    name: str
    label: str
    sources: frozenset
    target: str | None
    who: Callable | None = None
    when: Callable | None = None
    automatic: bool = False
    # The permission a view asks before calling the service: the ``who`` part of the rule.
    perm: str = ""
    needs_comment: bool = False
    needs_password: bool = False
    button: str = "primary"
    # The button inside a transition's form (comment, password), told apart from the button that
    # opens the form: the panel never shows two alike.
    submit_label: str = ""
    confirm: str = ""
    done: str = ""  # what the user is told when it is done
    denied: str = ""  # told to someone the rule does not name
    refused: str = ""  # told when the object is not in a state the rule starts from
    not_now: str = ""  # told when ``when`` does not hold


class Table:
    """The transitions of one kind of object, read by the services and the views alike."""

    def __init__(self, state_field: str, rules: list[Rule]):
        self.state_field = state_field
        self.rules = {rule.name: rule for rule in rules}

    def __contains__(self, name):
        return name in self.rules

    def __getitem__(self, name) -> Rule:
        return self.rules[name]

    def state_of(self, obj):
        return getattr(obj, self.state_field)

    def leading_to(self, target) -> Rule | None:
        """The rule a user takes to reach ``target`` (a visa's decision, say)."""
        return next(
            (r for r in self.rules.values() if r.target == target and not r.automatic), None
        )

    # --- the two halves of a rule ------------------------------------------------------------
    def permits(self, name, user, obj) -> bool:
        """The role half: whether the rule names ``user`` for ``obj``, whatever its state."""
        rule = self.rules.get(name)
        if rule is None or rule.automatic or rule.who is None or obj is None:
            return False
        if roles.changes_nothing(user):
            return False
        return bool(rule.who(user, obj))

    def applies(self, name, obj) -> bool:
        """The state half: whether ``obj`` is where the rule starts and its condition holds."""
        rule = self.rules.get(name)
        if rule is None or obj is None or self.state_of(obj) not in rule.sources:
            return False
        return rule.when is None or bool(rule.when(obj))

    # --- asked by the views ------------------------------------------------------------------
    def allowed(self, name, user, obj) -> bool:
        """Both halves; the state first, which costs no query."""
        rule = self.rules.get(name)
        if rule is None or obj is None or self.state_of(obj) not in rule.sources:
            return False
        return self.permits(name, user, obj) and self.applies(name, obj)

    def available(self, user, obj) -> list[Rule]:
        """The transitions ``user`` may take on ``obj`` now: the buttons they see."""
        return [rule for name, rule in self.rules.items() if self.allowed(name, user, obj)]

    # --- asked by the services ----------------------------------------------------------------
    def check_who(self, name, user, obj) -> Rule:
        """The guard a service asks before it locks anything: ``PermissionDenied`` if the rule
        does not name ``user``. The state is asked under the lock (``check``): the caller's
        object may be older than the row."""
        rule = self.rules[name]
        if not self.permits(name, user, obj):
            raise PermissionDenied(rule.denied or _("Это действие вам не доступно."))
        return rule

    def check(self, name, user, obj) -> Rule:
        """Guard a transition taken by ``user`` on a locked ``obj``: ``PermissionDenied`` if the
        rule does not name them, ``PlanError`` (with what to tell them) if ``obj`` is not where
        it starts or the rule's condition does not hold."""
        return self._in_state(self.check_who(name, user, obj), obj)

    def follow(self, name, obj) -> Rule:
        """Guard an automatic transition, taken as the consequence of another change."""
        rule = self.rules[name]
        if not rule.automatic:
            raise PermissionDenied(_("Это действие вам не доступно."))
        return self._in_state(rule, obj)

    def _in_state(self, rule, obj) -> Rule:
        if self.state_of(obj) not in rule.sources:
            raise PlanError(rule.refused or self._refused(rule, obj))
        if rule.when is not None and not rule.when(obj):
            raise PlanError(rule.not_now or self._refused(rule, obj))
        return rule

    def _refused(self, rule, obj):
        display = getattr(obj, f"get_{self.state_field}_display", lambda: self.state_of(obj))
        return _("Действие «%(action)s» невозможно: план в состоянии «%(state)s».") % {
            "action": rule.label,
            "state": display(),
        }


# --- who: the roles of plans.roles, for the object each table is about --------------------------


def _admin_or(role):
    """``role`` for a revision's center, or the administrator."""

    def who(user, revision):
        return roles.is_superuser(user) or role(user, revision.plan.center)

    return who


def _may_return(user, center):
    return roles.manages_plan(user, center) or roles.is_approver(user, center)


def _drafts_for_hub(user, center):
    return can_draft_for(user, center.hub)


def _coordinator_of_visa(user, visa):
    return visa.school_id in roles.coordinated_school_ids(user)


def _manages_proposal(user, proposal):
    return roles.is_superuser(user) or roles.manages_plan(user, proposal.plan.center)


def _coordinator_of_proposal(user, proposal):
    return proposal.school_id in roles.coordinated_school_ids(user)


def _proposes_for_participant(user, proposal):
    return (
        _coordinator_of_proposal(user, proposal)
        and proposal.plan.center.participations.filter(school_id=proposal.school_id).exists()
    )


# --- when: conditions on the object beyond its state ---------------------------------------------


def _no_revision_in_work(revision):
    return not revision.plan.revisions.filter(state__in=IN_WORK).exists()


def every_school_agreed(revision) -> bool:
    """Every visa agrees, and with the revision's current content."""
    counts = revision.visas.aggregate(
        given=Count("pk"),
        agreeing=Count(
            "pk",
            filter=Q(decision__in=Visa.AGREEING, content_version=revision.content_version),
        ),
    )
    return counts["given"] > 0 and counts["agreeing"] == counts["given"]


def every_event_settled(revision) -> bool:
    """Every event of the revision has its report accepted or its cancellation recorded: the
    year-end report can say what became of each."""
    return (
        not Execution.objects.filter(line__revision=revision)
        .exclude(state__in=[E.ACCEPTED, E.CANCELLED])
        .exists()
    )


def _on_agreement(visa):
    return visa.revision.state == S.ON_AGREEMENT


def _plan_in_work(proposal):
    return proposal.plan.revisions.filter(state__in=IN_WORK).exists()


REVISION = Table(
    "state",
    [
        Rule(
            "submit",
            _("Отправить на согласование"),
            frozenset({S.DRAFT}),
            S.ON_AGREEMENT,
            who=_admin_or(roles.manages_plan),
            perm="plans.submit_revision",
            done=_("План отправлен на согласование: школы получили запрос."),
        ),
        Rule(
            "return",
            _("Вернуть на доработку"),
            frozenset({S.ON_AGREEMENT, S.AGREED}),
            S.DRAFT,
            who=_admin_or(_may_return),
            perm="plans.return_revision",
            needs_comment=True,
            submit_label=_("Вернуть с этим комментарием"),
            button="outline-secondary",
            done=_("План возвращён на доработку, замечания записаны."),
        ),
        Rule(
            "approve",
            _("Утвердить"),
            frozenset({S.AGREED}),
            S.APPROVED,
            who=_admin_or(roles.is_approver),
            when=every_school_agreed,
            perm="plans.approve_revision",
            needs_password=True,
            button="success",
            submit_label=_("Подписать и утвердить"),
            done=_("План утверждён: документ подписан, его PDF сохранён, участники уведомлены."),
            not_now=_("Не все школы согласовали текущую редакцию."),
        ),
        Rule(
            "amend",
            _("Внести изменения (новая редакция)"),
            frozenset({S.APPROVED}),
            None,
            who=_admin_or(roles.manages_plan),
            when=_no_revision_in_work,
            perm="plans.amend_revision",
            button="outline-primary",
            done=_("Начата новая редакция; утверждённая действует, пока не утверждена новая."),
            not_now=_("Новая редакция этого плана уже в работе."),
        ),
        Rule(
            "close",
            _("Закрыть план (итоги года)"),
            frozenset({S.APPROVED}),
            S.CLOSED,
            # Closing writes the hub's year-end report: who drafts the hub's documents.
            who=_admin_or(_drafts_for_hub),
            when=every_event_settled,
            not_now=_(
                "Закрыть план можно, когда по каждому мероприятию принят отчёт или записана отмена."
            ),
            perm="plans.close_revision",
            needs_comment=True,
            submit_label=_("Закрыть с этим комментарием"),
            button="outline-dark",
            confirm=_("Закрыть план? После этого он только для чтения."),
            done=_("План закрыт."),
        ),
        Rule(
            "agreed",
            _("Согласован всеми школами"),
            frozenset({S.ON_AGREEMENT}),
            S.AGREED,
            when=every_school_agreed,
            automatic=True,
        ),
        Rule(
            "reagree",
            _("Изменён после согласования"),
            frozenset({S.AGREED}),
            S.ON_AGREEMENT,
            automatic=True,
        ),
        Rule(
            "superseded",
            _("Заменён новой редакцией"),
            frozenset({S.APPROVED}),
            S.SUPERSEDED,
            automatic=True,
        ),
    ],
)

DECIDED = frozenset({D.AGREED, D.AGREED_WITH_REMARKS, D.OBJECTED})

VISA = Table(
    "decision",
    [
        # A school may change its decision while the plan is on agreement.
        Rule(
            name,
            label,
            frozenset({D.PENDING, *DECIDED}),
            target,
            who=_coordinator_of_visa,
            when=_on_agreement,
            perm="plans.give_visa",
            needs_comment=needs_comment,
            denied=_("Визу школы даёт её представитель."),
            refused=_("План сейчас не на согласовании."),
            not_now=_("План сейчас не на согласовании."),
        )
        for name, label, target, needs_comment in [
            ("agree", _("Согласовать"), D.AGREED, False),
            ("agree_with_remarks", _("Согласовать с замечаниями"), D.AGREED_WITH_REMARKS, True),
            ("object", _("Отклонить"), D.OBJECTED, True),
        ]
    ]
    + [
        Rule(
            "reset",
            _("Запросить решение заново"),
            DECIDED,
            D.PENDING,
            automatic=True,
        ),
    ],
)

_DECIDE = dict(
    sources=frozenset({P.SUBMITTED}),
    who=_manages_proposal,
    perm="plans.decide_proposal",
    denied=_("О предложениях решает руководитель центра."),
    refused=_("Решение по этому предложению уже принято."),
)

PROPOSAL = Table(
    "state",
    [
        Rule(
            "submit",
            _("Предложить мероприятие"),
            frozenset({NEW}),
            P.SUBMITTED,
            who=_proposes_for_participant,
            when=_plan_in_work,
            denied=_("Предлагать мероприятия может представитель школы-участника."),
            not_now=_("Сейчас нет проекта плана, в который можно предложить мероприятие."),
        ),
        Rule(
            "accept",
            _("Принять в план"),
            target=P.ACCEPTED,
            when=_plan_in_work,
            not_now=_("Нет проекта плана, в который можно включить мероприятие."),
            **_DECIDE,
        ),
        Rule("return", _("Вернуть на доработку"), target=P.RETURNED, needs_comment=True, **_DECIDE),
        Rule("decline", _("Отклонить"), target=P.DECLINED, needs_comment=True, **_DECIDE),
        Rule(
            "withdraw",
            _("Отозвать"),
            frozenset({P.SUBMITTED, P.RETURNED}),
            P.WITHDRAWN,
            who=_coordinator_of_proposal,
            perm="plans.withdraw_proposal",
            denied=_("Отозвать предложение может только его школа."),
            refused=_("Это предложение уже нельзя отозвать."),
        ),
        Rule(
            "resubmit",
            _("Доработать и отправить снова"),
            frozenset({P.RETURNED}),
            P.SUBMITTED,
            who=_coordinator_of_proposal,
            perm="plans.change_proposal",
            denied=_("Дорабатывает предложение его школа."),
            refused=_("Дорабатывать можно только возвращённое предложение."),
        ),
    ],
)


def _manages_execution(user, execution):
    return roles.is_superuser(user) or roles.manages_plan(user, execution.plan.center)


def reports_event(user, execution) -> bool:
    """Who files an event's report (and postpones it): a person responsible for the line, the
    coordinator of its venue school, the center head or the department."""
    if _manages_execution(user, execution):
        return True
    line = execution.line
    if line.venue_id is not None and line.venue_id in roles.coordinated_school_ids(user):
        return True
    return any(person.user_id == user.pk for person in line.responsible.all())


def _plan_in_force(execution):
    """Execution is recorded against the revision in force; a closed plan is read-only."""
    return execution.line.revision.state == S.APPROVED


# A report's files change while it can still be corrected: not once it is accepted.
FILES_OPEN = frozenset({E.PLANNED, E.POSTPONED, E.REPORTED, E.RETURNED})


def files_open(execution) -> bool:
    """Whether an event's evidence files may change now (the services and the rule ask this)."""
    return execution.state in FILES_OPEN and _plan_in_force(execution)


_EXECUTION = dict(
    when=_plan_in_force, not_now=_("План закрыт или заменён: исполнение не меняется.")
)

EXECUTION = Table(
    "state",
    [
        Rule(
            "report",
            _("Отчитаться о проведении"),
            frozenset({E.PLANNED, E.POSTPONED, E.RETURNED}),
            E.REPORTED,
            who=reports_event,
            perm="plans.report_execution",
            button="success",
            denied=_(
                "Отчёт подаёт ответственный за мероприятие или координатор школы, где оно проходит."
            ),
            refused=_("Отчёт уже подан."),
            done=_("Отчёт подан: руководитель центра его рассмотрит."),
            **_EXECUTION,
        ),
        Rule(
            "postpone",
            _("Перенести"),
            frozenset({E.PLANNED, E.POSTPONED}),
            E.POSTPONED,
            who=reports_event,
            perm="plans.postpone_execution",
            needs_comment=True,
            # outline-warning's yellow on white fails the contrast check (axe).
            button="outline-primary",
            denied=_("Перенести мероприятие может ответственный за него или руководитель центра."),
            refused=_("Проведённое или отменённое мероприятие не переносится."),
            done=_("Мероприятие перенесено."),
            **_EXECUTION,
        ),
        Rule(
            "cancel",
            _("Отменить"),
            frozenset({E.PLANNED, E.POSTPONED}),
            E.CANCELLED,
            who=_manages_execution,
            perm="plans.cancel_execution",
            needs_comment=True,
            submit_label=_("Отменить с этой причиной"),
            button="outline-danger",
            confirm=_("Отменить мероприятие? Отмену нельзя вернуть."),
            denied=_("Отменяет мероприятие руководитель центра."),
            refused=_("Проведённое или отменённое мероприятие не отменяется."),
            done=_("Мероприятие отменено."),
            **_EXECUTION,
        ),
        Rule(
            "accept",
            _("Принять отчёт"),
            frozenset({E.REPORTED}),
            E.ACCEPTED,
            who=_manages_execution,
            perm="plans.decide_execution",
            button="success",
            denied=_("Отчёт принимает руководитель центра."),
            refused=_("Отчёт сейчас не на проверке."),
            done=_("Отчёт принят."),
            **_EXECUTION,
        ),
        Rule(
            "return",
            _("Вернуть отчёт на доработку"),
            frozenset({E.REPORTED}),
            E.RETURNED,
            who=_manages_execution,
            perm="plans.decide_execution",
            needs_comment=True,
            submit_label=_("Вернуть с этими замечаниями"),
            button="outline-secondary",
            denied=_("Отчёт возвращает руководитель центра."),
            refused=_("Отчёт сейчас не на проверке."),
            done=_("Отчёт возвращён: подавший его получил замечания."),
            **_EXECUTION,
        ),
    ],
)


def available_transitions(user, revision: Revision) -> list[Rule]:
    """The buttons of the plan page: the revision's transitions ``user`` may take now."""
    return REVISION.available(user, revision)
