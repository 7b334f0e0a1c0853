"""Logging in, landing on one's own home page, lockout, and isolation between tenants."""

import pytest
from django.urls import reverse

from schools.models import Organisation

from .conftest import HUB, KUPINO_SCHOOL, SCHOOL_A, SCHOOL_B

pytestmark = pytest.mark.django_db


def test_it_logs_in_a_demo_user_and_lands_on_their_home_page(client):
    response = client.post(
        reverse("login"), {"username": "school_a", "password": "demo12345"}, follow=True
    )
    assert response.redirect_chain[-1][0] == reverse("home")
    body = response.content.decode()
    assert "Представитель школы-участника — МКОУ «СОШ № 1 г. Дмитриева»" in body
    assert "Моя школа" in body


def test_it_shows_the_department_its_municipality_with_status_counts(client_of):
    body = client_of("uo_dmitriev").get(reverse("home")).content.decode()
    assert "Дмитриевский район" in body
    assert "Купинский район" not in body
    # СОШ № 1, Крупецкая: ШНОР in 2026/2027 (Первоавангардская moved to the risk group).
    assert "ШНОР: 2" in body


def test_it_shows_the_regional_observer_every_municipality_it_curates(client_of):
    body = client_of("region").get(reverse("home")).content.decode()
    assert "Дмитриевский район" in body
    assert "Купинский район" in body


def test_it_answers_in_russian(client):
    body = client.get(reverse("login")).content.decode()
    assert 'lang="ru"' in body
    assert "Вход в систему" in body


def test_it_refuses_a_wrong_password_with_a_russian_message(client):
    response = client.post(reverse("login"), {"username": "school_a", "password": "nope"})
    assert response.status_code == 200
    assert "Пожалуйста, введите правильные имя пользователя и пароль" in response.content.decode()


def test_it_locks_out_a_username_and_ip_after_repeated_failures(client):
    for _ in range(5):
        client.post(reverse("login"), {"username": "school_b", "password": "wrong"})
    response = client.post(reverse("login"), {"username": "school_b", "password": "demo12345"})
    assert response.status_code == 429
    assert "Вход временно заблокирован" in response.content.decode()
    # Another username from the same address is not locked: the lockout is per username+IP.
    other = client.post(reverse("login"), {"username": "school_a", "password": "demo12345"})
    assert other.status_code == 302


def test_it_logs_out_only_by_post(client_of):
    client = client_of("school_a")
    assert client.get(reverse("logout")).status_code == 405
    assert client.post(reverse("logout")).status_code == 302
    assert client.get(reverse("home")).status_code == 302


def test_a_kupino_user_finds_no_dmitriev_object_by_list_search_or_id(client_of):
    client = client_of("uo_kupino")
    listing = client.get(reverse("schools:list")).content.decode()
    assert "Дмитри" not in listing
    assert "Купинская СОШ № 77" in listing
    search = client.get(reverse("schools:list"), {"q": "Дмитриева"}).content.decode()
    assert "Найдено 0 школ" in search
    dmitriev = Organisation.objects.filter(municipality__name="Дмитриевский район")
    assert dmitriev.count() >= 7
    for org in dmitriev:
        assert client.get(reverse("schools:detail", args=[org.pk])).status_code == 404
        assert client.get(reverse("schools:edit", args=[org.pk])).status_code == 404
    # A municipality filter pointing at Dmitriev is not a valid choice for Kupino.
    dmitriev_id = dmitriev.first().municipality_id
    response = client.get(reverse("schools:list"), {"municipality": dmitriev_id})
    assert "Дмитри" not in response.content.decode()


def test_a_coordinator_gets_404_on_another_schools_pages(client_of, org):
    client = client_of("school_a")
    assert client.get(reverse("schools:detail", args=[org(SCHOOL_A).pk])).status_code == 200
    for other in (SCHOOL_B, HUB, KUPINO_SCHOOL):
        assert client.get(reverse("schools:detail", args=[org(other).pk])).status_code == 404
    listing = client.get(reverse("schools:list")).content.decode()
    assert "Найдена 1 школа" in listing


def test_a_regional_observer_reads_everything_and_changes_nothing(client_of, org):
    client = client_of("region")
    school = org(SCHOOL_A)
    assert client.get(reverse("schools:detail", args=[school.pk])).status_code == 200
    response = client.post(
        reverse("schools:edit", args=[school.pk]),
        {"full_name": "Подмена", "short_name": "Подмена"},
    )
    assert response.status_code == 403
    school.refresh_from_db()
    assert school.short_name == SCHOOL_A


def test_search_is_case_insensitive_for_cyrillic(client_of):
    body = client_of("uo_dmitriev").get(reverse("schools:list"), {"q": "сош № 2"}).content
    assert "МКОУ «СОШ № 2 г. Дмитриева»" in body.decode()


def test_status_filter_uses_the_current_year_only(client_of):
    body = (
        client_of("uo_dmitriev").get(reverse("schools:list"), {"status": "shnor"}).content.decode()
    )
    assert "СОШ № 1 г. Дмитриева" in body
    assert "Крупецкая" in body
    # ШНОР in 2025/2026 but in the risk group in 2026/2027.
    assert "Первоавангардская" not in body


