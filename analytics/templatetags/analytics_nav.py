"""The navbar's question «may this user read the effectiveness of something?», asked of the
rules directly (``schools.permissions.can``), as ``monitoring_nav`` does."""

from django import template

from schools.permissions import can

register = template.Library()


@register.simple_tag
def sees_analytics(user):
    return can(user, "analytics.view_any")
