"""The year between approval and closing: an event's report filed, returned, corrected and
accepted; evidence files judged by their content and shown only to the schools that were there;
postponements and cancellations; an amendment carrying the execution over; the year-end report
and closing the plan."""

import io
from datetime import date
from urllib.parse import unquote

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from plans import services
from plans.demo_execution import demo_pdf
from plans.models import EvidenceFile, Execution, Line, Plan, Visa
from plans.services import execution as execution_services

pytestmark = pytest.mark.django_db

HUB = "МКОУ «СОШ № 2 г. Дмитриева»"
MATH = "Взаимопосещение уроков математики в сельских школах"
OWN = "Открытые уроки русского языка в 5–6 классах"


def small_pdf() -> bytes:
    return demo_pdf("Protocol")


def user(username):
    return get_user_model().objects.get(username=username)


def execution_of(title, year=2025) -> Execution:
    return Execution.objects.get(
        plan__center__hub__short_name=HUB, plan__year=year, line__title=title
    )


def reopen(execution, state=Execution.State.PLANNED) -> Execution:
    """Test setup: last year's event put back to happen (its report cleared)."""
    execution.participations.all().delete()
    Execution.objects.filter(pk=execution.pk).update(
        state=state, held_on=None, outcome="", reported_by=None, reported_at=None
    )
    execution.refresh_from_db()
    return execution


def stored_names():
    from django.core.files.storage import default_storage

    try:
        folders, _ = default_storage.listdir("evidence")
    except FileNotFoundError:
        return set()
    names = set()
    for folder in folders:
        names |= {f"{folder}/{name}" for name in default_storage.listdir(f"evidence/{folder}")[1]}
    return names


def report_data(execution, **extra):
    school = execution.line.schools.order_by("pk").first()
    return {
        "version": execution.version,
        "held_on": execution.date_from.isoformat(),
        "outcome": "Разобраны типичные ошибки ВПР; учителя составили план коррекции.",
        f"count_{school.pk}": "6",
        **extra,
    }


# --- the report journey ----------------------------------------------------------------------


def test_a_report_is_filed_returned_corrected_and_accepted(
    client_of, django_capture_on_commit_callbacks
):
    from network_center.notifications.models import Notification

    execution = reopen(execution_of(MATH))
    Notification.objects.all().delete()
    member, head = client_of("wg_member"), client_of("head_center")
    school = execution.line.schools.order_by("pk").first()

    form = member.get(reverse("plans:execution_report", args=[execution.pk])).content.decode()
    assert f'name="count_{school.pk}"' in form and 'type="file"' in form

    with django_capture_on_commit_callbacks(execute=True):
        response = member.post(
            reverse("plans:execution_report", args=[execution.pk]),
            report_data(execution, files=SimpleUploadedFile("Протокол семинара.pdf", small_pdf())),
            follow=True,
        )
    page = response.content.decode()
    assert "Отчёт подан" in page and "Проведено: отчёт на проверке" in page
    execution.refresh_from_db()
    assert execution.state == Execution.State.REPORTED
    assert execution.reported_by == user("wg_member")
    assert execution.participations.get().count == 6
    evidence = execution.files.get()
    assert evidence.original_name == "Протокол семинара.pdf"
    assert evidence.file.name.startswith("evidence/") and evidence.file.name.endswith(".pdf")
    assert "Протокол" not in evidence.file.name, "stored under a generated name"
    assert user("head_center").notifications.filter(text__contains=MATH).exists()

    # The center head returns it with remarks; the reporter is told and sees them.
    with django_capture_on_commit_callbacks(execute=True):
        head.post(
            reverse("plans:execution_transition", args=[execution.pk, "return"]),
            {"comment": "Добавьте участников поимённо."},
        )
    execution.refresh_from_db()
    assert execution.state == Execution.State.RETURNED
    assert user("wg_member").notifications.filter(text__contains="Добавьте участников").exists()
    page = member.get(reverse("plans:execution", args=[execution.pk])).content.decode()
    assert "Добавьте участников поимённо." in page and "Исправить отчёт и подать снова" in page

    # Corrected and filed again, then accepted.
    person = school.people.order_by("pk").first()
    member.post(
        reverse("plans:execution_report", args=[execution.pk]),
        report_data(execution, **{f"persons_{school.pk}": [person.pk]}),
    )
    execution.refresh_from_db()
    assert execution.state == Execution.State.REPORTED
    assert list(execution.participations.get().persons.all()) == [person]
    assert execution.files.count() == 1, "the evidence stays with the corrected report"
    head.post(reverse("plans:execution_transition", args=[execution.pk, "accept"]))
    execution.refresh_from_db()
    assert execution.state == Execution.State.ACCEPTED and execution.decided_by == user(
        "head_center"
    )
    actions = list(execution.events.values_list("action", flat=True))
    assert actions[-5:] == ["report", "file_added", "return", "refile", "accept"]
    # An accepted report is not filed again, and its files stay.
    again = member.get(reverse("plans:execution_report", args=[execution.pk]), follow=True)
    assert "Отчёт уже подан." in again.content.decode()


