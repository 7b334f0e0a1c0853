"""Project-level pages: the home page of each role, the choice of one's interface language,
and the 403 handler that logs refusals."""

import logging
from collections import defaultdict

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count, Max, OuterRef, Q, Subquery
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import defaults
from django.views.decorators.http import require_http_methods

from network_center.centers.models import Center
from network_center.documents.models import LegalDocument
from schools import services as school_services
from schools.access import Role, get_access
from schools.caching import cached_page
from schools.models import (
    Membership,
    Municipality,
    Organisation,
    SchoolStatus,
    current_statuses,
)
from schools.permissions import can, require
from schools.text import CheckedText


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
@cached_page
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
    centers = list(
        Center.objects.visible_to(request.user)
        .select_related("municipality", "hub", "head")
        .annotate(participant_count=Count("participations", distinct=True))
        .order_by("municipality__name", "short_name")[:20]
    )
    to_sign = list(
        LegalDocument.objects.visible_to(request.user)
        .filter(state=LegalDocument.State.DRAFT, parent=None, signatory__user=request.user)
        .select_related("issuer")[:20]
    )
    drafts = list(
        LegalDocument.objects.visible_to(request.user)
        .filter(state=LegalDocument.State.DRAFT, parent=None, created_by=request.user)
        .select_related("issuer")[:10]
    )
    context = {
        **_plan_work(request.user, access),
        **_overdue(request.user, centers),
        "centers": centers,
        "to_sign": to_sign,
        "drafts": drafts,
        "memberships": memberships,
        "school_cards": school_cards,
        "municipalities": (
            municipality_summaries(request.user)
            if access.is_superuser or access.full_municipality_ids or access.observed_region_ids
            else []
        ),
    }
    return render(request, "home.html", context)


def _plan_work(user, access):
    """What waits for this person in the plans: a query for each kind of work the person's
    roles can have (a visa or a returned proposal for a school; proposals, objections and
    approvals for those who run the plan), none for the others.

    The home page is project-level (it lives in the project package), so it may read the plans
    app; the center's own models never do.
    """
    from plans.models import Plan, Proposal, Revision, Visa

    # Everything below is loaded within what the user may see (``visible_to``) and narrowed to
    # the work of their roles.
    plans = Plan.objects.visible_to(user).values("pk")
    visas = Visa.objects.filter(revision__plan__in=plans)
    proposals_seen = Proposal.objects.visible_to(user)
    coordinated = access.organisation_ids(Role.COORDINATOR)
    awaiting_visa = (
        list(
            visas.filter(
                school_id__in=coordinated,
                decision=Visa.Decision.PENDING,
                revision__state=Revision.State.ON_AGREEMENT,
            ).select_related("revision__plan__center", "school")
        )
        if coordinated
        else []
    )
    # A proposal the center returned for revision waits for the school that made it.
    returned = (
        list(
            proposals_seen.filter(
                school_id__in=coordinated, state=Proposal.State.RETURNED
            ).select_related("school", "plan__center")[:20]
        )
        if coordinated
        else []
    )
    heads = access.organisation_ids(Role.CENTER_HEAD)
    departments = access.municipality_ids(Role.DEPARTMENT)
    managed = Q(plan__center__hub_id__in=heads) | Q(plan__center__municipality_id__in=departments)
    proposals = (
        list(
            proposals_seen.filter(managed, state=Proposal.State.SUBMITTED).select_related(
                "school", "plan__center"
            )[:20]
        )
        if heads or departments
        else []
    )
    # A school that rejected the plan on agreement: the center must change it or return it.
    objections = (
        list(
            visas.filter(
                Q(revision__plan__center__hub_id__in=heads)
                | Q(revision__plan__center__municipality_id__in=departments),
                decision=Visa.Decision.OBJECTED,
                revision__state=Revision.State.ON_AGREEMENT,
            ).select_related("revision__plan__center", "school")[:20]
        )
        if heads or departments
        else []
    )
    directors = access.organisation_ids(Role.HUB_DIRECTOR)
    approver = Q(
        plan__center__plan_approver=Center.Approver.DEPARTMENT,
        plan__center__municipality_id__in=departments,
    ) | Q(
        plan__center__plan_approver=Center.Approver.HUB_DIRECTOR, plan__center__hub_id__in=directors
    )
    to_approve = (
        list(
            Revision.objects.filter(
                approver, plan__in=plans, state=Revision.State.AGREED
            ).select_related("plan__center")
        )
        if departments or directors
        else []
    )
    return {
        "awaiting_visa": awaiting_visa,
        "proposals_returned": returned,
        "proposals_to_decide": proposals,
        "objections": objections,
        "to_approve": to_approve,
    }


def _overdue(user, centers):
    """What is overdue for this person to act on (``plans.overdue``: two queries), and which of
    the centers shown they may open the overdue list of (no query)."""
    from plans.overdue import overdue_for_user

    return {
        "overdue": overdue_for_user(user),
        "overdue_centers": {c.pk for c in centers if can(user, "plans.view_overdue", c)},
    }


class LanguageForm(CheckedText, forms.Form):
    language = forms.ChoiceField(
        label=gettext_lazy("Язык интерфейса"), choices=settings.LANGUAGES, widget=forms.RadioSelect
    )


@login_required
@require_http_methods(["GET", "POST"])
def language(request):
    """The language of the user's own pages (``Person.language``); legal documents stay
    Russian. A login without a card of its own (the administrator's) has none to choose."""
    require(
        request.user,
        "schools.change_own_language",
        message=_(
            "Язык интерфейса выбирают сотрудники организаций: у этой учётной записи нет карточки."
        ),
    )
    form = LanguageForm(request.POST or None, initial={"language": request.LANGUAGE_CODE})
    if request.method == "POST" and form.is_valid():
        person = school_services.change_language(
            actor=request.user, language=form.cleaned_data["language"]
        )
        # The confirmation in the language just chosen (the middleware deactivates it after).
        translation.activate(person.language)
        messages.success(request, _("Язык интерфейса сохранён."))
        return redirect("language")
    return render(request, "registration/language_form.html", {"form": form})


security_log = logging.getLogger("network_center.security")


def permission_denied(request, exception):
    """Every refused authorization, whether the view's ``require`` or a service refused it, is
    logged with the user, the address and the URL, then answered with the 403 page."""
    user = getattr(request, "user", None)
    security_log.warning(
        "Refused: user=%s address=%s %s %s: %s",
        getattr(user, "username", "") or "anonymous",
        request.META.get("REMOTE_ADDR", ""),
        request.method,
        request.get_full_path(),
        exception,
    )
    return defaults.permission_denied(request, exception)


def log_failed_login(sender, credentials, request=None, **kwargs):
    """Every failed login on record, with the username tried and the client's address (the
    password never)."""
    from schools.clients import client_ip

    security_log.warning(
        "Failed login: username=%s address=%s",
        (credentials or {}).get("username", ""),
        client_ip(request) if request is not None else "",
    )
