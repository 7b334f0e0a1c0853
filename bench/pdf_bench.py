"""Benchmark of document rendering (network_center.documents.pdf): not a test.

    cd /work/main && .venv/bin/python bench/pdf_bench.py [--runs 20]

Sets up Django with the test settings and a throw-away SQLite test database, loads the demo, builds
three documents with the ORM — a one-page order, the order 1-139/1 of 22.05.2017 with its
Положение (the real text, padded with repeated clauses to about ten pages) — renders each once to
warm up, then reports the median and minimum of the render times and the PDF sizes.
"""

import argparse
import os
import statistics
import sys
import time
from datetime import UTC, date, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "network_center.settings_test")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402

SAMPLE_PATHS = [
    ROOT / "network_center" / "demo_data" / "order-dmitriev-2017-1-139-1.txt",
    ROOT.parent / "shared" / "samples" / "order-dmitriev-2017-1-139-1.txt",
]
REGULATION_HEADING = (
    "о центре сетевого взаимодействия по повышению качества образования в школах с низкими "
    "результатами обучения и школах, функционирующих в неблагоприятных социальных условиях"
)


def sample_parts():
    text = next(p for p in SAMPLE_PATHS if p.exists()).read_text(encoding="utf-8")
    preamble = text[text.index("В рамках реализации") : text.index("ПРИКАЗЫВАЮ:")]
    order_body = text[text.index("1. Создать") : text.index("Начальник Управления")]
    regulation_body = text[text.index("1. Общие положения.") :]
    return " ".join(preamble.split()), order_body, regulation_body


def create_database():
    """A throw-away test database: migrated, or — if the migrations are behind the models while
    the project is being worked on — tables straight from the models."""
    name = connection.settings_dict["NAME"]
    try:
        connection.creation.create_test_db(verbosity=0, serialize=False)
    except Exception as error:  # noqa: BLE001 - a benchmark, not the product
        print(f"(migrations failed: {error!r}; creating tables from the models)", flush=True)
        connection.creation.destroy_test_db(name, verbosity=0)
        connection.settings_dict.setdefault("TEST", {})["MIGRATE"] = False
        connection.creation.create_test_db(verbosity=0, serialize=False)


def load_world():
    """The demo (as the test suite loads it); if the demo cannot load — other parts of the
    project change under it — just the department, its head and an executor."""
    from django.db import transaction

    from network_center.demo import load_demo

    try:
        with transaction.atomic():
            load_demo()
        return
    except Exception as error:  # noqa: BLE001 - a benchmark, not the product
        print(f"(demo not loaded: {error!r}; using a minimal world)", flush=True)
    from schools.models import Municipality, Organisation, Person, Region

    region = Region.objects.create(name="Курская область", name_genitive="Курской области")
    municipality = Municipality.objects.create(
        region=region, name="Дмитриевский район", center_town="г. Дмитриев"
    )
    department = Organisation.objects.create(
        kind="department",
        region=region,
        municipality=municipality,
        short_name="Управление образования Дмитриевского района",
        full_name="Управление образования, опеки и попечительства Администрации Дмитриевского "
        "района Курской области",
        name_genitive="Управления образования, опеки и попечительства Администрации "
        "Дмитриевского района",
        letterhead="УПРАВЛЕНИЕ ОБРАЗОВАНИЯ, ОПЕКИ И ПОПЕЧИТЕЛЬСТВА\n"
        "АДМИНИСТРАЦИИ ДМИТРИЕВСКОГО РАЙОНА КУРСКОЙ ОБЛАСТИ",
    )
    head = Person.objects.create(
        organisation=department,
        last_name="Тулиёва",
        first_name="Ольга",
        patronymic="Леонидовна",
        position="Начальник Управления",
    )
    department.head = head
    department.save()
    Person.objects.create(
        organisation=department,
        last_name="Сомова",
        first_name="Ирина",
        patronymic="Петровна",
        position="Главный специалист-эксперт",
        phone="8 (47150) 2-21-87",
    )


def create_points(document, parsed, parent=None):
    from network_center.documents.models import DocumentPoint

    for position, item in enumerate(parsed, start=1):
        point = DocumentPoint.objects.create(
            document=document, parent=parent, position=position, style=item.style, text=item.text
        )
        create_points(document, item.children, point)


