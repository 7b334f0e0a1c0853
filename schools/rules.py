"""Action permissions of the schools app (``user.has_perm(name, obj)``).

Visibility is decided by ``visible_to`` querysets; these predicates decide what a user who can
see an object may do with it. Anything not granted here is refused (deny by default).
"""

import rules

from .access import Role, get_access
from .models import Person


@rules.predicate
def is_department_of_organisation(user, organisation):
    if organisation is None:
        return False
    access = get_access(user)
    return access.is_superuser or organisation.municipality_id in access.municipality_ids(
        Role.DEPARTMENT
    )


@rules.predicate
def is_department_of_person(user, person):
    return person is not None and is_department_of_organisation(user, person.organisation)


rules.add_perm("schools.change_organisation", is_department_of_organisation)
# Asked of the organisation about to be created (its municipality is set).
rules.add_perm("schools.add_organisation", is_department_of_organisation)
rules.add_perm("schools.change_person", is_department_of_person)


@rules.predicate
def has_own_person(user):
    """A signed-in user with a card of their own (a login of the administrator has none)."""
    return bool(user and user.is_authenticated) and Person.objects.filter(user=user).exists()


# Asked without an object: a user chooses the language of their own pages only.
rules.add_perm("schools.change_own_language", has_own_person)
