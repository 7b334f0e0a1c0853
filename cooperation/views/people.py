"""A person's page: the mentoring pairs and interaction groups they are in."""

from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.shortcuts import render

from schools.caching import cached_page

from ..models import InteractionGroup, MentoringPair
from .common import get_person_for_user
from .mentoring import pair_rows


@login_required
@cached_page
def person_detail(request, pk):
    """Visible to whoever sees the person's organisation; lists only the pairs and groups the
    user sees (a school's coordinator does not read another school's pairs here either)."""
    person = get_person_for_user(request.user, pk)
    pairs = pair_rows(
        MentoringPair.objects.visible_to(request.user)
        .filter(Q(mentor=person) | Q(mentee=person))
        .select_related("center")
    )
    groups = (
        InteractionGroup.objects.visible_to(request.user)
        .filter(pk__in=person.interaction_group_memberships.values("group_id"))
        .select_related("center", "coordinator")
        .order_by("name", "pk")
    )
    roles = dict(person.interaction_group_memberships.values_list("group_id", "role"))
    groups = list(groups)
    for group in groups:
        group.person_role = roles.get(group.pk, "")
    return render(
        request,
        "cooperation/person_detail.html",
        {"person": person, "pairs": list(pairs), "groups": groups},
    )
