"""Demo plans of the Dmitriev center (SPEC §7), built through ``plans.services``.

Last year's plan (2025/2026) was agreed by every school and approved by the department; this
year's (2026/2027) started as its copy, took proposals in every state and is now on agreement:
one school agreed, one agreed with remarks, the others have not answered yet.
"""

from datetime import date

from django.contrib.auth import get_user_model

from network_center.centers.models import Center
from schools.models import Organisation, Person

from . import services
from .demo_risks import risk_factor_of
from .models import EventForm, Line, Plan, Visa

# The center's tasks from its Положение (2.2.1–2.2.5): the directions of the plan.
TASKS = [
    "Новые подходы к сетевому взаимодействию",
    "Обмен опытом, школьные программы улучшения результатов",
    "Наставничество и совместный профессиональный рост",
    "Адресная методическая поддержка учителей",
    "Совместные образовательные проекты",
]

LAST_YEAR_LINES = [
    (
        0,
        "Установочное совещание сети: анализ результатов мониторинга ШНОР/ШНСУ",
        "семинар",
        "in_person",
        "руководители школ, заместители по УВР",
        date(2025, 9, 18),
    ),
    (
        3,
        "Анализ затруднений учителей математики по итогам ВПР",
        "консультация",
        "blended",
        "учителя математики",
        date(2025, 10, 15),
    ),
    (
        2,
        "Закрепление наставников за учителями с устойчиво низкими результатами",
        "наставничество",
        "in_person",
        "учителя-наставники и молодые учителя",
        date(2025, 10, 1),
    ),
    (
        1,
        "Разработка школьных программ перехода в эффективный режим работы",
        "семинар",
        "remote",
        "заместители директоров по УВР",
        date(2025, 11, 20),
    ),
    (
        3,
        "Открытые уроки русского языка в 5–6 классах",
        "открытый урок",
        "in_person",
        "учителя русского языка",
        date(2025, 12, 10),
    ),
    (
        2,
        "Взаимопосещение уроков математики в сельских школах",
        "взаимопосещение уроков",
        "in_person",
        "учителя математики",
        date(2026, 1, 21),
    ),
    (
        1,
        "«Исследование урока»: формирующее оценивание",
        "«исследование урока»",
        "blended",
        "учителя начальных классов",
        date(2026, 2, 12),
    ),
    (
        4,
        "Сетевой проект «Читаем вместе» для 5–7 классов",
        "совместный проект",
        "remote",
        "обучающиеся 5–7 классов",
        date(2026, 3, 2),
    ),
    (
        3,
        "Мастер-класс по подготовке к ОГЭ по математике",
        "мастер-класс",
        "in_person",
        "учителя математики 9 классов",
        date(2026, 3, 19),
    ),
    (
        0,
        "Круглый стол «Итоги года сети: что сработало»",
        "круглый стол",
        "in_person",
        "руководители школ, методисты РМК",
        date(2026, 5, 21),
    ),
]


# The open lessons of last year were СОШ № 1's own: held there, for its teachers (their report's
# files are for the schools that were there).
OWN_LESSONS = "Открытые уроки русского языка в 5–6 классах"


# What some of last year's events needed from the network's schools (their resources, entered
# by the schools themselves: ``schools.demo_resources``).
NEEDED = {
    "Взаимопосещение уроков математики в сельских школах": [
        "Наставник молодых учителей математики"
    ],
    "Открытые уроки русского языка в 5–6 классах": ["Наставник для учителей русского языка"],
}


def _needed(title):
    from schools.resources import Resource

    return list(Resource.objects.filter(title__in=NEEDED.get(title, [])))


def _venue_and_schools(i, title, fmt, hub, participants):
    if title == OWN_LESSONS:
        school_a = _school("МКОУ «СОШ № 1 г. Дмитриева»")
        return {"venue": school_a, "schools": [school_a]}
    return {
        "venue": hub if fmt != "remote" else None,
        "schools": participants if i % 3 == 0 else participants[: 2 + i % 3],
    }


def _user(username):
    return get_user_model().objects.get(username=username)


def _school(short_name):
    return Organisation.objects.get(short_name=short_name)


