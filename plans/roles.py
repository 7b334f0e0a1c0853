"""Who a user is to a center's plan: facts read from the user's memberships, no state.

What each of them may do is decided elsewhere, from these facts: the transition tables of
``plans.workflow`` (who takes which transition from which state) and the predicates of
``plans.rules`` (the permissions the views and the services ask).
"""

from network_center.centers.models import Center
from network_center.documents.models import signing_organisations
from schools.access import Role, get_access
from schools.models import Organisation


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
    """The center's plan approver: the department (the default) or the hub director — and,
    of them, only whoever holds today the right to sign for the approving organisation (its
    head, an acting head): the approval is signed."""
    signs_for = signing_organisations(user)
    if center.plan_approver == Center.Approver.HUB_DIRECTOR:
        return is_hub_director(user, center) and center.hub_id in signs_for
    return is_department(user, center) and any(
        kind == Organisation.Kind.DEPARTMENT and municipality_id == center.municipality_id
        for kind, municipality_id in signs_for.values()
    )


def manages_plan(user, center: Center) -> bool:
    """The center head or the department: who drafts, submits, returns, amends and closes, and
    decides on the schools' proposals."""
    return is_center_head(user, center) or is_department(user, center)


def coordinated_school_ids(user) -> set[int]:
    """The schools whose coordinator the user is: they give those schools' visas and proposals."""
    return get_access(user).organisation_ids(Role.COORDINATOR)


def is_working_group_member(user) -> bool:
    return get_access(user).has_role(Role.WG_MEMBER)


def is_superuser(user) -> bool:
    return get_access(user).is_superuser


def changes_nothing(user) -> bool:
    """Anonymous, or a regional observer: reads and changes nothing."""
    if user is None or not user.is_authenticated:
        return True
    return get_access(user).is_read_only
