"""The effectiveness pages (SPEC §6): a center's, a municipality's (its centers together and each),
the regional view, and their PDF and XLSX. Thin and read-only — every view is a GET and changes
nothing: objects are loaded through ``analytics.scoping`` (out of scope → 404), reading is asked
of ``analytics.rules`` (403), the figures come from ``analytics.metrics``."""

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_safe

from network_center.centers.models import Center
from network_center.documents.views import _attachment
from plans.models import Plan
from schools.caching import cached_page
from schools.models import Municipality
from schools.permissions import can, require

from . import exports, metrics, printing
from .forms import year_form
from .presentation import charted_regions, effectiveness_charts
from .scoping import (
    get_center_for_user,
    get_municipality_for_user,
    municipalities_visible_to,
    regions_observed_by,
)

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _download(content: bytes, content_type: str, name: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = _attachment(name)
    return response


def _report_pdf(data) -> HttpResponse:
    """The effectiveness report of a center's or a municipality's year, as a PDF."""
    pdf = printing.report_pdf(data, today=timezone.localdate())
    return _download(pdf, "application/pdf", printing.file_name(data, "pdf"))


def _report_xlsx(data) -> HttpResponse:
    """… and its figures as an XLSX."""
    return _download(exports.workbook(data), XLSX, printing.file_name(data, "xlsx"))


@login_required
@require_safe
@cached_page
def index(request):
    """What the user may open: the regional view, the municipalities, the centers."""
    user = request.user
    require(user, "analytics.view_any")
    municipalities = [
        m
        for m in municipalities_visible_to(user)
        .select_related("region")
        .order_by("region__name", "name")
        if can(user, "analytics.view_municipality_effectiveness", m)
    ]
    centers = [
        c
        for c in Center.objects.visible_to(user)
        .select_related("municipality__region", "head", "hub")
        .order_by("municipality__name", "short_name")
        if can(user, "analytics.view_center_effectiveness", c)
    ]
    return render(
        request,
        "analytics/index.html",
        {
            "municipalities": municipalities,
            "centers": centers,
            "sees_region": can(user, "analytics.view_region"),
        },
    )


# --- a center -------------------------------------------------------------------------------------


def _center_data(request, pk):
    user = request.user
    center = get_center_for_user(user, pk)
    require(user, "analytics.view_center_effectiveness", center)
    form = year_form(request, metrics.years_of(Plan.objects.filter(center=center)))
    data = metrics.center_effectiveness(center, form.chosen(), user=user)
    return center, form, data


@login_required
@require_safe
@cached_page
def center(request, pk):
    center, form, data = _center_data(request, pk)
    return render(
        request,
        "analytics/center.html",
        {
            "center": center,
            "form": form,
            "data": data,
            "charts": effectiveness_charts(data, prefix="center"),
            "may_see_municipality": can(
                request.user, "analytics.view_municipality_effectiveness", center.municipality
            ),
        },
    )


@login_required
@require_safe
@cached_page
def center_pdf(request, pk):
    _center, _form, data = _center_data(request, pk)
    return _report_pdf(data)


@login_required
@require_safe
@cached_page
def center_xlsx(request, pk):
    _center, _form, data = _center_data(request, pk)
    return _report_xlsx(data)


# --- a municipality ------------------------------------------------------------------------------


def _municipality_data(request, pk):
    user = request.user
    municipality = get_municipality_for_user(user, pk)
    require(user, "analytics.view_municipality_effectiveness", municipality)
    form = year_form(
        request, metrics.years_of(Plan.objects.filter(center__municipality=municipality))
    )
    data = metrics.municipality_effectiveness(municipality, form.chosen(), user=user)
    return municipality, form, data


@login_required
@require_safe
@cached_page
def municipality(request, pk):
    municipality, form, data = _municipality_data(request, pk)
    return render(
        request,
        "analytics/municipality.html",
        {
            "municipality": municipality,
            "form": form,
            "data": data,
            # Each school's indicators in detail are its center's page: forty schools of
            # sixty indicators each made this page 2.5 MB; here a line per school.
            "charts": effectiveness_charts(data, prefix="municipality", schools=False),
            "indicators_by_center": True,
            "sees_region": can(request.user, "analytics.view_region"),
        },
    )


@login_required
@require_safe
@cached_page
def municipality_pdf(request, pk):
    _municipality, _form, data = _municipality_data(request, pk)
    return _report_pdf(data)


@login_required
@require_safe
@cached_page
def municipality_xlsx(request, pk):
    _municipality, _form, data = _municipality_data(request, pk)
    return _report_xlsx(data)


# --- the region -----------------------------------------------------------------------------------


def _region_data(request):
    """The year form, the year and the observed regions' municipalities grouped by region,
    each with its row of figures (``metrics.region_rows``: five queries for all of them)."""
    user = request.user
    require(user, "analytics.view_region")
    regions = regions_observed_by(user)
    municipalities = list(
        Municipality.objects.filter(region__in=regions)
        .select_related("region")
        .order_by("region__name", "name")
    )
    form = year_form(
        request, metrics.years_of(Plan.objects.filter(center__municipality__region__in=regions))
    )
    year = form.chosen()
    groups: dict = {}
    for row in metrics.region_rows(municipalities, year):
        groups.setdefault(row.municipality.region, []).append(row)
    return form, year, list(groups.items())


@login_required
@require_safe
@cached_page
def region(request):
    """Every municipality of the observed regions side by side, read-only."""
    form, year, groups = _region_data(request)
    year_label = metrics.academic_year_label(year)
    return render(
        request,
        "analytics/region.html",
        {
            "form": form,
            "year": year,
            "year_label": year_label,
            "groups": charted_regions(groups, year_label=year_label, prefix="region"),
        },
    )


@login_required
@require_safe
def region_pdf(request):
    """The regional view as an «Аналитическая справка» PDF."""
    _form, year, groups = _region_data(request)
    year_label = metrics.academic_year_label(year)
    pdf = printing.region_pdf(groups, year_label, today=timezone.localdate())
    return _download(pdf, "application/pdf", printing.region_file_name(year_label, "pdf"))


@login_required
@require_safe
def region_xlsx(request):
    """… and its figures as an XLSX."""
    _form, year, groups = _region_data(request)
    year_label = metrics.academic_year_label(year)
    return _download(
        exports.region_workbook(groups, year_label),
        XLSX,
        printing.region_file_name(year_label, "xlsx"),
    )
