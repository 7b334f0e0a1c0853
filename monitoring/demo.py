"""Demo monitoring: two campaigns of Dmitriev (2024/2025, 2025/2026) and one of Kupino, each
with a value for every school and indicator — imported from an XLSX file built in memory from
the campaign's own template, through the same preview and confirmation as a user's upload.

The numbers are plausible and deterministic: schools with the status ШНОР have more
unsatisfactory marks and lower scores, schools with ШНСУ worse social indicators."""

import importlib
import io
import random

from django.apps import apps as django_apps
from django.contrib.auth import get_user_model
from openpyxl import load_workbook

from schools.models import Municipality, SchoolStatus

from . import services
from .models import Campaign, Indicator

CAMPAIGNS = [
    ("Дмитриевский район", 2024, "Результаты 2024/2025 учебного года", "uo_dmitriev"),
    ("Дмитриевский район", 2025, "Результаты 2025/2026 учебного года", "uo_dmitriev"),
    ("Купинский район", 2025, "Результаты 2025/2026 учебного года", "uo_kupino"),
]


def _value(indicator, rng, shnor: bool, shnsu: bool):
    """A plausible value: the bad side of the range for a school of the matching status."""
    low, high = float(indicator.min_value), float(indicator.max_value)
    if indicator.group == Indicator.Group.RESULTS:
        bad = shnor
    elif indicator.group == Indicator.Group.SOCIAL:
        bad = shnsu
    else:
        bad = shnor and shnsu
    if indicator.unit == "%":
        # A share: bad ones high when lower is better, and vice versa.
        good_range, bad_range = (3, 12), (18, 35)
        if indicator.direction == Indicator.Direction.HIGHER:
            good_range, bad_range = (55, 85), (25, 45)
        value = rng.uniform(*(bad_range if bad else good_range))
    else:
        share = rng.uniform(0.05, 0.35) if bad else rng.uniform(0.55, 0.9)
        if indicator.direction == Indicator.Direction.LOWER:
            share = 1 - share
        value = low + (high - low) * share
        if indicator.code == "RES_VACANCIES":
            value = rng.uniform(2, 5) if bad else rng.uniform(0, 1.5)
        if indicator.code == "EGE_MEAN":
            value = rng.uniform(42, 55) if bad else rng.uniform(60, 75)
    return round(min(max(value, low), high), indicator.decimals)


def _filled_template(campaign, actor) -> bytes:
    book = load_workbook(io.BytesIO(services.template_for(campaign, actor=actor)))
    sheet = book.active
    codes = {c.column: c.value for c in sheet[1] if c.column > 2 and c.value}
    indicators = {i.code: i for i in campaign.indicators.all()}
    statuses = {}
    for status in SchoolStatus.objects.filter(school__municipality=campaign.municipality):
        statuses.setdefault(status.school_id, set()).add(status.kind)
    for row in sheet.iter_rows(min_row=5):
        school_id = row[0].value
        if not school_id:
            continue
        kinds = statuses.get(school_id, set())
        rng = random.Random(f"{campaign.year}:{row[1].value}")
        for column, code in codes.items():
            value = _value(
                indicators[code],
                rng,
                SchoolStatus.Kind.SHNOR in kinds,
                SchoolStatus.Kind.SHNSU in kinds,
            )
            # Every other school's numbers typed as text with a decimal comma, as people do.
            if school_id % 2:
                value = str(value).replace(".", ",")
            sheet.cell(row=row[0].row, column=column, value=value)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def load_monitoring() -> None:
    """Create the demo campaigns and import their values; running it twice changes nothing."""
    # The catalogue comes with the migration; a flushed database (transactional tests) has
    # lost it, so it is seeded again by the same function.
    if not Indicator.objects.exists():
        seed = importlib.import_module("monitoring.migrations.0002_seed_indicators").seed
        seed(django_apps, None)
    users = get_user_model().objects
    for municipality_name, year, name, login in CAMPAIGNS:
        municipality = Municipality.objects.get(name=municipality_name)
        if Campaign.objects.filter(municipality=municipality, year=year).exists():
            continue
        actor = users.get(username=login)
        campaign = services.create_campaign(
            actor=actor, municipality=municipality, year=year, name=name
        )
        data = _filled_template(campaign, actor)
        record, parsed = services.preview_import(
            campaign, actor=actor, data=data, file_name=f"monitoring-{year}.xlsx"
        )
        if record is None:
            raise RuntimeError("; ".join(parsed.errors))
        services.confirm_import(record, actor=actor)
