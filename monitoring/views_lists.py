"""Identification pages: a municipality's rules and runs, a rule's form, a run's ranked list with
the department's changes, its confirmation. Thin: objects are loaded through the scoping helpers
below (404), actions asked of the rules (403), changes made by ``monitoring.lists``."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Prefetch, Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from network_center.documents.models import LegalDocument
from schools.caching import cached_page
from schools.form_errors import add_service_error
from schools.models import SchoolStatus
from schools.permissions import can, require

from . import lists
from .forms_lists import EntryForm, RuleForm, RunForm, VersionForm, catalogue
from .models import (
    Campaign,
    IdentificationRule,
    IdentificationRun,
    RuleIndicator,
    RunEntry,
    municipalities_seen_whole,
)

Kind = SchoolStatus.Kind


def get_municipality_for_user(user, pk):
    return get_object_or_404(municipalities_seen_whole(user).select_related("region"), pk=pk)


def get_run_for_user(user, pk) -> IdentificationRun:
    return get_object_or_404(
        IdentificationRun.objects.visible_to(user).select_related(
            "municipality", "created_by", "order"
        ),
        pk=pk,
    )


def get_entry_for_user(user, pk) -> RunEntry:
    return get_object_or_404(
        RunEntry.objects.filter(run__in=IdentificationRun.objects.visible_to(user)).select_related(
            "run__municipality", "school"
        ),
        pk=pk,
    )


def _sees_document(user, document) -> bool:
    """Whether the order's page opens for ``user`` (its own scoping, ``visible_to``)."""
    return (
        document is not None
        and LegalDocument.objects.visible_to(user).filter(pk=document.pk).exists()
    )


def _list_years(municipality):
    """The years a list may be made for: each year after a campaign of the municipality."""
    years = sorted(
        {
            y + 1
            for y in Campaign.objects.filter(municipality=municipality).values_list(
                "year", flat=True
            )
        },
        reverse=True,
    )
    return years


