"""The organisations and people of a municipality, and who signs for them, from the UI."""

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import timezone

from network_center.documents.models import SigningRight
from schools.models import Membership, Municipality, Organisation, Person

pytestmark = pytest.mark.django_db


def dmitriev():
    return Municipality.objects.get(name="Дмитриевский район")


def test_the_department_enters_its_administration_its_head_and_their_signing_right(client_of):
    client = client_of("uo_dmitriev")
    response = client.post(
        reverse("schools:organisation_create"),
        {
            "kind": "administration",
            "municipality": dmitriev().pk,
            "full_name": "Администрация Дмитриевского района Курской области",
            "short_name": "Администрация Дмитриевского района",
            "name_genitive": "Администрации Дмитриевского района Курской области",
            "letterhead": "АДМИНИСТРАЦИЯ\nДМИТРИЕВСКОГО РАЙОНА\nКУРСКОЙ ОБЛАСТИ",
            "number_pattern": "{n}-па",
        },
        follow=True,
    )
    administration = Organisation.objects.get(short_name="Администрация Дмитриевского района")
    assert "Организация внесена" in response.content.decode()
    assert administration.kind == "administration" and administration.region_id
    assert administration.history.first().history_user.username == "uo_dmitriev"

    # Its head, without a login; then a specialist with a login and a role.
    client.post(
        reverse("schools:person_create", args=[administration.pk]),
        {
            "last_name": "Главов",
            "first_name": "Пётр",
            "patronymic": "Ильич",
            "position": "Глава Дмитриевского района",
            "phone": "8 (47150) 2-00-00",
        },
    )
    head = Person.objects.get(organisation=administration, last_name="Главов")
    assert head.user is None
    edit = {
        "full_name": administration.full_name,
        "short_name": administration.short_name,
        "name_genitive": administration.name_genitive,
        "letterhead": administration.letterhead,
        "number_pattern": administration.number_pattern,
        "head": head.pk,
    }
    assert client.post(reverse("schools:edit", args=[administration.pk]), edit).status_code == 302
    administration.refresh_from_db()
    assert administration.head == head

    response = client.post(
        reverse("documents:signing_rights"),
        {
            "organisation": administration.pk,
            "person": head.pk,
            "kind": "head",
            "position": "Глава Дмитриевского района",
            "valid_from": "2024-10-01",
            "basis_text": "решение Представительного Собрания от 20.09.2024 № 5",
        },
        follow=True,
    )
    assert "Право подписи внесено" in response.content.decode()
    right = SigningRight.objects.get(organisation=administration)
    assert right.person == head and right.in_force_on(timezone.localdate())
    # The department drafts the administration's resolution; its head is the signatory.
    client.post(
        reverse("documents:create"),
        {
            "issuer": administration.pk,
            "kind": "resolution",
            "heading": "О сетевом взаимодействии",
            "place": "г. Дмитриев",
        },
    )
    from network_center.documents.models import LegalDocument

    resolution = LegalDocument.objects.get(issuer=administration)
    assert resolution.signing_right == right
    assert resolution.signatory_position == "Глава Дмитриевского района"


def test_a_person_gets_a_login_and_a_role_with_them(client_of):
    school = Organisation.objects.get(short_name="МКОУ «Крупецкая СОШ»")
    client = client_of("uo_dmitriev")
    form = {
        "last_name": "Новикова",
        "first_name": "Анна",
        "position": "Заместитель директора",
        "username": "school_a",  # taken
        "password": "Cтойкий-пароль-2026",
        "role": "coordinator",
    }
    page = client.post(reverse("schools:person_create", args=[school.pk]), form)
    assert "Такой логин уже занят" in page.content.decode()
    assert not Person.objects.filter(last_name="Новикова").exists()
    form["username"] = "novikova"
    assert client.post(reverse("schools:person_create", args=[school.pk]), form).status_code == 302
    user = get_user_model().objects.get(username="novikova")
    assert user.person.organisation == school and user.check_password(form["password"])
    assert Membership.objects.filter(user=user, organisation=school, role="coordinator").exists()


def test_another_districts_department_cannot_enter_organisations_here(client_of):
    page = client_of("uo_kupino").post(
        reverse("schools:organisation_create"),
        {
            "kind": "other",
            "municipality": dmitriev().pk,
            "full_name": "Чужая",
            "short_name": "Чужая",
            "number_pattern": "{n}",
        },
    )
    assert page.status_code == 200 and "Выберите корректный вариант" in page.content.decode()
    assert not Organisation.objects.filter(short_name="Чужая").exists()


def test_an_acting_head_is_granted_for_a_period_and_ended(client_of):
    department = Organisation.objects.get(short_name="Управление образования Дмитриевского района")
    deputy = Person.objects.create(
        organisation=department, last_name="Замова", first_name="Ирина", position="Заместитель"
    )
    client = client_of("uo_dmitriev")
    form = {
        "organisation": department.pk,
        "person": deputy.pk,
        "kind": "acting",
        "position": "начальника Управления",
        "valid_from": "2026-07-01",
        "valid_until": "2026-07-31",
    }
    page = client.post(reverse("documents:signing_rights"), form).content.decode()
    assert "Укажите акт о возложении обязанностей" in page
    form["basis_text"] = "приказ от 25.06.2026 № 12-к"
    assert client.post(reverse("documents:signing_rights"), form).status_code == 302
    right = SigningRight.objects.get(person=deputy)
    assert right.printed_position == "И.о. начальника Управления"
    client.post(reverse("documents:signing_right_end", args=[right.pk]), {"last_day": "2026-07-15"})
    right.refresh_from_db()
    assert right.valid_until.isoformat() == "2026-07-15"
    assert right.history.count() == 2  # granted, then ended: who and when, each


@pytest.mark.usefixtures("page_cache_off")
def test_the_organisations_and_signing_rights_pages_cost_the_same_with_more_rows(client_of):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from network_center.documents import services as documents

    client = client_of("uo_dmitriev")

    def count(url):
        client.get(url)
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx.captured_queries)

    urls = [reverse("schools:organisation_list"), reverse("documents:signing_rights")]
    before = [count(url) for url in urls]
    uo = get_user_model().objects.get(username="uo_dmitriev")
    for i in range(10):
        other = Organisation.objects.create(
            kind="other",
            region=dmitriev().region,
            municipality=dmitriev(),
            short_name=f"Орган {i}",
            full_name=f"Орган {i}",
        )
        head = Person.objects.create(
            organisation=other, last_name=f"Глава{i}", first_name="А", position="Руководитель"
        )
        documents.grant_signing_right(
            other,
            actor=uo,
            person=head,
            kind="head",
            position="Руководитель",
            valid_from=timezone.localdate(),
        )
    assert [count(url) for url in urls] == before
