"""Demo data that tells the product's story end to end (SPEC §7).

Built through the same service functions users' actions go through, so the demo cannot drift from
what the product really does. Idempotent: every step looks its objects up by natural key first.
The test suite loads it once per test database and uses its users as personas.

People named in the 2017 Dmitriev order (О.Л. Тулиёва, В.И. Крюкова, Н.В. Кораблёва) keep their
names; everyone else is fictional.
"""

import functools
from dataclasses import dataclass
from datetime import date

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import transaction

from cooperation.demo import load_cooperation
from monitoring.demo import load_monitoring
from monitoring.demo_risks import load_risk_profiles
from network_center.centers.demo import load_centers
from network_center.documents import services as document_services
from network_center.documents.models import SigningRight
from plans.demo import load_plans
from plans.demo_execution import load_execution
from practices.demo import load_practices
from schools.demo_resources import load_resources
from schools.models import Membership, Municipality, Organisation, Region
from schools.services import create_login, create_person, grant_role

DEMO_PASSWORD = "demo12345"

Role = Membership.Role
Kind = Organisation.Kind

# The current academic year of the demo (2026/2027) and the previous one.
CURRENT_YEAR = 2026
PREVIOUS_YEAR = 2025


@dataclass(frozen=True)
class DemoLogin:
    username: str
    role_label: str


DEMO_LOGINS = [
    DemoLogin("uo_dmitriev", "специалист управления образования, Дмитриевский район"),
    DemoLogin("rmk_dmitriev", "методист РМК, Дмитриевский район"),
    DemoLogin("director_sosh2", "директор базовой школы, МКОУ «СОШ № 2 г. Дмитриева»"),
    DemoLogin("head_center", "руководитель центра, Дмитриевский центр"),
    DemoLogin("wg_member", "член рабочей группы, Дмитриевский центр"),
    DemoLogin("school_a", "представитель школы-участника, МКОУ «СОШ № 1 г. Дмитриева»"),
    DemoLogin("school_b", "представитель школы-участника, МКОУ «Старогородская СОШ»"),
    DemoLogin("school_c", "представитель школы-участника, МКОУ «Крупецкая СОШ»"),
    DemoLogin("school_d", "представитель школы-участника, МКОУ «Первоавангардская СОШ»"),
    DemoLogin("school_e", "представитель школы-участника, МКОУ «Фатеевская ООШ»"),
    DemoLogin(
        "chief_dmitriev",
        "начальник управления образования, Дмитриевский район (подписывает приказы)",
    ),
    DemoLogin("uo_kupino", "специалист управления образования, Купинский район"),
    DemoLogin("region", "региональный куратор"),
    DemoLogin("admin", "администратор"),
]


def _org(kind, region, municipality, short_name, full_name, **extra):
    org, _ = Organisation.objects.get_or_create(
        short_name=short_name,
        region=region,
        municipality=municipality,
        defaults={"kind": kind, "full_name": full_name, **extra},
    )
    return org


def _set_head(org, person):
    if org.head_id != person.pk:
        org.head = person
        org.save(update_fields=["head"])


def _school(region, municipality, short_name, full_name, address, director, **extra):
    school = _org(
        Kind.SCHOOL, region, municipality, short_name, full_name, address=address, **extra
    )
    last, first, patronymic = director
    head = create_person(
        school, last_name=last, first_name=first, patronymic=patronymic, position="Директор"
    )
    _set_head(school, head)
    return school


def _login(org, username, role, *, last, first, patronymic, position, phone=""):
    person = create_person(
        org,
        last_name=last,
        first_name=first,
        patronymic=patronymic,
        position=position,
        email=f"{username}@demo.network-center.local",
        phone=phone,
    )
    user = create_login(person, username, DEMO_PASSWORD, password_hash=demo_password_hash())
    grant_role(user, org, role)
    return user


@functools.cache
def demo_password_hash():
    return make_password(DEMO_PASSWORD)


