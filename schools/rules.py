"""Action permissions of the schools app (``user.has_perm(name, obj)``).

Visibility is decided by ``visible_to`` querysets; these predicates decide what a user who can
see an object may do with it. Anything not granted here is refused (deny by default).
"""

import rules

from .access import Role, get_access


@rules.predicate
def is_department_of_organisation(user, organisation):
    if organisation is None:
        return False
    access = get_access(user)
    return access.is_superuser or organisation.municipality_id in access.municipality_ids(
        Role.DEPARTMENT
    )


rules.add_perm("schools.change_organisation", is_department_of_organisation)
