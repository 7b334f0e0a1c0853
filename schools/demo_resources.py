"""Demo data: the resources the demo's schools offer to the network (SPEC §3 «Resources»).

Every Dmitriev school enters some, each by its own login (the hub's director, the participants'
coordinators), through ``resource_services`` as a user would; the two Kupino hubs enter a few
by their directors, who get logins for it (``director_kupino77``, ``director_kupino1``, with the
demo password). Teachers offered to the network are added to their schools' staff first.
Idempotent: a resource already entered (the same school and title) is left as it is.

Called by ``network_center.demo.load_demo`` once the schools, their people and logins exist.
"""

from django.contrib.auth import get_user_model

from . import resource_services
from .models import Membership, Organisation, Person
from .resources import Resource, Subject
from .services import create_login, create_person, grant_role

Kind = Resource.Kind

HUB = "МКОУ «СОШ № 2 г. Дмитриева»"
KUPINO_77 = "МБОУ «Купинская СОШ № 77»"
KUPINO_1 = "МБОУ «Купинская СОШ № 1»"

# Teachers offered to the network who are not in the demo's staff yet: (school, ФИО, position).
TEACHERS = [
    (HUB, ("Ситникова", "Ольга", "Викторовна"), "Учитель химии"),
    (
        "МКОУ «СОШ № 1 г. Дмитриева»",
        ("Прохорова", "Марина", "Игоревна"),
        "Учитель русского языка и литературы",
    ),
    ("МКОУ «Первоавангардская СОШ»", ("Дьячков", "Алексей", "Николаевич"), "Учитель физики"),
    (KUPINO_77, ("Зуева", "Анна", "Павловна"), "Учитель химии"),
]