def load_plans(*, password):
    center = Center.objects.filter(hub__short_name="МКОУ «СОШ № 2 г. Дмитриева»").first()
    if center is None or Plan.objects.filter(center=center).exists():
        return

    head = _user("head_center")
    hub = center.hub
    participants = [p.school for p in center.participations.select_related("school")]
    responsible = {
        "head": Person.objects.get(last_name="Зайцева"),
        "math": Person.objects.get(last_name="Белова"),
        "rmk": Person.objects.get(last_name="Лаптева"),
    }
    services.ensure_event_forms()
    forms = {f.name: f for f in EventForm.objects.all()}

    # 2025/2026: built, agreed by all, approved by the department.
    last = services.create_plan(center, 2025, actor=head)
    revision = last.revisions.get()
    for i, (task, title, form, fmt, audience, day) in enumerate(LAST_YEAR_LINES):
        services.add_line(
            revision,
            actor=head,
            direction=TASKS[task],
            title=title,
            form=forms[form],
            format=fmt,
            audience=audience,
            date_kind=Line.DateKind.DAY,
            date_from=day,
            expected_result="Протокол, методические рекомендации, отчёт на сайте центра",
            responsible=[responsible["math"] if "математ" in title else responsible["head"]],
            needed_resources=_needed(title),
            risk_factor=risk_factor_of(title),
            **_venue_and_schools(i, title, fmt, hub, participants),
        )
    services.submit(revision, actor=head)
    for n, school in enumerate(participants):
        coordinator = _coordinator(school)
        services.give_visa(
            revision,
            school,
            actor=coordinator,
            decision=Visa.Decision.AGREED if n else Visa.Decision.AGREED_WITH_REMARKS,
            remarks="" if n else "Просим провести мастер-класс ОГЭ до весенних каникул.",
        )
    # The department's head signs the approving order: only she holds its right to sign.
    services.approve(revision, actor=_user("chief_dmitriev"), password=password)

    # 2026/2027: a copy of last year's plan, shifted by a year, with this year's proposals.
    current = services.create_plan(center, 2026, actor=head, copy_from=revision)
    work = current.revisions.get()
    a, b, c, d, e = (
        _school(name)
        for name in (
            "МКОУ «СОШ № 1 г. Дмитриева»",
            "МКОУ «Старогородская СОШ»",
            "МКОУ «Крупецкая СОШ»",
            "МКОУ «Первоавангардская СОШ»",
            "МКОУ «Фатеевская ООШ»",
        )
    )
    common = dict(
        format=Line.Format.IN_PERSON,
        date_kind=Line.DateKind.MONTH,
        expected_result="Повышение доли удовлетворительных результатов ВПР",
    )
    proposals = {}
    for school, key, title, form, direction, audience, month, extra in [
        (
            a,
            "submitted",
            "Выездной интенсив по подготовке к ОГЭ по русскому языку",
            "выездной интенсив",
            TASKS[3],
            "учителя русского языка 9 классов",
            date(2027, 2, 1),
            {},
        ),
        (
            b,
            "accepted",
            "Стажировка молодых учителей в базовой школе",
            "стажировка",
            TASKS[2],
            "молодые учителя (стаж до 3 лет)",
            date(2026, 12, 1),
            {"venue": b},
        ),
        (
            c,
            "declined",
            "Конкурс чтецов для обучающихся 1–4 классов",
            "олимпиада / конкурс для обучающихся",
            TASKS[4],
            "обучающиеся 1–4 классов",
            date(2027, 3, 1),
            {},
        ),
        (
            d,
            "returned",
            "Методическое объединение учителей химии сети",
            "методическое объединение",
            TASKS[1],
            "учителя химии",
            date(2027, 1, 1),
            {},
        ),
        (
            e,
            "withdrawn",
            "Вебинар по работе с семьями группы риска",
            "вебинар",
            TASKS[0],
            "классные руководители",
            date(2026, 12, 1),
            {},
        ),
    ]:
        fields = {**common, **extra}
        proposals[key] = services.submit_proposal(
            current,
            school,
            actor=_coordinator(school),
            title=title,
            form=forms[form],
            direction=direction,
            audience=audience,
            date_from=month,
            justification="По итогам мониторинга 2025/2026 учебного года школе нужна "
            "поддержка в этом направлении.",
            **fields,
        )
    services.accept_proposal(
        proposals["accepted"],
        actor=head,
        comment="Проведём очно-заочно на базе СОШ № 2: там есть наставники по всем предметам.",
        venue=hub,
        format=Line.Format.BLENDED,
    )
    services.decline_proposal(
        proposals["declined"],
        actor=head,
        reason="Конкурс для обучающихся уже есть в плане района; предлагаем участвовать в нём.",
    )
    services.return_proposal(
        proposals["returned"],
        actor=head,
        comment="Уточните темы заседаний и кто из учителей базовой школы нужен.",
    )
    services.withdraw_proposal(proposals["withdrawn"], actor=_coordinator(e))
    services.submit(work, actor=head)
    services.give_visa(work, a, actor=_coordinator(a), decision=Visa.Decision.AGREED)
    services.give_visa(
        work,
        b,
        actor=_coordinator(b),
        decision=Visa.Decision.AGREED_WITH_REMARKS,
        remarks="Стажировку лучше провести после зимних каникул.",
    )
    # The proposal awaiting a decision arrived after submission: it stays submitted.
    services.submit_proposal(
        current,
        a,
        actor=_coordinator(a),
        title="Открытые уроки математики в 7 классах",
        form=forms["открытый урок"],
        direction=TASKS[3],
        audience="учителя математики",
        date_from=date(2027, 4, 1),
        justification="Низкие результаты ВПР по математике в 7 классах.",
        **common,
    )


def _coordinator(school):
    from schools.models import Membership

    return (
        Membership.objects.filter(organisation=school, role=Membership.Role.COORDINATOR)
        .select_related("user")
        .first()
        .user
    )
