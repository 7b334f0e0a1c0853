"""The resources schools offer to the network: the network's list with its search, a school's
resources, one resource with its history, and the forms a school enters them with.

Thin views: load through ``Resource.objects.visible_to`` / ``resource_schools`` (404), ask the
rules (403), validate a form, call ``resource_services``.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from . import resource_services as services
from .caching import cached_page
from .form_errors import add_service_error
from .permissions import can, require
from .resource_forms import ResourceFilter, ResourceForm, resource_schools
from .resources import Resource, ResourceEvent

PAGE_SIZE = 25
Kind = Resource.Kind


def get_resource_for_user(user, pk):
    """A resource the user may see, or 404 (the same answer as for one that does not exist)."""
    queryset = Resource.objects.visible_to(user).select_related(
        "school__municipality", "school__head", "person", "created_by"
    )
    return get_object_or_404(queryset, pk=pk)


def get_resource_school_for_user(user, pk):
    """A school whose resources the user sees, or 404."""
    return get_object_or_404(resource_schools(user).select_related("municipality", "head"), pk=pk)


def _kind(value):
    if value not in Kind.values:
        raise Http404
    return Kind(value)


@login_required
@cached_page
def resource_list(request):
    queryset = (
        Resource.objects.visible_to(request.user)
        .select_related("school__municipality", "person")
        .prefetch_related("subjects")
        .order_by("school__municipality__name", "school__short_name", "kind", "title", "pk")
    )
    resource_filter = ResourceFilter(request.GET, queryset=queryset, request=request)
    page = Paginator(resource_filter.qs, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    # htmx asks for the table only when a filter changes; a plain request gets the whole page.
    is_htmx = request.headers.get("HX-Request") == "true"
    template = (
        "schools/resources/_resource_table.html"
        if is_htmx
        else "schools/resources/resource_list.html"
    )
    return render(
        request,
        template,
        {"filter": resource_filter, "page": page, "query": query.urlencode()},
    )


@login_required
@cached_page
def school_resources(request, pk):
    school = get_resource_school_for_user(request.user, pk)
    resources = list(
        school.resources.select_related("person")
        .prefetch_related("subjects")
        .order_by("kind", "title", "pk")
    )
    for resource in resources:
        resource.editable = can(request.user, "schools.change_resource", resource)
    groups = [
        (kind, Resource.GROUP_LABELS[kind], [r for r in resources if r.kind == kind])
        for kind in Kind.values
    ]
    return render(
        request,
        "schools/resources/school_resources.html",
        {
            "school": school,
            "groups": groups,
            "total": len(resources),
            "can_add": can(request.user, "schools.add_resource", school),
        },
    )


@login_required
@cached_page
def resource_detail(request, pk):
    resource = get_resource_for_user(request.user, pk)
    events = ResourceEvent.objects.filter(resource_id=resource.pk).select_related("actor")
    return render(
        request,
        "schools/resources/resource_detail.html",
        {
            "resource": resource,
            "subjects": list(resource.subjects.all()),
            "events": events,
            "can_change": can(request.user, "schools.change_resource", resource),
            "can_delete": can(request.user, "schools.delete_resource", resource),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def resource_create(request, pk, kind):
    school = get_resource_school_for_user(request.user, pk)
    kind = _kind(kind)
    require(
        request.user,
        "schools.add_resource",
        school,
        _("Ресурсы школы вносят её представитель и директор."),
    )
    form = ResourceForm(request.POST or None, school=school, kind=kind)
    if request.method == "POST" and form.is_valid():
        try:
            resource = services.add_resource(
                school,
                actor=request.user,
                kind=kind,
                subjects=form.cleaned_data["subjects"],
                **form.changes(),
            )
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("Ресурс внесён."))
            return redirect("schools:resource_detail", pk=resource.pk)
    return render(
        request,
        "schools/resources/resource_form.html",
        {"form": form, "school": school, "kind": kind, "kind_label": kind.label},
    )


@login_required
@require_http_methods(["GET", "POST"])
def resource_edit(request, pk):
    resource = get_resource_for_user(request.user, pk)
    require(
        request.user,
        "schools.change_resource",
        resource,
        _("Ресурсы школы изменяют её представитель, директор и управление образования."),
    )
    form = ResourceForm(
        request.POST or None, instance=resource, school=resource.school, kind=resource.kind
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.update_resource(
                resource,
                actor=request.user,
                subjects=form.cleaned_data["subjects"],
                version=form.cleaned_data.get("version"),
                **form.changes(),
            )
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("Ресурс сохранён."))
            return redirect("schools:resource_detail", pk=resource.pk)
    return render(
        request,
        "schools/resources/resource_form.html",
        {
            "form": form,
            "school": resource.school,
            "kind": resource.kind,
            "kind_label": resource.get_kind_display(),
            "resource": resource,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def resource_delete(request, pk):
    resource = get_resource_for_user(request.user, pk)
    require(
        request.user,
        "schools.delete_resource",
        resource,
        _("Удалять ресурсы школы могут её представитель и директор."),
    )
    if request.method == "POST":
        try:
            services.delete_resource(resource, actor=request.user)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("Ресурс «%(title)s» удалён.") % {"title": resource.title})
        return redirect("schools:school_resources", pk=resource.school_id)
    return render(request, "schools/resources/resource_delete.html", {"resource": resource})
