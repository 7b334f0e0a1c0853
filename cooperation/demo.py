"""Demo mentoring and interaction groups (SPEC §7), built through ``cooperation.services``.

Dmitriev: Т.Н. Белова, the hub's mathematics teacher (the ``wg_member`` login), mentored a
teacher of СОШ № 1 through last year — the pair came from the 2025/2026 plan's line on assigning
mentors, and is completed with its results — and mentors a teacher of the Старогородская school
this year; a Russian teacher of the hub mentors another teacher of СОШ № 1. Each pair has its
meetings, recorded by the mentor, the center head or the mentee's school. An interaction group of
mathematics teachers of three schools and the РМК serves two lines of last year's plan.
Kupino: a group of Russian teachers at the СОШ № 77 center, linked to its plan's line when the
plan is there.

Idempotent: nothing is added to a center that has pairs or groups already.
"""

from datetime import date

from django.contrib.auth import get_user_model

from network_center.centers.models import Center
from schools.models import Organisation
from schools.services import create_person

from . import services
from .models import InteractionGroup, Meeting, MentoringPair
from .queries import linkable_lines

HUB = "МКОУ «СОШ № 2 г. Дмитриева»"
SCHOOL_A = "МКОУ «СОШ № 1 г. Дмитриева»"
SCHOOL_B = "МКОУ «Старогородская СОШ»"
RMK = "МКУ «Дмитриевский РМК»"
KUPINO_HUB = "МБОУ «Купинская СОШ № 77»"

IN_PERSON = Meeting.Format.IN_PERSON
REMOTE = Meeting.Format.REMOTE


def _user(username):
    return get_user_model().objects.get(username=username)


def _org(short_name):
    return Organisation.objects.get(short_name=short_name)


def _teacher(school, last, first, patronymic, position):
    return create_person(
        _org(school), last_name=last, first_name=first, patronymic=patronymic, position=position
    )


def _line(center, title):
    """The line of an approved plan of the center with this title, or None."""
    return linkable_lines(center).filter(title=title).first()


def load_cooperation():
    dmitriev = Center.objects.filter(hub__short_name=HUB).first()
    if dmitriev is not None:
        if not MentoringPair.objects.filter(center=dmitriev).exists():
            _dmitriev_pairs(dmitriev)
        if not InteractionGroup.objects.filter(center=dmitriev).exists():
            _dmitriev_group(dmitriev)
    kupino = Center.objects.filter(hub__short_name=KUPINO_HUB).first()
    if kupino is not None and not InteractionGroup.objects.filter(center=kupino).exists():
        _kupino_group(kupino)


def _meetings(pair, entries):
    for actor, day, fmt, topic, notes in entries:
        services.add_meeting(pair, actor=actor, date=day, format=fmt, topic=topic, notes=notes)


