"""Schools: list with filters, a school's page and its card for the department."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from . import services
from .caching import cached_page
from .filters import SchoolFilter
from .forms import OrganisationForm
from .models import Membership, Organisation, Person, current_statuses
from .permissions import can, require

PAGE_SIZE = 25


def get_school_for_user(user, pk):
    """Load a school the user may see, or 404 (same answer as for a school that does not exist)."""
    queryset = (
        Organisation.objects.visible_to(user)
        .schools()
        .select_related("municipality__region", "head")
    )
    return get_object_or_404(queryset, pk=pk)


@login_required
@cached_page
def school_list(request):
    queryset = (
        Organisation.objects.visible_to(request.user)
        .schools()
        .select_related("municipality", "head")
        .prefetch_related("statuses")
        .order_by("municipality__name", "short_name")
    )
    school_filter = SchoolFilter(request.GET, queryset=queryset, request=request)
    page = Paginator(school_filter.qs, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    # htmx asks for the table only when a filter changes; a plain request gets the whole page.
    is_htmx = request.headers.get("HX-Request") == "true"
    template = "schools/_school_table.html" if is_htmx else "schools/school_list.html"
    return render(
        request,
        template,
        {"filter": school_filter, "page": page, "query": query.urlencode()},
    )


@login_required
@cached_page
def school_detail(request, pk):
    school = get_school_for_user(request.user, pk)
    statuses = list(school.statuses.all())
    people = Person.objects.filter(organisation=school).select_related("user")
    memberships = Membership.objects.filter(organisation=school).select_related("user__person")
    return render(
        request,
        "schools/school_detail.html",
        {
            "school": school,
            "statuses": statuses,
            "current_statuses": current_statuses(statuses),
            "people": people,
            "memberships": memberships,
            "can_edit": can(request.user, "schools.change_organisation", school),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def school_edit(request, pk):
    school = get_school_for_user(request.user, pk)
    require(
        request.user,
        "schools.change_organisation",
        school,
        _("Изменять карточку школы может только управление образования."),
    )
    form = OrganisationForm(request.POST or None, instance=school)
    if request.method == "POST" and form.is_valid():
        services.update_organisation(
            school, actor=request.user, **{name: form.cleaned_data[name] for name in form.fields}
        )
        messages.success(request, _("Карточка школы сохранена."))
        return redirect("schools:detail", pk=school.pk)
    return render(request, "schools/school_edit.html", {"school": school, "form": form})
