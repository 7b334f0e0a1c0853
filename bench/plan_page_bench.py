"""Benchmark of the plan page (not a test).

    cd /work/main && .venv/bin/python bench/plan_page_bench.py [--runs 30]

Builds the demo in a throw-away SQLite test database, grows this year's Dmitriev plan to 150
lines, and measures the server time of GET /plans/<id>/ through the Django test client:
cold (rows not cached), warm (rows cached) and, for scale, a plain five-query page
(/schools/<id>/ for the same user). Prints the median and minimum times and query counts.
"""

import argparse
import os
import statistics
import sys
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "network_center.settings_test")

import django  # noqa: E402

django.setup()

from django.core.cache import cache  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402


def build():
    from django.contrib.auth import get_user_model

    from network_center.demo import load_demo
    from plans.models import EventForm, Line, Plan

    load_demo()
    plan = Plan.objects.get(year=2026, center__hub__short_name="МКОУ «СОШ № 2 г. Дмитриева»")
    revision = plan.revisions.get()
    hub = plan.center.hub
    participants = [p.school for p in plan.center.participations.all()]
    people = list(hub.people.all()[:3])
    form = EventForm.objects.first()
    for i in range(150 - revision.lines.count()):
        line = Line.objects.create(
            revision=revision,
            position=100 + i,
            direction=f"Задача центра {i % 5 + 1}",
            title=f"Мероприятие сети № {i}: семинар-практикум для учителей",
            form=form,
            format="in_person",
            audience="учителя математики и русского языка",
            venue=hub,
            date_from=date(2026, 9 + i % 4, 1 + i % 27),
            initiator=hub,
            expected_result="Методические рекомендации, протокол",
        )
        line.schools.set(participants[: 1 + i % 5])
        line.responsible.set(people[: 1 + i % 3])
    user = get_user_model().objects.get(username="head_center")
    return plan, user


def measure(client, url, runs, *, clear=False):
    times, queries = [], 0
    for _ in range(runs):
        if clear:
            cache.clear()
        with CaptureQueriesContext(connection) as ctx:
            start = time.perf_counter()
            response = client.get(url)
            times.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, response.status_code
        queries = len(ctx.captured_queries)
    return statistics.median(times), min(times), queries


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()
    connection.creation.create_test_db(verbosity=0, serialize=False)
    plan, user = build()
    client = Client()
    client.force_login(user)
    url = f"/plans/{plan.pk}/"
    client.get(url)
    school = plan.center.hub
    rows = [
        ("plan page, 150 lines, rows cached", measure(client, url, args.runs)),
        ("plan page, 150 lines, cold", measure(client, url, max(5, args.runs // 3), clear=True)),
        ("school page (plain)", measure(client, f"/schools/{school.pk}/", args.runs)),
    ]
    print(f"load average: {os.getloadavg()[0]:.2f}")
    for name, (median, minimum, queries) in rows:
        print(f"{name:40} median {median:7.1f} ms   min {minimum:7.1f} ms   {queries} queries")


if __name__ == "__main__":
    main()
