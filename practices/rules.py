"""Who may do what with the practice bank: the permissions the views and the template tags ask
through ``schools.permissions.require`` / ``can`` and the services ask again; anything not
granted here is refused (deny by default).

Visibility is ``Practice.objects.visible_to`` (out of scope → 404): everyone of a municipality
reads its bank, the regional observer its region's. These predicates decide who changes it.

==========================  ===========  ==================================================
permission                  object       granted to
==========================  ===========  ==================================================
practices.view_bank         —            whoever may see some practice: anyone holding a
                                         role in a municipality, the regional observer,
                                         the administrator (the navbar's «Банк практик»)
practices.mark_practice     Practice     the department of the practice's municipality,
                            (unsaved)    the administrator — asked of the practice about to
                                         be made (``services.practice_for``), whose
                                         municipality is the event's or the resource's
practices.withdraw_practice Practice     … the same, of the practice's municipality
==========================  ===========  ==================================================

The state half — an event held with its report accepted, a thing not recommended already, a
recommendation still standing — is the services' to check and to explain
(``services.refusal``). The РМК, the centers, the schools and the regional observer read.
"""

import rules

from schools.access import Role, get_access


@rules.predicate
def changes_something(user):
    """Signed in and not only a regional observer."""
    if user is None or not user.is_authenticated:
        return False
    return not get_access(user).is_read_only


@rules.predicate
def is_administrator(user):
    return user is not None and get_access(user).is_superuser


@rules.predicate
def is_practice_department(user, practice):
    """The department of the municipality the practice is (or is to be) recorded in."""
    return practice is not None and practice.municipality_id in get_access(user).municipality_ids(
        Role.DEPARTMENT
    )


@rules.predicate
def sees_some_practice(user):
    if user is None or not user.is_authenticated:
        return False
    access = get_access(user)
    return access.is_superuser or bool(access.municipality_ids() or access.observed_region_ids)


decides = changes_something & (is_administrator | is_practice_department)

rules.add_perm("practices.view_bank", sees_some_practice)
rules.add_perm("practices.mark_practice", decides)
rules.add_perm("practices.withdraw_practice", decides)
