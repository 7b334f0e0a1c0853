"""Who may do what with plans, revisions, lines, visas and proposals: the permissions the views
ask through ``schools.permissions.require`` / ``can`` and the services ask again; anything not
granted here is refused (deny by default).

Visibility is decided by the ``visible_to`` querysets: these predicates are only asked about
objects the user can already see. A transition's permission is the role half of its rule in the
tables of ``plans.workflow``: the view refuses someone the rule does not name (403) and leaves
the state half to the service, which tells a person who may take the transition why it cannot be
taken now. Lines have no states of their own: who edits them depends on the revision's.

=========================  ==========  ==================================================
permission                 object      granted to
=========================  ==========  ==================================================
plans.add_plan             Center      the center head, the department, the administrator
plans.submit_revision      Revision    the center head, the department, the administrator
plans.return_revision      Revision    … and the center's plan approver
plans.approve_revision     Revision    the center's plan approver, the administrator
plans.amend_revision       Revision    the center head, the department, the administrator
plans.close_revision       Revision    the center head, the department, the administrator
plans.add_line             Revision    who manages the plan, while the revision is in work
plans.change_line          Line        … and a working-group member responsible for the line
plans.delete_line          Line        who manages the plan, while the revision is in work
plans.give_visa            Visa        the coordinator of the visa's school
plans.add_proposal         Plan        the coordinator of a participant school
plans.decide_proposal      Proposal    who manages the plan (accept, decline, return)
plans.withdraw_proposal    Proposal    the coordinator of the proposing school
plans.change_proposal      Proposal    the coordinator of the proposing school (resubmit)
plans.report_execution     Execution   a person responsible for the line, the coordinator of
                                       its venue, the center head, the department
plans.postpone_execution   Execution   … the same
plans.cancel_execution     Execution   the center head, the department, the administrator
plans.decide_execution     Execution   … the same (accept or return a report)
plans.change_evidence      Execution   who reports it, while its report is not accepted
plans.add_feed             Feed        its owner, for a school they belong to, their own
                                       person, a center they see (an observer too: a
                                       calendar feed changes nothing of the plans)
plans.revoke_feed          Feed        its owner
plans.view_overdue         Center      who sees every event of the center: its hub's staff,
                                       the department, the РМК, the region's observer, the
                                       administrator (not a participant school)
=========================  ==========  ==================================================

Who sees an event's execution, its report and its files is ``Execution.objects.visible_to``:
the center's staff, the municipality and the region, and a school only for its own events.

A regional observer is granted nothing that changes the plans (a calendar feed of their own and
the overdue lists are reads).
"""

import rules

from . import roles
from .workflow import EXECUTION, PROPOSAL, REVISION, VISA, files_open


@rules.predicate
def changes_something(user):
    return not roles.changes_nothing(user)


@rules.predicate
def is_administrator(user):
    return roles.is_superuser(user)


@rules.predicate
def manages_center(user, center):
    return center is not None and roles.manages_plan(user, center)


@rules.predicate
def manages_revision(user, revision):
    return revision is not None and roles.manages_plan(user, revision.plan.center)


@rules.predicate
def revision_in_work(user, revision):
    return revision is not None and revision.is_editable


@rules.predicate
def manages_line(user, line):
    return line is not None and roles.manages_plan(user, line.revision.plan.center)


@rules.predicate
def line_in_work(user, line):
    return line is not None and line.revision.is_editable


@rules.predicate
def is_responsible_for_line(user, line):
    """A working-group member edits the lines they are responsible for."""
    return (
        line is not None
        and roles.is_working_group_member(user)
        and any(person.user_id == user.pk for person in line.responsible.all())
    )


def proposing_schools(user, plan) -> list:
    """The participant schools of the plan's center for which ``user`` proposes events (the
    schools they coordinate); no query for someone who coordinates none."""
    coordinated = roles.coordinated_school_ids(user)
    if plan is None or not coordinated:
        return []
    participations = plan.center.participations.filter(school_id__in=coordinated)
    return [p.school for p in participations.select_related("school").order_by("school__pk")]


@rules.predicate
def coordinates_participant(user, plan):
    return bool(proposing_schools(user, plan))


def _transition(table, name):
    """The role half of a table's rule as a predicate of (user, object)."""

    @rules.predicate(name=f"{name} by its rule")
    def permitted(user, obj):
        return table.permits(name, user, obj)

    return permitted


rules.add_perm("plans.add_plan", changes_something & (is_administrator | manages_center))

for _name in ("submit", "return", "approve", "amend", "close"):
    rules.add_perm(REVISION[_name].perm, _transition(REVISION, _name))

# Every decision on a visa names the same people; so does every decision on a proposal.
rules.add_perm("plans.give_visa", _transition(VISA, "agree"))
rules.add_perm("plans.decide_proposal", _transition(PROPOSAL, "accept"))
rules.add_perm("plans.withdraw_proposal", _transition(PROPOSAL, "withdraw"))
rules.add_perm("plans.change_proposal", _transition(PROPOSAL, "resubmit"))
rules.add_perm("plans.add_proposal", changes_something & coordinates_participant)

for _name, _perm in [
    ("report", "plans.report_execution"),
    ("postpone", "plans.postpone_execution"),
    ("cancel", "plans.cancel_execution"),
    ("accept", "plans.decide_execution"),
]:
    rules.add_perm(_perm, _transition(EXECUTION, _name))


@rules.predicate
def evidence_open(user, execution):
    """A report's files change until it is accepted, while the plan is in force."""
    return execution is not None and files_open(execution)


rules.add_perm(
    "plans.change_evidence",
    changes_something & evidence_open & _transition(EXECUTION, "report"),
)

edits_every_line = changes_something & revision_in_work & (is_administrator | manages_revision)
rules.add_perm("plans.add_line", edits_every_line)
rules.add_perm(
    "plans.change_line",
    changes_something & line_in_work & (is_administrator | manages_line | is_responsible_for_line),
)
rules.add_perm(
    "plans.delete_line", changes_something & line_in_work & (is_administrator | manages_line)
)


def line_editing(user, revision) -> str:
    """Which lines of ``revision`` the user may edit — ``"all"``, ``"responsible"`` (a
    working-group member: the lines they are responsible for, ``plans.change_line`` tells which)
    or ``""`` (none). The plan page caches its rows by this."""
    if edits_every_line(user, revision):
        return "all"
    if changes_something(user) and revision.is_editable and roles.is_working_group_member(user):
        return "responsible"
    return ""


# --- calendar, feeds, overdue ---------------------------------------------------------------------


@rules.predicate
def may_subscribe(user, feed):
    """A feed's subject is the user's to subscribe to (``plans.feeds.may_subscribe``)."""
    from .feeds import may_subscribe as subscribes

    return feed is not None and subscribes(user, feed)


@rules.predicate
def owns_feed(user, feed):
    return feed is not None and user is not None and feed.owner_id == user.pk


@rules.predicate
def sees_center_network(user, center):
    """Who sees every event of the center (``Execution.visible_to``'s network): anyone of its
    hub, the municipality as a whole, the region's observer, the administrator."""
    from schools.access import get_access

    if center is None:
        return False
    access = get_access(user)
    return (
        access.is_superuser
        or center.hub_id in access.organisation_ids()
        or center.municipality_id in access.full_municipality_ids
        or center.municipality.region_id in access.observed_region_ids
    )


rules.add_perm("plans.add_feed", may_subscribe)
rules.add_perm("plans.revoke_feed", owns_feed)
rules.add_perm("plans.view_overdue", sees_center_network)
