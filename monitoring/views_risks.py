"""Risk-profile pages: a school's profile for a year (the factors, their levels and notes, the
history of changes, the form for who may edit) and a municipality's profiles of a year. Thin:
the school and the municipality are loaded through their scoping helpers (404), a save is
asked of the rule (403), ``monitoring.risks.save_profile`` writes."""

import re

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from schools.caching import cached_page
from schools.form_errors import add_service_error
from schools.permissions import can, require

from . import risks
from .forms_risks import RiskProfileForm
from .models import RiskProfile, RiskRating, municipalities_seen_whole

EDIT_REFUSED = _(
    "Профиль рисков школы заполняет сама школа; управление образования её муниципалитета может "
    "его уточнить."
)


def get_school_for_user(user, pk):
    """The school whose profiles the user sees, else 404 (``risks.schools_with_profiles_
    visible_to``)."""
    return get_object_or_404(
        risks.schools_with_profiles_visible_to(user).select_related("municipality"), pk=pk
    )


def _check_year(year: int) -> int:
    if not (risks.YEAR_MIN <= year <= risks.YEAR_MAX):
        raise Http404
    return year


def _year_param(value) -> int:
    """``?year=2026``; anything else is the current academic year."""
    if value and re.fullmatch(r"[0-9]{4}", value):
        year = int(value)
        if risks.YEAR_MIN <= year <= risks.YEAR_MAX:
            return year
    return risks.current_year(timezone.localdate())


def _year_choices(years, year):
    current = risks.current_year(timezone.localdate())
    return [(y, f"{y}/{y + 1}") for y in sorted({*years, year, current}, reverse=True)]


def _history(events, factors):
    """Each event with its changes in words: factor, level before → after, note before →
    after."""
    names = {f.code: f.name for f in factors}

    def level(value):
        return str(RiskRating.Level(value).label) if value in RiskRating.Level.values else "—"

    for event in events:
        event.changes = [
            {
                "factor": names.get(code, code),
                "level": [level(v) for v in change["level"]] if "level" in change else None,
                "note": [v or "—" for v in change["note"]] if "note" in change else None,
            }
            for code, change in event.data.items()
        ]
    return events


def _load(school, year):
    profile = (
        RiskProfile.objects.filter(school=school, year=year).select_related("updated_by").first()
    )
    ratings = {} if profile is None else {r.factor_id: r for r in profile.ratings.all()}
    return profile, ratings


@login_required
@cached_page
@require_http_methods(["GET", "POST"])
def risk_profile(request, pk, year):
    """A school's risk profile of an academic year: the factors with level and note, the form
    for who may edit it, the history of every change below."""
    user = request.user
    school = get_school_for_user(user, pk)
    year = _check_year(year)
    can_edit = can(user, "monitoring.edit_risk_profile", school)
    if request.method == "POST":
        require(user, "monitoring.edit_risk_profile", school, EDIT_REFUSED)
    profile, ratings = _load(school, year)
    factors = risks.profile_factors(profile, ratings.values())
    form, saved = None, None
    if can_edit:
        form = RiskProfileForm(
            request.POST or None,
            factors=factors,
            ratings=ratings,
            version=profile.version if profile else None,
        )
    if request.method == "POST" and form.is_valid():
        try:
            risks.save_profile(
                school,
                year,
                actor=user,
                ratings=form.ratings(),
                version=form.cleaned_data.get("version"),
            )
        except risks.StaleProfile as exc:
            # Keep the editor's input, show beside it what the other editor saved, and carry
            # the new version: saving again is a decision taken knowing the other save.
            profile, ratings = _load(school, year)
            factors = risks.profile_factors(profile, ratings.values())
            data = request.POST.copy()
            data["version"] = str(profile.version) if profile else ""
            form = RiskProfileForm(data, factors=factors, ratings=ratings)
            form.is_valid()
            add_service_error(form, exc)
            saved = ratings
        except (ValidationError, PermissionDenied) as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("Профиль рисков сохранён."))
            return redirect("monitoring:risk_profile", school.pk, year)
    events = [] if profile is None else list(profile.events.select_related("actor"))
    years = RiskProfile.objects.filter(school=school).values_list("year", flat=True).order_by()
    return render(
        request,
        "monitoring/risk_profile.html",
        {
            "school": school,
            "year": year,
            "academic_year": f"{year}/{year + 1}",
            "profile": profile,
            "rows": [(f, ratings.get(f.pk)) for f in factors],
            "form": form,
            "form_rows": form.rows(saved) if form is not None else [],
            "stale": saved is not None,
            "events": _history(events, factors),
            "years": _year_choices(years, year),
            "sees_list": can(user, "monitoring.view_identification", school.municipality),
        },
    )


@login_required
@cached_page
def risk_list(request, pk):
    """A municipality's profiles of a year: how many high, medium, low and not relevant risks
    each school has (who has not assessed yet), and how many schools rate each factor high."""
    municipality = get_object_or_404(
        municipalities_seen_whole(request.user).select_related("region"), pk=pk
    )
    year = _year_param(request.GET.get("year"))
    schools, factors = risks.municipality_summary(municipality, year)
    years = (
        RiskProfile.objects.filter(school__municipality=municipality)
        .order_by()
        .values_list("year", flat=True)
        .distinct()
    )
    return render(
        request,
        "monitoring/risk_list.html",
        {
            "municipality": municipality,
            "year": year,
            "academic_year": f"{year}/{year + 1}",
            "schools": schools,
            "assessed": sum(1 for s in schools if s.assessed),
            "factors": factors,
            "years": _year_choices(years, year),
        },
    )
