"""Pinned query counts: every list and detail page costs the same with 10 rows or 100.

Each test measures a page, adds rows of what the page lists, and measures again.
"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from schools.models import Organisation, SchoolStatus
from schools.services import create_login, create_person, grant_role, record_school_status

from .conftest import SCHOOL_A

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("page_cache_off")]


def count_queries(client, url):
    client.get(url)  # warm caches (content types, session) so that only the page is counted
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def add_schools(n=30):
    """Add ``n`` Dmitriev schools with two years of statuses, staff and a coordinator each."""
    base = Organisation.objects.get(short_name=SCHOOL_A)
    for i in range(n):
        school = Organisation.objects.create(
            kind=Organisation.Kind.SCHOOL,
            region=base.region,
            municipality=base.municipality,
            short_name=f"МКОУ «Тестовая СОШ № {i}»",
            full_name=f"Муниципальное казённое общеобразовательное учреждение «Тестовая СОШ № {i}»",
        )
        head = create_person(
            school, last_name=f"Директоров{i}", first_name="Иван", position="Директор"
        )
        school.head = head
        school.save(update_fields=["head"])
        record_school_status(school, year=2025, kind=SchoolStatus.Kind.SHNOR)
        record_school_status(school, year=2026, kind=SchoolStatus.Kind.SHNSU)
    # More people and logins at one school, for its detail page.
    for i in range(n):
        person = create_person(
            base, last_name=f"Учителев{i}", first_name="Пётр", position="Учитель"
        )
        grant_role(create_login(person, f"teacher{i}", "x"), base, "coordinator")
        record_school_status(base, year=2000 + i, kind=SchoolStatus.Kind.RISK)


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        # Everyone: session, user, memberships (access), notifications count, memberships (page),
        # centers, documents to sign, own drafts.
        # + municipalities, status counts; proposals to decide, objections, plans to approve;
        # overdue events and reports, overdue visas (plans.overdue)
        ("uo_dmitriev", 15),
        # + municipalities, status counts (an observer acts on nothing: no overdue block)
        ("region", 10),
        # + statuses of own schools, plans awaiting the school's visa, returned proposals;
        # overdue events and reports, overdue visas
        ("school_a", 13),
        # + statuses of own schools, proposals to decide, objections; overdue events and
        # reports, overdue visas
        ("head_center", 13),
    ],
)
def test_home_page_query_count(persona, expected, client_of):
    client = client_of(persona)
    assert count_queries(client, reverse("home")) == expected
    add_schools()
    assert count_queries(client, reverse("home")) == expected


@pytest.mark.parametrize("persona", ["uo_dmitriev", "region", "admin"])
def test_school_list_query_count(persona, client_of):
    client = client_of(persona)
    # session, user, memberships, notifications count, municipality choices, count,
    # page of schools, their statuses
    assert count_queries(client, reverse("schools:list")) == 8
    add_schools()
    assert count_queries(client, reverse("schools:list")) == 8
    assert count_queries(client, reverse("schools:list") + "?status=shnsu&q=сош") == 8


def test_school_detail_query_count(client_of):
    client = client_of("uo_dmitriev")
    url = reverse("schools:detail", args=[Organisation.objects.get(short_name=SCHOOL_A).pk])
    # session, user, memberships, notifications count, school (+municipality, region, head),
    # statuses, people, memberships with users and persons
    assert count_queries(client, url) == 8
    add_schools()
    assert count_queries(client, url) == 8


def _more_plan_rows(n=20):
    """More proposals, notifications and plans for the plan lists."""
    from datetime import date

    from django.contrib.auth import get_user_model

    from network_center.notifications.models import Notification
    from plans.models import EventForm, Plan, Proposal

    plan = Plan.objects.get(year=2026, center__hub__short_name="МКОУ «СОШ № 2 г. Дмитриева»")
    school = Organisation.objects.get(short_name=SCHOOL_A)
    form = EventForm.objects.first()
    users = get_user_model().objects.filter(username__in=["head_center", "school_a"])
    for i in range(n):
        Proposal.objects.create(
            plan=plan,
            school=school,
            title=f"Предложение {i}",
            direction="Направление",
            form=form,
            format="in_person",
            audience="учителя",
            date_from=date(2027, 1, 1),
            justification="Нужно",
        )
        for user in users:
            Notification.objects.create(user=user, text=f"Событие {i}", url="/")


@pytest.mark.parametrize(
    ("persona", "url_name", "expected"),
    [
        # session, user, memberships, notifications count, centers (visible), plans, revisions
        ("head_center", "plans:list", 7),
        # session, user, memberships, notifications count, proposals (+plan, center, school, form)
        ("head_center", "plans:proposals", 5),
        ("school_a", "plans:proposals", 5),
        # session, user, memberships, notifications count, notifications
        ("school_a", "notifications:list", 5),
    ],
)
def test_plan_lists_query_count(persona, url_name, expected, client_of):
    client = client_of(persona)
    assert count_queries(client, reverse(url_name)) == expected
    _more_plan_rows()
    assert count_queries(client, reverse(url_name)) == expected


def test_proposal_and_document_pages_query_count(client_of):
    from network_center.documents.models import LegalDocument
    from plans.models import Proposal

    client = client_of("head_center")
    proposal = Proposal.objects.filter(state="submitted").first()
    url = reverse("plans:proposal", args=[proposal.pk])
    before = count_queries(client, url)
    _more_plan_rows()
    assert count_queries(client, url) == before
    order = LegalDocument.objects.get(number="1-139/1")
    url = reverse("documents:detail", args=[order.pk])
    detail = count_queries(client, url)
    # session, user, memberships, notifications, document, appendices, points, events,
    # relations both ways, appendix list, centers/participations for the rules, + the preview
    assert detail <= 16


@pytest.mark.parametrize("persona", ["school_a", "uo_dmitriev"])
def test_language_page_query_count(persona, client_of):
    """The language page reads the user's own card only: the same for any number of people."""
    client = client_of(persona)
    url = reverse("language")
    before = count_queries(client, url)
    add_schools(5)
    assert count_queries(client, url) == before
    assert before <= 6
