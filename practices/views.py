"""The practice bank's pages: the bank (filters, grouped by municipality and kind), a
practice's page with its history, and the department's forms to mark a thing (from the event's
or the resource's page) and to withdraw a recommendation.

Thin views: objects are loaded through ``visible_to`` (404), actions asked of the rules (403),
input validated by a form and every change made by ``practices.services``, whose refusals go
back onto the form or into a message. A page links the event, its file or the resource only
where the user may open them (their own ``visible_to``).
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Case, IntegerField, Value, When
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from plans.models import EvidenceFile, Execution
from schools.caching import cached_page
from schools.form_errors import add_service_error
from schools.permissions import can, require
from schools.resources import Resource

from . import services
from .forms import MarkForm, PracticeFilter, WithdrawForm, sees_several_municipalities
from .models import Practice

PAGE_SIZE = 25
Kind = Practice.Kind
DOMAIN_ERRORS = (ValidationError, PermissionDenied)

# What a practice's row shows: its event (and a material's event) with form, plan and
# center; the resource; the school and municipality; who marked it — one query.
PRACTICE_RELATED = (
    "municipality",
    "school",
    "marked_by",
    "withdrawn_by",
    "execution__line__form",
    "execution__plan__center",
    "evidence__execution__line__form",
    "evidence__execution__plan__center",
    "resource",
)


def get_practice_for_user(user, pk) -> Practice:
    return get_object_or_404(
        Practice.objects.visible_to(user).select_related(*PRACTICE_RELATED), pk=pk
    )


def get_target_for_user(user, kind, pk):
    """The event, material or resource to recommend, loaded through its own visibility (404
    outside it), with what ``services.practice_for`` reads."""
    if kind == Kind.EVENT:
        queryset = Execution.objects.visible_to(user).select_related(
            "plan__center__hub", "line__venue", "line__form"
        )
    elif kind == Kind.MATERIAL:
        queryset = EvidenceFile.objects.filter(
            execution__in=Execution.objects.visible_to(user)
        ).select_related("execution__plan__center__hub", "execution__line__venue")
    elif kind == Kind.RESOURCE:
        queryset = Resource.objects.visible_to(user).select_related("school")
    else:
        raise Http404
    return get_object_or_404(queryset, pk=pk)


def target_url(kind, target) -> str:
    """The page of what is (to be) recommended: the event's (a material's event's), the
    resource's."""
    if kind == Kind.RESOURCE:
        return reverse("schools:resource_detail", args=[target.pk])
    execution_id = target.pk if kind == Kind.EVENT else target.execution_id
    return reverse("plans:execution", args=[execution_id])


def with_links(user, practices):
    """Mark on each practice which of its links open for ``user``: ``event_open`` (the
    event's page — and so a material's file, which plans lets download whoever sees the
    event), ``resource_open``. Two queries at most, whatever the number of rows."""
    event_ids = {p.event_id for p in practices if p.event_id}
    resource_ids = {p.resource_id for p in practices if p.resource_id}
    open_events = (
        set(
            Execution.objects.visible_to(user)
            .filter(pk__in=event_ids)
            .order_by()
            .values_list("pk", flat=True)
        )
        if event_ids
        else set()
    )
    open_resources = (
        set(
            Resource.objects.visible_to(user)
            .filter(pk__in=resource_ids)
            .order_by()
            .values_list("pk", flat=True)
        )
        if resource_ids
        else set()
    )
    for practice in practices:
        practice.event_open = practice.event_id in open_events
        practice.resource_open = practice.resource_id in open_resources
    return practices


@login_required
@cached_page
def practice_list(request):
    """The bank: the recommendations of the user's municipality (of the region, for the
    observer), grouped by municipality and by kind, newest first within a group."""
    require(request.user, "practices.view_bank")
    kind_order = Case(
        *[When(kind=kind, then=Value(n)) for n, kind in enumerate(Practice.KIND_ORDER)],
        output_field=IntegerField(),
    )
    queryset = (
        Practice.objects.visible_to(request.user)
        .select_related(*PRACTICE_RELATED)
        .prefetch_related("resource__subjects")
        .annotate(kind_order=kind_order)
        .order_by("municipality__name", "kind_order", "-marked_at", "-pk")
    )
    practice_filter = PracticeFilter(request.GET, queryset=queryset, request=request)
    page = Paginator(practice_filter.qs, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = with_links(request.user, list(page.object_list))
    query = request.GET.copy()
    query.pop("page", None)
    template = (
        "practices/_practice_table.html"
        if request.headers.get("HX-Request") == "true"
        else "practices/practice_list.html"
    )
    return render(
        request,
        template,
        {
            "filter": practice_filter,
            "page": page,
            "rows": rows,
            "query": query.urlencode(),
            "several_municipalities": sees_several_municipalities(request.user),
        },
    )


def _detail_page(request, practice):
    with_links(request.user, [practice])
    return render(
        request,
        "practices/practice_detail.html",
        {
            "practice": practice,
            "events": list(practice.events.select_related("actor")),
            "can_withdraw": practice.is_recommended
            and can(request.user, "practices.withdraw_practice", practice),
        },
    )


@login_required
@cached_page
def practice_detail(request, pk):
    return _detail_page(request, get_practice_for_user(request.user, pk))


@login_required
@require_http_methods(["GET", "POST"])
def practice_mark(request, kind, pk):
    """Recommend an event, a material or a resource: the reason's form (GET), the mark
    (POST, from this form or the one on the event's or resource's page)."""
    target = get_target_for_user(request.user, kind, pk)
    require(
        request.user,
        "practices.mark_practice",
        services.practice_for(target),
        services.DEPARTMENT_ONLY,
    )
    back = target_url(kind, target)
    if message := services.refusal(target):
        messages.error(request, message)
        return redirect(back)
    if standing := services.active_practice(target):
        messages.info(request, _("Это уже рекомендовано к распространению."))
        return redirect("practices:detail", pk=standing.pk)
    form = MarkForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.mark_practice(target, actor=request.user, reason=form.cleaned_data["reason"])
        except DOMAIN_ERRORS as exc:
            add_service_error(form, exc)
        else:
            messages.success(
                request,
                _("Рекомендовано к распространению: теперь это в банке практик."),
            )
            return redirect(back)
    return render(
        request,
        "practices/practice_mark.html",
        {
            "form": form,
            "kind": kind,
            "kind_label": Kind(kind).label,
            "title": services.practice_for(target).title,
            "back": back,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def practice_withdraw(request, pk):
    """Withdraw a recommendation with a reason: the form (GET), the withdrawal (POST)."""
    practice = get_practice_for_user(request.user, pk)
    require(request.user, "practices.withdraw_practice", practice, services.DEPARTMENT_ONLY)
    if not practice.is_recommended:
        messages.info(request, _("Рекомендация уже снята."))
        return redirect("practices:detail", pk=practice.pk)
    form = WithdrawForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.withdraw_practice(
                practice, actor=request.user, reason=form.cleaned_data["reason"]
            )
        except DOMAIN_ERRORS as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("Рекомендация снята; она остаётся в истории банка."))
            return redirect("practices:detail", pk=practice.pk)
    return render(request, "practices/practice_withdraw.html", {"practice": practice, "form": form})