def _dmitriev_pairs(center):
    head = _user("head_center")
    mentor = _user("wg_member")  # Т.Н. Белова, the hub's mathematics teacher
    school_a = _user("school_a")
    belova = mentor.person
    sokolova = _teacher(HUB, "Соколова", "Нина", "Петровна", "учитель русского языка и литературы")
    ershova = _teacher(SCHOOL_A, "Ершова", "Ольга", "Игоревна", "учитель математики")
    pavlova = _teacher(SCHOOL_A, "Павлова", "Елена", "Сергеевна", "учитель русского языка")
    nikitina = _teacher(SCHOOL_B, "Никитина", "Дарья", "Сергеевна", "учитель математики")

    # Last year's pair, from the plan's line on assigning mentors: completed.
    last_year = services.create_pair(
        center,
        actor=head,
        mentor=belova,
        mentee=ershova,
        subject="математика",
        date_from=date(2025, 10, 1),
        date_to=date(2026, 5, 29),
        goals="Снизить долю неудовлетворительных результатов ВПР по математике в 7 классах; "
        "освоить приёмы формирующего оценивания на уроке.",
        line=_line(center, "Закрепление наставников за учителями с устойчиво низкими результатами"),
    )
    _meetings(
        last_year,
        [
            (
                mentor,
                date(2025, 10, 14),
                IN_PERSON,
                "Анализ результатов ВПР 7 классов: типичные ошибки",
                "Составлен перечень тем для повторения.",
            ),
            (
                mentor,
                date(2025, 11, 18),
                REMOTE,
                "Планирование уроков с формирующим оцениванием",
                "",
            ),
            (
                school_a,
                date(2026, 1, 27),
                IN_PERSON,
                "Взаимопосещение: урок наставника в 7 «Б» классе СОШ № 1",
                "Урок проведён в СОШ № 1; присутствовал заместитель директора по УВР.",
            ),
            (
                mentor,
                date(2026, 3, 24),
                IN_PERSON,
                "Подготовка к ВПР: разбор заданий 2-й части",
                "",
            ),
            (mentor, date(2026, 5, 19), REMOTE, "Итоги года: динамика результатов класса", ""),
        ],
    )
    services.complete_pair(
        last_year,
        actor=head,
        results="Доля «2» по ВПР в 7 классах снизилась с 31 % до 18 %; педагог использует "
        "листы самооценки и провёл открытый урок для учителей сети.",
    )

    # This year's pairs: active.
    russian = services.create_pair(
        center,
        actor=head,
        mentor=sokolova,
        mentee=pavlova,
        subject="русский язык",
        date_from=date(2026, 1, 12),
        date_to=date(2026, 12, 25),
        goals="Подготовка обучающихся 5–6 классов к ВПР по русскому языку; работа с текстом "
        "на уроке.",
        line=_line(center, "Открытые уроки русского языка в 5–6 классах"),
    )
    _meetings(
        russian,
        [
            (head, date(2026, 2, 10), IN_PERSON, "Диагностика затруднений: диктант и анализ", ""),
            (
                school_a,
                date(2026, 4, 14),
                IN_PERSON,
                "Открытый урок наставляемого в 6 классе, разбор",
                "Рекомендации записаны в протокол методического объединения.",
            ),
            (head, date(2026, 10, 6), REMOTE, "План работы на 2026/2027 учебный год", ""),
        ],
    )
    mathematics = services.create_pair(
        center,
        actor=head,
        mentor=belova,
        mentee=nikitina,
        subject="математика",
        date_from=date(2026, 9, 1),
        date_to=date(2027, 5, 31),
        goals="Освоить работу с разноуровневыми заданиями в малокомплектных классах; повысить "
        "долю удовлетворительных результатов ОГЭ.",
    )
    _meetings(
        mathematics,
        [
            (mentor, date(2026, 9, 15), REMOTE, "Знакомство, анализ результатов ОГЭ 2026", ""),
            (
                mentor,
                date(2026, 10, 13),
                IN_PERSON,
                "Посещение уроков в Старогородской СОШ",
                "Выезд в школу; посещено два урока в 8 и 9 классах.",
            ),
            (mentor, date(2026, 11, 17), REMOTE, "Разноуровневые задания: разбор подборки", ""),
        ],
    )


def _dmitriev_group(center):
    head = _user("head_center")
    people = {
        "Белова": _user("wg_member").person,
        "Ершова": _teacher(SCHOOL_A, "Ершова", "Ольга", "Игоревна", "учитель математики"),
        "Никитина": _teacher(SCHOOL_B, "Никитина", "Дарья", "Сергеевна", "учитель математики"),
        "Лаптева": _user("rmk_dmitriev").person,
    }
    lines = [
        line
        for line in (
            _line(center, "Анализ затруднений учителей математики по итогам ВПР"),
            _line(center, "Взаимопосещение уроков математики в сельских школах"),
        )
        if line is not None
    ]
    group = services.create_group(
        center,
        actor=head,
        name="Группа взаимодействия учителей математики",
        purpose="Совместный анализ результатов ВПР и ОГЭ по математике, взаимопосещение уроков "
        "и подбор заданий для обучающихся с низкими результатами.",
        coordinator=people["Белова"],
        lines=lines,
        members=[people["Ершова"], people["Никитина"]],
    )
    services.add_member(group, actor=head, person=people["Белова"], role="руководитель группы")
    services.add_member(
        group, actor=head, person=people["Лаптева"], role="методическое сопровождение"
    )


def _kupino_group(center):
    uo = _user("uo_kupino")
    coordinator = _teacher(
        KUPINO_HUB, "Гордеева", "Светлана", "Юрьевна", "учитель русского языка и литературы"
    )
    members = [
        _teacher(
            "МКОУ «Новониколаевская СОШ»",
            "Лысенко",
            "Марина",
            "Алексеевна",
            "учитель русского языка",
        ),
        _teacher(
            "МКОУ «Чаинская СОШ»", "Баранов", "Константин", "Олегович", "учитель русского языка"
        ),
    ]
    line = _line(center, "Взаимопосещение уроков русского языка")
    services.create_group(
        center,
        actor=uo,
        name="Группа взаимодействия учителей русского языка",
        purpose="Взаимопосещение уроков русского языка и общие подходы к подготовке к ВПР в "
        "школах сети центра.",
        coordinator=coordinator,
        lines=[line] if line is not None else [],
        members=members,
    )
