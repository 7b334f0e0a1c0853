"""Schools and the other organisations of a municipality: lists, an organisation's page, and
its card and people as the department keeps them."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from . import services
from .caching import cached_page
from .filters import SchoolFilter
from .form_errors import add_service_error
from .forms import OrganisationForm, PersonForm
from .models import Membership, Municipality, Organisation, Person, current_statuses
from .permissions import can, require

PAGE_SIZE = 25


def get_organisation_for_user(user, pk):
    """Load an organisation the user may see, or 404 (same answer as for one that does not
    exist)."""
    queryset = Organisation.objects.visible_to(user).select_related("municipality__region", "head")
    return get_object_or_404(queryset, pk=pk)


def get_person_for_user(user, pk):
    queryset = Person.objects.visible_to(user).select_related("organisation__municipality")
    return get_object_or_404(queryset, pk=pk)


def department_municipalities(user):
    """The municipalities whose organisations the user enters (the department's)."""
    from .access import Role, get_access

    access = get_access(user)
    municipalities = Municipality.objects.select_related("region").order_by("name")
    if access.is_superuser:
        return municipalities
    return municipalities.filter(pk__in=access.municipality_ids(Role.DEPARTMENT))


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
    school = get_organisation_for_user(request.user, pk)
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
    school = get_organisation_for_user(request.user, pk)
    require(
        request.user,
        "schools.change_organisation",
        school,
        _("Изменять карточку школы может только управление образования."),
    )
    form = OrganisationForm(request.POST or None, instance=school)
    if request.method == "POST" and form.is_valid():
        services.update_organisation(school, actor=request.user, **form.changes())
        messages.success(
            request,
            _("Карточка школы сохранена.") if school.is_school else _("Карточка сохранена."),
        )
        return redirect("schools:detail", pk=school.pk)
    return render(request, "schools/school_edit.html", {"school": school, "form": form})


@login_required
@cached_page
def organisation_list(request):
    """Every organisation of the municipalities the user sees, by kind: the bodies that issue
    acts, the office, the schools."""
    organisations = (
        Organisation.objects.visible_to(request.user)
        .exclude(kind=Organisation.Kind.REGIONAL_BODY)
        .select_related("municipality", "head")
        .order_by("municipality__name", "kind", "short_name")
    )
    return render(
        request,
        "schools/organisation_list.html",
        {
            "organisations": organisations,
            "can_add": department_municipalities(request.user).exists(),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def organisation_create(request):
    municipalities = department_municipalities(request.user)
    if not municipalities.exists():
        raise PermissionDenied(_("Организации района вносит управление образования."))
    form = OrganisationForm(request.POST or None, municipalities=municipalities)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            organisation = services.create_organisation(
                actor=request.user,
                kind=data["kind"],
                municipality=data["municipality"],
                **form.changes(),
            )
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("Организация внесена. Добавьте её руководителя."))
            return redirect("schools:detail", pk=organisation.pk)
    return render(request, "schools/organisation_form.html", {"form": form})


@login_required
@require_http_methods(["GET", "POST"])
def person_create(request, pk):
    organisation = get_organisation_for_user(request.user, pk)
    require(
        request.user,
        "schools.change_organisation",
        organisation,
        _("Сотрудников организаций района вносит управление образования."),
    )
    form = PersonForm(request.POST or None, organisation=organisation)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.add_person(
                organisation,
                actor=request.user,
                username=data["username"],
                password=data["password"],
                role=data["role"],
                **form.person_fields(),
            )
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("Сотрудник внесён."))
            return redirect("schools:detail", pk=organisation.pk)
    return render(request, "schools/person_form.html", {"form": form, "organisation": organisation})


@login_required
@require_http_methods(["GET", "POST"])
def person_edit(request, pk):
    person = get_person_for_user(request.user, pk)
    require(
        request.user,
        "schools.change_person",
        person,
        _("Сотрудников организаций района вносит управление образования."),
    )
    form = PersonForm(request.POST or None, instance=person, organisation=person.organisation)
    if request.method == "POST" and form.is_valid():
        services.update_person(person, actor=request.user, **form.person_fields())
        messages.success(request, _("Карточка сотрудника сохранена."))
        return redirect("schools:detail", pk=person.organisation_id)
    return render(
        request,
        "schools/person_form.html",
        {"form": form, "organisation": person.organisation, "person": person},
    )
