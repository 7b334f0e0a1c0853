"""Every change of monitoring data: creating a campaign, previewing an upload, confirming it.

Each asks the rule first (``schools.permissions.require``), then changes inside one
transaction. An upload is validated as a whole: an invalid file saves nothing at all (the errors
are returned); a valid one becomes an ``ImportRecord`` in «preview» holding the validated values,
and only its confirmation writes them — in one transaction, as one bulk upsert.
"""

import hashlib
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from schools.models import Organisation
from schools.permissions import require

from . import importing
from .models import Campaign, ImportRecord, Indicator, IndicatorValue


def create_campaign(*, actor, municipality, year, name, indicators=None) -> Campaign:
    """A new open campaign of ``municipality`` collecting ``indicators`` (all by default)."""
    require(actor, "monitoring.add_campaign", municipality)
    with transaction.atomic():
        if Campaign.objects.filter(municipality=municipality, year=year).exists():
            raise ValidationError(
                _("Кампания за %(year)s/%(next)s учебный год уже есть.")
                % {"year": year, "next": year + 1},
                code="duplicate",
            )
        campaign = Campaign.objects.create(
            municipality=municipality, year=year, name=name, created_by=actor
        )
        campaign.indicators.set(indicators if indicators is not None else Indicator.objects.all())
    return campaign


def campaign_schools(campaign):
    """The schools of the campaign's municipality, the rows of its template and its table."""
    return Organisation.objects.filter(
        municipality_id=campaign.municipality_id, kind=Organisation.Kind.SCHOOL
    ).order_by("short_name", "pk")


def campaign_indicators(campaign):
    return campaign.indicators.order_by("position", "code")


def template_for(campaign, *, actor) -> bytes:
    """The XLSX template of ``campaign`` (its schools × its indicators)."""
    require(actor, "monitoring.import_values", campaign)
    return importing.build_template(
        campaign, list(campaign_schools(campaign)), list(campaign_indicators(campaign))
    )


def _counts(campaign, values):
    """How many of ``values`` would be new, changed and unchanged against the stored ones."""
    stored = {
        (school, indicator): value
        for school, indicator, value in IndicatorValue.objects.filter(campaign=campaign)
        .order_by()
        .values_list("school_id", "indicator_id", "value")
    }
    created = updated = unchanged = 0
    for school, indicator, value in values:
        old = stored.get((school, indicator))
        if old is None:
            created += 1
        elif old == value:
            unchanged += 1
        else:
            updated += 1
    return created, updated, unchanged


def preview_import(campaign, *, actor, data: bytes, file_name: str):
    """Validate the uploaded file ``data``; returns ``(record, errors)``.

    On any error nothing is saved and ``record`` is ``None``; otherwise ``record`` is a new
    ImportRecord in «preview» with the validated values and the counts the confirmation would
    give now."""
    require(actor, "monitoring.import_values", campaign)
    schools = dict(campaign_schools(campaign).values_list("pk", "short_name"))
    indicators = {i.code: i for i in campaign_indicators(campaign)}
    parsed = importing.read_workbook(data, schools=schools, indicators=indicators)
    if not parsed.ok:
        return None, parsed
    created, updated, unchanged = _counts(campaign, parsed.values)
    record = ImportRecord.objects.create(
        campaign=campaign,
        uploaded_by=actor,
        file_name=file_name[:255],
        file_size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        rows=parsed.rows,
        values_count=len(parsed.values),
        created_count=created,
        updated_count=updated,
        unchanged_count=unchanged,
        payload=[[s, i, str(v)] for s, i, v in parsed.values],
    )
    return record, parsed


def confirm_import(record, *, actor) -> ImportRecord:
    """Write the values of a previewed import: new ones created, changed ones updated, in one
    transaction; the record says how many of each (counted again at this moment, since the
    values may have changed since the preview)."""
    require(actor, "monitoring.import_values", record.campaign)
    with transaction.atomic():
        record = (
            ImportRecord.objects.select_for_update().select_related("campaign").get(pk=record.pk)
        )
        campaign = Campaign.objects.select_for_update().get(pk=record.campaign_id)
        if record.state != ImportRecord.State.PREVIEW:
            raise ValidationError(_("Этот файл уже загружен."), code="state")
        if campaign.state != Campaign.State.OPEN:
            raise ValidationError(_("Кампания закрыта."), code="state")
        # The schools and indicators may have left the campaign since the preview.
        schools = set(campaign_schools(campaign).values_list("pk", flat=True))
        indicators = set(campaign.indicators.values_list("pk", flat=True))
        values = [
            (s, i, Decimal(v)) for s, i, v in record.payload if s in schools and i in indicators
        ]
        created, updated, unchanged = _counts(campaign, values)
        now = timezone.now()
        IndicatorValue.objects.bulk_create(
            [
                IndicatorValue(
                    campaign=campaign,
                    school_id=s,
                    indicator_id=i,
                    value=v,
                    import_record=record,
                    updated_at=now,
                )
                for s, i, v in values
            ],
            batch_size=2000,
            update_conflicts=True,
            unique_fields=["campaign", "school", "indicator"],
            update_fields=["value", "import_record", "updated_at"],
        )
        record.state = ImportRecord.State.IMPORTED
        record.confirmed_by = actor
        record.confirmed_at = now
        record.values_count = len(values)
        record.created_count = created
        record.updated_count = updated
        record.unchanged_count = unchanged
        record.save(
            update_fields=[
                "state",
                "confirmed_by",
                "confirmed_at",
                "values_count",
                "created_count",
                "updated_count",
                "unchanged_count",
            ]
        )
    return record
