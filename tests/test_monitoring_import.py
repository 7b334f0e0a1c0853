"""Monitoring: an upload checked by a task — queued, checking with its progress saved in chunks,
then a preview or the errors; a check that breaks; the polled progress fragment; the
confirmation in batches; query counts of the import's page and fragment."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.db.models.signals import post_save
from django.test import TestCase
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import Workbook

from monitoring import importing, services
from monitoring.models import Campaign, ImportRecord, Indicator, IndicatorValue
from schools.models import Municipality, Organisation

from .conftest import SCHOOL_A, SCHOOL_B

pytestmark = pytest.mark.django_db

DMITRIEV = "Дмитриевский район"
HEADER = ["Код школы", "Школа", "VPR_FAIL", "VPR_MEAN"]
State = ImportRecord.State


@pytest.fixture
def campaign(user_of):
    """A fresh Dmitriev campaign of two indicators, without values."""
    return services.create_campaign(
        actor=user_of("uo_dmitriev"),
        municipality=Municipality.objects.get(name=DMITRIEV),
        year=2030,
        name="Проверочная кампания",
        indicators=list(Indicator.objects.filter(code__in=["VPR_FAIL", "VPR_MEAN"])),
    )


def xlsx(rows) -> bytes:
    book = Workbook()
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def school_pk(short_name):
    return Organisation.objects.get(short_name=short_name).pk


def many_schools(n) -> list[int]:
    """``n`` more schools of Dmitriev (ids), for files of many rows."""
    base = Organisation.objects.get(short_name=SCHOOL_A)
    Organisation.objects.bulk_create(
        Organisation(
            kind=Organisation.Kind.SCHOOL,
            region=base.region,
            municipality=base.municipality,
            short_name=f"МКОУ «Тестовая школа № {i}»",
            full_name=f"Средняя школа № {1000 + i}",
        )
        for i in range(n)
    )
    return list(
        Organisation.objects.filter(short_name__startswith="МКОУ «Тестовая школа № ").values_list(
            "pk", flat=True
        )
    )


def big_file(ids) -> bytes:
    return xlsx([HEADER, *([pk, "школа", f"{pk % 90},5", "4"] for pk in ids)])


def post_upload(client, campaign, content, name="values.xlsx"):
    return client.post(
        reverse("monitoring:upload", args=[campaign.pk]),
        {"file": SimpleUploadedFile(name, content)},
    )


def upload_and_check(client, campaign, content):
    """Upload as a user does and run what the upload's commit starts (the check's task); the
    import's page as the browser then loads it."""
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = post_upload(client, campaign, content)
    assert response.status_code == 302
    return client.get(response.url)


def progress_of(client, record, **headers):
    return client.get(
        reverse("monitoring:import_progress", args=[record.pk]), HTTP_HX_REQUEST="true", **headers
    )


@pytest.fixture
def saved_progress():
    """Every save of an import's progress, as (state, processed_rows, total_rows), in order."""
    seen = []

    def record(sender, instance, update_fields=None, **kwargs):
        if update_fields and "processed_rows" in update_fields:
            seen.append((instance.state, instance.processed_rows, instance.total_rows))

    post_save.connect(record, sender=ImportRecord)
    yield seen
    post_save.disconnect(record, sender=ImportRecord)


# --- queued → checking → preview ------------------------------------------------------------


def test_an_upload_is_stored_and_queued_then_its_task_makes_the_preview(client_of, campaign):
    client = client_of("uo_dmitriev")
    content = xlsx([HEADER, [school_pk(SCHOOL_A), "А", "12,5", "4"]])
    with TestCase.captureOnCommitCallbacks(execute=False) as callbacks:
        response = post_upload(client, campaign, content, name="Значения 2030.xlsx")
    record = ImportRecord.objects.get(campaign=campaign)
    assert response.url == reverse("monitoring:import", args=[record.pk])
    # Stored and recorded; nothing checked yet, and the check waits for the commit.
    assert record.state == State.QUEUED
    assert (record.file_name, record.file_size) == ("Значения 2030.xlsx", len(content))
    assert record.uploaded_by.username == "uo_dmitriev"
    with record.file.open("rb") as stored:
        assert stored.read() == content
    assert len(callbacks) == 1
    page = client.get(response.url).content.decode()
    assert "Файл в очереди на проверку." in page
    assert 'role="progressbar"' in page and 'id="import-progress"' in page

    callbacks[0]()  # the commit: the task runs (at once, in the tests)
    record.refresh_from_db()
    assert record.state == State.PREVIEW
    assert (record.rows, record.values_count, record.created_count) == (1, 2, 2)
    assert record.processed_rows == record.total_rows == 2
    assert record.payload == [
        [school_pk(SCHOOL_A), Indicator.objects.get(code="VPR_FAIL").pk, "12.5"],
        [school_pk(SCHOOL_A), Indicator.objects.get(code="VPR_MEAN").pk, "4.00"],
    ]
    assert not IndicatorValue.objects.filter(campaign=campaign).exists()
    page = client.get(response.url).content.decode()
    assert "Подтвердить загрузку" in page and 'id="import-progress"' not in page


