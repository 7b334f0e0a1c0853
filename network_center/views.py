"""Project-level pages: the home page of each role."""

from collections import defaultdict

from django.contrib.auth.decorators import login_required
from django.db.models import Count, Max, OuterRef, Q, Subquery
from django.shortcuts import render

from schools.access import Role, get_access
from schools.models import (
    Membership,
    Municipality,
    Organisation,
    SchoolStatus,
    current_statuses,
)


def municipality_summaries(user):
    """Schools and current ШНОР/ШНСУ counts per visible municipality: two queries in all."""
    access = get_access(user)
    municipalities = list(
        Municipality.objects.filter(access.municipality_q())
        .select_related("region")
        .annotate(
            school_count=Count(
                "organisations",
                filter=Q(organisations__kind=Organisation.Kind.SCHOOL),
                distinct=True,
            )
        )
        .order_by("region__name", "name")
    )
    latest_year = (
        SchoolStatus.objects.filter(school=OuterRef("school"))
        .values("school")
        .annotate(y=Max("year"))
        .values("y")
    )
    counts = defaultdict(dict)
    rows = (
        SchoolStatus.objects.filter(
            school__municipality__in=[m.pk for m in municipalities], year=Subquery(latest_year)
        )
        .values_list("school__municipality_id", "kind")
        .annotate(n=Count("school", distinct=True))
    )
    for municipality_id, kind, n in rows:
        counts[municipality_id][kind] = n
    for m in municipalities:
        m.status_counts = [
            (kind, label, counts[m.pk].get(kind, 0)) for kind, label in SchoolStatus.Kind.choices
        ]
    return municipalities


@login_required
def home(request):
    access = get_access(request.user)
    memberships = list(
        Membership.objects.filter(user=request.user).select_related(
            "organisation__municipality", "organisation__head"
        )
    )
    own_schools = [
        m.organisation
        for m in memberships
        if m.organisation.is_school
        and m.role in (Role.COORDINATOR, Role.HUB_DIRECTOR, Role.CENTER_HEAD, Role.WG_MEMBER)
    ]
    # Current statuses of the user's own schools, one query for all of them.
    statuses = defaultdict(list)
    for status in SchoolStatus.objects.filter(school__in=own_schools):
        statuses[status.school_id].append(status)
    school_cards = []
    for school in {s.pk: s for s in own_schools}.values():
        school_cards.append((school, current_statuses(statuses[school.pk])))
    context = {
        "memberships": memberships,
        "school_cards": school_cards,
        "municipalities": (
            municipality_summaries(request.user)
            if access.is_superuser or access.full_municipality_ids or access.observed_region_ids
            else []
        ),
    }
    return render(request, "home.html", context)
