"""Turning a service's refusal into form errors, shared by every app's views."""

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext


def add_service_error(form, exc):
    """Put a refusal of a service function on the form: field errors on their fields, the rest
    (and anything naming a field the form does not show) above the form."""
    if isinstance(exc, PermissionDenied):
        form.add_error(None, str(exc) or gettext("У вас нет прав на это действие."))
        return
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)
