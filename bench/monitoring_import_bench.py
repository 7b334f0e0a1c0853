"""Benchmark of a large monitoring import (``monitoring.services``): not a test.

    cd /work/main && .venv/bin/python bench/monitoring_import_bench.py [--schools 5000]

Sets up Django with production's settings (``bench.settings``) on a throw-away PostgreSQL
database (``nc_bench``, or the database of ``BENCH_DATABASE_URL``; its name must contain
"bench": it is dropped and created again), migrated. In it: one municipality of
``--schools`` schools and a campaign of 20 indicators (the seeded catalogue and three more),
and one XLSX of schools × indicators values (100,000 by default) written with openpyxl here, as
a department would fill the template. Then, through the services a user's upload goes
through, it times separately:

- the upload: the file's SHA-256 and its storage (``submit_import``);
- read + validate, the task's work (``check_import``: the streamed reading, every cell's
  check, the progress reports, the counts against the stored values, the preview's payload);
- the confirmation (``confirm_import``, which hands an import this large to the task
  ``write_import``; its work, ``write_values``, is run here at once: every value written, in
  batches);
- a re-import of the same file with one value in ten changed (check and confirm again).

Peak memory: a second pass of upload, check and confirm in a campaign of its own runs under
``tracemalloc`` (its peak per phase: the Python objects the phase allocated at most at once;
``tracemalloc`` slows Python down, so the times above come from the first pass) and the
process's ``ru_maxrss`` is printed after each pass (the whole process: Django and the
workbook included). Targets on this machine: read + validate + confirm at most 5 s, at most
300 MB.
"""

import argparse
import gc
import io
import os
import resource
import sys
import time
import tracemalloc
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/nc_bench"
os.environ["DATABASE_URL"] = os.environ.get("BENCH_DATABASE_URL", DEFAULT_DATABASE_URL)
# Production's settings (``bench.settings``, as bench/run.py uses): above all the data-version
# trigger deferred to the commit, as it runs in production (the test settings make it fire on
# every row, which a 100,000-row transaction must not be judged by).
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from monitoring_world import INDICATORS, build_world, create_database  # noqa: E402


def new_campaign(municipality, admin, year):
    from monitoring import services
    from monitoring.models import Indicator

    return services.create_campaign(
        actor=admin,
        municipality=municipality,
        year=year,
        name=f"Бенчмарк {year}",
        indicators=list(Indicator.objects.all()[:INDICATORS]),
    )


def workbook(campaign, changed_every=0) -> bytes:
    """The campaign's schools × indicators, every cell a number within its range (as text
    with a decimal comma in one column of four, as people type them); with ``changed_every``,
    one value in that many differs from the first file."""
    from openpyxl import Workbook
    from openpyxl.utils import get_column_letter

    from monitoring import services

    indicators = list(services.campaign_indicators(campaign))
    schools = list(services.campaign_schools(campaign).values_list("pk", "short_name"))
    book = Workbook(write_only=True)
    sheet = book.create_sheet("Значения")
    sheet.append(["Код школы", "Школа", *(i.code for i in indicators)])
    n = 0
    for pk, name in schools:
        row = [pk, name]
        for column, indicator in enumerate(indicators):
            low, high = float(indicator.min_value), float(indicator.max_value)
            share = ((pk * 7 + column * 13) % 97) / 97
            if changed_every and n % changed_every == 0:
                share = (share + 0.5) % 1
            value = round(low + (high - low) * share, indicator.decimals)
            row.append(f"{value}".replace(".", ",") if column % 4 == 0 else value)
            n += 1
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    last = f"{get_column_letter(len(indicators) + 2)}{len(schools) + 1}"
    return with_dimension(out.getvalue(), f"A1:{last}")


def with_dimension(data: bytes, ref: str) -> bytes:
    """The file with the sheet's dimension recorded, as Excel (and openpyxl's normal mode, the
    template's) writes it; the write-only mode, which builds this big file in little memory,
    leaves it out — and a file without one is parsed twice by openpyxl's read-only mode."""
    source, out = zipfile.ZipFile(io.BytesIO(data)), io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            content = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                content = content.replace(
                    b"</sheetPr>", f'</sheetPr><dimension ref="{ref}" />'.encode(), 1
                )
            target.writestr(item, content)
    return out.getvalue()


class _Queue:
    """Stands for the task queue: the upload's commit enqueues the check here, and the bench
    runs the check itself (``services.check_import``, what the worker runs), timed apart."""

    @staticmethod
    def enqueue(record_id):
        pass


