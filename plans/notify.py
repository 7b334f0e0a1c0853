"""Who hears of what happens to a plan: the recipients of each kind of event.

Delivery (the in-app row and the e-mail) is the notifications app's; this module only names the
people of a center's network concerned by an event.
"""

from network_center.centers.models import Center
from network_center.notifications.services import notify  # noqa: F401 - the plan's services call it here
from schools.models import Membership

Role = Membership.Role


def users_with_role(role, organisation_ids):
    return list(
        Membership.objects.filter(role=role, organisation_id__in=organisation_ids).values_list(
            "user_id", flat=True
        )
    )


def center_heads(center: Center):
    ids = set(users_with_role(Role.CENTER_HEAD, [center.hub_id]))
    if center.head_id and center.head.user_id:
        ids.add(center.head.user_id)
    return ids


def coordinators(school_ids):
    return set(users_with_role(Role.COORDINATOR, school_ids))


def approvers(center: Center):
    if center.plan_approver == Center.Approver.HUB_DIRECTOR:
        return set(users_with_role(Role.HUB_DIRECTOR, [center.hub_id]))
    return set(
        Membership.objects.filter(
            role=Role.DEPARTMENT, organisation__municipality_id=center.municipality_id
        ).values_list("user_id", flat=True)
    )


def network(center: Center):
    """Everyone in the network: hub staff, participant coordinators, working group, the
    department and the methodologists of the municipality."""
    school_ids = list(center.participations.values_list("school_id", flat=True))
    ids = set(
        Membership.objects.filter(organisation_id__in=[center.hub_id, *school_ids]).values_list(
            "user_id", flat=True
        )
    )
    ids |= set(
        Membership.objects.filter(
            role__in=[Role.DEPARTMENT, Role.METHODOLOGIST],
            organisation__municipality_id=center.municipality_id,
        ).values_list("user_id", flat=True)
    )
    ids |= set(
        center.compositions.filter(status="in_force")
        .exclude(members__person__user=None)
        .values_list("members__person__user_id", flat=True)
    )
    return ids