def test_a_member_not_responsible_and_another_school_cannot_report(client_of):
    execution = reopen(execution_of(MATH))
    for persona in ("school_b", "rmk_dmitriev", "director_sosh2"):
        response = client_of(persona).post(
            reverse("plans:execution_report", args=[execution.pk]), report_data(execution)
        )
        assert response.status_code == 403
    execution.refresh_from_db()
    assert execution.state == Execution.State.PLANNED


def test_a_stale_report_form_tells_the_second_editor(client_of, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    execution = reopen(execution_of(MATH))
    # A valid file, written to storage before the transaction that then refuses the report:
    # it is deleted again.
    data = report_data(execution, files=SimpleUploadedFile("Протокол.pdf", small_pdf()))
    execution_services.postpone(
        execution,
        actor=user("head_center"),
        date_kind="day",
        date_from=date(2026, 4, 2),
        reason="Совпало с ВПР.",
    )
    response = client_of("wg_member").post(
        reverse("plans:execution_report", args=[execution.pk]), data
    )
    page = response.content.decode()
    assert response.status_code == 200 and "изменил другой пользователь" in page
    assert "Разобраны типичные ошибки ВПР" in page, "what was typed is kept"
    execution.refresh_from_db()
    assert execution.state == Execution.State.POSTPONED
    assert not execution.files.exists() and stored_names() == set()


def test_a_report_form_with_errors_keeps_the_input_and_says_where(client_of):
    execution = reopen(execution_of(MATH))
    school = execution.line.schools.order_by("pk").first()
    response = client_of("wg_member").post(
        reverse("plans:execution_report", args=[execution.pk]),
        {
            "version": execution.version,
            "held_on": "2030-01-01",
            "outcome": "Итоги записаны.",
            f"count_{school.pk}": "5",
        },
    )
    page = response.content.decode()
    assert "Отчитаться можно о мероприятии, которое уже прошло." in page
    assert "Итоги записаны." in page and 'value="5"' in page
    execution.refresh_from_db()
    assert execution.state == Execution.State.PLANNED


# --- evidence files --------------------------------------------------------------------------

EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 200
HTML = b"<!DOCTYPE html><html><body><script>alert(1)</script></body></html>"


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("отчёт.pdf", EXE, "по содержимому это не PDF"),
        ("отчёт.pdf", HTML, "по содержимому это не PDF"),
        ("%PDF-обманка.pdf", b"%PDF-1.7 not really a pdf", "по содержимому это не PDF"),
        ("пусто.pdf", b"", "файл пустой"),
    ],
)
def test_an_upload_that_is_not_what_it_says_is_refused_and_nothing_stored(
    client_of, name, data, message, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path  # this test's own storage: nothing may appear in it
    execution = reopen(execution_of(MATH))
    before = stored_names()
    response = client_of("wg_member").post(
        reverse("plans:execution_report", args=[execution.pk]),
        report_data(
            execution,
            files=[
                SimpleUploadedFile("хороший.pdf", small_pdf()),
                SimpleUploadedFile(name, data),
            ],
        ),
    )
    page = response.content.decode()
    assert response.status_code == 200 and message in page
    assert "Ни один файл не сохранён" in page
    execution.refresh_from_db()
    assert execution.state == Execution.State.PLANNED and not execution.files.exists()
    assert stored_names() == before == set()


def test_an_oversize_upload_is_refused_with_its_limit(client_of, settings):
    settings.UPLOAD_FILE_MAX_BYTES = 2048
    execution = reopen(execution_of(MATH))
    big = small_pdf() + b"%" + b"0" * 4096 + b"\n%%EOF\nstartxref\n"
    response = client_of("wg_member").post(
        reverse("plans:execution_report", args=[execution.pk]),
        report_data(execution, files=SimpleUploadedFile("большой.pdf", big)),
    )
    # Stopped while read (schools.uploads): the Russian 413 page, nothing stored.
    assert response.status_code == 413
    assert "МБ" in response.content.decode()
    assert not execution.files.exists()


def test_a_name_with_folders_is_kept_as_its_last_part_with_the_detected_extension(client_of):
    execution = reopen(execution_of(MATH), Execution.State.REPORTED)
    png = __import__("plans.demo_execution", fromlist=["demo_png"]).demo_png()
    response = client_of("wg_member").post(
        reverse("plans:evidence_add", args=[execution.pk]),
        {"files": [SimpleUploadedFile("../../etc/Фото урока.exe", png)]},
    )
    assert response.status_code == 302
    evidence = execution.files.get()
    assert evidence.original_name == "Фото урока.png"
    assert evidence.content_type == "image/png" and ".." not in evidence.file.name
    download = client_of("wg_member").get(reverse("plans:evidence", args=[evidence.pk]))
    assert download["Content-Type"] == "image/png"
    assert "Фото урока.png" in unquote(download["Content-Disposition"])
    assert download["Content-Disposition"].startswith("attachment;")


def test_office_files_are_accepted_and_a_macro_document_is_not(client_of):
    import zipfile

    from openpyxl import Workbook

    buffer = io.BytesIO()
    Workbook().save(buffer)
    macro = io.BytesIO()
    with zipfile.ZipFile(macro, "w") as archive:
        archive.writestr(
            "[Content_Types].xml",
            '<Types><Override ContentType="application/vnd.ms-excel.sheet.macroEnabled.main+xml"'
            ' PartName="/xl/workbook.xml"/></Types>',
        )
    execution = reopen(execution_of(MATH), Execution.State.REPORTED)
    client = client_of("wg_member")
    ok = client.post(
        reverse("plans:evidence_add", args=[execution.pk]),
        {"files": [SimpleUploadedFile("Явка.xlsx", buffer.getvalue())]},
    )
    assert ok.status_code == 302 and execution.files.get().content_type.endswith("sheet")
    refused = client.post(
        reverse("plans:evidence_add", args=[execution.pk]),
        {"files": [SimpleUploadedFile("Макрос.xlsx", macro.getvalue())]},
    )
    assert "по содержимому это не PDF" in refused.content.decode()
    assert execution.files.count() == 1


def test_school_b_cannot_open_school_a_evidence_by_its_address(client_of):
    evidence = EvidenceFile.objects.filter(execution=execution_of(OWN)).first()
    url = reverse("plans:evidence", args=[evidence.pk])
    assert client_of("school_b").get(url).status_code == 404
    assert (
        client_of("school_b")
        .get(reverse("plans:execution", args=[evidence.execution_id]))
        .status_code
        == 404
    )
    download = client_of("school_a").get(url)
    assert download.status_code == 200
    assert b"".join(download.streaming_content).startswith(b"%PDF-")
    assert "Протокол открытых уроков.pdf" in unquote(download["Content-Disposition"])
    assert (
        download["Cache-Control"].startswith("private") or "no-store" in download["Cache-Control"]
    )


# --- postponing, cancelling, carrying over ---------------------------------------------------


def test_an_event_postponed_twice_then_held(client_of, django_capture_on_commit_callbacks):
    execution = reopen(execution_of(MATH))
    member = client_of("wg_member")
    url = reverse("plans:execution_postpone", args=[execution.pk])
    with django_capture_on_commit_callbacks(execute=True):
        member.post(
            url,
            {
                "version": execution.version,
                "date_kind": "day",
                "date_from": "2026-01-20",
                "reason": "Совпало с олимпиадой.",
            },
        )
    execution.refresh_from_db()
    member.post(
        url,
        {
            "version": execution.version,
            "date_kind": "period",
            "date_from": "2026-02-02",
            "date_to": "2026-02-06",
            "reason": "Карантин.",
        },
    )
    execution.refresh_from_db()
    assert execution.state == Execution.State.POSTPONED
    assert execution.dates_display == "02.02.2026 – 06.02.2026" and execution.is_moved
    line = Line.objects.get(pk=execution.line_id)
    assert line.date_from == date(2026, 1, 21), "the approved line is not changed"
    page = member.get(reverse("plans:execution", args=[execution.pk])).content.decode()
    assert "02.02.2026 – 06.02.2026" in page and "Карантин." in page
    school_b = user("school_b")
    assert school_b.notifications.filter(text__contains="перенесено").exists()
    execution_services.report(
        execution,
        actor=user("wg_member"),
        held_on=date(2026, 2, 4),
        outcome="Проведено после переноса.",
        participants=[(execution.line.schools.first(), 5, [])],
    )
    execution.refresh_from_db()
    assert execution.state == Execution.State.REPORTED
    assert [e.action for e in execution.events.all()][-3:] == ["postpone", "postpone", "report"]


def test_a_cancellation_needs_its_reason_and_keeps_the_comment_on_refusal(client_of):
    execution = reopen(execution_of(MATH))
    head = client_of("head_center")
    page = head.post(
        reverse("plans:execution_transition", args=[execution.pk, "cancel"]), {"comment": ""}
    ).content.decode()
    assert "Укажите причину отмены." in page
    execution.refresh_from_db()
    assert execution.state == Execution.State.PLANNED
    head.post(
        reverse("plans:execution_transition", args=[execution.pk, "cancel"]),
        {"comment": "Ведущий заболел."},
    )
    execution.refresh_from_db()
    assert execution.state == Execution.State.CANCELLED and execution.reason == "Ведущий заболел."
    # A cancelled event is neither postponed nor reported.
    with pytest.raises(services.PlanError):
        execution_services.postpone(
            execution,
            actor=user("head_center"),
            date_kind="day",
            date_from=date(2026, 3, 1),
            reason="x",
        )


def test_an_amendment_carries_the_execution_of_the_lines_that_stay():
    plan = Plan.objects.get(center__hub__short_name=HUB, year=2025)
    approved = plan.revisions.get()
    head, chief = user("head_center"), user("chief_dmitriev")
    held = execution_of(OWN)
    new = services.amend(approved, actor=head)
    dropped = new.lines.get(key=execution_of(MATH).key)
    services.delete_line(dropped, actor=head)
    services.submit(new, actor=head)
    for visa in new.visas.select_related("school"):
        coordinator = visa.school.memberships.filter(role="coordinator").first().user
        services.give_visa(new, visa.school, actor=coordinator, decision=Visa.Decision.AGREED)
    services.approve(new, actor=chief, password="demo12345")
    held.refresh_from_db()
    assert held.line.revision_id == new.pk and held.state == Execution.State.ACCEPTED
    assert held.files.count() == 2, "its report and evidence stay"
    assert held.events.filter(action="carry").exists()
    math = execution_of(MATH)
    assert math.line.revision_id == approved.pk, "a dropped line keeps its execution"
    assert plan.executions.count() == approved.lines.count()


# --- the year-end report and closing ---------------------------------------------------------


def test_the_year_end_report_prints_and_closing_attaches_it(client_of):
    from openpyxl import load_workbook
    from pypdf import PdfReader

    plan = Plan.objects.get(center__hub__short_name=HUB, year=2025)
    revision = plan.revisions.get()
    client = client_of("head_center")
    page = client.get(reverse("plans:execution_overview", args=[revision.pk])).content.decode()
    assert "план можно закрыть" in page
    pdf = client.get(reverse("plans:execution_report_pdf", args=[revision.pk]))
    text = " ".join(
        " ".join((p.extract_text() or "").split()) for p in PdfReader(io.BytesIO(pdf.content)).pages
    )
    assert "ОТЧЁТ" in text and "ПРОЕКТ" in text and "о выполнении плана" in text
    assert "отменено" in text and "Проведено — 9" in text
    book = load_workbook(
        io.BytesIO(client.get(reverse("plans:execution_report_xlsx", args=[revision.pk])).content)
    )
    assert book.sheetnames == ["Мероприятия", "Школы"]
    assert len(list(book["Мероприятия"].iter_rows(min_row=4))) == revision.lines.count()

    client.post(
        reverse("plans:transition", args=[revision.pk, "close"]), {"comment": "Итоги подведены."}
    )
    revision.refresh_from_db()
    assert revision.state == "closed" and revision.execution_report is not None
    document = revision.execution_report
    assert document.kind == "report" and document.issuer.short_name == HUB
    assert document.signatory == document.issuer.head, "the hub's head signs it"
    assert document.table["landscape"] and len(document.table["rows"]) == revision.lines.count()
    # Once closed, the report's PDF is the attached document's; execution is read-only.
    assert client.get(reverse("plans:execution_report_pdf", args=[revision.pk])).url == reverse(
        "documents:pdf", args=[document.pk]
    )
    execution = execution_of(OWN)
    assert not execution_services.TABLE.available(user("head_center"), execution)


def test_a_plan_with_an_event_unsettled_cannot_be_closed(client_of):
    reopen(execution_of(MATH))
    plan = Plan.objects.get(center__hub__short_name=HUB, year=2025)
    revision = plan.revisions.get()
    page = (
        client_of("head_center")
        .get(reverse("plans:execution_overview", args=[revision.pk]))
        .content.decode()
    )
    assert "Закрыть план пока нельзя: 1 мероприятие без принятого отчёта" in page
    response = client_of("head_center").post(
        reverse("plans:transition", args=[revision.pk, "close"]),
        {"comment": "Итоги."},
        follow=True,
    )
    assert "по каждому мероприятию принят отчёт" in response.content.decode()
    revision.refresh_from_db()
    assert revision.state == "approved"


# --- fixed query counts ----------------------------------------------------------------------


def approved_plan(year, n_lines, *, reported=True):
    """A Dmitriev plan of ``year`` with ``n_lines`` events, approved through the services, and
    (``reported``) a report filed on every event."""
    from network_center.centers.models import Center
    from plans.models import EventForm

    center = Center.objects.get(hub__short_name=HUB)
    head, chief = user("head_center"), user("chief_dmitriev")
    plan = services.create_plan(center, year, actor=head)
    revision = plan.revisions.get()
    form = EventForm.objects.first()
    schools = [p.school for p in center.participations.select_related("school")]
    for n in range(n_lines):
        services.add_line(
            revision,
            actor=head,
            direction=f"Направление {n % 4}",
            title=f"Семинар {n}",
            form=form,
            format="in_person",
            audience="учителя",
            date_kind="day",
            date_from=date(year, 9, 1 + n % 28),
            schools=schools,
            venue=center.hub,
            responsible=[head.person],
        )
    services.submit(revision, actor=head)
    for visa in revision.visas.select_related("school"):
        coordinator = visa.school.memberships.filter(role="coordinator").first().user
        services.give_visa(revision, visa.school, actor=coordinator, decision=Visa.Decision.AGREED)
    services.approve(revision, actor=chief, password="demo12345")
    if reported:
        for execution in plan.executions.select_related("line"):
            execution_services.report(
                execution,
                actor=head,
                held_on=date(2025, 9, 1),
                outcome="Проведено.",
                participants=[(school, 3, []) for school in schools],
            )
    return revision


def _count(client, url):
    from django.core.cache import cache
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    cache.clear()
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries), response


