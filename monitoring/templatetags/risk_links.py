"""The school page's link to the school's risk profile, shown only when the rule allows
(``monitoring.view_risk_profile``): the schools app knows no monitoring, so the link is asked
here. No query: the rule reads the user's memberships and the school's own columns."""

from django import template
from django.urls import reverse
from django.utils import timezone

from schools.permissions import can

from ..risks import current_year

register = template.Library()


@register.simple_tag
def risk_profile_url(user, school):
    """The address of the school's profile of the current academic year, or ``""``."""
    if not can(user, "monitoring.view_risk_profile", school):
        return ""
    return reverse("monitoring:risk_profile", args=[school.pk, current_year(timezone.localdate())])