def build():
    from network_center.documents.body import parse_body_text
    from network_center.documents.models import LegalDocument
    from schools.models import Organisation, Person

    issuer = Organisation.objects.get(short_name="Управление образования Дмитриевского района")
    head = Person.objects.get(last_name="Тулиёва")
    executor = (
        Person.objects.filter(organisation=issuer).exclude(pk=head.pk).order_by("pk").first()
        or head
    )
    preamble, order_body, regulation_body = sample_parts()
    common = {
        "issuer": issuer,
        "place": "г. Дмитриев",
        "signatory": head,
        "signatory_position": "Начальник Управления",
        "executor": executor,
    }

    short = LegalDocument.objects.create(
        kind="order",
        heading="О проведении муниципального семинара для заместителей директоров",
        preamble="В целях методического сопровождения школ с низкими результатами обучения",
        **common,
    )
    create_points(
        short,
        parse_body_text(
            "1. Провести 15.10.2026 на базе МКОУ «СОШ № 2 г. Дмитриева» семинар «Адресная "
            "поддержка учителей» для заместителей директоров школ — участников сети.\n"
            "2. Руководителям школ обеспечить участие заместителей директоров.\n"
            "3. Контроль за исполнением настоящего приказа оставляю за собой."
        ),
    )

    order = LegalDocument.objects.create(
        kind="order",
        heading="О создании муниципального центра сетевого взаимодействия по повышению "
        "качества образования",
        preamble=preamble,
        **common,
    )
    create_points(order, parse_body_text(order_body))
    regulation = LegalDocument.objects.create(
        issuer=issuer,
        kind="regulation",
        heading=REGULATION_HEADING,
        parent=order,
        appendix_number=1,
        approved_by_parent=True,
    )
    # The real Положение is about four pages; repeated clauses make it about ten.
    padded = regulation_body
    for n in range(5, 17):
        padded += f"\n\n{n}. Дополнительный раздел {n}.\n\n" + "\n\n".join(
            f"{n}.{i}. " + " ".join(regulation_body[200:900].split()) for i in range(1, 3)
        )
    create_points(regulation, parse_body_text(padded))
    for document in (short, order):
        sign_in_memory(document)
    return short, order


def sign_in_memory(document):
    document.state = "signed"
    document.origin = "electronic"
    document.number = "1-139/1" if document.heading.startswith("О создании") else "1-140"
    document.date = date(2017, 5, 22)
    document.year = 2017
    document.verification_code = "7K3M-9QXD-2HFA"
    document.signed_at = datetime(2017, 5, 22, 11, 3, tzinfo=UTC)


def measure(label, function, runs):
    """Median and minimum wall-clock time, and median CPU time of this process (the machine may
    be shared: CPU time shows what the rendering itself costs)."""
    function()  # warm-up
    wall, cpu = [], []
    result = None
    for _ in range(runs):
        start, start_cpu = time.perf_counter(), time.process_time()
        result = function()
        wall.append((time.perf_counter() - start) * 1000)
        cpu.append((time.process_time() - start_cpu) * 1000)
    print(
        f"{label:<40} median {statistics.median(wall):7.1f} ms   min {min(wall):7.1f} ms"
        f"   (CPU median {statistics.median(cpu):7.1f} ms)   load {os.getloadavg()[0]:.2f}",
        flush=True,
    )
    return result


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()

    setup_test_environment()
    create_database()
    from network_center.documents.pdf import render_document_html, render_document_pdf

    load_world()
    short, order = build()
    print(f"load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs", flush=True)

    import pypdf

    measure("HTML only, 1-page order", lambda: render_document_html(short), args.runs)
    measure("HTML only, order 1-139/1 + regulation", lambda: render_document_html(order), args.runs)
    for label, document in (("1-page order", short), ("order 1-139/1 + padded regulation", order)):
        pdf = measure(f"PDF, {label}", lambda d=document: render_document_pdf(d), args.runs)
        pages = len(pypdf.PdfReader(__import__("io").BytesIO(pdf)).pages)
        print(f"    {pages} pages, {len(pdf) / 1024:.1f} KB", flush=True)


if __name__ == "__main__":
    main()
