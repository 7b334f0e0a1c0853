"""Benchmark of the year-end execution report of a 150-line plan (``plans.reporting``): not a
test.

    cd /work/main && .venv/bin/python bench/execution_report_bench.py [--lines 150] [--runs 5]

Sets up Django with the test settings and a throw-away SQLite database (as bench/pdf_bench.py
does), loads the demo and gives the Dmitriev center a plan for 2030/2031 with ``--lines`` events
through the services: built, agreed by every school, approved by the department's head, then a
report filed on every event (participants of every school) and accepted, one event in ten
postponed first and one in twenty cancelled. Reports the queries and time of reading the report,
of its landscape «ПРОЕКТ» PDF (pages, size) and of its XLSX.
"""

import argparse
import io
import sys
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from django.test.utils import setup_test_environment  # noqa: E402
from pdf_bench import create_database, load_world, measure  # noqa: E402


def build(lines: int):
    from django.contrib.auth import get_user_model

    from network_center.centers.models import Center
    from plans import services
    from plans.models import EventForm, Visa
    from plans.services import execution

    users = get_user_model().objects
    head, chief = users.get(username="head_center"), users.get(username="chief_dmitriev")
    center = Center.objects.get(hub__short_name="МКОУ «СОШ № 2 г. Дмитриева»")
    schools = [p.school for p in center.participations.select_related("school")]
    forms = list(EventForm.objects.all())
    plan = services.create_plan(center, 2030, actor=head)
    revision = plan.revisions.get()
    start = date(2030, 9, 2)
    for n in range(lines):
        services.add_line(
            revision,
            actor=head,
            direction=f"Направление {n % 5 + 1}",
            title=f"Семинар «Формирующее оценивание на уроках», занятие {n + 1}",
            form=forms[n % len(forms)],
            format="in_person",
            audience="учителя математики и русского языка",
            venue=center.hub,
            date_kind="day",
            date_from=start + timedelta(days=n % 240),
            schools=schools[: 2 + n % 4],
            responsible=[head.person],
            expected_result="Методические рекомендации, протокол",
        )
    services.submit(revision, actor=head)
    for visa in revision.visas.select_related("school"):
        coordinator = visa.school.memberships.filter(role="coordinator").first().user
        services.give_visa(revision, visa.school, actor=coordinator, decision=Visa.Decision.AGREED)
    services.approve(revision, actor=chief, password="demo12345")
    for n, event in enumerate(plan.executions.select_related("line").order_by("pk")):
        if n % 20 == 7:
            execution.cancel(event, actor=head, reason="Ведущий заболел.")
            continue
        held_on = event.date_from
        if n % 10 == 3:
            held_on = event.date_from + timedelta(days=14)
            event = execution.postpone(
                event, actor=head, date_kind="day", date_from=held_on, reason="Карантин."
            )
        event = execution.report(
            event,
            actor=head,
            held_on=min(held_on, date.today()),
            outcome="Проведено по плану; разобраны задания, учителя получили рекомендации.",
            participants=[(s, 3 + k, []) for k, s in enumerate(event.line.schools.all())],
        )
        execution.accept_report(event, actor=head)
    return revision


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--lines", type=int, default=150)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    setup_test_environment()
    create_database()
    load_world()
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from pypdf import PdfReader

    from network_center.documents.pdf import render_document_pdf
    from plans import reporting

    revision = build(args.lines)
    with CaptureQueriesContext(connection) as queries:
        report = reporting.execution_report(revision)
    print(f"{args.lines} events: the report reads in {len(queries)} queries", flush=True)
    measure("read the report", lambda: reporting.execution_report(revision), args.runs)
    pdf = measure(
        "PDF («ПРОЕКТ», landscape table)",
        lambda: render_document_pdf(reporting.draft_report_document(report)),
        args.runs,
    )
    pages = len(PdfReader(io.BytesIO(pdf)).pages)
    print(f"PDF: {pages} pages, {len(pdf) / 1024:.0f} KB", flush=True)
    xlsx = measure("XLSX", lambda: reporting.report_workbook(report), args.runs)
    print(f"XLSX: {len(xlsx) / 1024:.0f} KB", flush=True)


if __name__ == "__main__":
    main()
