"""Centers and working groups through their pages: who may do what, what the services record,
and what each page costs in queries.

The demo's Dmitriev center (at СОШ № 2) has five participants and a working group of five in
force, approved by the hub director's signed order; Kupino has two centers of its own.
"""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from network_center.centers.models import Center, Composition, Member, Participation
from network_center.centers.services import centers as center_services
from network_center.centers.services import working_group as wg_services
from network_center.documents import services as document_services
from network_center.documents.models import LegalDocument, SigningRight
from schools.models import Organisation, Person
from schools.services import create_person

from .conftest import HUB, KUPINO_SCHOOL, SCHOOL_A

pytestmark = pytest.mark.django_db

DEMO_PASSWORD = "demo12345"
SCHOOL_C = "МКОУ «Крупецкая СОШ»"
SCHOOL_D = "МКОУ «Первоавангардская СОШ»"
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def center(db):
    return Center.objects.get(municipality__name="Дмитриевский район")


@pytest.fixture
def kupino_center(db):
    return Center.objects.get(participations__school__short_name=KUPINO_SCHOOL)


@pytest.fixture
def director(user_of):
    return user_of("director_sosh2")


def person(last_name):
    return Person.objects.get(last_name=last_name)


def draft_of(center):
    return center.compositions.get(status=Composition.Status.DRAFT)


def appendix_rows(composition):
    """The rows of the table appended to the order approving ``composition``."""
    appendix = composition.order.appendices.get(appendix_number=1)
    return appendix.table["rows"]


def names_in(rows):
    return [row[1] for row in rows]


# --- the working group: the hub director edits, the draft order follows ----------------------


def test_it_adds_a_member_and_the_draft_order_lists_them(center, client_of):
    response = client_of("director_sosh2").post(
        reverse("centers:member_add", args=[center.pk]),
        {
            "add-person": person("Ремизов").pk,
            "add-role": Member.Role.MEMBER,
            "add-responsibility": "русский язык: взаимопосещение уроков",
        },
    )
    assert response.status_code == 302
    draft = draft_of(center)
    rows = appendix_rows(draft)
    # The five of the composition in force are copied into the draft, the new one added.
    assert len(rows) == 6
    row = next(r for r in rows if r[1] == "Ремизов Павел Андреевич")
    assert row[3] == "Член рабочей группы"
    assert row[4] == "русский язык: взаимопосещение уроков"
    assert draft.order.is_draft
    # The composition in force has not changed.
    assert center.compositions.in_force().get().members.count() == 5


def test_it_creates_a_person_inline_and_adds_them(center, client_of, org):
    response = client_of("director_sosh2").post(
        reverse("centers:member_new_person", args=[center.pk]),
        {
            "new-organisation": org(SCHOOL_D).pk,
            "new-last_name": "Кузнецова",
            "new-first_name": "Вера",
            "new-patronymic": "Игоревна",
            "new-position": "Учитель русского языка",
            "new-email": "kuznetsova@example.org",
            "new-phone": "",
            "new-role": Member.Role.MEMBER,
            "new-responsibility": "русский язык",
        },
    )
    assert response.status_code == 302
    created = Person.objects.get(last_name="Кузнецова")
    assert created.organisation == org(SCHOOL_D)
    assert created.email == "kuznetsova@example.org"
    assert draft_of(center).members.filter(person=created).exists()
    assert "Кузнецова Вера Игоревна" in names_in(appendix_rows(draft_of(center)))


def test_it_edits_a_draft_member_and_the_appendix_follows(center, client_of, director):
    draft = wg_services.draft_composition(center, actor=director)
    member = draft.members.get(person__last_name="Белова")
    client = client_of("director_sosh2")
    assert client.get(reverse("centers:member_edit", args=[member.pk])).status_code == 200
    response = client.post(
        reverse("centers:member_edit", args=[member.pk]),
        {"role": Member.Role.DEPUTY, "responsibility": "математика и физика"},
    )
    assert response.status_code == 302
    row = next(r for r in appendix_rows(draft_of(center)) if r[1].startswith("Белова"))
    assert row[3] == "Заместитель руководителя"
    assert row[4] == "математика и физика"


def test_it_removes_a_draft_member_and_the_appendix_follows(center, client_of, director):
    draft = wg_services.draft_composition(center, actor=director)
    member = draft.members.get(person__last_name="Голубева")
    response = client_of("director_sosh2").post(reverse("centers:member_remove", args=[member.pk]))
    assert response.status_code == 302
    names = names_in(appendix_rows(draft_of(center)))
    assert len(names) == 4
    assert not any(name.startswith("Голубева") for name in names)


