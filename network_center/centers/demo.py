"""Demo legal basis, centers and working groups (SPEC §7), built through the services.

Dmitriev: order 1-139/1 of 22.05.2017 with its Положение (the text of ../shared/samples/),
registered from its paper original; the center built on it; participants; a cooperation
agreement signed electronically; a working group whose composition order the hub director signs.
Kupino: two centers at two hubs, to show the multi-center model and isolation.
"""

from datetime import date
from pathlib import Path

from django.contrib.auth import get_user_model

from network_center.documents import services as document_services
from network_center.documents.body import parse_body_text
from network_center.documents.models import LegalDocument, SigningRight
from schools.models import Organisation, Person

from .models import Center, Member, Participation
from .services import centers as center_services
from .services import working_group as wg_services

SAMPLE = Path(__file__).resolve().parent.parent / "demo_data" / "order-dmitriev-2017-1-139-1.txt"

Kind = LegalDocument.Kind
Category = Participation.Category


def _user(username):
    return get_user_model().objects.get(username=username)


def _person(last_name):
    return Person.objects.get(last_name=last_name)


def _school(short_name):
    return Organisation.objects.get(short_name=short_name)


def sample_parts():
    """(preamble, order body, regulation heading, regulation body) of the 2017 order."""
    text = SAMPLE.read_text(encoding="utf-8")
    preamble_start = text.index("В рамках реализации")
    preamble = text[preamble_start : text.index("ПРИКАЗЫВАЮ:")].strip()
    order_body = text[text.index("1. Создать") : text.index("Начальник Управления")]
    regulation_title_end = text.index("1. Общие положения.")
    regulation_heading = " ".join(
        text[text.index("о центре сетевого взаимодействия") : regulation_title_end].split()
    )
    regulation_body = text[regulation_title_end:]
    return " ".join(preamble.split()), order_body, regulation_heading, regulation_body


def load_centers(dmitriev, kupino, *, password):
    if not Center.objects.filter(municipality=dmitriev).exists():
        _dmitriev_center(dmitriev, password=password)
    if not Center.objects.filter(municipality=kupino).exists():
        _kupino_centers(kupino)


