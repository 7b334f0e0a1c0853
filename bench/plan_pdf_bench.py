"""Benchmark of printing an approved joint plan (network_center.documents.pdf): not a test.

    cd /work/main && .venv/bin/python bench/plan_pdf_bench.py [--wording brief|concise|demo]
        [--runs 7] [--lines 150] [--save DIR]

Sets up Django with the test settings and a throw-away SQLite test database (as bench/pdf_bench.py
does), loads the demo and gives the Dmitriev center a plan for 2030/2031 whose revision has
``--lines`` events, written with the ORM from the demo's forms, schools and people, in one of
three wordings:

- ``brief``: one-line titles, a month and the venue, one school or the whole network, one
  person responsible, a one-word result — rows of two printed lines, a table of about ten
  pages: the size the issue compares with (a 10-page table through LibreOffice);
- ``concise``: short titles and results, one school or the whole network — about 20 pages;
- ``demo`` (the default): worded as the demo is — long titles, one to three schools by name,
  long results — about 28 pages.

Then it builds with the ORM what ``plans.services.revisions`` builds when the department
approves a plan: the order «Об утверждении плана …» (three points, signatory, executor) with the
plan as appendix 1 («УТВЕРЖДЕН приказом …») whose table is ``plans.printing.plan_print_table``
of that revision and whose лист согласования has a row per participant school. The order is
signed in memory. Renders once to warm up, then reports the median and minimum render time, the
page count and the PDF size, for the signed order and for the draft.
"""

import argparse
import io
import os
import sys
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

# pdf_bench sets up Django (test settings) on import and knows how to make the database.
from django.test.utils import setup_test_environment  # noqa: E402
from pdf_bench import create_database, load_world, measure  # noqa: E402

HEADING = "совместной деятельности центра «Дмитриевский» на 2026/2027 учебный год"
DIRECTIONS = [
    "Новые подходы к сетевому взаимодействию",
    "Обмен опытом, школьные программы улучшения результатов",
    "Наставничество и совместный профессиональный рост",
    "Адресная методическая поддержка учителей",
    "Совместные образовательные проекты",
]
TITLES = [
    "Установочное совещание сети: анализ результатов мониторинга ШНОР/ШНСУ",
    "Анализ затруднений учителей математики по итогам ВПР",
    "Закрепление наставников за учителями с устойчиво низкими результатами",
    "Разработка школьных программ перехода в эффективный режим работы",
    "Открытые уроки русского языка в 5–6 классах",
    "Взаимопосещение уроков математики в сельских школах",
    "«Исследование урока»: формирующее оценивание",
    "Сетевой проект «Читаем вместе» для 5–7 классов",
    "Мастер-класс по подготовке к ОГЭ по математике",
    "Круглый стол «Итоги года сети: что сработало»",
]
AUDIENCES = [
    "руководители школ, заместители по УВР",
    "учителя математики",
    "учителя-наставники и молодые учителя",
    "заместители директоров по УВР",
    "учителя русского языка",
    "учителя начальных классов",
    "обучающиеся 5–7 классов",
    "учителя математики 9 классов",
]
SCHOOLS = [
    "МКОУ «СОШ № 1 г. Дмитриева»",
    "МКОУ «СОШ № 2 г. Дмитриева»",
    "МКОУ «Старогородская СОШ»",
    "МКОУ «Крупецкая СОШ»",
    "МКОУ «Фатеевская СОШ»",
]
# Brief lines: rows of two printed lines, 150 of them a table of about ten pages.
BRIEF_TITLES = [
    "Семинар «Формирующее оценивание»",
    "Консультация по итогам ВПР",
    "Открытые уроки математики",
    "Круглый стол «Итоги четверти»",
    "Мастер-класс «Смысловое чтение»",
]
BRIEF_AUDIENCES = ["учителя", "руководители", "наставники"]
BRIEF_RESULTS = ["Протокол", "Справка", "Отчёт"]
# Concise lines: short titles and results, about 20 pages for 150.
SHORT_TITLES = [
    "Установочное совещание сети",
    "Консультация по итогам ВПР",
    "Закрепление наставников",
    "Семинар «Школьные программы улучшения»",
    "Открытые уроки русского языка",
    "Взаимопосещение уроков математики",
    "«Исследование урока»",
    "Проект «Читаем вместе»",
    "Мастер-класс «Подготовка к ОГЭ»",
    "Круглый стол «Итоги года сети»",
]
SHORT_AUDIENCES = ["руководители школ", "учителя математики", "заместители по УВР", "наставники"]
SHORT_RESULTS = ["Протокол", "Методические рекомендации", "Планы уроков", "Отчёт на сайте центра"]
RESULTS = [
    "Протокол, методические рекомендации, отчёт на сайте центра",
    "Повышение доли удовлетворительных результатов ВПР",
    "Освоены приёмы формирующего оценивания, разработаны планы уроков",
]


WORDINGS = {
    "brief": (BRIEF_TITLES, BRIEF_AUDIENCES, BRIEF_RESULTS),
    "concise": (SHORT_TITLES, SHORT_AUDIENCES, SHORT_RESULTS),
    "demo": (TITLES, AUDIENCES, RESULTS),
}