def test_the_check_passes_through_checking_while_it_reads(client_of, campaign, saved_progress):
    upload_and_check(
        client_of("uo_dmitriev"), campaign, xlsx([HEADER, [school_pk(SCHOOL_B), "Б", "7"]])
    )
    # Into «checking» at 0 rows, the first report (the sheet's own dimension: 2 rows), the end.
    assert saved_progress[0] == (State.CHECKING, 0, 0)
    assert saved_progress[1] == (State.CHECKING, 0, 2)
    assert saved_progress[-1] == (State.PREVIEW, 2, 2)


def test_a_task_delivered_twice_checks_once(client_of, campaign, saved_progress):
    upload_and_check(
        client_of("uo_dmitriev"), campaign, xlsx([HEADER, [school_pk(SCHOOL_A), "А", "7"]])
    )
    record = ImportRecord.objects.get(campaign=campaign)
    saved = len(saved_progress)
    assert services.check_import(record.pk) is None
    assert len(saved_progress) == saved
    record.refresh_from_db()
    assert record.state == State.PREVIEW


def test_a_check_left_checking_by_a_killed_worker_is_done_again_from_the_start(
    client_of, campaign, saved_progress
):
    client = client_of("uo_dmitriev")
    with TestCase.captureOnCommitCallbacks(execute=False):  # the worker never gets to it
        response = post_upload(client, campaign, xlsx([HEADER, [school_pk(SCHOOL_A), "А", "7"]]))
    record = ImportRecord.objects.get(campaign=campaign)
    # Its worker took it to «checking» at row 1 of 2, and was killed.
    ImportRecord.objects.filter(pk=record.pk).update(
        state=State.CHECKING, processed_rows=1, total_rows=2
    )
    assert "проверяется" in client.get(response.url).text.lower()

    # The task queued again (network_center.workers): read from the first row to the verdict.
    assert services.check_import(record.pk) is not None
    record.refresh_from_db()
    assert record.state == State.PREVIEW and record.values_count == 1
    assert saved_progress[0] == (State.CHECKING, 0, 2)
    assert "Подтвердить загрузку" in client.get(response.url).text


def test_a_large_file_reports_its_progress_in_chunks(
    client_of, campaign, saved_progress, monkeypatch
):
    ids = many_schools(300)
    monkeypatch.setattr(importing, "PROGRESS_MIN_ROWS", 50)
    client = client_of("uo_dmitriev")
    seen_by_the_page = []

    def look(sender, instance, update_fields=None, **kwargs):
        # What someone watching the page sees halfway: the fragment it polls.
        if update_fields == {"processed_rows", "total_rows"} and instance.processed_rows == 150:
            seen_by_the_page.append(progress_of(client, instance).content.decode())

    post_save.connect(look, sender=ImportRecord)
    try:
        with CaptureQueriesContext(connection) as ctx:
            upload_and_check(client, campaign, big_file(ids))
    finally:
        post_save.disconnect(look, sender=ImportRecord)
    record = ImportRecord.objects.get(campaign=campaign)
    assert record.state == State.PREVIEW and record.rows == 300
    assert record.processed_rows == record.total_rows == 301  # the header and 300 schools
    reports = [processed for state, processed, _total in saved_progress if state == "checking"]
    assert reports == [0, 0, 50, 100, 150, 200, 250, 300]
    # One UPDATE per report: into «checking», the 7 reports, the end.
    updates = [
        q["sql"]
        for q in ctx.captured_queries
        if q["sql"].startswith('UPDATE "monitoring_importrecord"')
    ]
    assert len(updates) == 9
    (halfway,) = seen_by_the_page
    assert "Проверено 150 из 301 строки." in halfway  # «из 301 строки», «из 300 строк»
    assert 'aria-valuenow="150"' in halfway and 'aria-valuemax="301"' in halfway
    assert 'width="49%"' in halfway