def _dmitriev_center(municipality, *, password):
    uo = _user("uo_dmitriev")
    department = Organisation.objects.get(
        municipality=municipality, kind=Organisation.Kind.DEPARTMENT
    )
    preamble, order_body, regulation_heading, regulation_body = sample_parts()
    order = document_services.create_document(
        department,
        actor=uo,
        kind=Kind.ORDER,
        heading="О создании муниципального центра сетевого взаимодействия по повышению "
        "качества образования",
        preamble=preamble,
        place="г. Дмитриев",
        # The paper original prints «от 22 мая 2017 г.».
        date_style=LegalDocument.DateStyle.WORDS,
        signing_right=SigningRight.objects.default_for(department, date(2017, 5, 22)),
    )
    document_services.replace_body(order, parse_body_text(order_body), actor=uo)
    regulation = document_services.create_document(
        department,
        actor=uo,
        kind=Kind.REGULATION,
        heading=regulation_heading,
        parent=order,
        approved_by_parent=True,
        # The order calls it «(Приложение 1)», numbered though it is the only one.
        appendix_label="Приложение 1",
    )
    document_services.replace_body(regulation, parse_body_text(regulation_body), actor=uo)
    document_services.register_paper_document(
        order, actor=uo, number="1-139/1", on_date=date(2017, 5, 22)
    )
    regulation.refresh_from_db()

    hub = _school("МКОУ «СОШ № 2 г. Дмитриева»")
    center = center_services.create_center(
        municipality,
        actor=uo,
        name="Муниципальный центр сетевого взаимодействия по повышению качества образования "
        "в школах с низкими результатами обучения и школах, функционирующих в "
        "неблагоприятных социальных условиях",
        short_name="Центр сетевого взаимодействия на базе СОШ № 2 г. Дмитриева",
        hub=hub,
        head=_person("Зайцева"),
        creating_act=order,
        regulation=regulation,
        plan_approver=Center.Approver.DEPARTMENT,
        name_genitive="муниципального центра сетевого взаимодействия по повышению качества "
        "образования на базе МКОУ «СОШ № 2 г. Дмитриева»",
    )
    participants = [
        ("МКОУ «СОШ № 1 г. Дмитриева»", Category.SHNOR),
        ("МКОУ «Старогородская СОШ»", Category.SHNSU),
        ("МКОУ «Крупецкая СОШ»", Category.BOTH),
        ("МКОУ «Первоавангардская СОШ»", Category.SHNOR),
        ("МКОУ «Фатеевская ООШ»", Category.SHNSU),
    ]
    for short_name, category in participants:
        center_services.add_participant(
            center, actor=uo, school=_school(short_name), category=category, since=date(2017, 9, 1)
        )

    # A cooperation agreement between the hub and СОШ № 1, signed by the hub's director.
    director = _user("director_sosh2")
    school_a = _school("МКОУ «СОШ № 1 г. Дмитриева»")
    agreement = document_services.create_document(
        hub,
        actor=director,
        kind=Kind.AGREEMENT,
        heading=f"о сотрудничестве в рамках сетевого взаимодействия между {hub.short_name} "
        f"и {school_a.short_name}",
        preamble=f"{hub.full_name} (базовая школа центра), в лице директора "
        f"{hub.head.full_name}, и {school_a.full_name} (школа-участник), в лице директора "
        f"{school_a.head.full_name}, действующих на основании уставов, заключили настоящее "
        "соглашение о нижеследующем.",
        place="г. Дмитриев",
        signing_right=SigningRight.objects.default_for(hub),
        closing=f"Школа-участник: {school_a.short_name}, директор {school_a.head.initials_name}",
    )
    document_services.replace_body(
        agreement,
        parse_body_text(
            "1. Предмет соглашения\n"
            "1.1. Стороны организуют совместную деятельность по повышению качества образования "
            "в соответствии с планом совместной деятельности центра сетевого взаимодействия.\n"
            "2. Обязательства сторон\n"
            "2.1. Базовая школа предоставляет кадровые, методические и материально-технические "
            "ресурсы для проведения мероприятий плана, организует наставничество и "
            "взаимопосещение уроков.\n"
            "2.2. Школа-участник направляет педагогов на мероприятия плана, вносит предложения "
            "в план и согласовывает его, представляет сведения об участии своих работников.\n"
            "3. Срок действия\n"
            "3.1. Соглашение вступает в силу со дня подписания и действует до окончания "
            "2026/2027 учебного года.\n"
        ),
        actor=director,
    )
    document_services.sign_document(agreement, actor=director, password=password)
    participation = Participation.objects.get(center=center, school=school_a)
    center_services.update_participant(participation, actor=uo, agreement=agreement)

    # The working group, assigned by the hub's director and approved by her signed order.
    members = [
        ("Зайцева", Member.Role.HEAD, "общее руководство, план совместной деятельности"),
        ("Лаптева", Member.Role.DEPUTY, "методическое сопровождение, мониторинг"),
        ("Белова", Member.Role.MEMBER, "математика: наставничество, «исследование урока»"),
        ("Орлова", Member.Role.SECRETARY, "делопроизводство рабочей группы"),
        ("Голубева", Member.Role.MEMBER, "работа со школами в неблагоприятных условиях"),
    ]
    for last_name, role, responsibility in members:
        wg_services.add_member(
            center,
            actor=director,
            person=_person(last_name),
            role=role,
            responsibility=responsibility,
        )
    composition = center.compositions.get(status="draft")
    document_services.sign_document(composition.order, actor=director, password=password)