@transaction.atomic
def load_demo() -> None:
    """Create (or complete) the demo data; running it twice changes nothing."""
    kursk, _ = Region.objects.get_or_create(
        name="Курская область", defaults={"name_genitive": "Курской области"}
    )
    novosibirsk, _ = Region.objects.get_or_create(
        name="Новосибирская область", defaults={"name_genitive": "Новосибирской области"}
    )
    dmitriev, _ = Municipality.objects.get_or_create(
        region=kursk,
        name="Дмитриевский район",
        defaults={"name_genitive": "Дмитриевского района", "center_town": "г. Дмитриев"},
    )
    kupino, _ = Municipality.objects.get_or_create(
        region=novosibirsk,
        name="Купинский район",
        defaults={"name_genitive": "Купинского района", "center_town": "г. Купино"},
    )
    _load_dmitriev(kursk, dmitriev)
    _load_kupino(novosibirsk, kupino)
    _load_region(kursk, novosibirsk)
    _load_admin()
    _grant_signing_rights(dmitriev, "uo_dmitriev")
    _grant_signing_rights(kupino, "uo_kupino")
    # The schools' statuses come from monitoring: the campaigns, the identification rules and
    # the department's orders approving the lists (``monitoring.demo``).
    load_monitoring()
    load_centers(dmitriev, kupino, password=DEMO_PASSWORD)
    # The schools' resources first: the plans name some of them as what an event needs.
    load_resources(password_hash=demo_password_hash())
    load_plans(password=DEMO_PASSWORD)
    load_execution(password=DEMO_PASSWORD, password_hash=demo_password_hash())
    # The schools' risk profiles (the events addressing some are named in ``plans.demo``).
    load_risk_profiles()
    load_cooperation()
    # The departments' recommendations of what was held and offered (``practices.demo``).
    load_practices()


def _load_dmitriev(region, municipality):
    department = _org(
        Kind.DEPARTMENT,
        region,
        municipality,
        "Управление образования Дмитриевского района",
        "Управление образования, опеки и попечительства Администрации Дмитриевского района "
        "Курской области",
        higher_body="Администрация Дмитриевского района Курской области",
        address="307500, Курская область, г. Дмитриев, ул. Ленина, д. 44",
        phone="8 (47150) 2-21-87",
        name_genitive="Управления образования, опеки и попечительства Администрации "
        "Дмитриевского района",
        letterhead="УПРАВЛЕНИЕ ОБРАЗОВАНИЯ, ОПЕКИ И ПОПЕЧИТЕЛЬСТВА\n"
        "АДМИНИСТРАЦИИ ДМИТРИЕВСКОГО РАЙОНА КУРСКОЙ ОБЛАСТИ",
        number_pattern="1-{n}",
    )
    head = create_person(
        department,
        last_name="Тулиёва",
        first_name="Ольга",
        patronymic="Леонидовна",
        position="Начальник Управления",
    )
    _set_head(department, head)
    # The head signs the department's orders; her login lets her sign them in the system.
    create_login(head, "chief_dmitriev", DEMO_PASSWORD, password_hash=demo_password_hash())
    grant_role(head.user, department, Role.DEPARTMENT)
    rmk = _org(
        Kind.METHODOLOGICAL_OFFICE,
        region,
        municipality,
        "МКУ «Дмитриевский РМК»",
        "Муниципальное казённое учреждение «Дмитриевский районный методический кабинет»",
        address="307500, Курская область, г. Дмитриев, ул. Ленина, д. 44",
    )
    _set_head(
        rmk,
        create_person(
            rmk,
            last_name="Кораблёва",
            first_name="Наталья",
            patronymic="Викторовна",
            position="Заведующий РМК",
        ),
    )
    sosh2 = _school(
        region,
        municipality,
        "МКОУ «СОШ № 2 г. Дмитриева»",
        "Муниципальное казённое общеобразовательное учреждение «Средняя общеобразовательная "
        "школа № 2 г. Дмитриева» Дмитриевского района Курской области",
        "307500, Курская область, г. Дмитриев, ул. Советская, д. 41",
        ("Крюкова", "Валентина", "Ивановна"),
        name_genitive="МКОУ «Средняя общеобразовательная школа № 2 г. Дмитриева»",
        letterhead="МУНИЦИПАЛЬНОЕ КАЗЁННОЕ ОБЩЕОБРАЗОВАТЕЛЬНОЕ УЧРЕЖДЕНИЕ\n"
        "«СРЕДНЯЯ ОБЩЕОБРАЗОВАТЕЛЬНАЯ ШКОЛА № 2 г. ДМИТРИЕВА»\n"
        "ДМИТРИЕВСКОГО РАЙОНА КУРСКОЙ ОБЛАСТИ",
        number_pattern="{n}-ОД",
    )
    participants = [
        (
            "МКОУ «СОШ № 1 г. Дмитриева»",
            "Муниципальное казённое общеобразовательное учреждение «Средняя общеобразовательная "
            "школа № 1 г. Дмитриева» Дмитриевского района Курской области",
            "307500, Курская область, г. Дмитриев, ул. Ленина, д. 12",
            ("Гребенникова", "Елена", "Алексеевна"),
        ),
        (
            "МКОУ «Старогородская СОШ»",
            "Муниципальное казённое общеобразовательное учреждение «Старогородская средняя "
            "общеобразовательная школа» Дмитриевского района Курской области",
            "307531, Курская область, Дмитриевский район, с. Старый Город, ул. Школьная, д. 1",
            ("Фомин", "Сергей", "Петрович"),
        ),
        (
            "МКОУ «Крупецкая СОШ»",
            "Муниципальное казённое общеобразовательное учреждение «Крупецкая средняя "
            "общеобразовательная школа» Дмитриевского района Курской области",
            "307520, Курская область, Дмитриевский район, с. Крупец, ул. Центральная, д. 5",
            ("Анохина", "Людмила", "Николаевна"),
        ),
        (
            "МКОУ «Первоавангардская СОШ»",
            "Муниципальное казённое общеобразовательное учреждение «Первоавангардская средняя "
            "общеобразовательная школа» Дмитриевского района Курской области",
            "307510, Курская область, Дмитриевский район, пос. Первоавангардский, ул. Мира, д. 3",
            ("Стебунова", "Ирина", "Владимировна"),
        ),
        (
            "МКОУ «Фатеевская ООШ»",
            "Муниципальное казённое общеобразовательное учреждение «Фатеевская основная "
            "общеобразовательная школа» Дмитриевского района Курской области",
            "307525, Курская область, Дмитриевский район, с. Фатеевка, ул. Садовая, д. 9",
            ("Лукьянчикова", "Надежда", "Ивановна"),
        ),
    ]
    schools = []
    for short, full, address, director in participants:
        schools.append(
            _school(
                region,
                municipality,
                short,
                full,
                address,
                director,
            )
        )

    _login(
        department,
        "uo_dmitriev",
        Role.DEPARTMENT,
        last="Сомова",
        first="Ирина",
        patronymic="Петровна",
        position="Главный специалист-эксперт",
        phone="8 (47150) 2-21-87",
    )
    _login(
        rmk,
        "rmk_dmitriev",
        Role.METHODOLOGIST,
        last="Лаптева",
        first="Елена",
        patronymic="Сергеевна",
        position="Методист",
        phone="8 (47150) 2-23-41",
    )
    # The hub director is the person named in the 2017 order; her login is attached to her.
    director = sosh2.head
    user = create_login(
        director, "director_sosh2", DEMO_PASSWORD, password_hash=demo_password_hash()
    )
    grant_role(user, sosh2, Role.HUB_DIRECTOR)
    _login(
        sosh2,
        "head_center",
        Role.CENTER_HEAD,
        last="Зайцева",
        first="Марина",
        patronymic="Александровна",
        position="Заместитель директора по учебно-воспитательной работе",
        phone="8 (47150) 2-14-05",
    )
    _login(
        sosh2,
        "wg_member",
        Role.WG_MEMBER,
        last="Белова",
        first="Татьяна",
        patronymic="Николаевна",
        position="Учитель математики, руководитель методического объединения",
    )
    coordinators = [
        ("school_a", ("Орлова", "Светлана", "Викторовна")),
        ("school_b", ("Голубева", "Анна", "Михайловна")),
        ("school_c", ("Ремизов", "Павел", "Андреевич")),
        ("school_d", ("Шевцова", "Оксана", "Юрьевна")),
        ("school_e", ("Прудникова", "Галина", "Васильевна")),
    ]
    for school, (username, (last, first, patronymic)) in zip(schools, coordinators, strict=True):
        _login(
            school,
            username,
            Role.COORDINATOR,
            last=last,
            first=first,
            patronymic=patronymic,
            position="Заместитель директора по учебно-воспитательной работе",
        )


