"""The calendar in Debian's Chromium: a grid of weeks on a wide screen, a day-by-day list on a
390 px phone with nothing wider than the screen; the filter redraws it without a reload; a
subscription is made and its address shown on the phone."""

import os

import pytest

from .test_browser import ARGS, CHROMIUM, login, pytestmark  # noqa: F401


@pytest.fixture(scope="module")
def chromium():
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield browser
        browser.close()


def screen_of(chromium, live_server, username, width):
    context = chromium.new_context(viewport={"width": width, "height": 900}, locale="ru-RU")
    page = context.new_page()
    page.console_errors = []
    page.on("console", lambda m: m.type == "error" and page.console_errors.append(m.text))
    login(page, live_server, username)
    return page


def page_width(page):
    return page.evaluate("document.documentElement.scrollWidth")


@pytest.mark.django_db(transaction=True)
def test_the_month_is_a_grid_on_a_wide_screen_and_a_day_list_on_a_phone(chromium, live_server):
    from network_center.demo import load_demo

    from .calendar_world import INTENSIVE, SEMINAR, approved_plan

    load_demo()
    approved_plan()
    url = f"{live_server.url}/plans/calendar/?view=month&date=2027-10-01"

    wide = screen_of(chromium, live_server, "school_a", 1280)
    wide.goto(url)
    days = wide.locator(".cal-day")
    assert days.count() == 35
    monday, tuesday, next_monday = (days.nth(i).bounding_box() for i in (0, 1, 7))
    assert monday["y"] == tuesday["y"] and tuesday["x"] > monday["x"], "a week is a row"
    assert next_monday["y"] > monday["y"] and next_monday["x"] == monday["x"]
    assert wide.locator(".cal-weekdays").is_visible()
    main = wide.locator("main").bounding_box()
    grid = wide.locator(".cal-grid").bounding_box()
    assert grid["x"] >= main["x"] and grid["x"] + grid["width"] <= main["x"] + main["width"]
    assert page_width(wide) <= 1280

    phone = screen_of(chromium, live_server, "school_a", 390)
    phone.goto(url)
    assert not phone.locator(".cal-weekdays").is_visible()
    assert phone.get_by_text("Вторник, 5 октября").is_visible()
    assert phone.get_by_role("link", name=SEMINAR).is_visible()
    # Only the month's own days with events are listed.
    assert not phone.get_by_text("Пятница, 1 октября").is_visible()
    assert not phone.get_by_text("Понедельник, 27 сентября").is_visible()
    assert page_width(phone) <= 390
    # The filters are folded away on the calendar until opened.
    assert not phone.locator("#id_format").is_visible()
    phone.locator("summary", has_text="Фильтры").click()
    # The filter redraws the calendar without a reload and keeps it in the address.
    phone.select_option("#id_format", "blended")
    phone.wait_for_selector("#calendar-count:has-text('1 мероприятие')")
    assert "format=blended" in phone.url
    assert phone.get_by_role("link", name=INTENSIVE).first.is_visible()
    assert not phone.get_by_role("link", name=SEMINAR).count()
    phone.goto(f"{live_server.url}/plans/calendar/?view=week&date=2027-10-13")
    assert phone.get_by_text("Среда, 13 октября").is_visible()
    assert page_width(phone) <= 390
    assert phone.console_errors == [] and wide.console_errors == []


@pytest.mark.django_db(transaction=True)
def test_a_subscription_is_made_and_its_address_shown_on_a_phone(chromium, live_server):
    from network_center.demo import load_demo
    from plans.models import CalendarFeed

    load_demo()
    phone = screen_of(chromium, live_server, "school_a", 390)
    phone.goto(f"{live_server.url}/plans/calendar/")
    phone.get_by_role("link", name="Подписки на календарь").click()
    phone.get_by_label("Школа: МКОУ «СОШ № 1 г. Дмитриева»").check()
    phone.get_by_role("button", name="Создать подписку").click()
    phone.wait_for_selector("text=Подписка создана")
    feed = CalendarFeed.objects.get()
    address = phone.get_by_label("Адрес для приложения календаря")
    assert address.input_value().endswith(f"/plans/ical/{feed.token}.ics")
    assert page_width(phone) <= 390
    phone.once("dialog", lambda dialog: dialog.accept())
    phone.get_by_role("button", name="Отозвать").click()
    phone.wait_for_selector("text=Подписка отозвана")
    feed.refresh_from_db()
    assert feed.revoked_at is not None