def test_the_department_edits_a_school_card_and_bad_input_is_kept(client_of, org):
    client = client_of("uo_dmitriev")
    school = org(SCHOOL_A)
    url = reverse("schools:edit", args=[school.pk])
    response = client.post(
        url, {"full_name": school.full_name, "short_name": school.short_name, "inn": "12ab"}
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "ИНН состоит из 10 цифр" in body
    assert school.full_name in body
    response = client.post(
        url,
        {
            "full_name": school.full_name,
            "short_name": school.short_name,
            "address": "307500, г. Дмитриев, ул. Ленина, д. 14",
            "inn": "4605003071",
            "head": school.head_id,
        },
    )
    assert response.status_code == 302
    school.refresh_from_db()
    assert school.address.endswith("д. 14")
    latest = school.history.latest("history_date")
    assert latest.history_user.username == "uo_dmitriev" and latest.address.endswith("д. 14")


def test_a_refused_authorization_is_logged_with_user_address_and_url(client_of, org, caplog):
    url = reverse("schools:edit", args=[org(SCHOOL_A).pk])
    with caplog.at_level("WARNING", logger="network_center.security"):
        response = client_of("rmk_dmitriev").get(url, REMOTE_ADDR="10.0.0.7")
    assert response.status_code == 403
    [record] = [r for r in caplog.records if r.name == "network_center.security"]
    message = record.getMessage()
    assert "user=rmk_dmitriev" in message and "address=10.0.0.7" in message and url in message


@pytest.mark.parametrize(
    "path",
    ["/", "/documents/", "/documents/?q=1-139", "/centers/", "/plans/", "/plans/proposals/"],
)
def test_a_kupino_user_sees_nothing_of_dmitriev_in_any_list(client_of, path):
    body = client_of("uo_kupino").get(path).content.decode()
    assert "Дмитри" not in body
    assert "СОШ № 2" not in body


def test_the_journal_export_of_kupino_holds_only_kupino(client_of):
    import io

    from openpyxl import load_workbook

    response = client_of("uo_kupino").get("/documents/journal.xlsx")
    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    assert all("Дмитри" not in str(cell) for row in rows for cell in row)


def login(client, username, password, address, forwarded=None):
    extra = {"REMOTE_ADDR": address}
    if forwarded:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return client.post(reverse("login"), {"username": username, "password": password}, **extra)


def test_behind_the_proxy_an_outsider_cannot_lock_a_user_out(client, settings, caplog):
    from axes.models import AccessAttempt

    settings.TRUSTED_PROXY_HOPS = 1
    proxy = "127.0.0.1"
    for _ in range(5):
        login(client, "school_b", "wrong", proxy, forwarded="203.0.113.9")
    assert login(client, "school_b", "demo12345", proxy, forwarded="203.0.113.9").status_code == 429
    # The user, from her own address behind the same proxy, logs in.
    assert (
        login(client, "school_b", "demo12345", proxy, forwarded="198.51.100.7").status_code == 302
    )
    # Tries during the lockout do not prolong it: its clock started with the fifth failure.
    attempt = AccessAttempt.objects.get(username="school_b", ip_address="203.0.113.9")
    started = attempt.attempt_time
    for _ in range(3):
        login(client, "school_b", "wrong", proxy, forwarded="203.0.113.9")
    attempt.refresh_from_db()
    assert attempt.attempt_time == started
    assert "Failed login: username=school_b address=203.0.113.9" in caplog.text


def test_without_a_trusted_proxy_a_forged_header_changes_nothing(client, settings):
    settings.TRUSTED_PROXY_HOPS = 0
    for n in range(5):
        login(client, "school_a", "wrong", "192.0.2.1", forwarded=f"10.0.0.{n}")
    # Five failures from one real address, whatever the header said: locked.
    assert (
        login(client, "school_a", "demo12345", "192.0.2.1", forwarded="10.9.9.9").status_code == 429
    )


def test_the_verification_page_is_rate_limited_per_client(client, settings):
    from network_center.documents.models import LegalDocument

    settings.VERIFY_RATE_LIMIT = (3, 600)
    url = reverse("verify", args=[LegalDocument.objects.get(number="1-139/1").verification_code])
    codes = [client.get(url, REMOTE_ADDR="192.0.2.50").status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]
    assert client.get(url, REMOTE_ADDR="192.0.2.51").status_code == 200


def test_the_rate_limit_holds_across_worker_processes(client, settings):
    """The count is in the database: another worker (here: an emptied process cache) sees it."""
    from django.core.cache import cache

    from network_center.documents.models import LegalDocument

    settings.VERIFY_RATE_LIMIT = (2, 600)
    url = reverse("verify", args=[LegalDocument.objects.get(number="1-139/1").verification_code])
    for _ in range(2):
        assert client.get(url, REMOTE_ADDR="192.0.2.60").status_code == 200
    cache.clear()
    response = client.get(url, REMOTE_ADDR="192.0.2.60")
    assert response.status_code == 429 and "Слишком много" in response.content.decode()


def test_titles_and_landmarks_speak_russian(client_of):
    page = client_of("uo_dmitriev").get(reverse("schools:organisation_list")).content.decode()
    assert "· Сетевое взаимодействие</title>" in page and "network_center</title>" not in page
    detail = client_of("uo_dmitriev").get(reverse("documents:signing_rights")).content.decode()
    school = (
        client_of("uo_dmitriev")
        .get(
            reverse(
                "schools:detail",
                args=[Organisation.objects.get(short_name="МКОУ «Старогородская СОШ»").pk],
            )
        )
        .content.decode()
    )
    assert (
        'aria-label="breadcrumb"' not in school and 'aria-label="Навигационная цепочка"' in school
    )
    assert "Права подписи" in detail