def _load_kupino(region, municipality):
    # The district's network rests on a resolution of its administration (SPEC §1).
    administration = _org(
        Kind.ADMINISTRATION,
        region,
        municipality,
        "Администрация Купинского района",
        "Администрация Купинского района Новосибирской области",
        name_genitive="администрации Купинского района Новосибирской области",
        letterhead="АДМИНИСТРАЦИЯ КУПИНСКОГО РАЙОНА\nНОВОСИБИРСКОЙ ОБЛАСТИ",
        address="632735, Новосибирская область, г. Купино, ул. Железнодорожная, д. 4",
    )
    _set_head(
        administration,
        create_person(
            administration,
            last_name="Шубников",
            first_name="Виталий",
            patronymic="Николаевич",
            position="Глава Купинского района",
        ),
    )
    department = _org(
        Kind.DEPARTMENT,
        region,
        municipality,
        "Управление образования Купинского района",
        "Управление образования администрации Купинского района Новосибирской области",
        higher_body="Администрация Купинского района Новосибирской области",
        name_genitive="управления образования администрации Купинского района",
        letterhead="АДМИНИСТРАЦИЯ КУПИНСКОГО РАЙОНА НОВОСИБИРСКОЙ ОБЛАСТИ\nУПРАВЛЕНИЕ ОБРАЗОВАНИЯ",
        address="632735, Новосибирская область, г. Купино, ул. Железнодорожная, д. 4",
    )
    _set_head(
        department,
        create_person(
            department,
            last_name="Ковалёва",
            first_name="Марина",
            patronymic="Анатольевна",
            position="Начальник управления образования",
        ),
    )
    rmk = _org(
        Kind.METHODOLOGICAL_OFFICE,
        region,
        municipality,
        "МКУ «Купинский ИМЦ»",
        "Муниципальное казённое учреждение «Информационно-методический центр» Купинского района",
    )
    _set_head(
        rmk,
        create_person(
            rmk, last_name="Дорохова", first_name="Юлия", patronymic="Олеговна", position="Директор"
        ),
    )
    schools = [
        (
            "МБОУ «Купинская СОШ № 77»",
            "Муниципальное бюджетное общеобразовательное учреждение «Купинская средняя "
            "общеобразовательная школа № 77» Купинского района Новосибирской области",
            "632735, Новосибирская область, г. Купино, ул. Советов, д. 77",
            ("Мельников", "Андрей", "Викторович"),
        ),
        (
            "МБОУ «Купинская СОШ № 1»",
            "Муниципальное бюджетное общеобразовательное учреждение «Купинская средняя "
            "общеобразовательная школа № 1» Купинского района Новосибирской области",
            "632735, Новосибирская область, г. Купино, ул. Ленина, д. 30",
            ("Савченко", "Елена", "Григорьевна"),
        ),
        (
            "МКОУ «Новониколаевская СОШ»",
            "Муниципальное казённое общеобразовательное учреждение «Новониколаевская средняя "
            "общеобразовательная школа» Купинского района Новосибирской области",
            "632751, Новосибирская область, Купинский район, с. Новониколаевка, ул. Школьная, д. 2",
            ("Рыбакова", "Ольга", "Петровна"),
        ),
        (
            "МКОУ «Чаинская СОШ»",
            "Муниципальное казённое общеобразовательное учреждение «Чаинская средняя "
            "общеобразовательная школа» Купинского района Новосибирской области",
            "632744, Новосибирская область, Купинский район, с. Чаинка, ул. Центральная, д. 11",
            ("Кравец", "Игорь", "Николаевич"),
        ),
        (
            "МКОУ «Медяковская СОШ»",
            "Муниципальное казённое общеобразовательное учреждение «Медяковская средняя "
            "общеобразовательная школа» Купинского района Новосибирской области",
            "632760, Новосибирская область, Купинский район, с. Медяково, ул. Мира, д. 7",
            ("Полякова", "Вера", "Ильинична"),
        ),
        (
            "МКОУ «Лягушенская ООШ»",
            "Муниципальное казённое общеобразовательное учреждение «Лягушенская основная "
            "общеобразовательная школа» Купинского района Новосибирской области",
            "632765, Новосибирская область, Купинский район, с. Лягушье, ул. Новая, д. 1",
            ("Ткаченко", "Лариса", "Сергеевна"),
        ),
    ]
    for short, full, address, director in schools:
        _school(region, municipality, short, full, address, director)
    _login(
        department,
        "uo_kupino",
        Role.DEPARTMENT,
        last="Карпенко",
        first="Наталья",
        patronymic="Игоревна",
        position="Главный специалист",
    )