def test_the_execution_overview_keeps_its_query_count_as_the_plan_grows(client_of):
    small, large = approved_plan(2027, 10), approved_plan(2028, 60)
    client = client_of("head_center")
    client.get(reverse("home"))
    n_small, page = _count(client, reverse("plans:execution_overview", args=[small.pk]))
    assert "Семинар 9" in page.content.decode()
    n_large, page = _count(client, reverse("plans:execution_overview", args=[large.pk]))
    assert "Семинар 59" in page.content.decode()
    assert n_small == n_large
    # session, user, nav, the revision, executions, responsible, participations, the postponed,
    # those the user sees, the close rule's check
    assert n_small == 11


def test_an_event_page_keeps_its_query_count_with_more_participants_and_files(client_of):
    revision = approved_plan(2027, 2)
    first, second = revision.plan.executions.order_by("pk")
    head = user("head_center")
    from schools import filetypes

    for n in range(3):
        upload = SimpleUploadedFile(f"Файл {n}.pdf", small_pdf())
        execution_services.add_evidence(
            second, actor=head, files=[(upload, filetypes.detect(upload))]
        )
    client = client_of("head_center")
    client.get(reverse("home"))
    n_first, _ = _count(client, reverse("plans:execution", args=[first.pk]))
    n_second, page = _count(client, reverse("plans:execution", args=[second.pk]))
    assert "Файл 2.pdf" in page.content.decode()
    assert n_first == n_second
    # … and the bank's standing recommendations of the event and its files (one query)
    assert n_first == 15