@login_required
@cached_page
def identification(request, pk):
    """A municipality's rules (one card per status) and its runs, with the form of a new run."""
    user = request.user
    municipality = get_municipality_for_user(user, pk)
    rules = {
        rule.kind: rule
        for rule in IdentificationRule.objects.filter(municipality=municipality).prefetch_related(
            Prefetch("indicators", RuleIndicator.objects.select_related("indicator"))
        )
    }
    runs = list(
        IdentificationRun.objects.filter(municipality=municipality)
        .select_related("created_by", "order")
        .annotate(included=Count("entries", filter=Q(entries__included=True)))
        .order_by("-year", "-pk")
    )
    years = _list_years(municipality)
    can_run = can(user, "monitoring.run_identification", municipality)
    return render(
        request,
        "monitoring/identification.html",
        {
            "municipality": municipality,
            "cards": [(value, label, rules.get(value)) for value, label in Kind.choices],
            "runs": runs,
            "run_form": RunForm(years=years) if can_run and years else None,
            "can_edit": can(user, "monitoring.edit_rules", municipality),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def rule_edit(request, pk, kind):
    municipality = get_municipality_for_user(request.user, pk)
    if kind not in Kind.values:
        raise Http404
    require(request.user, "monitoring.edit_rules", municipality)
    rule = (
        IdentificationRule.objects.filter(municipality=municipality, kind=kind)
        .prefetch_related("indicators__indicator")
        .first()
    )
    indicators = list(catalogue())
    form = RuleForm(
        request.POST or None,
        indicators=indicators,
        initial=RuleForm.initial_for(rule, indicators),
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            lists.save_rule(
                municipality,
                actor=request.user,
                kind=kind,
                version=data.get("version"),
                fields={name: data[name] for name in (*lists.RULE_FIELDS, *lists.WINDOW_FIELDS)},
                indicators=data["chosen"],
            )
        except (ValidationError, PermissionDenied) as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("Правило сохранено."))
            return redirect("monitoring:identification", municipality.pk)
    return render(
        request,
        "monitoring/rule_form.html",
        {
            "municipality": municipality,
            "kind_label": Kind(kind).label,
            "form": form,
            "rule": rule,
        },
    )


@require_POST
@login_required
def run_create(request, pk):
    municipality = get_municipality_for_user(request.user, pk)
    require(request.user, "monitoring.run_identification", municipality)
    form = RunForm(request.POST, years=_list_years(municipality))
    if not form.is_valid():
        messages.error(request, _("Выберите учебный год перечня из списка."))
        return redirect("monitoring:identification", municipality.pk)
    try:
        run = lists.run_identification(
            municipality, actor=request.user, year=form.cleaned_data["year"]
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("monitoring:identification", municipality.pk)
    messages.success(request, _("Отбор выполнен: проверьте предложенный перечень."))
    return redirect("monitoring:run", run.pk)


def _groups(run, entries):
    """Per status: the entries included, then the others — ranked."""
    by_kind = {value: [] for value in Kind.values}
    for entry in entries:
        by_kind[entry.kind].append(entry)
    rules = {r["kind"]: r for r in run.rules}
    groups = []
    for value, label in Kind.choices:
        rows = by_kind[value]
        groups.append(
            {
                "kind": value,
                "label": label,
                "rule": rules.get(value),
                "included": [e for e in rows if e.included],
                "others": [e for e in rows if not e.included],
            }
        )
    return groups


@login_required
@cached_page
def run_detail(request, pk):
    """A run: per status the ranked schools with their values and the reason, the department's
    changes (each with its reason), the state and the order."""
    user = request.user
    run = get_run_for_user(user, pk)
    entries = list(
        run.entries.select_related("school", "changed_by").order_by(
            "kind", "rank", "school__short_name"
        )
    )
    events = list(run.events.select_related("actor", "entry__school").order_by("at", "pk"))
    can_change = can(user, "monitoring.change_run", run)
    order = run.order
    return render(
        request,
        "monitoring/run_detail.html",
        {
            "run": run,
            "groups": _groups(run, entries),
            "events": events,
            "can_change": can_change,
            "can_confirm": can(user, "monitoring.confirm_run", run),
            "can_discard": can(user, "monitoring.discard_run", run),
            "can_open_order": _sees_document(user, order),
            "years": [f"{y}/{y + 1}" for y in run.campaign_years],
        },
    )


@require_POST
@login_required
def entry_change(request, pk):
    entry = get_entry_for_user(request.user, pk)
    run = entry.run
    require(request.user, "monitoring.change_run", run)
    form = EntryForm(request.POST)
    if form.is_valid():
        try:
            lists.change_entry(
                entry,
                actor=request.user,
                included=form.cleaned_data["included"],
                reason=form.cleaned_data["reason"],
                version=form.cleaned_data["version"],
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(
                request,
                _("%(school)s: изменение сохранено.") % {"school": entry.school.short_name},
            )
    else:
        messages.error(request, " ".join(m for e in form.errors.values() for m in e))
    return redirect(f"{run.get_absolute_url()}#entry-{entry.pk}")


@require_POST
@login_required
def run_confirm(request, pk):
    run = get_run_for_user(request.user, pk)
    require(request.user, "monitoring.confirm_run", run)
    form = VersionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Форма устарела: обновите страницу."))
        return redirect(run.get_absolute_url())
    try:
        run = lists.confirm_run(run, actor=request.user, version=form.cleaned_data["version"])
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
        return redirect(run.get_absolute_url())
    messages.success(
        request,
        _(
            "Перечень подтверждён. Подготовлен проект приказа — его подписывает руководитель "
            "управления."
        ),
    )
    if _sees_document(request.user, run.order):
        return redirect("documents:detail", run.order.pk)
    return redirect(run.get_absolute_url())


@require_POST
@login_required
def run_discard(request, pk):
    run = get_run_for_user(request.user, pk)
    require(request.user, "monitoring.discard_run", run)
    form = VersionForm(request.POST)
    if form.is_valid():
        try:
            lists.discard_run(run, actor=request.user, version=form.cleaned_data["version"])
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("Отбор отменён."))
    return redirect(run.get_absolute_url())