# Since when the demo's heads sign for their organisations: before the oldest act of the demo
# (Dmitriev's order of 22.05.2017).
HEADS_SINCE = date(2015, 1, 1)


def _grant_signing_rights(municipality, department_login):
    """Every head of an organisation of the municipality signs for it — recorded by the
    department, as its specialist would in the UI."""
    actor = get_user_model().objects.get(username=department_login)
    heads = Organisation.objects.filter(municipality=municipality, head__isnull=False)
    for organisation in heads.select_related("head"):
        if SigningRight.objects.filter(
            organisation=organisation, person=organisation.head
        ).exists():
            continue
        document_services.grant_signing_right(
            organisation,
            actor=actor,
            person=organisation.head,
            kind=SigningRight.Kind.HEAD,
            position=organisation.head.position,
            valid_from=HEADS_SINCE,
        )


def _load_region(kursk, novosibirsk):
    """The regional observer of the demo curates both regions, to show reading across them."""
    ministries = [
        _org(
            Kind.REGIONAL_BODY,
            kursk,
            None,
            "Минобрнауки Курской области",
            "Министерство образования и науки Курской области",
        ),
        _org(
            Kind.REGIONAL_BODY,
            novosibirsk,
            None,
            "Минобразования Новосибирской области",
            "Министерство образования Новосибирской области",
        ),
    ]
    user = _login(
        ministries[0],
        "region",
        Role.OBSERVER,
        last="Волков",
        first="Дмитрий",
        patronymic="Сергеевич",
        position="Консультант отдела общего образования",
    )
    grant_role(user, ministries[1], Role.OBSERVER)


def _load_admin():
    User = get_user_model()
    if not User.objects.filter(username="admin").exists():
        admin = User.objects.create_superuser("admin", "admin@demo.network-center.local")
        admin.password = demo_password_hash()
        admin.save(update_fields=["password"])
