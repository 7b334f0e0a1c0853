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
    page.locator("#mainnav").get_by_role("button", name="Школы и ресурсы").click()
    page.locator("#mainnav").get_by_role("link", name="Школы", exact=True).click()
    page.wait_for_url(f"{live_server.url}/schools/")
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


def logout(page, live_server):
    page.context.clear_cookies()


@pytest.mark.django_db(transaction=True)
def test_a_proposal_becomes_part_of_the_approved_plan_in_the_browser(page, live_server):
    """The issue's walk-through: a school proposes, the center accepts it with another format,
    every school agrees, the department approves, the methodologist downloads the PDF."""
    from network_center.demo import load_demo
    from plans import services
    from plans.models import Plan, Proposal, Visa
    from schools.models import Membership

    load_demo()
    plan = Plan.objects.get(year=2026, center__hub__short_name="МКОУ «СОШ № 2 г. Дмитриева»")

    login(page, live_server, "school_a")
    page.goto(f"{live_server.url}/plans/{plan.pk}/")
    page.click("text=Предложить мероприятие")
    page.fill("#id_title", "Практикум по функциональной грамотности")
    page.fill("#id_direction", "Адресная методическая поддержка учителей")
    page.select_option("#id_form", label="мастер-класс")
    page.select_option("#id_format", "in_person")
    page.fill("#id_audience", "учителя 5–9 классов")
    page.fill("#id_date_from", "2027-02-10")
    page.fill("#id_justification", "Низкие результаты по функциональной грамотности.")
    page.click("text=Отправить в центр")
    page.wait_for_selector("text=Предложение отправлено в центр")
    proposal = Proposal.objects.get(title="Практикум по функциональной грамотности")
    logout(page, live_server)

    login(page, live_server, "head_center")
    assert "Практикум по функциональной грамотности" in page.content()  # waits on the home page
    page.goto(f"{live_server.url}/plans/proposals/{proposal.pk}/")
    page.check("input[name=decision][value=accept]")
    page.select_option("#id_format", "remote")
    page.click("text=Записать решение")
    page.wait_for_selector("text=Центр включил мероприятие с изменениями")
    logout(page, live_server)

    revision = services.working_revision(plan)
    login(page, live_server, "school_a")
    page.goto(f"{live_server.url}/plans/{plan.pk}/")
    page.check("input[name=decision][value=agreed]")
    page.click("text=Записать решение школы")
    page.wait_for_selector("text=Решение школы записано")
    logout(page, live_server)

    login(page, live_server, "school_b")
    page.goto(f"{live_server.url}/plans/{plan.pk}/")
    page.check("input[name=decision][value=agreed_remarks]")
    page.fill("form[action*=visa] [name=remarks]", "Просим перенести на март")
    page.click("text=Записать решение школы")
    page.wait_for_selector("text=Решение школы записано")
    logout(page, live_server)

    # The remaining three schools agree the same way; here through the service to save time.
    for visa in revision.visas.filter(decision=Visa.Decision.PENDING).select_related("school"):
        coordinator = Membership.objects.get(organisation=visa.school, role="coordinator").user
        services.give_visa(revision, visa.school, actor=coordinator, decision="agreed")

    # The department's head: she alone signs the approving order.
    login(page, live_server, "chief_dmitriev")
    page.goto(f"{live_server.url}/plans/{plan.pk}/")
    page.click("summary:has-text('Утвердить')")
    page.fill("#p-approve", "demo12345")
    page.click("form button:has-text('Утвердить')")
    page.wait_for_selector("text=Утверждён")
    logout(page, live_server)

    login(page, live_server, "rmk_dmitriev")
    page.goto(f"{live_server.url}/plans/{plan.pk}/")
    with page.expect_download() as download:
        page.click("text=PDF утверждённого плана")
    path = download.value.path()
    data = Path(path).read_bytes()
    assert data.startswith(b"%PDF")
    assert download.value.suggested_filename.startswith("Приказ_")
    assert page.console_errors == []
    assert page.outside_requests == []


