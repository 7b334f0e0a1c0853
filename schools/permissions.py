"""The one way a view asks whether a user may do something: ``require(user, perm, obj)``.

Objects are first loaded through their model's ``visible_to(user)`` (out of scope → 404); then the
action is asked of the predicates in the apps' ``rules.py`` (refused → 403). ``can`` asks the
predicates directly: Django's ``user.has_perm`` would grant a superuser anything, even what a
predicate denies by state (a signed act cannot be edited by anyone). Templates receive the
answers of ``can`` from their views; they never decide.

Refusals are logged with the user, address and URL by ``network_center.views.permission_denied``
(the project's 403 handler), so every refusal — from here or from a service — is on record.
"""

import rules
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _


def can(user, perm: str, obj=None) -> bool:
    """Whether the rules grant ``perm`` on ``obj`` to ``user`` (deny by default)."""
    return rules.has_perm(perm, user, obj)


def require(user, perm: str, obj=None, message: str | None = None) -> None:
    """Raise ``PermissionDenied`` (403) with a Russian ``message`` unless the rules grant it."""
    if not can(user, perm, obj):
        raise PermissionDenied(message or _("У вас нет прав на это действие."))
