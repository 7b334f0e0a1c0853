"""Demo monitoring, and the demo's statuses of schools reached the way a department reaches
them: two campaigns of Dmitriev (2024/2025, 2025/2026) and one of Kupino, each with a value for
every school and indicator, imported from an XLSX file built from the campaign's own template
through the same preview and confirmation as a user's upload; then each municipality's
identification rules, a run, its confirmation (which drafts the order approving the list) and
the order registered from its paper original — whose signing sets the schools' statuses.

Dmitriev changed its rule for ШНОР between the two lists: in 2025 one year of results was
enough, from 2026 the school must be flagged in 2 of the last 3 years; that is why
«Первоавангардская СОШ», ШНОР in 2025/2026 after a bad year, is only in the risk group in
2026/2027 after a middling one. The rule's history shows the change.

The numbers are plausible and deterministic: each school has a level of results and of social
conditions per year (``PROFILES``), from which every indicator's value follows."""

import importlib
import io
import random
from datetime import date
from decimal import Decimal

from django.apps import apps as django_apps
from django.contrib.auth import get_user_model
from openpyxl import load_workbook

from network_center.documents import services as document_services
from schools.models import Municipality, SchoolStatus

from . import lists, services
from .models import Campaign, IdentificationRule, IdentificationRun, Indicator

Kind = SchoolStatus.Kind
Method = IdentificationRule.Method
Threshold = IdentificationRule.ThresholdType

CAMPAIGNS = [
    ("Дмитриевский район", 2024, "Результаты 2024/2025 учебного года", "uo_dmitriev"),
    ("Дмитриевский район", 2025, "Результаты 2025/2026 учебного года", "uo_dmitriev"),
    ("Купинский район", 2025, "Результаты 2025/2026 учебного года", "uo_kupino"),
]

# Quality of a level, 0 (worst) … 1 (best).
LEVELS = {"excellent": 0.92, "good": 0.68, "medium": 0.45, "bad": 0.18}
# school → campaign year → (results level, social level)
PROFILES = {
    "МКОУ «СОШ № 2 г. Дмитриева»": {2024: ("excellent", "good"), 2025: ("excellent", "good")},
    "МКОУ «СОШ № 1 г. Дмитриева»": {2024: ("bad", "good"), 2025: ("bad", "good")},
    "МКОУ «Старогородская СОШ»": {2024: ("good", "bad"), 2025: ("good", "bad")},
    "МКОУ «Крупецкая СОШ»": {2024: ("bad", "bad"), 2025: ("bad", "bad")},
    "МКОУ «Первоавангардская СОШ»": {2024: ("bad", "good"), 2025: ("medium", "good")},
    "МКОУ «Фатеевская ООШ»": {2024: ("good", "bad"), 2025: ("good", "bad")},
    "МБОУ «Купинская СОШ № 77»": {2025: ("excellent", "good")},
    "МБОУ «Купинская СОШ № 1»": {2025: ("excellent", "good")},
    "МКОУ «Новониколаевская СОШ»": {2025: ("bad", "good")},
    "МКОУ «Чаинская СОШ»": {2025: ("good", "bad")},
    "МКОУ «Медяковская СОШ»": {2025: ("bad", "good")},
    "МКОУ «Лягушенская ООШ»": {2025: ("good", "bad")},
}
# indicator → (value at the worst, value at the best)
SCALES = {
    "VPR_FAIL": (40, 0),
    "VPR_MEAN": (2.4, 4.6),
    "VPR_CONFIRMED": (30, 90),
    "OGE_FAIL": (30, 0),
    "OGE_MEAN": (2.6, 4.6),
    "OGE_CONFIRMED": (35, 90),
    "EGE_FAIL": (25, 0),
    "EGE_MEAN": (38, 78),
    "SOC_PARENTS_HIGHER_EDU": (5, 45),
    "SOC_SINGLE_PARENT": (40, 8),
    "SOC_PREVENTIVE": (12, 0.5),
    "SOC_LOW_INCOME": (45, 5),
    "SOC_NON_NATIVE": (20, 0),
    "SOC_SEN": (14, 3),
    "RES_VACANCIES": (6, 0),
    "RES_TEACHERS_60": (40, 8),
    "RES_EQUIPMENT": (0.2, 0.95),
}

RESULTS = ("VPR_FAIL", "VPR_MEAN", "OGE_FAIL", "OGE_MEAN", "EGE_MEAN")
RESULT_WEIGHTS = {"VPR_FAIL": 2, "OGE_FAIL": 2}
SOCIAL = (
    "SOC_PARENTS_HIGHER_EDU",
    "SOC_SINGLE_PARENT",
    "SOC_PREVENTIVE",
    "SOC_LOW_INCOME",
    "SOC_NON_NATIVE",
    "SOC_SEN",
)


def _rule(method, threshold_type, threshold, window, min_years, codes, weights=None, **extra):
    return {
        "fields": {
            "is_active": True,
            "method": method,
            "combine": extra.get("combine", IdentificationRule.Combine.ANY),
            "threshold_type": threshold_type,
            "threshold": None if threshold is None else Decimal(str(threshold)),
            "window_years": window,
            "min_years": min_years,
        },
        "codes": codes,
        "weights": weights or {},
        "thresholds": extra.get("thresholds", {}),
    }