# (school, login that enters it, kind, title, subjects, fields); a staff resource names its
# teacher by last name (unique in the school: ``load_resources`` looks them up by it).
RESOURCES = [
    (
        HUB,
        "director_sosh2",
        Kind.STAFF,
        "Учитель химии высшей категории — тренер по подготовке к ОГЭ и ЕГЭ",
        ["Химия"],
        {
            "person": "Ситникова",
            "as_trainer": True,
            "as_master_class_lead": True,
            "description": "Готовит обучающихся к ОГЭ и ЕГЭ по химии (средний балл выпускников "
            "школы выше регионального три года подряд). Проводит для учителей школ сети "
            "мастер-классы по решению расчётных задач и тренинги по подготовке к экзаменам.",
        },
    ),
    (
        HUB,
        "director_sosh2",
        Kind.METHODOLOGICAL,
        "Мастер-класс по химии «Качественные реакции в 9 классе»",
        ["Химия"],
        {
            "description": "Разработка урока-практикума по химии с видеозаписью, "
            "технологической картой и заданиями для самостоятельной работы обучающихся. "
            "Показываем на базе школы или дистанционно.",
        },
    ),
    (
        HUB,
        "director_sosh2",
        Kind.MATERIAL,
        "Лаборатория робототехники центра «Точка роста»",
        ["Информатика", "Труд (технология)"],
        {
            "quantity": 12,
            "description": "Оборудованная лаборатория для занятий робототехнической и "
            "инженерной направленности: шесть наборов для конструирования и "
            "программирования роботов, 3D-принтер. Принимаем группы обучающихся школ сети по "
            "предварительной договорённости.",
        },
    ),
    (
        HUB,
        "director_sosh2",
        Kind.STAFF,
        "Наставник молодых учителей математики",
        ["Математика"],
        {
            "person": "Белова",
            "as_mentor": True,
            "description": "Руководитель методического объединения учителей математики; "
            "ведёт «исследование урока» с учителями школ сети.",
        },
    ),
    (
        "МКОУ «СОШ № 1 г. Дмитриева»",
        "school_a",
        Kind.STAFF,
        "Наставник для учителей русского языка",
        ["Русский язык", "Литература"],
        {
            "person": "Прохорова",
            "as_mentor": True,
            "description": "Помогает учителям, чьи классы показывают низкие результаты ВПР по "
            "русскому языку: взаимопосещение уроков, разбор типичных ошибок.",
        },
    ),
    (
        "МКОУ «СОШ № 1 г. Дмитриева»",
        "school_a",
        Kind.MATERIAL,
        "Кабинет физики с цифровой лабораторией",
        ["Физика"],
        {
            "quantity": 24,
            "description": "Цифровые датчики и комплекты для лабораторных работ по физике в "
            "7–11 классах; 24 рабочих места.",
        },
    ),
    (
        "МКОУ «Старогородская СОШ»",
        "school_b",
        Kind.METHODOLOGICAL,
        "Практика «Школа для родителей»",
        ["Воспитательная работа"],
        {
            "description": "Цикл встреч с родителями обучающихся из семей в трудной жизненной "
            "ситуации: сценарии встреч, памятки, опыт трёх лет работы.",
        },
    ),
    (
        "МКОУ «Старогородская СОШ»",
        "school_b",
        Kind.MATERIAL,
        "Спортивный зал и лыжная база",
        ["Физическая культура"],
        {"quantity": 30, "description": "Для соревнований и выездных занятий школ сети."},
    ),
    (
        "МКОУ «Крупецкая СОШ»",
        "school_c",
        Kind.METHODOLOGICAL,
        "Программа внеурочной деятельности «Юный эколог»",
        ["Биология", "Окружающий мир"],
        {
            "description": "Программа для 5–7 классов с полевыми практикумами на "
            "учебно-опытном участке школы.",
        },
    ),
    (
        "МКОУ «Крупецкая СОШ»",
        "school_c",
        Kind.MATERIAL,
        "Учебно-опытный участок и теплица",
        ["Биология"],
        {"description": "Практические занятия по биологии с мая по сентябрь."},
    ),
    (
        "МКОУ «Первоавангардская СОШ»",
        "school_d",
        Kind.STAFF,
        "Учитель физики — ведущий мастер-классов по цифровым лабораториям",
        ["Физика", "Информатика"],
        {
            "person": "Дьячков",
            "as_master_class_lead": True,
            "as_trainer": True,
            "description": "Показывает, как вести лабораторные работы по физике с цифровыми "
            "датчиками, и готовит к ОГЭ по физике.",
        },
    ),
    (
        "МКОУ «Первоавангардская СОШ»",
        "school_d",
        Kind.MATERIAL,
        "Мобильный компьютерный класс на 15 ноутбуков",
        ["Информатика"],
        {
            "quantity": 15,
            "is_available": False,
            "description": "Ноутбуки на обслуживании до января; затем снова доступны сети.",
        },
    ),
    (
        "МКОУ «Фатеевская ООШ»",
        "school_e",
        Kind.METHODOLOGICAL,
        "Методические материалы по формирующему оцениванию в начальной школе",
        ["Начальные классы"],
        {
            "url": "https://edsoo.ru/",
            "description": "Листы самооценки, приёмы обратной связи на уроке, примеры "
            "критериев для 1–4 классов (по материалам «Единого содержания общего "
            "образования»).",
        },
    ),
    (
        KUPINO_77,
        "director_kupino77",
        Kind.MATERIAL,
        "Инженерная лаборатория робототехнической направленности",
        ["Информатика", "Физика"],
        {
            "quantity": 16,
            "description": "Лаборатория для занятий робототехникой и программированием; "
            "принимаем обучающихся школ центра по расписанию.",
        },
    ),
    (
        KUPINO_77,
        "director_kupino77",
        Kind.STAFF,
        "Учитель химии — тренер по подготовке к ВПР",
        ["Химия"],
        {
            "person": "Зуева",
            "as_trainer": True,
            "description": "Тренинги для учителей химии школ-участников центра.",
        },
    ),
    (
        KUPINO_1,
        "director_kupino1",
        Kind.METHODOLOGICAL,
        "Программа наставничества «Учитель — учителю»",
        ["Управление школой"],
        {"description": "Программа и формы документов наставнической пары на учебный год."},
    ),
]

# The Kupino hubs' directors, who enter their schools' resources: (school, login).
KUPINO_DIRECTORS = [(KUPINO_77, "director_kupino77"), (KUPINO_1, "director_kupino1")]


def load_resources(*, password_hash: str) -> None:
    """Enter the demo's resources (idempotent); ``password_hash`` is the demo password's, for
    the Kupino directors' logins."""
    schools = {
        school.short_name: school
        for school in Organisation.objects.schools().select_related("head")
    }
    for short_name, username in KUPINO_DIRECTORS:
        school = schools[short_name]
        user = create_login(school.head, username, "", password_hash=password_hash)
        grant_role(user, school, Membership.Role.HUB_DIRECTOR)
    for short_name, (last, first, patronymic), position in TEACHERS:
        create_person(
            schools[short_name],
            last_name=last,
            first_name=first,
            patronymic=patronymic,
            position=position,
        )
    resource_services.ensure_subjects()
    users = {user.username: user for user in get_user_model().objects.all()}
    subjects = {subject.name: subject for subject in Subject.objects.all()}
    for short_name, username, kind, title, subject_names, fields in RESOURCES:
        school = schools[short_name]
        if Resource.objects.filter(school=school, title=title).exists():
            continue
        fields = dict(fields)
        if "person" in fields:
            fields["person"] = Person.objects.filter(
                organisation=school, last_name=fields["person"]
            ).earliest("pk")
        resource_services.add_resource(
            school,
            actor=users[username],
            kind=kind,
            title=title,
            subjects=[subjects[name] for name in subject_names],
            **fields,
        )
