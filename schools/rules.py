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


# --- the resources a school offers to the network (``schools.resources``) ---------------------
#
# =========================  ============  ===============================================
# permission                 object        granted to
# =========================  ============  ===============================================
# schools.add_resource       Organisation  the school's coordinator and its director
# schools.change_resource    Resource      … and the department of its municipality
# schools.delete_resource    Resource      the school's coordinator and its director
# =========================  ============  ===============================================
#
# Each school enters its resources for itself; the department corrects what a school entered
# but does not offer a school's teachers or rooms in its name. Everyone else who sees a
# resource (``Resource.objects.visible_to``) only reads it.

# The memberships that speak for a school: its coordinator in the network, its director.
SCHOOL_ROLES = (Role.COORDINATOR, Role.HUB_DIRECTOR)


@rules.predicate
def speaks_for_school(user, school):
    """The school's coordinator or director: a membership in a school role, or the person the
    school's card names as its head (``school.head`` — select it with the school)."""
    if school is None or not school.is_school or not user.is_authenticated:
        return False
    if school.pk in get_access(user).organisation_ids(*SCHOOL_ROLES):
        return True
    return school.head_id is not None and school.head.user_id == user.pk


@rules.predicate
def speaks_for_resource_school(user, resource):
    return resource is not None and speaks_for_school(user, resource.school)


@rules.predicate
def is_department_of_resource(user, resource):
    return resource is not None and is_department_of_organisation(user, resource.school)


rules.add_perm("schools.add_resource", speaks_for_school)
rules.add_perm("schools.change_resource", speaks_for_resource_school | is_department_of_resource)
rules.add_perm("schools.delete_resource", speaks_for_resource_school)
