"""The navbar's question «may this user see any campaign?», asked of the rules directly
(``schools.permissions.can``): ``user.has_perm`` would first ask Django's model backend, two
queries on every page for everyone the rule refuses."""

from django import template

from schools.permissions import can

register = template.Library()


@register.simple_tag
def sees_monitoring(user):
    return can(user, "monitoring.view_campaigns")


@register.simple_tag
def identification_municipalities(user):
    """The municipalities whose identification page opens for the user (its department and
    РМК, the regional observer's region, the administrator): the links the campaign list
    shows. Of the same scope as the page itself, so every link drawn opens."""
    from monitoring.models import municipalities_seen_whole

    return list(municipalities_seen_whole(user).order_by("name").only("pk", "name"))
