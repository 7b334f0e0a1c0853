"""Action permissions on centers and working groups (``user.has_perm(name, obj)``); deny by
default. Visibility is decided by the ``visible_to`` querysets: these predicates are only asked
about objects the user can already see. The services check the same conditions again.
"""

import rules

from schools.access import Role, get_access

from .models import is_hub_director


@rules.predicate
def is_department_of_center(user, center):
    access = get_access(user)
    return center is not None and (
        access.is_superuser or center.municipality_id in access.municipality_ids(Role.DEPARTMENT)
    )


@rules.predicate
def is_hub_director_of_center(user, center):
    return center is not None and is_hub_director(user, center)


@rules.predicate
def is_department_of_municipality(user, municipality_id):
    access = get_access(user)
    return access.is_superuser or municipality_id in access.municipality_ids(Role.DEPARTMENT)


rules.add_perm("centers.change_center", is_department_of_center)
rules.add_perm("centers.manage_working_group", is_hub_director_of_center)
rules.add_perm("centers.add_center", is_department_of_municipality)
