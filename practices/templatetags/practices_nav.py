"""The navbar's question «may this user see the practice bank?», asked of the rules directly
(``schools.permissions.can``): ``user.has_perm`` would first ask Django's model backend, two
queries on every page for everyone the rule refuses."""

from django import template

from schools.permissions import can

register = template.Library()


@register.simple_tag
def sees_practices(user):
    return can(user, "practices.view_bank")