@pytest.mark.django_db(transaction=True)
def test_the_hub_director_changes_the_working_group_and_signs_the_order(page, live_server):
    """The issue's check: director_sosh2 changes the working group and signs the composition
    order; the new composition is in force. (school_a's refusal is in the permission matrix.)"""
    from network_center.centers.models import Center, Composition
    from network_center.demo import load_demo

    load_demo()
    center = Center.objects.get(hub__short_name="МКОУ «СОШ № 2 г. Дмитриева»")
    login(page, live_server, "director_sosh2")
    page.goto(f"{live_server.url}/centers/{center.pk}/working-group/")
    page.select_option("#id_new-organisation", label="МКОУ «Крупецкая СОШ»")
    page.fill("#id_new-last_name", "Ремизова")
    page.fill("#id_new-first_name", "Ольга")
    page.fill("#id_new-patronymic", "Петровна")
    page.fill("#id_new-position", "Учитель русского языка")
    page.fill("#id_new-responsibility", "русский язык: открытые уроки")
    page.click("text=Внести и включить")
    page.wait_for_selector("#wg-draft >> text=Ремизова Ольга Петровна")
    draft = Composition.objects.get(center=center, status="draft")
    assert draft.order is not None
    page.goto(f"{live_server.url}/documents/{draft.order_id}/")
    assert "Об утверждении состава рабочей группы" in page.content()
    page.click("text=Подписать")
    page.fill("#id_password", "demo12345")
    page.click("input[type=submit][value='Подписать'], button:has-text('Подписать')")
    page.wait_for_selector("text=Документ подписан и зарегистрирован")
    draft.refresh_from_db()
    assert draft.status == "in_force"
    page.goto(f"{live_server.url}/centers/{center.pk}/working-group/")
    assert "Ремизова Ольга Петровна" in page.content()
    assert "Прежних составов нет" not in page.content()
    assert page.console_errors == []


@pytest.mark.django_db(transaction=True)
def test_no_page_is_wider_than_a_phone_or_a_desktop_and_tables_scroll_in_their_own_box(
    browser, live_server
):
    from network_center.demo import load_demo
    from plans.models import Plan

    load_demo()
    plans = [p.pk for p in Plan.objects.all()]
    for width in (390, 1280):
        context = browser.new_context(viewport={"width": width, "height": 800})
        page = context.new_page()
        login(page, live_server, "head_center")
        for path in ["/", *(f"/plans/{pk}/" for pk in plans), "/documents/", "/centers/"]:
            page.goto(f"{live_server.url}{path}")
            scroll_width = page.evaluate("document.documentElement.scrollWidth")
            assert scroll_width <= width, (width, path, scroll_width)
            # Each table's scroll box can be reached with the keyboard.
            boxes = page.locator(".table-responsive")
            for i in range(boxes.count()):
                assert boxes.nth(i).get_attribute("tabindex") == "0"
        context.close()


@pytest.mark.django_db(transaction=True)
def test_on_a_phone_each_plan_line_is_a_card_and_the_editor_a_full_width_form(browser, live_server):
    from network_center.demo import load_demo
    from plans.models import Plan

    load_demo()
    plan = Plan.objects.get(year=2026, center__hub__short_name="МКОУ «СОШ № 2 г. Дмитриева»")
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="ru-RU")
    page = context.new_page()
    login(page, live_server, "head_center")
    page.goto(f"{live_server.url}/plans/{plan.pk}/")
    row = page.locator(".plan-table tbody tr[id^=line-]").first
    assert row.evaluate("r => getComputedStyle(r).display") == "block"
    # Each cell says what it is: the column headers are out of sight on a phone.
    labels = row.locator(".plan-label")
    assert labels.nth(1).is_visible() and labels.nth(1).inner_text() == "Форма, формат"
    box = row.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 390
    row.get_by_role("link", name="Изменить").click()
    editor = page.locator("form.line-editor")
    editor.wait_for()
    form_box = editor.bounding_box()
    assert form_box["width"] >= 300 and form_box["x"] + form_box["width"] <= 390
    title = page.get_by_label("Мероприятие", exact=False).first
    assert title.is_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    context.close()


@pytest.mark.django_db(transaction=True)
def test_the_a4_preview_of_an_act_fits_its_frame_at_every_width(browser, live_server):
    from network_center.demo import load_demo
    from network_center.documents.models import LegalDocument

    load_demo()
    order = LegalDocument.objects.get(number="1-139/1")
    for width in (390, 1280):
        context = browser.new_context(viewport={"width": width, "height": 900}, locale="ru-RU")
        page = context.new_page()
        login(page, live_server, "uo_dmitriev")
        page.goto(f"{live_server.url}/documents/{order.pk}/")
        frame = page.locator(".document-preview-frame").bounding_box()
        sheets = page.locator(".document-preview-frame .doc-sheet")
        assert sheets.count() >= 1
        for i in range(sheets.count()):
            sheet = sheets.nth(i).bounding_box()
            assert sheet["x"] >= frame["x"] - 1
            assert sheet["x"] + sheet["width"] <= frame["x"] + frame["width"] + 1, (width, i)
        # Scaled, not reflowed: the sheet keeps the proportions of A4.
        first = sheets.first.bounding_box()
        assert first["height"] / first["width"] >= 297 / 210 - 0.02
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        context.close()