def test_the_progress_step_is_two_percent_but_never_below_the_minimum():
    assert importing.progress_step(1_000) == importing.PROGRESS_MIN_ROWS
    assert importing.progress_step(100_000) == 2_000


# --- failures -------------------------------------------------------------------------------


def test_a_file_with_errors_ends_failed_with_its_errors_by_row_and_column(client_of, campaign):
    client = client_of("uo_dmitriev")
    rows = [HEADER, [school_pk(SCHOOL_A), "А", "abc"], [school_pk(SCHOOL_B), "Б", "150"]]
    page = upload_and_check(client, campaign, xlsx(rows)).content.decode()
    record = ImportRecord.objects.get(campaign=campaign)
    assert record.state == State.FAILED and record.error_count == 2
    assert record.processed_rows == record.total_rows == 3
    assert "Файл не загружен: 2 ошибок." in page or "Файл не загружен: 2 ошибки." in page
    assert "Строка 2, столбец C (VPR_FAIL): «abc» — не число." in page
    assert "Строка 3, столбец C (VPR_FAIL): 150 — вне допустимого диапазона 0,0–100,0." in page
    assert "Загрузить исправленный файл" in page and "Подтвердить загрузку" not in page
    assert not IndicatorValue.objects.filter(campaign=campaign).exists()
    # The failed record cannot be confirmed.
    response = client.post(reverse("monitoring:confirm", args=[record.pk]), follow=True)
    assert "В файле есть ошибки, загружать нечего" in response.content.decode()
    assert not IndicatorValue.objects.filter(campaign=campaign).exists()


def test_a_check_that_breaks_ends_failed_never_stuck_in_checking(client_of, campaign, monkeypatch):
    def breaks(rows, parsed, schools, indicators):
        next(rows)
        raise KeyError("xl/worksheets/sheet1.xml")  # as openpyxl does on a damaged part

    monkeypatch.setattr(importing, "_read_sheet", breaks)
    client = client_of("uo_dmitriev")
    page = upload_and_check(
        client, campaign, xlsx([HEADER, [school_pk(SCHOOL_A), "А", "1"]])
    ).content.decode()
    record = ImportRecord.objects.get(campaign=campaign)
    assert record.state == State.FAILED
    assert record.errors == [services.CHECK_BROKE] and record.error_count == 1
    assert "Файл не удалось прочитать до конца" in page
    assert 'id="import-progress"' not in page
    assert not IndicatorValue.objects.filter(campaign=campaign).exists()


def test_a_lost_stored_file_ends_failed(client_of, campaign):
    client = client_of("uo_dmitriev")
    with TestCase.captureOnCommitCallbacks(execute=False) as callbacks:
        post_upload(client, campaign, xlsx([HEADER, [school_pk(SCHOOL_A), "А", "1"]]))
    record = ImportRecord.objects.get(campaign=campaign)
    record.file.storage.delete(record.file.name)
    callbacks[0]()
    record.refresh_from_db()
    assert record.state == State.FAILED and record.errors == [services.CHECK_BROKE]


def test_a_file_still_being_checked_is_not_confirmed(client_of, campaign):
    client = client_of("uo_dmitriev")
    with TestCase.captureOnCommitCallbacks(execute=False):
        post_upload(client, campaign, xlsx([HEADER, [school_pk(SCHOOL_A), "А", "1"]]))
    record = ImportRecord.objects.get(campaign=campaign)
    response = client.post(reverse("monitoring:confirm", args=[record.pk]), follow=True)
    assert "Файл ещё проверяется" in response.content.decode()
    record.refresh_from_db()
    assert record.state == State.QUEUED
    assert not IndicatorValue.objects.filter(campaign=campaign).exists()


# --- the progress fragment ------------------------------------------------------------------


def queued(client, campaign):
    with TestCase.captureOnCommitCallbacks(execute=False):
        post_upload(client, campaign, xlsx([HEADER, [school_pk(SCHOOL_A), "А", "1"]]))
    return ImportRecord.objects.get(campaign=campaign)


def snapshot(record):
    return ImportRecord.objects.filter(pk=record.pk).values().get()


