"""Action permissions of the center's app (``user.has_perm(name, obj)``); deny by default.

Visibility is decided by the ``visible_to`` querysets: these predicates are only asked about
objects the user can already see. The service functions check the same conditions again.
"""

import rules

from schools.access import Role, get_access

from .models.centers import is_hub_director
from .models.documents import can_draft_for


@rules.predicate
def may_draft_for_issuer(user, document):
    return document is not None and can_draft_for(user, document.issuer)


@rules.predicate
def is_draft(user, document):
    return document is not None and document.is_draft and not document.root.is_signed


@rules.predicate
def is_root(user, document):
    return document is not None and document.parent_id is None


@rules.predicate
def is_signatory(user, document):
    return (
        document is not None
        and document.signatory_id is not None
        and document.signatory.user_id == user.pk
    )


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


rules.add_perm("network_center.change_document", may_draft_for_issuer & is_draft)
rules.add_perm("network_center.sign_document", is_draft & is_root & is_signatory)
rules.add_perm("network_center.register_document", may_draft_for_issuer & is_draft & is_root)
rules.add_perm("network_center.change_center", is_department_of_center)
rules.add_perm("network_center.manage_working_group", is_hub_director_of_center)
rules.add_perm("network_center.add_center", is_department_of_municipality)
