"""The refusals of the plans app that carry a message for the user (``ValidationError``s: a view
puts them on its form or in a message). A refusal by role is Django's ``PermissionDenied``."""

from django.core.exceptions import ValidationError


class PlanError(ValidationError):
    """A refused change, with a message for the user."""


class LineConflict(PlanError):
    """The line was saved by someone else after this editor opened it."""
