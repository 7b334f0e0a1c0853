"""Action permissions on legal documents (``user.has_perm(name, document)``); deny by default.

Visibility is decided by ``LegalDocument.objects.visible_to``: these predicates are only asked
about documents the user can already see. The services check the same conditions again.
"""

import rules
from django.utils import timezone

from .models import can_draft_for, can_register_for


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
    """The act names a signing right of its issuer, in force today, held by this user."""
    right = document.signing_right if document is not None and document.signing_right_id else None
    return (
        right is not None
        and right.organisation_id == document.issuer_id
        and right.person.user_id == user.pk
        and right.in_force_on(timezone.localdate())
    )


@rules.predicate
def may_register_for_issuer(user, document):
    return document is not None and can_register_for(user, document.issuer)


@rules.predicate
def manages_signing_rights(user, organisation):
    from .services import can_manage_signing_rights

    return organisation is not None and can_manage_signing_rights(user, organisation)


rules.add_perm("documents.change_document", may_draft_for_issuer & is_draft)
# Asked of the organisation whose rights are kept (the department of its municipality).
rules.add_perm("documents.manage_signing_rights", manages_signing_rights)
rules.add_perm("documents.sign_document", is_draft & is_root & is_signatory)
rules.add_perm("documents.register_document", may_register_for_issuer & is_draft & is_root)