def make_revision(count, *, wording="demo"):
    """A revision of the Dmitriev center's plan for 2030/2031 with ``count`` lines in one of
    the ``WORDINGS`` (see the module's docstring)."""
    titles, audiences, results = WORDINGS[wording]
    brief = wording == "brief"
    from network_center.centers.models import Center
    from plans.models import EventForm, Line, Plan, Revision, Visa
    from plans.queries import active_participations
    from schools.models import Person

    center = Center.objects.get(hub__short_name="МКОУ «СОШ № 2 г. Дмитриева»")
    schools = [p.school for p in active_participations(center)]
    people = list(Person.objects.filter(organisation__in=[center.hub, *schools]).order_by("pk")[:4])
    forms = list(EventForm.objects.order_by("pk"))
    plan = Plan.objects.create(center=center, year=2030)
    revision = Revision.objects.create(plan=plan, number=1)
    first = date(2030, 9, 1)
    lines = []
    for n in range(1, count + 1):
        day = first + timedelta(days=(n * 2) % 270)
        lines.append(
            Line(
                revision=revision,
                position=n,
                direction=DIRECTIONS[n % len(DIRECTIONS)],
                title=titles[n % len(titles)],
                form=forms[n % len(forms)] if not brief else forms[0],
                format=["in_person", "blended", "remote"][n % 3],
                audience=audiences[n % len(audiences)],
                venue=center.hub if brief else schools[n % len(schools)],
                date_kind="month" if brief else ("period" if n % 3 == 0 else "day"),
                date_from=day,
                date_to=day + timedelta(days=14) if n % 3 == 0 and not brief else None,
                expected_result=results[n % len(results)],
                initiator=center.hub,
            )
        )
    lines = Line.objects.bulk_create(lines)
    for n, line in enumerate(lines, start=1):
        line.responsible.set(people[:1] if brief else people[: 1 + n % 2])
        if wording == "demo":
            line.schools.set(schools if n % 3 == 0 else schools[n % 2 : n % 2 + 1 + n % 3])
        else:
            line.schools.set(schools if n % 3 == 0 else schools[n % len(schools) :][:1])
    Visa.objects.bulk_create(Visa(revision=revision, school=school) for school in schools)
    return revision


def agreement_rows():
    """The sheet shaped as plans.printing.agreement_sheet gives it: a row per participant school."""
    people = [
        ("Директор", "Е.А. Гребенникова"),
        ("Директор", "М.А. Зайцева"),
        ("И.о. директора", "С.В. Кононова"),
        ("Директор", "А.П. Руднев"),
        ("Директор", "Т.И. Шевченко"),
    ]
    rows = []
    for i, (school, (position, name)) in enumerate(zip(SCHOOLS, people, strict=True)):
        decision = "Согласовано с замечаниями" if i == 2 else "Согласовано"
        remarks = "Перенести открытые уроки на вторую четверть" if i == 2 else ""
        rows.append([school, position, name, decision, f"{12 + i:02d}.05.2026", remarks])
    from plans.printing import AGREEMENT_COLUMNS

    return {"columns": AGREEMENT_COLUMNS, "rows": rows}


def build(revision):
    from network_center.documents.models import DocumentPoint, LegalDocument
    from plans.printing import plan_print_table
    from schools.models import Organisation, Person

    department = Organisation.objects.get(short_name="Управление образования Дмитриевского района")
    head = Person.objects.get(last_name="Тулиёва")
    executor = (
        Person.objects.filter(organisation=department).exclude(pk=head.pk).order_by("pk").first()
        or head
    )
    order = LegalDocument.objects.create(
        issuer=department,
        kind="order",
        heading=f"Об утверждении плана {HEADING}",
        preamble="В соответствии с Положением о центре сетевого взаимодействия, на основании "
        "согласования плана всеми школами — участниками сетевого взаимодействия",
        place="г. Дмитриев",
        signatory=head,
        signatory_position="Начальник Управления",
        executor=executor,
    )
    for position, text in enumerate(
        [
            f"Утвердить план {HEADING} (приложение 1).",
            "Руководителю центра обеспечить выполнение плана; школам — участникам сетевого "
            "взаимодействия обеспечить участие педагогических работников в мероприятиях плана.",
            "Контроль за исполнением настоящего приказа оставляю за собой.",
        ],
        start=1,
    ):
        DocumentPoint.objects.create(document=order, position=position, style="numbered", text=text)
    LegalDocument.objects.create(
        issuer=department,
        kind="plan",
        heading=HEADING,
        parent=order,
        appendix_number=1,
        approved_by_parent=True,
        table=plan_print_table(revision),
        agreement_sheet=agreement_rows(),
    )
    return order


def sign_in_memory(document):
    document.state = "signed"
    document.origin = "electronic"
    document.number = "1-77"
    document.date = date(2026, 5, 20)
    document.year = 2026
    document.verification_code = "P4N7-2QXD-8HFA"
    document.signed_at = datetime(2026, 5, 20, 9, 30, tzinfo=UTC)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--lines", type=int, default=150)
    parser.add_argument("--save", type=Path, help="write the PDFs into this folder")
    parser.add_argument(
        "--wording",
        choices=sorted(WORDINGS),
        default="demo",
        help="brief: a table of about 10 pages; concise: about 20; demo: about 28",
    )
    args = parser.parse_args()

    setup_test_environment()
    create_database()
    from network_center.documents.pdf import render_document_html, render_document_pdf

    load_world()
    revision = make_revision(args.lines, wording=args.wording)
    draft = build(revision)
    signed = build(revision)
    sign_in_memory(signed)
    print(
        f"load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs; "
        f"plan of {args.lines} lines worded {args.wording}",
        flush=True,
    )

    import pypdf

    measure("HTML only, signed order + plan", lambda: render_document_html(signed), args.runs)
    for label, document in (("signed", signed), ("draft", draft)):
        pdf = measure(
            f"PDF, {label} order + plan", lambda d=document: render_document_pdf(d), args.runs
        )
        pages = len(pypdf.PdfReader(io.BytesIO(pdf)).pages)
        print(f"    {pages} pages, {len(pdf) / 1024:.1f} KB", flush=True)
        if args.save:
            args.save.mkdir(parents=True, exist_ok=True)
            (args.save / f"plan-{label}.pdf").write_bytes(pdf)


if __name__ == "__main__":
    main()
