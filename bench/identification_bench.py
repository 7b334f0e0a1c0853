"""Benchmark of the identification of ШНОР / ШНСУ on a region's scale: not a test.

    cd /work/main && .venv/bin/python bench/identification_bench.py [--schools 2000] [--runs 5]

Two measures:

- the engine alone (``monitoring.selection.identify``, pure computation): ``--schools`` schools
  × 3 campaign years × 20 indicators, four rules as a department sets them (ШНОР: the composite
  results index in the worst 10 % in 2 of the last 3 years; ШНСУ: the social index in the worst
  quartile; группа риска: single indicators, any of them in the worst 15 %; стабильно высокие:
  the composite results index among the best 50 schools in 3 of 3 years) — the median and the
  minimum of ``--runs`` runs;
- the whole run with the database (``monitoring.lists.run_identification``: the rules and
  values read, the engine, every school × status entry written), on a throw-away PostgreSQL
  database (``nc_bench``, or ``BENCH_DATABASE_URL``'s; its name must contain "bench": dropped and
  created again) with production's settings (``bench.settings``). The values are put in the
  database with ``bulk_create`` (the import's own cost is bench/monitoring_import_bench.py's);
  the rules through ``lists.save_rule``, as the rules page saves them.

Target: the engine at most 1 s on this machine; the database run is reported.
"""

import argparse
import os
import statistics
import sys
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/nc_bench"
os.environ["DATABASE_URL"] = os.environ.get("BENCH_DATABASE_URL", DEFAULT_DATABASE_URL)
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from monitoring_world import INDICATORS, build_world, create_database  # noqa: E402

YEARS = (2023, 2024, 2025)
RESULTS = ("VPR_FAIL", "VPR_MEAN", "OGE_FAIL", "OGE_MEAN", "EGE_MEAN")
SOCIAL = ("SOC_PARENTS_HIGHER_EDU", "SOC_SINGLE_PARENT", "SOC_LOW_INCOME", "SOC_SEN")
RISK = ("VPR_FAIL", "OGE_FAIL", "RES_VACANCIES")


def value_of(school: int, column: int, year: int, low: float, high: float) -> float:
    """A deterministic value within [low, high]: each school has a level that drifts by year."""
    level = ((school * 37 + column * 11 + year * 5) % 101) / 100
    return round(low + (high - low) * level, 1)


def build(schools: int):
    """The municipality, its schools, 20 indicators, three campaigns with every value, the
    four rules, and a superuser to run them."""

    from monitoring import lists, services
    from monitoring.models import Indicator, IndicatorValue
    from schools.models import Organisation

    municipality, admin = build_world(schools)
    indicators = list(Indicator.objects.all()[:INDICATORS])
    school_ids = list(
        Organisation.objects.filter(municipality=municipality).values_list("pk", flat=True)
    )
    for year in YEARS:
        campaign = services.create_campaign(
            actor=admin,
            municipality=municipality,
            year=year,
            name=f"Бенчмарк {year}",
            indicators=indicators,
        )
        IndicatorValue.objects.bulk_create(
            (
                IndicatorValue(
                    campaign=campaign,
                    school_id=school,
                    indicator=indicator,
                    value=value_of(
                        school, column, year, float(indicator.min_value), float(indicator.max_value)
                    ),
                )
                for school in school_ids
                for column, indicator in enumerate(indicators)
            ),
            batch_size=5000,
        )
    by_code = {i.code: i for i in indicators}
    rules = [
        ("shnor", "composite", "any", "percentile", 10, 3, 2, RESULTS),
        ("shnsu", "composite", "any", "percentile", 25, 1, 1, SOCIAL),
        ("risk", "single", "any", "percentile", 15, 1, 1, RISK),
        ("high", "composite", "any", "rank", 50, 3, 3, RESULTS),
    ]
    for kind, method, combine, threshold_type, threshold, window, years, codes in rules:
        lists.save_rule(
            municipality,
            actor=admin,
            kind=kind,
            version=None,
            fields={
                "is_active": True,
                "method": method,
                "combine": combine,
                "threshold_type": threshold_type,
                "threshold": Decimal(threshold),
                "window_years": window,
                "min_years": years,
            },
            indicators=[(by_code[c], 1, None) for c in codes],
        )
    return municipality, admin


def engine_inputs(municipality):
    """The engine's arguments as ``run_identification`` builds them."""
    from monitoring import lists
    from monitoring.models import IdentificationRule, Indicator
    from schools.models import Organisation

    rules = IdentificationRule.objects.filter(municipality=municipality, is_active=True)
    indicators = {i.code: i for i in Indicator.objects.all()}
    specs = [lists._spec(lists.rule_snapshot(rule), indicators) for rule in rules]
    values = lists.read_values(municipality, YEARS)
    schools = list(
        Organisation.objects.filter(municipality=municipality)
        .order_by("short_name", "pk")
        .values_list("pk", flat=True)
    )
    return specs, values, schools


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--schools", type=int, default=2000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()

    from django.test.utils import setup_test_environment

    from monitoring import lists, selection
    from monitoring.models import RunEntry

    setup_test_environment()
    print(f"database: {connection.settings_dict['NAME']} ({connection.vendor})", flush=True)
    print(f"load average: {' '.join(f'{x:.1f}' for x in os.getloadavg())} on {os.cpu_count()} CPUs")
    create_database()
    try:
        municipality, admin = build(args.schools)
        specs, values, schools = engine_inputs(municipality)
        cells = sum(len(v) for year in values.values() for v in year.values())
        print(
            f"{len(schools)} schools × {len(values)} years × {INDICATORS} indicators "
            f"({cells} values), {len(specs)} rules",
            flush=True,
        )
        times = []
        for _ in range(args.runs):
            start = time.perf_counter()
            verdicts, _warnings = selection.identify(specs, values, schools, max(YEARS))
            times.append(time.perf_counter() - start)
        proposed = {k: sum(1 for v in vs if v.proposed) for k, vs in verdicts.items()}
        engine = statistics.median(times)
        print(
            f"{'engine (selection.identify)':<40} median {engine:6.3f} s, min {min(times):6.3f} s "
            f"(target ≤ 1 s); proposed {proposed}",
            flush=True,
        )
        times = []
        for _ in range(max(1, args.runs // 2)):
            start = time.perf_counter()
            run = lists.run_identification(municipality, actor=admin, year=max(YEARS) + 1)
            times.append(time.perf_counter() - start)
        entries = RunEntry.objects.filter(run=run).count()
        print(
            f"{'with the database (run_identification)':<40} median "
            f"{statistics.median(times):6.3f} s, min {min(times):6.3f} s; {entries} entries",
            flush=True,
        )
        print(f"result: engine {engine:.3f} s — {'within' if engine <= 1 else 'OVER'} the target")
    finally:
        connection.close()


if __name__ == "__main__":
    main()
