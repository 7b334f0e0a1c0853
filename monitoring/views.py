"""Monitoring pages: the campaigns, a campaign with its values, a new campaign, the template,
the upload, an import's record (its check's progress, its errors or its preview) and its
confirmation. Thin: objects are loaded
through ``visible_to`` (404), actions asked of the rules (403), changes made by the services."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from schools.caching import cached_page
from schools.form_errors import add_service_error
from schools.permissions import can, require

from . import services
from .forms import CampaignForm, UploadForm
from .models import Campaign, ImportRecord, IndicatorValue, school_ids_of, sees_whole

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def get_campaign_for_user(user, pk) -> Campaign:
    return get_object_or_404(
        Campaign.objects.visible_to(user).select_related("municipality"), pk=pk
    )


def get_import_for_user(user, pk) -> ImportRecord:
    # The validated values (up to ~100,000 of them) are for the confirmation alone, which
    # reads them again under its lock: no page loads them.
    return get_object_or_404(
        ImportRecord.objects.visible_to(user)
        .select_related("campaign__municipality", "uploaded_by", "confirmed_by")
        .defer("payload"),
        pk=pk,
    )


# The states in which an import's page shows the progress bar and polls for it.
IN_PROGRESS = (
    ImportRecord.State.QUEUED,
    ImportRecord.State.CHECKING,
    ImportRecord.State.WRITING,
)


def _progress(record) -> dict:
    """What the progress bar of a record being checked says."""
    total = max(record.total_rows, record.processed_rows)
    return {
        "record": record,
        "total": total,
        "percent": min(100, record.processed_rows * 100 // total) if total else 0,
    }


@login_required
@cached_page
def campaign_list(request):
    """The campaigns the user sees, by municipality, with how many values each holds."""
    campaigns = (
        Campaign.objects.visible_to(request.user)
        .select_related("municipality")
        .annotate(indicator_count=Count("indicators", distinct=True))
        .order_by("municipality__name", "-year", "pk")
    )
    return render(
        request,
        "monitoring/campaign_list.html",
        {
            "campaigns": list(campaigns),
            "can_create": can(request.user, "monitoring.add_campaign"),
        },
    )


@login_required
@cached_page
def campaign_detail(request, pk):
    """A campaign: its indicators, its values per school (a school sees only its own row), its
    imports."""
    user = request.user
    campaign = get_campaign_for_user(user, pk)
    indicators = list(services.campaign_indicators(campaign))
    schools = services.campaign_schools(campaign)
    sees_all = sees_whole(user, campaign)
    if not sees_all:
        schools = schools.filter(pk__in=school_ids_of(user))
    values = {}
    for school_id, indicator_id, value in (
        IndicatorValue.objects.visible_to(user)
        .filter(campaign=campaign)
        .order_by()
        .values_list("school_id", "indicator_id", "value")
    ):
        values[(school_id, indicator_id)] = value
    rows = [
        (school, [i.format(values.get((school.pk, i.pk))) for i in indicators])
        for school in schools.only("pk", "short_name")
    ]
    imports = (
        list(
            ImportRecord.objects.visible_to(user)
            .filter(campaign=campaign)
            .select_related("uploaded_by")
            .defer("payload", "errors")
        )
        if sees_all
        else []
    )
    return render(
        request,
        "monitoring/campaign_detail.html",
        {
            "campaign": campaign,
            "indicators": indicators,
            "rows": rows,
            "value_count": len(values),
            "imports": imports,
            "sees_all": sees_all,
            "can_import": can(user, "monitoring.import_values", campaign),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def campaign_create(request):
    require(request.user, "monitoring.add_campaign")
    form = CampaignForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            campaign = services.create_campaign(
                actor=request.user,
                municipality=data["municipality"],
                year=data["year"],
                name=data["name"],
                indicators=list(data["indicators"]) or None,
            )
        except (ValidationError, PermissionDenied) as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("Кампания создана."))
            return redirect("monitoring:campaign", campaign.pk)
    return render(request, "monitoring/campaign_form.html", {"form": form})


@login_required
def template_download(request, pk):
    campaign = get_campaign_for_user(request.user, pk)
    data = services.template_for(campaign, actor=request.user)
    response = HttpResponse(data, content_type=XLSX)
    name = f"monitoring-{campaign.municipality_id}-{campaign.year}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@login_required
@require_http_methods(["GET", "POST"])
def upload(request, pk):
    """The upload form; a file that is an XLSX book goes to its import's page, where its check
    shows its progress and then its preview or its errors by row and column."""
    campaign = get_campaign_for_user(request.user, pk)
    require(request.user, "monitoring.import_values", campaign)
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            record = services.submit_import(
                campaign, actor=request.user, upload=form.cleaned_data["file"]
            )
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            return redirect("monitoring:import", record.pk)
    return render(request, "monitoring/upload.html", {"campaign": campaign, "form": form})


@login_required
@cached_page
def import_detail(request, pk):
    """An import: queued or being checked, its progress; failed, its errors; in preview, what
    confirming it would do; imported, what it did."""
    record = get_import_for_user(request.user, pk)
    return render(
        request,
        "monitoring/import_detail.html",
        {
            **_progress(record),
            "campaign": record.campaign,
            "in_progress": record.state in IN_PROGRESS,
            "can_confirm": record.state == ImportRecord.State.PREVIEW
            and can(request.user, "monitoring.import_values", record.campaign),
            "can_upload": can(request.user, "monitoring.import_values", record.campaign),
        },
    )


@require_GET
@login_required
def import_progress(request, pk):
    """The progress bar of an import being checked, polled by its page (htmx) — reads only.
    Once the check is over it tells the browser to load the whole page again (``HX-Refresh``);
    asked for outside htmx, it is the import's page."""
    record = get_import_for_user(request.user, pk)
    if request.headers.get("HX-Request") != "true":
        return redirect("monitoring:import", record.pk)
    response = render(request, "monitoring/_import_progress.html", _progress(record))
    if record.state not in IN_PROGRESS:
        response["HX-Refresh"] = "true"
    return response


@require_POST
@login_required
def import_confirm(request, pk):
    record = get_import_for_user(request.user, pk)
    require(request.user, "monitoring.import_values", record.campaign)
    try:
        record = services.confirm_import(record, actor=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        if record.state == ImportRecord.State.WRITING:
            messages.info(
                request,
                _("Загрузка подтверждена: значения записываются, страница покажет итог."),
            )
            return redirect("monitoring:import", record.pk)
        messages.success(
            request,
            ngettext(
                "Загружено %(n)s значение: новых — %(created)s, изменено — %(updated)s, "
                "без изменений — %(unchanged)s.",
                "Загружено %(n)s значений: новых — %(created)s, изменено — %(updated)s, "
                "без изменений — %(unchanged)s.",
                record.values_count,
            )
            % {
                "n": record.values_count,
                "created": record.created_count,
                "updated": record.updated_count,
                "unchanged": record.unchanged_count,
            },
        )
    return redirect("monitoring:import", record.pk)