def test_htmx_add_and_remove_answer_with_the_draft_fragment(center, client_of):
    client = client_of("director_sosh2")
    response = client.post(
        reverse("centers:member_add", args=[center.pk]),
        {"add-person": person("Шевцова").pk, "add-role": Member.Role.MEMBER},
        **HTMX,
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "<html" not in html
    assert 'id="wg-draft"' in html
    assert "Шевцова Оксана Юрьевна" in html
    assert "включён(а) в проект состава" in html
    member = draft_of(center).members.get(person__last_name="Шевцова")
    response = client.post(reverse("centers:member_remove", args=[member.pk]), **HTMX)
    assert response.status_code == 200
    assert "исключён(а) из проекта состава" in response.content.decode()
    assert not draft_of(center).members.filter(pk=member.pk).exists()


def test_it_starts_a_draft_as_a_copy_of_the_composition_in_force(center, client_of):
    response = client_of("director_sosh2").post(
        reverse("centers:composition_draft", args=[center.pk])
    )
    assert response.status_code == 302
    draft = draft_of(center)
    assert draft.version == 2
    assert draft.members.count() == 5


def test_a_signed_composition_cannot_be_edited_through_its_members(center, client_of):
    member = center.compositions.in_force().get().members.get(person__last_name="Белова")
    client = client_of("director_sosh2")
    response = client.post(
        reverse("centers:member_edit", args=[member.pk]),
        {"role": Member.Role.HEAD, "responsibility": ""},
    )
    assert response.status_code == 302
    response = client.post(reverse("centers:member_remove", args=[member.pk]), follow=True)
    assert "Утверждённый состав изменить нельзя" in response.content.decode()
    member.refresh_from_db()
    assert member.role == Member.Role.MEMBER


def test_it_refuses_a_participant_school_that_posts_a_member(center, client_of):
    members_before = Member.objects.count()
    response = client_of("school_a").post(
        reverse("centers:member_add", args=[center.pk]),
        {"add-person": person("Ремизов").pk, "add-role": Member.Role.MEMBER},
    )
    assert response.status_code == 403
    assert Member.objects.count() == members_before
    assert not center.compositions.filter(status=Composition.Status.DRAFT).exists()
    # They see the composition, without the editing controls.
    page = client_of("school_a").get(reverse("centers:working_group", args=[center.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    assert "Белова Татьяна Николаевна" in html
    assert reverse("centers:member_add", args=[center.pk]) not in html


@pytest.mark.parametrize("persona", ["head_center", "wg_member", "rmk_dmitriev", "region"])
def test_only_the_hub_director_changes_the_working_group(persona, center, client_of):
    client = client_of(persona)
    response = client.post(
        reverse("centers:member_new_person", args=[center.pk]),
        {"new-last_name": "Иванов"},
    )
    assert response.status_code == 403
    page = client.get(reverse("centers:working_group", args=[center.pk])).content.decode()
    assert reverse("centers:member_new_person", args=[center.pk]) not in page


def test_another_municipality_gets_404_on_the_dmitriev_center(center, client_of, director):
    member = wg_services.draft_composition(center, actor=director).members.first()
    participation = center.participations.first()
    client = client_of("uo_kupino")
    urls = [
        reverse("centers:detail", args=[center.pk]),
        reverse("centers:working_group", args=[center.pk]),
        reverse("centers:edit", args=[center.pk]),
        reverse("centers:participant_edit", args=[participation.pk]),
        reverse("centers:member_edit", args=[member.pk]),
    ]
    for url in urls:
        assert client.get(url).status_code == 404, url
    assert client.post(reverse("centers:member_add", args=[center.pk])).status_code == 404
    assert (
        client.post(reverse("centers:participant_delete", args=[participation.pk])).status_code
        == 404
    )
    listing = client.get(reverse("centers:list")).content.decode()
    assert center.short_name not in listing
    assert "Центр сетевого взаимодействия на базе СОШ № 77" in listing


# --- bad input comes back as a Russian error on the form, with the input kept ----------------


def test_a_second_head_is_refused_on_the_form(center, client_of):
    response = client_of("director_sosh2").post(
        reverse("centers:member_add", args=[center.pk]),
        {
            "add-person": person("Ремизов").pk,
            "add-role": Member.Role.HEAD,
            "add-responsibility": "общее руководство",
        },
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "Руководитель рабочей группы уже назначен." in html
    assert 'value="общее руководство"' in html


def test_a_person_from_outside_the_network_is_refused(center, client_of, org):
    outsider = create_person(
        org(KUPINO_SCHOOL), last_name="Посторонний", first_name="Иван", position="Учитель"
    )
    response = client_of("director_sosh2").post(
        reverse("centers:member_add", args=[center.pk]),
        {"add-person": outsider.pk, "add-role": Member.Role.MEMBER},
    )
    assert response.status_code == 200
    assert "В рабочую группу входят сотрудники школ сети" in response.content.decode()
    assert not Member.objects.filter(person=outsider).exists()


def test_a_member_already_in_the_draft_is_refused(center, client_of):
    response = client_of("director_sosh2").post(
        reverse("centers:member_add", args=[center.pk]),
        {"add-person": person("Белова").pk, "add-role": Member.Role.MEMBER},
    )
    assert response.status_code == 200
    assert "Этот сотрудник уже в составе." in response.content.decode()


def test_a_new_person_of_another_organisation_is_refused(center, client_of, org):
    response = client_of("director_sosh2").post(
        reverse("centers:member_new_person", args=[center.pk]),
        {
            "new-organisation": org(KUPINO_SCHOOL).pk,
            "new-last_name": "Петров",
            "new-first_name": "Пётр",
            "new-position": "Учитель",
            "new-role": Member.Role.MEMBER,
        },
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "Организация не входит в сеть центра." in html
    assert 'value="Петров"' in html
    assert not Person.objects.filter(last_name="Петров").exists()


def test_a_duplicate_participant_is_refused(center, client_of, org):
    response = client_of("uo_dmitriev").post(
        reverse("centers:participant_add", args=[center.pk]),
        {"school": org(SCHOOL_A).pk, "category": "shnor", "since": "2026-09-01"},
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "Эта школа уже участвует в центре." in html
    assert 'value="2026-09-01"' in html
    assert center.participations.filter(school=org(SCHOOL_A)).count() == 1


def test_the_hub_cannot_be_its_own_participant(center, client_of, org):
    response = client_of("uo_dmitriev").post(
        reverse("centers:participant_add", args=[center.pk]),
        {"school": org(HUB).pk, "category": "shnor", "since": "2026-09-01"},
    )
    assert response.status_code == 200
    assert "Базовая школа не может быть участником." in response.content.decode()


def test_a_head_outside_the_hub_is_refused(client_of, org):
    response = client_of("uo_dmitriev").post(
        reverse("centers:create"),
        {
            "name": "Второй центр",
            "short_name": "Центр на базе Крупецкой СОШ",
            "hub": org(SCHOOL_C).pk,
            "head": person("Зайцева").pk,
            "plan_approver": Center.Approver.DEPARTMENT,
        },
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "Руководитель центра должен быть сотрудником базовой школы." in html
    assert "Центр на базе Крупецкой СОШ" in html
    assert not Center.objects.filter(short_name="Центр на базе Крупецкой СОШ").exists()


# --- the department: centers and participants ------------------------------------------------


def test_the_department_creates_a_center_and_adds_a_participant(client_of, org):
    client = client_of("uo_dmitriev")
    creating_act = LegalDocument.objects.get(number="1-139/1")
    response = client.post(
        reverse("centers:create"),
        {
            "name": "Центр сетевого взаимодействия на базе Крупецкой СОШ",
            "short_name": "Центр на базе Крупецкой СОШ",
            "hub": org(SCHOOL_C).pk,
            "head": person("Анохина").pk,
            "creating_act": creating_act.pk,
            "plan_approver": Center.Approver.HUB_DIRECTOR,
        },
    )
    created = Center.objects.get(short_name="Центр на базе Крупецкой СОШ")
    assert response.status_code == 302
    assert response["Location"] == reverse("centers:detail", args=[created.pk])
    assert created.hub == org(SCHOOL_C)
    assert created.creating_act == creating_act
    assert created.status == Center.Status.ACTIVE

    response = client.post(
        reverse("centers:participant_add", args=[created.pk]),
        {"school": org(SCHOOL_D).pk, "category": "shnor", "since": "2026-09-01"},
    )
    assert response.status_code == 302
    participation = created.participations.get()
    assert participation.school == org(SCHOOL_D)
    assert participation.since == date(2026, 9, 1)
    page = client.get(reverse("centers:detail", args=[created.pk])).content.decode()
    assert SCHOOL_D in page


def test_a_participants_period_is_edited_and_a_mistaken_entry_removed(center, client_of, org):
    client = client_of("uo_dmitriev")
    participation = center.participations.get(school=org(SCHOOL_D))
    response = client.post(
        reverse("centers:participant_edit", args=[participation.pk]),
        {"category": "both", "since": "2017-09-01", "until": "2026-08-31"},
    )
    assert response.status_code == 302
    participation.refresh_from_db()
    assert participation.until == date(2026, 8, 31)
    assert participation.category == Participation.Category.BOTH
    response = client.post(
        reverse("centers:participant_edit", args=[participation.pk]),
        {"category": "both", "since": "2017-09-01", "until": "2010-01-01"},
    )
    assert "Дата окончания раньше даты начала." in response.content.decode()
    response = client.post(reverse("centers:participant_delete", args=[participation.pk]))
    assert response.status_code == 302
    assert not Participation.objects.filter(pk=participation.pk).exists()


def test_the_department_closes_a_center_by_a_signed_act(center, client_of, user_of, org):
    uo = user_of("uo_dmitriev")
    department = Organisation.objects.get(short_name="Управление образования Дмитриевского района")
    act = document_services.create_document(
        department,
        actor=uo,
        kind=LegalDocument.Kind.ORDER,
        heading="О прекращении деятельности центра сетевого взаимодействия",
        signing_right=SigningRight.objects.default_for(department),
    )
    document_services.add_point(act, actor=uo, text="Прекратить деятельность центра.")
    document_services.register_paper_document(
        act, actor=uo, number="1-250", on_date=timezone.localdate()
    )
    client = client_of("uo_dmitriev")
    page = client.get(reverse("centers:close", args=[center.pk]))
    assert page.status_code == 200
    assert "1-250" in page.content.decode()
    response = client.post(reverse("centers:close", args=[center.pk]), {"act": act.pk})
    assert response.status_code == 302
    center.refresh_from_db()
    assert center.status == Center.Status.CLOSED
    assert center.closed_by == act
    # Closed: no more changes, and the working group is read-only even for the hub director.
    assert client.get(reverse("centers:edit", args=[center.pk])).status_code == 302
    wg_page = client_of("director_sosh2").get(reverse("centers:working_group", args=[center.pk]))
    assert reverse("centers:member_add", args=[center.pk]) not in wg_page.content.decode()
    response = client_of("director_sosh2").post(
        reverse("centers:member_add", args=[center.pk]),
        {"add-person": person("Ремизов").pk, "add-role": Member.Role.MEMBER},
        follow=True,
    )
    assert "Центр закрыт: состав рабочей группы больше не изменяется." in (
        response.content.decode()
    )
    assert not center.compositions.filter(status=Composition.Status.DRAFT).exists()


def test_the_region_reads_but_changes_nothing(center, client_of):
    client = client_of("region")
    assert client.get(reverse("centers:detail", args=[center.pk])).status_code == 200
    assert client.post(reverse("centers:edit", args=[center.pk]), {"name": "x"}).status_code == 403
    assert client.get(reverse("centers:create")).status_code == 403


# --- signing the composition order -----------------------------------------------------------


def test_signing_the_order_puts_the_new_composition_in_force(center, client_of, director):
    old = center.compositions.in_force().get()
    client = client_of("director_sosh2")
    client.post(
        reverse("centers:member_add", args=[center.pk]),
        {"add-person": person("Ремизов").pk, "add-role": Member.Role.MEMBER},
    )
    draft = draft_of(center)
    member = draft.members.get(person__last_name="Голубева")
    client.post(reverse("centers:member_remove", args=[member.pk]))
    draft.refresh_from_db()
    order = draft.order
    # The new order cancels the one that approved the composition in force.
    assert "Признать утратившим силу приказ" in " ".join(
        order.points.values_list("text", flat=True)
    )

    order = document_services.sign_document(order, actor=director, password=DEMO_PASSWORD)

    draft.refresh_from_db()
    old.refresh_from_db()
    assert draft.status == Composition.Status.IN_FORCE
    assert draft.effective_from == order.date
    assert old.status == Composition.Status.SUPERSEDED
    assert old.effective_until == order.date
    old.order.refresh_from_db()
    assert old.order.lost_force_by_id == order.pk

    page = client_of("school_b").get(reverse("centers:detail", args=[center.pk])).content
    page = page.decode()
    assert "Ремизов Павел Андреевич" in page
    assert "Голубева Анна Михайловна" not in page
    history = client.get(reverse("centers:working_group", args=[center.pk])).content.decode()
    assert "История составов" in history
    assert f"№ {old.order.number}" in history


# --- query counts ----------------------------------------------------------------------------


def count_queries(client, url):
    client.get(url)  # warm caches (content types, session) so that only the page is counted
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def add_participants(center, n=20):
    """Add ``n`` new schools of the center's municipality as its participants."""
    from django.contrib.auth import get_user_model

    uo = get_user_model().objects.get(username="uo_dmitriev")
    hub = center.hub
    for i in range(n):
        school = Organisation.objects.create(
            kind=Organisation.Kind.SCHOOL,
            region=hub.region,
            municipality=hub.municipality,
            short_name=f"МКОУ «Тестовая СОШ № {i}»",
            full_name=f"Муниципальное казённое общеобразовательное учреждение «Тестовая СОШ № {i}»",
        )
        center_services.add_participant(
            center, actor=uo, school=school, category="shnor", since=date(2026, 9, 1)
        )


def add_members(center, director, n=20, *, sign=True, start=0):
    """Add ``n`` new teachers of the hub to the working group; sign the order if asked."""
    for i in range(start, start + n):
        teacher = create_person(
            center.hub, last_name=f"Учителев{i}", first_name="Пётр", position="Учитель"
        )
        wg_services.add_member(center, actor=director, person=teacher, role=Member.Role.MEMBER)
    if sign:
        order = draft_of(center).order
        document_services.sign_document(order, actor=director, password=DEMO_PASSWORD)


@pytest.mark.usefixtures("page_cache_off")
@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        # session, user, memberships (access), municipalities of the visible centers, centers
        # (+municipality, hub, head, participant count), visible hub schools, notifications
        # count (navigation)
        ("uo_dmitriev", 7),
        ("region", 7),
        ("school_a", 7),
    ],
)
def test_center_list_query_count(persona, expected, center, director, client_of):
    client = client_of(persona)
    url = reverse("centers:list")
    assert count_queries(client, url) == expected
    add_participants(center)
    add_members(center, director)
    assert count_queries(client, url) == expected


@pytest.mark.usefixtures("page_cache_off")
@pytest.mark.parametrize("persona", ["uo_dmitriev", "director_sosh2", "school_b", "admin"])
def test_center_detail_query_count(persona, center, director, client_of):
    client = client_of(persona)
    url = reverse("centers:detail", args=[center.pk])
    # session, user, memberships (access), center (+municipality, region, hub, head, acts),
    # participations (+school, agreement), compositions (+order, signatory), members in force
    # (+person, organisation), visible documents among those linked, visible schools,
    # notifications count (navigation)
    assert count_queries(client, url) == 10
    add_participants(center)
    add_members(center, director)
    assert count_queries(client, url) == 10


@pytest.mark.usefixtures("page_cache_off")
@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        # session, user, memberships (access), center (+municipality, region, hub, head, acts),
        # compositions (+order, signatory), members of the compositions in force and in draft
        # (+person, organisation), visible orders, notifications count (navigation)
        ("school_a", 8),
        ("uo_dmitriev", 8),
        # … and the two forms' choices: people of the network not yet in the list, the
        # network's organisations
        ("director_sosh2", 10),
    ],
)
def test_working_group_query_count(persona, expected, center, director, client_of):
    client = client_of(persona)
    url = reverse("centers:working_group", args=[center.pk])
    assert count_queries(client, url) == expected
    add_participants(center)
    # A signed composition of 25 (with the first one now in history) and a draft of 45.
    add_members(center, director)
    add_members(center, director, sign=False, start=20)
    assert count_queries(client, url) == expected


def test_a_working_group_has_one_secretary(center, client_of):
    in_force = center.compositions.in_force().get()
    # The demo's group has its secretary; a second one is refused beside the field.
    assert in_force.members.filter(role=Member.Role.SECRETARY).count() == 1
    page = (
        client_of("director_sosh2")
        .post(
            reverse("centers:member_add", args=[center.pk]),
            {"add-person": person("Ремизов").pk, "add-role": Member.Role.SECRETARY},
        )
        .content.decode()
    )
    assert "Секретарь рабочей группы уже назначен" in page
    drafts = center.compositions.filter(status="draft")
    assert not drafts.exists() or not drafts.get().members.filter(person=person("Ремизов")).exists()
