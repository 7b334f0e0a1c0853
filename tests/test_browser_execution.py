"""The report journey in Debian's Chromium, on a phone: a working-group member reports a held
event with its participants and a PDF, the center head returns it, the member corrects it, the
center head accepts it; another school cannot open a school's evidence by its address."""

import os

import pytest

from .test_browser import ARGS, CHROMIUM, login, pytestmark  # noqa: F401

MATH = "Взаимопосещение уроков математики в сельских школах"
OWN = "Открытые уроки русского языка в 5–6 классах"


@pytest.fixture(scope="module")
def chromium():
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield browser
        browser.close()


def phone_of(chromium, live_server, username):
    context = chromium.new_context(viewport={"width": 390, "height": 844}, locale="ru-RU")
    page = context.new_page()
    login(page, live_server, username)
    return page


@pytest.mark.django_db(transaction=True)
def test_a_report_is_filed_returned_corrected_and_accepted_in_the_browser(
    chromium, live_server, tmp_path
):
    from network_center.demo import load_demo
    from plans.demo_execution import demo_pdf
    from plans.models import EvidenceFile, Execution

    load_demo()
    execution = Execution.objects.get(plan__year=2025, line__title=MATH)
    # Test setup: last year's event put back to be reported.
    execution.participations.all().delete()
    Execution.objects.filter(pk=execution.pk).update(
        state="planned", held_on=None, outcome="", reported_by=None, reported_at=None
    )
    school = execution.line.schools.order_by("pk").first()
    event_url = f"{live_server.url}/plans/events/{execution.pk}/"
    protocol = tmp_path / "Протокол взаимопосещения.pdf"
    protocol.write_bytes(demo_pdf("Protocol"))

    member = phone_of(chromium, live_server, "wg_member")
    member.goto(event_url)
    member.get_by_role("link", name="Отчитаться о проведении").click()
    member.fill("#id_held_on", "2026-01-21")
    member.fill(f"#id_count_{school.pk}", "6")
    member.fill("#id_outcome", "Посетили уроки, разобрали приёмы устного счёта.")
    member.set_input_files("#id_files", str(protocol))
    member.get_by_role("button", name="Подать отчёт").click()
    member.wait_for_selector("text=Отчёт подан")
    assert "Протокол взаимопосещения.pdf" in member.content()
    assert member.evaluate("document.documentElement.scrollWidth") <= 390

    head = phone_of(chromium, live_server, "head_center")
    head.goto(event_url)
    head.locator("summary", has_text="Вернуть отчёт на доработку").click()
    head.fill("#id_comment_return", "Укажите участников других школ.")
    head.get_by_role("button", name="Вернуть с этими замечаниями").click()
    head.wait_for_selector("text=Отчёт возвращён: подавший его получил замечания.")

    member.goto(event_url)
    assert "Укажите участников других школ." in member.content()
    member.get_by_role("link", name="Исправить отчёт и подать снова").click()
    assert member.input_value("#id_outcome").startswith("Посетили уроки")
    others = execution.line.schools.exclude(pk=school.pk).order_by("pk").first()
    member.fill(f"#id_count_{others.pk}", "4")
    member.get_by_role("button", name="Подать исправленный отчёт").click()
    member.wait_for_selector("text=Отчёт подан")

    head.goto(event_url)
    head.get_by_role("button", name="Принять отчёт").click()
    head.wait_for_selector("text=Отчёт принят.")
    assert head.locator("#execution-state").inner_text() == "Проведено: отчёт принят"
    execution.refresh_from_db()
    assert execution.state == "accepted"
    assert sorted(execution.participations.values_list("count", flat=True)) == [4, 6]

    # School B was not at СОШ № 1's open lessons: their file is not there for it.
    evidence = EvidenceFile.objects.filter(execution__line__title=OWN).first()
    school_b = phone_of(chromium, live_server, "school_b")
    response = school_b.goto(f"{live_server.url}/plans/files/{evidence.pk}/")
    assert response.status == 404
    school_a = phone_of(chromium, live_server, "school_a")
    with school_a.expect_download() as download:
        school_a.goto(f"{live_server.url}/plans/events/{evidence.execution_id}/")
        school_a.get_by_role("link", name=evidence.original_name, exact=True).click()
    assert download.value.suggested_filename == evidence.original_name