def test_the_fragment_polls_while_checking_and_changes_nothing(client_of, campaign):
    client = client_of("uo_dmitriev")
    record = queued(client, campaign)
    before = snapshot(record)
    with CaptureQueriesContext(connection) as ctx:
        response = progress_of(client, record)
    assert response.status_code == 200
    assert "HX-Refresh" not in response
    body = response.content.decode()
    assert 'hx-trigger="every 1s"' in body and 'role="progressbar"' in body
    assert snapshot(record) == before
    assert not [q for q in ctx.captured_queries if not q["sql"].startswith("SELECT")]


def test_the_fragment_stops_polling_and_reloads_the_page_when_the_check_is_over(
    client_of, campaign
):
    client = client_of("uo_dmitriev")
    record = queued(client, campaign)
    services.check_import(record.pk)
    response = progress_of(client, record)
    assert response.status_code == 200
    assert response["HX-Refresh"] == "true"
    assert "hx-trigger" not in response.content.decode()


def test_the_fragment_outside_htmx_is_the_import_page(client_of, campaign):
    client = client_of("uo_dmitriev")
    record = queued(client, campaign)
    response = client.get(reverse("monitoring:import_progress", args=[record.pk]))
    assert response.status_code == 302
    assert response.url == reverse("monitoring:import", args=[record.pk])


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("rmk_dmitriev", 200),
        ("region", 200),
        ("admin", 200),
        ("school_a", 404),  # a school sees no import records
        ("director_sosh2", 404),
        ("uo_kupino", 404),
    ],
)
def test_only_who_may_see_the_import_sees_its_progress(client_of, campaign, persona, status):
    record = queued(client_of("uo_dmitriev"), campaign)
    assert progress_of(client_of(persona), record).status_code == status


def test_the_fragment_sends_the_anonymous_visitor_to_the_login(client_of, campaign):
    record = queued(client_of("uo_dmitriev"), campaign)
    response = progress_of(client_of("anonymous"), record)
    assert response.status_code == 302 and response.url.startswith(reverse("login"))


# --- the confirmation -----------------------------------------------------------------------


def test_a_large_confirm_writes_one_query_per_batch(client_of, campaign, monkeypatch):
    ids = many_schools(300)
    client = client_of("uo_dmitriev")
    upload_and_check(client, campaign, big_file(ids))
    record = ImportRecord.objects.get(campaign=campaign)
    assert record.values_count == 600
    monkeypatch.setattr(services, "CONFIRM_BATCH", 100)
    with CaptureQueriesContext(connection) as ctx:
        response = client.post(reverse("monitoring:confirm", args=[record.pk]), follow=True)
    inserts = [
        q
        for q in ctx.captured_queries
        if q["sql"].startswith('INSERT INTO "monitoring_indicatorvalue"')
    ]
    assert len(inserts) == 6  # 6 × 100
    assert IndicatorValue.objects.filter(campaign=campaign).count() == 600
    assert "Загружено 600 значений: новых — 600" in response.content.decode()


def test_a_confirm_too_large_for_the_request_is_written_by_a_task(
    client_of, user_of, campaign, monkeypatch
):
    """Over ``WRITE_IN_REQUEST`` values the confirmation only records who confirmed and hands
    the write to a task: the page says the values are being written and polls."""
    ids = many_schools(30)
    client = client_of("uo_dmitriev")
    upload_and_check(client, campaign, big_file(ids))
    record = ImportRecord.objects.get(campaign=campaign)
    assert record.values_count == 60
    monkeypatch.setattr(services, "WRITE_IN_REQUEST", 50)
    with TestCase.captureOnCommitCallbacks(execute=False) as queued:
        response = client.post(reverse("monitoring:confirm", args=[record.pk]), follow=True)
    record.refresh_from_db()
    assert record.state == State.WRITING and record.confirmed_by == user_of("uo_dmitriev")
    assert not IndicatorValue.objects.filter(campaign=campaign).exists()
    page = response.content.decode()
    assert "Записывается 60 значений" in page and "hx-trigger" in page
    assert "значения записываются" in page  # the message of the confirmation
    # A second confirmation meanwhile is refused, nothing queued twice.
    again = client.post(reverse("monitoring:confirm", args=[record.pk]), follow=True)
    assert "Значения этого файла уже записываются." in again.content.decode()
    # The task, after the commit.
    for callback in queued:
        callback()
    record.refresh_from_db()
    assert record.state == State.IMPORTED and record.created_count == 60
    assert record.confirmed_by == user_of("uo_dmitriev")
    assert IndicatorValue.objects.filter(campaign=campaign).count() == 60
    fragment = progress_of(client, record)
    assert fragment["HX-Refresh"] == "true"


