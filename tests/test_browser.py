"""End to end in Debian's Chromium: what a person sees, with no request leaving the machine."""

import os
from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian's chromium is not installed"),
]


@pytest.fixture(scope="module")
def browser():
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="ru-RU")
    page = context.new_page()
    page.outside_requests = []
    page.console_errors = []

    def watch(request):
        if not request.url.startswith(live_server.url):
            page.outside_requests.append(request.url)

    page.on("request", watch)
    page.on("console", lambda m: m.type == "error" and page.console_errors.append(m.text))
    yield page
    context.close()


def login(page, live_server, username):
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", "demo12345")
    page.keyboard.press("Enter")
    page.wait_for_url(f"{live_server.url}/")


@pytest.mark.django_db(transaction=True)
def test_a_coordinator_logs_in_on_a_phone_and_finds_only_their_school(page, live_server):
    from network_center.demo import load_demo

    load_demo()  # transactional tests start from an empty database
    login(page, live_server, "school_a")
    assert "Моя школа" in page.content()
    # The navigation collapses on a phone; the toggler opens it.
    page.click("button.navbar-toggler")
    page.click("text=Школы")
    page.wait_for_selector("text=Найдена 1 школа")
    assert "МКОУ «СОШ № 1 г. Дмитриева»" in page.content()
    assert page.outside_requests == []
    assert page.console_errors == []


@pytest.mark.django_db(transaction=True)
def test_the_department_filters_schools_without_reloading(page, live_server):
    from network_center.demo import load_demo

    load_demo()
    login(page, live_server, "uo_dmitriev")
    page.goto(f"{live_server.url}/schools/")
    page.wait_for_selector("text=Найдено 6 школ")
    page.select_option("#id_status", "shnsu")
    page.wait_for_selector("text=Найдено 3 школы")
    assert "status=shnsu" in page.url  # htmx pushed the filter into the address bar
    assert "Крупецкая" in page.content()
    assert "СОШ № 1 г. Дмитриева" not in page.inner_text("#school-table")
    assert page.console_errors == []