def upload(campaign, admin, data, name):
    from types import SimpleNamespace

    from django.core.files.base import ContentFile

    from monitoring import services

    services.tasks = SimpleNamespace(check_import=_Queue)
    return services.submit_import(campaign, actor=admin, upload=ContentFile(data, name=name))


def timed(label, function, *args, **kwargs):
    """Wall time (what the user waits) and this process's CPU time (the Python side: the rest
    is the database's, or other work on a busy machine)."""
    gc.collect()
    start, cpu = time.perf_counter(), time.process_time()
    result = function(*args, **kwargs)
    elapsed = time.perf_counter() - start
    print(
        f"{label:<44} {elapsed:7.2f} s (CPU of this process {time.process_time() - cpu:.2f} s)",
        flush=True,
    )
    return result, elapsed


def traced(label, function, *args, **kwargs):
    gc.collect()
    tracemalloc.start()
    try:
        result = function(*args, **kwargs)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    print(f"{label:<44} {peak / 2**20:7.1f} MB (tracemalloc peak)", flush=True)
    return result, peak


def maxrss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kilobytes on Linux


def confirm(record, *, actor):
    """Confirm as the department does, then write as the task does (``write_import``)."""
    from monitoring import services
    from monitoring.models import ImportRecord

    record = services.confirm_import(record, actor=actor)
    if record.state == ImportRecord.State.WRITING:
        record = services.write_values(record, actor=actor, queued=True)
    return record


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--schools", type=int, default=5000)
    args = parser.parse_args()

    from django.test.utils import setup_test_environment

    from monitoring import services
    from monitoring.models import ImportRecord, IndicatorValue

    setup_test_environment()
    print(f"database: {connection.settings_dict['NAME']} ({connection.vendor})", flush=True)
    print(f"load average: {' '.join(f'{x:.1f}' for x in os.getloadavg())} on {os.cpu_count()} CPUs")
    create_database()
    try:
        municipality, admin = build_world(args.schools)
        campaign = new_campaign(municipality, admin, 2030)
        start = time.perf_counter()
        data = workbook(campaign)
        print(
            f"file: {args.schools} schools × {INDICATORS} indicators, "
            f"{len(data) / 2**20:.1f} MB, written in {time.perf_counter() - start:.1f} s",
            flush=True,
        )
        print(f"ru_maxrss before the import: {maxrss_mb():.0f} MB", flush=True)

        record, _ = timed("upload (SHA-256, storage)", upload, campaign, admin, data, "b.xlsx")
        parsed, check_s = timed(
            "read + validate (the task's work)", services.check_import, record.pk
        )
        record.refresh_from_db()
        assert record.state == ImportRecord.State.PREVIEW, record.errors[:5]
        assert record.values_count == args.schools * INDICATORS, record.values_count
        print(f"  {record.values_count} values, {record.total_rows} rows", flush=True)
        del parsed
        record, confirm_s = timed("confirm (every value written)", confirm, record, actor=admin)
        assert IndicatorValue.objects.filter(campaign=campaign).count() == record.values_count
        print(f"{'read + validate + confirm':<44} {check_s + confirm_s:7.2f} s (target ≤ 5 s)")

        changed = workbook(campaign, changed_every=10)
        again = upload(campaign, admin, changed, "b2.xlsx")
        _, recheck_s = timed("re-import: read + validate", services.check_import, again.pk)
        again.refresh_from_db()
        again, reconfirm_s = timed("re-import: confirm", confirm, again, actor=admin)
        print(
            f"  new {again.created_count}, changed {again.updated_count}, "
            f"unchanged {again.unchanged_count}",
            flush=True,
        )
        first_rss = maxrss_mb()
        print(f"ru_maxrss after the first pass: {first_rss:.0f} MB", flush=True)

        # The second pass, under tracemalloc, in a campaign of its own (all values new again).
        second = new_campaign(municipality, admin, 2031)
        data = workbook(second)
        record, _ = traced("upload", upload, second, admin, data, "c.xlsx")
        _, check_peak = traced("read + validate", services.check_import, record.pk)
        record.refresh_from_db()
        _, confirm_peak = traced("confirm", confirm, record, actor=admin)
        rss = maxrss_mb()
        print(f"ru_maxrss after the second pass: {rss:.0f} MB (target ≤ 300 MB)", flush=True)
        peak = max(check_peak, confirm_peak) / 2**20
        ok = check_s + confirm_s <= 5 and rss <= 300
        print(
            f"result: {check_s + confirm_s:.2f} s, tracemalloc peak {peak:.0f} MB, "
            f"ru_maxrss {rss:.0f} MB — {'within' if ok else 'OVER'} the targets",
            flush=True,
        )
    finally:
        connection.close()


if __name__ == "__main__":
    main()