def test_a_write_that_breaks_writes_nothing_and_goes_back_to_the_preview(
    client_of, campaign, monkeypatch
):
    from monitoring.tasks import write_import

    ids = many_schools(30)
    client = client_of("uo_dmitriev")
    upload_and_check(client, campaign, big_file(ids))
    record = ImportRecord.objects.get(campaign=campaign)
    monkeypatch.setattr(services, "WRITE_IN_REQUEST", 50)
    with TestCase.captureOnCommitCallbacks(execute=False):
        client.post(reverse("monitoring:confirm", args=[record.pk]))
    real_upsert = services._upsert

    def broken(campaign, record, values, now):
        real_upsert(campaign, record, values[:10], now)  # half-way, then it breaks
        raise RuntimeError("disk full")

    monkeypatch.setattr(services, "_upsert", broken)
    with pytest.raises(RuntimeError):
        write_import.call(record.pk)
    record.refresh_from_db()
    assert record.state == State.PREVIEW and record.confirmed_by is None
    assert not IndicatorValue.objects.filter(campaign=campaign).exists()
    page = client.get(reverse("monitoring:import", args=[record.pk])).content.decode()
    assert "Значения не удалось записать" in page and "Подтвердить загрузку" in page
    # Confirmed again, it is written, and the message of the failure is gone.
    monkeypatch.setattr(services, "_upsert", real_upsert)
    with TestCase.captureOnCommitCallbacks(execute=True):
        client.post(reverse("monitoring:confirm", args=[record.pk]))
    record.refresh_from_db()
    assert record.state == State.IMPORTED and record.errors == []
    assert IndicatorValue.objects.filter(campaign=campaign).count() == 60


def test_a_re_import_through_the_task_updates_and_says_how_many_changed(client_of, campaign):
    client = client_of("uo_dmitriev")
    a = school_pk(SCHOOL_A)
    upload_and_check(client, campaign, xlsx([HEADER, [a, "А", "10", "4"]]))
    first = ImportRecord.objects.get(campaign=campaign)
    client.post(reverse("monitoring:confirm", args=[first.pk]))
    page = upload_and_check(client, campaign, xlsx([HEADER, [a, "А", "11", "4"]]))
    second = ImportRecord.objects.exclude(pk=first.pk).get(campaign=campaign)
    assert (second.created_count, second.updated_count, second.unchanged_count) == (0, 1, 1)
    assert 'id="updated-count">1<' in page.content.decode()


# --- query counts ---------------------------------------------------------------------------


def count_queries(client, url, **headers):
    client.get(url, **headers)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, **headers)
    assert response.status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.usefixtures("page_cache_off")
def test_the_import_page_and_fragment_do_not_grow_with_rows(client_of, campaign):
    client = client_of("uo_dmitriev")
    small = queued(client, campaign)
    services.check_import(small.pk)
    small_queued = queued_again(client, campaign, xlsx([HEADER, [school_pk(SCHOOL_B), "Б", "2"]]))
    before = (
        count_queries(client, reverse("monitoring:import", args=[small.pk])),
        count_queries(
            client,
            reverse("monitoring:import_progress", args=[small_queued.pk]),
            HTTP_HX_REQUEST="true",
        ),
    )
    ids = many_schools(300)
    big = queued_again(client, campaign, big_file(ids))
    services.check_import(big.pk)
    big_queued = queued_again(client, campaign, big_file(ids))
    after = (
        count_queries(client, reverse("monitoring:import", args=[big.pk])),
        count_queries(
            client,
            reverse("monitoring:import_progress", args=[big_queued.pk]),
            HTTP_HX_REQUEST="true",
        ),
    )
    assert before == after == PINNED


def queued_again(client, campaign, content):
    known = set(ImportRecord.objects.filter(campaign=campaign).values_list("pk", flat=True))
    with TestCase.captureOnCommitCallbacks(execute=False):
        post_upload(client, campaign, content)
    return ImportRecord.objects.filter(campaign=campaign).exclude(pk__in=known).get()


# The import's page: session (with the data version), user, memberships, the record with its
# campaign, municipality and people in one query (not its values), the unread notifications.
# The fragment: session, user, memberships, the record.
PINNED = (5, 4)


def test_the_demo_imports_went_through_the_check():
    for record in ImportRecord.objects.filter(campaign__in=Campaign.objects.all()):
        assert record.state == State.IMPORTED
        assert record.file and record.processed_rows == record.total_rows > 0
