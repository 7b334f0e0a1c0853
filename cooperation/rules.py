"""Who may do what with mentoring pairs, their meetings and interaction groups: the permissions
the views ask through ``schools.permissions.require`` / ``can`` and the services ask again;
anything not granted here is refused (deny by default).

Visibility is decided by the ``visible_to`` querysets of ``cooperation.models`` (out of scope →
404): these predicates are only asked about objects the user already sees. Who sees:

- the center's staff — the hub's director, the center head, the working-group members (by the
  role «член рабочей группы») — the department and the РМК of the municipality, the regional
  observer: every pair and group of the center;
- a participant school's coordinator: the pairs whose mentee or mentor is of that school, the
  groups with a member of that school; the mentor and the mentee themselves (their login): their
  own pairs and groups.

=========================  =============  ==========================================================
permission                 object         granted to
=========================  =============  ==========================================================
cooperation.add_pair       Center         the center head, the hub director, the department, the
                                          administrator; the center active
cooperation.change_pair    MentoringPair  … the same, while the pair is active
cooperation.finish_pair    MentoringPair  … the same (complete with results, stop with a reason);
                                          the state is the service's to check: a pair already
                                          finished is told so
cooperation.add_meeting    MentoringPair  the mentor (the person's login), the center head, the
                                          coordinator of the mentee's school, the administrator;
                                          while the pair is active
cooperation.add_group      Center         the center head, the hub director, the department, the
                                          administrator; the center active
cooperation.change_group   Group          … the same for the group's center (its card, its
                                          members)
=========================  =============  ==========================================================

A school's coordinator adding a meeting: **yes, for a pair whose mentee is of that school** —
the coordinator reports the school's staff's participation (SPEC §2), and the mentor of a hub
teacher is often met at the mentee's school (an open lesson, a visit); the entry names who
recorded it. Not for a pair where only the mentor is of that school: the mentor records those.
The methodologist (РМК) supports and reads; the working-group member reads, and records
meetings only as a mentor. A regional observer is granted nothing.
"""

import rules

from network_center.centers.models import Center
from plans import roles
from schools.access import Role, get_access


@rules.predicate
def changes_something(user):
    """Signed in and not only a regional observer. Unlike ``plans.roles.changes_nothing``, a
    login without any role is not read-only here: a teacher's own login records the meetings
    of the pair they mentor, and nothing else the rules below name."""
    if user is None or not user.is_authenticated:
        return False
    access = get_access(user)
    return access.is_superuser or not (access.roles and access.roles <= {Role.OBSERVER})


@rules.predicate
def is_administrator(user):
    return roles.is_superuser(user)


def manages(user, center) -> bool:
    """The center head, the hub's director or the department of the center's municipality."""
    return (
        roles.is_center_head(user, center)
        or roles.is_hub_director(user, center)
        or roles.is_department(user, center)
    )


def _center_active(center) -> bool:
    return center.status == Center.Status.ACTIVE


@rules.predicate
def center_active(user, center):
    return center is not None and _center_active(center)


@rules.predicate
def manages_center(user, center):
    return center is not None and manages(user, center)


@rules.predicate
def of_active_center(user, obj):
    return obj is not None and _center_active(obj.center)


@rules.predicate
def manages_its_center(user, obj):
    """For a pair or a group: manages the center it belongs to."""
    return obj is not None and manages(user, obj.center)


@rules.predicate
def pair_active(user, pair):
    return pair is not None and pair.is_active


@rules.predicate
def is_mentor(user, pair):
    return pair is not None and pair.mentor.user_id is not None and pair.mentor.user_id == user.pk


@rules.predicate
def heads_pairs_center(user, pair):
    return pair is not None and roles.is_center_head(user, pair.center)


@rules.predicate
def coordinates_mentee_school(user, pair):
    return pair is not None and pair.mentee.organisation_id in roles.coordinated_school_ids(user)


manages_now = changes_something & center_active & (is_administrator | manages_center)
rules.add_perm("cooperation.add_pair", manages_now)
rules.add_perm("cooperation.add_group", manages_now)

manages_its = changes_something & of_active_center & (is_administrator | manages_its_center)
rules.add_perm("cooperation.change_pair", manages_its & pair_active)
rules.add_perm("cooperation.finish_pair", manages_its)
rules.add_perm("cooperation.change_group", manages_its)
rules.add_perm(
    "cooperation.add_meeting",
    changes_something
    & of_active_center
    & pair_active
    & (is_administrator | is_mentor | heads_pairs_center | coordinates_mentee_school),
)