def _kupino_resolution(municipality, uo):
    """The administration's resolution on which Kupino's network rests, entered from its paper
    original by the department (which registers the administration's acts)."""
    administration = Organisation.objects.get(
        municipality=municipality, kind=Organisation.Kind.ADMINISTRATION
    )
    resolution = document_services.create_document(
        administration,
        actor=uo,
        kind=Kind.RESOLUTION,
        heading="Об утверждении Положения о сетевом взаимодействии",
        preamble="В соответствии с Федеральным законом от 29.12.2012 № 273-ФЗ «Об образовании "
        "в Российской Федерации», в целях повышения качества образования в школах с низкими "
        "результатами обучения и школах, функционирующих в неблагоприятных социальных "
        "условиях, администрация Купинского района Новосибирской области",
        place="г. Купино",
        signing_right=SigningRight.objects.default_for(administration, date(2021, 6, 22)),
    )
    document_services.replace_body(
        resolution,
        parse_body_text(
            "1. Утвердить Положение о сетевом взаимодействии образовательных организаций "
            "Купинского района (приложение).\n"
            "2. Управлению образования администрации Купинского района организовать работу "
            "центров сетевого взаимодействия.\n"
            "3. Контроль за исполнением постановления возложить на заместителя главы "
            "Купинского района.\n"
        ),
        actor=uo,
    )
    regulation = document_services.create_document(
        administration,
        actor=uo,
        kind=Kind.REGULATION,
        heading="о сетевом взаимодействии образовательных организаций Купинского района",
        parent=resolution,
        approved_by_parent=True,
    )
    document_services.replace_body(
        regulation,
        parse_body_text(
            "1. Общие положения\n"
            "1.1. Настоящее Положение определяет порядок сетевого взаимодействия "
            "образовательных организаций Купинского района.\n"
            "1.2. Сетевое взаимодействие организуется через центры на базе школ с высокими "
            "результатами обучения.\n"
            "2. Задачи\n"
            "2.1. Оказание методической помощи школам с низкими результатами обучения.\n"
            "2.2. Совместное планирование мероприятий.\n"
        ),
        actor=uo,
    )
    return document_services.register_paper_document(
        resolution, actor=uo, number="466", on_date=date(2021, 6, 22)
    )


def _kupino_centers(municipality):
    uo = _user("uo_kupino")
    department = Organisation.objects.get(
        municipality=municipality, kind=Organisation.Kind.DEPARTMENT
    )
    _kupino_resolution(municipality, uo)
    order = document_services.create_document(
        department,
        actor=uo,
        kind=Kind.ORDER,
        heading="О создании центров сетевого взаимодействия по повышению качества образования",
        preamble="В соответствии с постановлением администрации Купинского района "
        "Новосибирской области от 22.06.2021 № 466 «Об утверждении Положения о сетевом "
        "взаимодействии», в целях повышения качества образования в школах с низкими "
        "результатами обучения и школах, функционирующих в неблагоприятных социальных условиях",
        place="г. Купино",
        signing_right=SigningRight.objects.default_for(department, date(2021, 9, 1)),
    )
    document_services.replace_body(
        order,
        parse_body_text(
            "1. Создать центры сетевого взаимодействия на базе МБОУ «Купинская СОШ № 77» "
            "и МБОУ «Купинская СОШ № 1».\n"
            "2. Руководителям базовых школ утвердить составы рабочих групп центров и "
            "планы совместной деятельности.\n"
            "3. МКУ «Купинский ИМЦ» обеспечить методическое сопровождение центров.\n"
            "4. Контроль за исполнением настоящего приказа оставляю за собой.\n"
        ),
        actor=uo,
    )
    document_services.register_paper_document(
        order, actor=uo, number="312", on_date=date(2021, 9, 1)
    )
    centers = [
        (
            "МБОУ «Купинская СОШ № 77»",
            "Центр сетевого взаимодействия на базе СОШ № 77",
            [
                ("МКОУ «Новониколаевская СОШ»", Category.SHNOR),
                ("МКОУ «Чаинская СОШ»", Category.SHNSU),
            ],
        ),
        (
            "МБОУ «Купинская СОШ № 1»",
            "Центр сетевого взаимодействия на базе СОШ № 1 г. Купино",
            [
                ("МКОУ «Медяковская СОШ»", Category.SHNOR),
                ("МКОУ «Лягушенская ООШ»", Category.SHNSU),
            ],
        ),
    ]
    for hub_name, short_name, participants in centers:
        hub = _school(hub_name)
        center = center_services.create_center(
            municipality,
            actor=uo,
            name=f"{short_name} по повышению качества образования",
            short_name=short_name,
            hub=hub,
            head=hub.head,
            creating_act=order,
            plan_approver=Center.Approver.HUB_DIRECTOR,
        )
        for school_name, category in participants:
            center_services.add_participant(
                center,
                actor=uo,
                school=_school(school_name),
                category=category,
                since=date(2021, 9, 1),
            )
