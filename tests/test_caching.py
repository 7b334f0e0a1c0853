"""Pages and access checks remembered per version of the data (``schools.caching``).

What a user must never notice: a page older than the data, another user's page, a page they
may no longer open, a lost message, a form whose token the server refuses.
"""

import re

import pytest
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from network_center.documents.models import DocumentReader, LegalDocument
from schools.caching import content_version, install_triggers, versioned_tables
from schools.models import Organisation, Region

from .conftest import SCHOOL_A

pytestmark = pytest.mark.django_db


def get(client, url, **extra):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, **extra)
    return response, len(ctx.captured_queries)


def warm(client, url):
    """A first visit sets the browser's CSRF cookie; the second is rendered and stored."""
    client.get(url)
    response, _ = get(client, url)
    assert response["X-Page-Cache"] == "miss"
    return response


def test_every_table_of_the_product_is_versioned_and_bookkeeping_is_not():
    tables = set(versioned_tables())
    assert {
        "schools_organisation",
        "schools_membership",
        "auth_user",
        "documents_legaldocument",
        "documents_documentreader",
        "centers_participation",
        "centers_member",
        "plans_line",
        "plans_visa",
        "notifications_notification",
    } <= tables
    assert not tables & {"django_session", "schools_contentversion", "axes_accessattempt"}


def test_every_way_of_writing_changes_the_version(org):
    school = org(SCHOOL_A)
    before = content_version()
    school.phone = "+7 000"
    school.save(update_fields=["phone"])
    after_save = content_version()
    Organisation.objects.filter(pk=school.pk).update(phone="+7 111")  # no signals
    after_update = content_version()
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE schools_organisation SET phone = '+7 222' WHERE id = %s", [school.pk]
        )
    after_sql = content_version()
    assert before < after_save < after_update < after_sql


def test_a_second_visit_is_served_from_the_cache_until_the_data_changes(client_of, org):
    client = client_of("uo_dmitriev")
    school = org(SCHOOL_A)
    url = reverse("schools:detail", args=[school.pk])
    warm(client, url)
    response, queries = get(client, url)
    assert response["X-Page-Cache"] == "hit"
    # The session's query, which also reads the data's version; nothing else.
    assert queries == 1
    assert school.short_name in response.content.decode()
    # Changed behind the services' back: the next request renders the new name.
    Organisation.objects.filter(pk=school.pk).update(short_name="МКОУ «Переименованная СОШ»")
    response, _ = get(client, url)
    assert response["X-Page-Cache"] == "miss"
    assert "МКОУ «Переименованная СОШ»" in response.content.decode()


def test_a_cached_page_is_the_users_own(client_of, user_of):
    url = reverse("home")
    names = {login: user_of(login).get_full_name() for login in ("uo_dmitriev", "school_a")}
    clients = {login: client_of(login) for login in names}
    for client in clients.values():
        warm(client, url)
    for login, client in clients.items():
        response, _ = get(client, url)
        assert response["X-Page-Cache"] == "hit"
        page = response.content.decode()
        other = next(name for other, name in names.items() if other != login)
        assert names[login] in page and other not in page


def test_who_may_no_longer_read_a_page_is_refused_the_copy_they_had(client_of):
    order = LegalDocument.objects.get(number="1-139/1")
    client = client_of("school_b")  # a participant school: it reads the order as a reader
    url = reverse("documents:detail", args=[order.pk])
    warm(client, url)
    assert get(client, url)[0]["X-Page-Cache"] == "hit"
    DocumentReader.objects.filter(document=order).delete()
    assert client.get(url).status_code == 404


def test_a_message_is_shown_once_and_never_cached(client_of, org):
    client = client_of("uo_dmitriev")
    school = org(SCHOOL_A)
    detail = reverse("schools:detail", args=[school.pk])
    warm(client, detail)
    edit = reverse("schools:edit", args=[school.pk])
    form = {
        "full_name": school.full_name,
        "short_name": school.short_name,
        "address": "г. Дмитриев, ул. Школьная, 1",
        "phone": school.phone,
        "email": school.email,
        "inn": school.inn,
        "ogrn": school.ogrn,
        "head": school.head_id or "",
    }
    response = client.post(edit, form, follow=True)
    page = response.content.decode()
    assert "Карточка школы сохранена." in page and "ул. Школьная, 1" in page
    again, _ = get(client, detail)
    assert "Карточка школы сохранена." not in again.content.decode()
    assert "ул. Школьная, 1" in again.content.decode()


def test_the_token_of_a_cached_form_is_accepted(user_of):
    client = Client(enforce_csrf_checks=True)
    client.force_login(user_of("head_center"))
    url = reverse("notifications:list")
    warm(client, url)
    response, _ = get(client, url)
    assert response["X-Page-Cache"] == "hit"
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', response.content.decode())
    assert token, "the notifications page has a form"
    done = client.post(reverse("logout"), {"csrfmiddlewaretoken": token.group(1)})
    assert done.status_code == 302
    assert client.get(url).status_code == 302  # logged out: to the login page


def test_with_the_cache_off_every_request_renders(client_of, settings):
    settings.PAGE_CACHE_SECONDS = 0
    client = client_of("uo_dmitriev")
    client.get(reverse("home"))
    response, queries = get(client, reverse("home"))
    assert "X-Page-Cache" not in response and queries > 5


@pytest.mark.django_db(transaction=True)
def test_on_postgresql_a_transaction_counts_once_when_it_commits(settings):
    if connection.vendor != "postgresql":
        pytest.skip("the deferred trigger is PostgreSQL's (SQLite has one writer at a time)")
    settings.CONTENT_VERSION_DEFERRED = True
    install_triggers()
    try:
        before = content_version()
        with transaction.atomic():
            for i in range(3):
                region = Region.objects.create(name=f"Регион {i}")
                Region.objects.filter(pk=region.pk).update(name_genitive=f"Региона {i}")
            # Not yet: the trigger waits for the commit.
            assert content_version() == before
        assert content_version() == before + 1
        # The next transaction of the same connection counts again: what the trigger
        # remembers of the first one ended with it.
        with transaction.atomic():
            Region.objects.create(name="Регион 4")
            Region.objects.create(name="Регион 5")
        assert content_version() == before + 2
    finally:
        settings.CONTENT_VERSION_DEFERRED = False
        install_triggers()


def test_every_page_carries_the_content_security_policy(client_of, settings):
    from csp.utils import build_policy

    client = client_of("uo_dmitriev")
    expected = build_policy()
    assert "script-src 'self'" in expected and "unsafe-inline" not in expected
    warm(client, reverse("home"))
    served, _ = get(client, reverse("home"))
    assert served["X-Page-Cache"] == "hit"
    assert served["Content-Security-Policy"] == expected
    # A changed policy is built again, not the one remembered by the process.
    settings.CONTENT_SECURITY_POLICY = {"DIRECTIVES": {"default-src": ["'none'"]}}
    assert client.get(reverse("home"))["Content-Security-Policy"] == "default-src 'none'"


def test_pages_and_downloads_of_a_signed_in_user_are_never_stored_by_a_browser(client_of):
    from network_center.documents.models import LegalDocument

    client = client_of("school_a")
    for url in (
        reverse("home"),
        reverse("documents:pdf", args=[LegalDocument.objects.get(number="1-139/1").pk]),
    ):
        client.get(url)
        response = client.get(url)  # served from the page cache the second time
        directives = {d.strip() for d in response["Cache-Control"].split(",")}
        assert {"private", "no-store"} <= directives, url