# --- a plan line names the network's resources it needs --------------------------------------


def test_a_line_names_the_resources_of_the_network_it_needs(client_of):
    from schools.resources import Resource

    hub_teacher = Resource.objects.get(title="Наставник молодых учителей математики")
    page = (
        client_of("school_b")
        .get(reverse("plans:execution", args=[execution_of(MATH).pk]))
        .content.decode()
    )
    assert "Наставник молодых учителей математики" in page
    assert reverse("schools:resource_detail", args=[hub_teacher.pk]) in page

    plan = Plan.objects.get(center__hub__short_name=HUB, year=2026)
    revision = services.working_revision(plan)
    line = revision.lines.order_by("pk").first()
    foreign = Resource.objects.filter(school__municipality__name="Купинский район").first()
    with pytest.raises(services.PlanError) as refused:
        services.update_line(line, actor=user("head_center"), needed_resources=[foreign])
    assert "школ сети центра" in str(refused.value)
    lab = Resource.objects.get(title="Лаборатория робототехники центра «Точка роста»")
    services.update_line(line, actor=user("head_center"), needed_resources=[lab])
    assert list(line.needed_resources.all()) == [lab]
    history = revision.transitions.filter(action="line_edited").last()
    assert "Лаборатория робототехники" in str(history.data)