# The rules each municipality applies — Dmitriev's as they were for the list of 2025/2026 and
# as they are since the list of 2026/2027; Kupino's for 2026/2027.
DMITRIEV_RULES_2025 = {
    Kind.SHNOR: _rule(Method.COMPOSITE, Threshold.ABSOLUTE, -0.5, 1, 1, RESULTS, RESULT_WEIGHTS),
    Kind.SHNSU: _rule(Method.COMPOSITE, Threshold.ABSOLUTE, -0.5, 1, 1, SOCIAL),
    Kind.RISK: _rule(Method.COMPOSITE, Threshold.ABSOLUTE, -0.15, 1, 1, RESULTS, RESULT_WEIGHTS),
    Kind.HIGH: _rule(Method.COMPOSITE, Threshold.RANK, 1, 1, 1, RESULTS, RESULT_WEIGHTS),
}
DMITRIEV_RULES_2026 = {
    **DMITRIEV_RULES_2025,
    Kind.SHNOR: _rule(Method.COMPOSITE, Threshold.ABSOLUTE, -0.5, 3, 2, RESULTS, RESULT_WEIGHTS),
    Kind.HIGH: _rule(Method.COMPOSITE, Threshold.RANK, 1, 3, 2, RESULTS, RESULT_WEIGHTS),
}
KUPINO_RULES = {
    Kind.SHNOR: _rule(Method.COMPOSITE, Threshold.PERCENTILE, 30, 1, 1, RESULTS, RESULT_WEIGHTS),
    Kind.SHNSU: _rule(
        Method.SINGLE,
        Threshold.ABSOLUTE,
        None,
        1,
        1,
        ("SOC_LOW_INCOME", "SOC_SINGLE_PARENT"),
        thresholds={"SOC_LOW_INCOME": Decimal(25), "SOC_SINGLE_PARENT": Decimal(25)},
    ),
    Kind.HIGH: _rule(Method.COMPOSITE, Threshold.PERCENTILE, 30, 1, 1, RESULTS, RESULT_WEIGHTS),
}

# The lists: municipality, list year, rules, the department's login, the paper order.
LISTS = [
    ("Дмитриевский район", 2025, DMITRIEV_RULES_2025, "uo_dmitriev", "1-201", date(2025, 9, 15)),
    ("Дмитриевский район", 2026, DMITRIEV_RULES_2026, "uo_dmitriev", "1-188", date(2026, 9, 14)),
    ("Купинский район", 2026, KUPINO_RULES, "uo_kupino", "245", date(2026, 9, 10)),
]


def _value(indicator, quality: float, rng) -> float:
    worst, best = SCALES[indicator.code]
    q = min(max(quality + rng.uniform(-0.03, 0.03), 0), 1)
    value = worst + (best - worst) * q
    low, high = float(indicator.min_value), float(indicator.max_value)
    return round(min(max(value, low), high), indicator.decimals)


def _filled_template(campaign, actor) -> bytes:
    book = load_workbook(io.BytesIO(services.template_for(campaign, actor=actor)))
    sheet = book.active
    codes = {c.column: c.value for c in sheet[1] if c.column > 2 and c.value}
    indicators = {i.code: i for i in campaign.indicators.all()}
    for row in sheet.iter_rows(min_row=5):
        school_id, name = row[0].value, row[1].value
        if not school_id:
            continue
        results, social = PROFILES[name][campaign.year]
        rng = random.Random(f"{campaign.year}:{name}")
        for column, code in codes.items():
            indicator = indicators[code]
            level = social if indicator.group == Indicator.Group.SOCIAL else results
            value = _value(indicator, LEVELS[level], rng)
            # Every other school's numbers typed as text with a decimal comma, as people do.
            if school_id % 2:
                value = str(value).replace(".", ",")
            sheet.cell(row=row[0].row, column=column, value=value)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _save_rules(municipality, rules, actor):
    indicators = {i.code: i for i in Indicator.objects.all()}
    for kind, rule in rules.items():
        current = IdentificationRule.objects.filter(municipality=municipality, kind=kind).first()
        lists.save_rule(
            municipality,
            actor=actor,
            kind=kind,
            version=current.version if current else None,
            fields=rule["fields"],
            indicators=[
                (
                    indicators[code],
                    Decimal(rule["weights"].get(code, 1)),
                    rule["thresholds"].get(code),
                )
                for code in rule["codes"]
            ],
        )


def load_monitoring() -> None:
    """Create the demo campaigns, import their values and put the demo's lists in force;
    running it twice changes nothing."""
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
        if record.state != record.State.PREVIEW:
            raise RuntimeError("; ".join(parsed.errors))
        services.confirm_import(record, actor=actor)
    for municipality_name, year, rules, login, number, on_date in LISTS:
        municipality = Municipality.objects.get(name=municipality_name)
        if IdentificationRun.objects.filter(
            municipality=municipality, year=year, state=IdentificationRun.State.IN_FORCE
        ).exists():
            continue
        actor = users.get(username=login)
        _save_rules(municipality, rules, actor)
        run = lists.run_identification(municipality, actor=actor, year=year)
        run = lists.confirm_run(run, actor=actor, version=run.version)
        document_services.register_paper_document(
            run.order, actor=actor, number=number, on_date=on_date
        )
