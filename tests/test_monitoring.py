"""Monitoring: the Excel import case by case, re-import, who sees which values, query counts."""

import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import TestCase
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from monitoring import services
from monitoring.models import Campaign, ImportRecord, Indicator, IndicatorValue
from schools.models import Organisation

from .conftest import SCHOOL_A, SCHOOL_B

pytestmark = pytest.mark.django_db

DMITRIEV = "Дмитриевский район"


@pytest.fixture
def campaign(user_of):
    """A fresh Dmitriev campaign of three indicators, without values."""
    from schools.models import Municipality

    return services.create_campaign(
        actor=user_of("uo_dmitriev"),
        municipality=Municipality.objects.get(name=DMITRIEV),
        year=2030,
        name="Проверочная кампания",
        indicators=list(Indicator.objects.filter(code__in=["VPR_FAIL", "VPR_MEAN", "SOC_SEN"])),
    )


def xlsx(rows) -> bytes:
    """A workbook written «by hand»: ``rows`` as they are, no template."""
    book = Workbook()
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def upload(client, campaign, content, name="values.xlsx"):
    """Upload as a user does, the check's task run when the upload commits (a test's
    transaction never commits: its on-commit callbacks are run here), then the page the
    upload leads to."""
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = client.post(
            reverse("monitoring:upload", args=[campaign.pk]),
            {"file": SimpleUploadedFile(name, content)},
        )
    if response.status_code == 302:
        response = client.get(response.url)
    return response


def refused(campaign) -> bool:
    """The upload was refused as a whole: its record failed and no value was written."""
    return (
        not ImportRecord.objects.filter(campaign=campaign).exclude(state="failed").exists()
        and not IndicatorValue.objects.filter(campaign=campaign).exists()
    )


def school_pk(short_name):
    return Organisation.objects.get(short_name=short_name).pk


HEADER = ["Код школы", "Школа", "VPR_FAIL", "VPR_MEAN", "SOC_SEN"]


def errors_of(response) -> str:
    return response.content.decode()


# --- the template ---------------------------------------------------------------------------


def test_the_template_lists_the_schools_and_the_indicators_with_units_and_ranges(
    client_of, campaign
):
    response = client_of("uo_dmitriev").get(reverse("monitoring:template", args=[campaign.pk]))
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert [c.value for c in sheet[1]] == HEADER
    assert sheet.cell(row=3, column=3).value == "%"
    assert sheet.cell(row=4, column=4).value == "2,00–5,00"
    ids = [sheet.cell(row=r, column=1).value for r in range(5, sheet.max_row + 1)]
    schools = Organisation.objects.filter(
        municipality__name=DMITRIEV, kind=Organisation.Kind.SCHOOL
    )
    assert sorted(ids) == sorted(schools.values_list("pk", flat=True))
    assert all(isinstance(i, int) for i in ids)


def test_the_filled_template_imports(client_of, campaign):
    client = client_of("uo_dmitriev")
    data = client.get(reverse("monitoring:template", args=[campaign.pk])).content
    book = load_workbook(io.BytesIO(data))
    book.active.cell(row=5, column=3, value=12.5)
    out = io.BytesIO()
    book.save(out)
    response = upload(client, campaign, out.getvalue())
    record = ImportRecord.objects.get(campaign=campaign)
    assert record.state == ImportRecord.State.PREVIEW and record.created_count == 1
    assert "Подтвердить загрузку" in response.content.decode()


# --- validation, case by case ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("cell", "message"),
    [
        ("abc", "Строка 3, столбец C (VPR_FAIL): «abc» — не число."),
        ("150", "Строка 3, столбец C (VPR_FAIL): 150 — вне допустимого диапазона 0,0–100,0."),
        ("-1", "Строка 3, столбец C (VPR_FAIL): -1 — вне допустимого диапазона 0,0–100,0."),
    ],
)
def test_a_bad_value_is_named_by_row_and_column_and_nothing_is_saved(
    client_of, campaign, cell, message
):
    rows = [HEADER, [school_pk(SCHOOL_B), "Б", "10", "4", "1"], [school_pk(SCHOOL_A), "А", cell]]
    response = upload(client_of("uo_dmitriev"), campaign, xlsx(rows))
    assert response.status_code == 200
    assert message in errors_of(response)
    assert refused(campaign)


def test_an_unknown_school_is_an_error(client_of, campaign):
    kupino = Organisation.objects.get(short_name="МКОУ «Чаинская СОШ»").pk
    rows = [HEADER, [kupino, "Чаинская", "10"], ["xyz", "?", "10"]]
    body = errors_of(upload(client_of("uo_dmitriev"), campaign, xlsx(rows)))
    assert f"Строка 2, столбец A: неизвестная школа «{kupino}»." in body
    assert "Строка 3, столбец A: неизвестная школа «xyz»." in body
    assert refused(campaign)


def test_an_unknown_indicator_column_is_an_error(client_of, campaign):
    rows = [[*HEADER, "NO_SUCH"], [school_pk(SCHOOL_A), "А", "10", None, None, "5"]]
    body = errors_of(upload(client_of("uo_dmitriev"), campaign, xlsx(rows)))
    assert "Строка заголовка, столбец F: неизвестный показатель «NO_SUCH»." in body
    assert not IndicatorValue.objects.filter(campaign=campaign).exists()


def test_a_duplicate_row_for_a_school_is_an_error(client_of, campaign):
    pk = school_pk(SCHOOL_A)
    rows = [HEADER, [pk, "А", "10"], [pk, "А", "11"]]
    body = errors_of(upload(client_of("uo_dmitriev"), campaign, xlsx(rows)))
    assert f"Строка 3, столбец A: школа «{SCHOOL_A}» уже указана в строке 2." in body
    assert refused(campaign)


def test_a_file_that_is_not_xlsx_renamed_xlsx_is_refused(client_of, campaign):
    body = errors_of(upload(client_of("uo_dmitriev"), campaign, b"PK\x03\x04 not a zip"))
    assert "Это не книга Excel в формате XLSX" in body
    # Judged by its content at the form: not even a record of it is kept.
    assert not ImportRecord.objects.filter(campaign=campaign).exists()


def test_a_hand_written_file_with_decimal_commas_text_numbers_and_empty_cells_imports(
    client_of, campaign
):
    a, b = school_pk(SCHOOL_A), school_pk(SCHOOL_B)
    rows = [
        [],
        [None, *HEADER, None],
        [None, None, "описание", "%", "балл"],
        [],
        [None, str(a), "А", "12,5", " 4.25 ", None],
        [None, None, None, None, None, None],
        [None, float(b), "Б", 7, "3,1", "1 000"],
    ]
    # Column A of these rows is empty: shift so that the school id is in column A.
    rows = [r[1:] for r in rows]
    rows[-1][-1] = "2"
    client = client_of("uo_dmitriev")
    response = upload(client, campaign, xlsx(rows))
    record = ImportRecord.objects.get(campaign=campaign)
    assert (record.rows, record.values_count, record.created_count) == (2, 5, 5)
    assert IndicatorValue.objects.filter(campaign=campaign).count() == 0  # only a preview
    client.post(reverse("monitoring:confirm", args=[record.pk]))
    values = dict(
        IndicatorValue.objects.filter(campaign=campaign, school_id=a).values_list(
            "indicator__code", "value"
        )
    )
    assert values == {"VPR_FAIL": Decimal("12.5"), "VPR_MEAN": Decimal("4.25")}
    assert response.status_code == 200


def test_a_hand_written_file_may_name_its_schools_instead_of_their_ids(client_of, campaign):
    """A department's own spreadsheet: no ids — the school's short name in column A (typed
    with straight quotes and other case), or its full name in column B with A left empty."""
    full_b = Organisation.objects.get(short_name=SCHOOL_B).full_name
    rows = [
        HEADER,
        ['мкоу "сош №1 г. дмитриева"', None, "21,5", None, "3"],
        [None, full_b.upper(), "9", "3,8", None],
    ]
    client = client_of("uo_dmitriev")
    upload(client, campaign, xlsx(rows))
    record = ImportRecord.objects.get(campaign=campaign)
    assert (record.state, record.rows, record.values_count) == ("preview", 2, 4)
    client.post(reverse("monitoring:confirm", args=[record.pk]))
    values = set(
        IndicatorValue.objects.filter(campaign=campaign).values_list(
            "school__short_name", "indicator__code", "value"
        )
    )
    assert values == {
        (SCHOOL_A, "VPR_FAIL", Decimal("21.5")),
        (SCHOOL_A, "SOC_SEN", Decimal("3")),
        (SCHOOL_B, "VPR_FAIL", Decimal("9")),
        (SCHOOL_B, "VPR_MEAN", Decimal("3.8")),
    }
    # A name that is no school of the municipality is an error, the whole file refused.
    rows = [HEADER, ["Школа, которой нет", None, "10"]]
    body = errors_of(upload(client, campaign, xlsx(rows)))
    assert "Строка 2, столбец A: неизвестная школа «Школа, которой нет»." in body


def test_a_re_import_updates_values_and_says_how_many_changed(client_of, campaign):
    a, b = school_pk(SCHOOL_A), school_pk(SCHOOL_B)
    client = client_of("uo_dmitriev")
    upload(client, campaign, xlsx([HEADER, [a, "А", "10", "4"], [b, "Б", "20", "3"]]))
    first = ImportRecord.objects.get(campaign=campaign)
    client.post(reverse("monitoring:confirm", args=[first.pk]))
    assert IndicatorValue.objects.filter(campaign=campaign).count() == 4

    upload(client, campaign, xlsx([HEADER, [a, "А", "10", "4,5"], [b, "Б", "20", "3", "2"]]))
    second = ImportRecord.objects.filter(campaign=campaign).exclude(pk=first.pk).get()
    assert (second.created_count, second.updated_count, second.unchanged_count) == (1, 1, 3)
    response = client.post(reverse("monitoring:confirm", args=[second.pk]), follow=True)
    body = response.content.decode()
    assert "новых — 1, изменено — 1, без изменений — 3" in body
    assert IndicatorValue.objects.filter(campaign=campaign).count() == 5
    assert IndicatorValue.objects.get(
        campaign=campaign, school_id=a, indicator__code="VPR_MEAN"
    ).value == Decimal("4.5")
    second.refresh_from_db()
    assert second.state == ImportRecord.State.IMPORTED
    # Confirming twice writes nothing more.
    response = client.post(reverse("monitoring:confirm", args=[second.pk]), follow=True)
    assert "Этот файл уже загружен." in response.content.decode()


# --- who sees what --------------------------------------------------------------------------


def dmitriev_campaign():
    return Campaign.objects.get(municipality__name=DMITRIEV, year=2025)


def test_a_school_sees_only_its_own_values(client_of):
    campaign = dmitriev_campaign()
    body = client_of("school_a").get(reverse("monitoring:campaign", args=[campaign.pk]))
    body = body.content.decode()
    assert SCHOOL_A in body
    assert SCHOOL_B not in body
    assert "Импорты" not in body
    assert "только вашей школы" in body
    full = client_of("uo_dmitriev").get(reverse("monitoring:campaign", args=[campaign.pk]))
    assert SCHOOL_B in full.content.decode()


def test_kupino_sees_nothing_of_dmitriev(client_of):
    campaign = dmitriev_campaign()
    client = client_of("uo_kupino")
    assert client.get(reverse("monitoring:campaign", args=[campaign.pk])).status_code == 404
    record = ImportRecord.objects.filter(campaign=campaign).first()
    assert client.get(reverse("monitoring:import", args=[record.pk])).status_code == 404
    assert DMITRIEV not in client.get(reverse("monitoring:list")).content.decode()


def test_the_observer_reads_and_changes_nothing(client_of):
    campaign = dmitriev_campaign()
    client = client_of("region")
    assert client.get(reverse("monitoring:campaign", args=[campaign.pk])).status_code == 200
    response = client.post(
        reverse("monitoring:upload", args=[campaign.pk]),
        {"file": SimpleUploadedFile("x.xlsx", xlsx([HEADER]))},
    )
    assert response.status_code == 403
    assert client.get(reverse("monitoring:template", args=[campaign.pk])).status_code == 403


def test_the_demo_campaigns_hold_a_value_for_every_school_and_indicator():
    for campaign in Campaign.objects.all():
        schools = Organisation.objects.filter(
            municipality=campaign.municipality, kind=Organisation.Kind.SCHOOL
        ).count()
        assert campaign.values.count() == schools * campaign.indicators.count()


# --- query counts ---------------------------------------------------------------------------


def count_queries(client, url):
    client.get(url)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def add_schools_with_values(campaign, n=20):
    base = Organisation.objects.get(short_name=SCHOOL_A)
    indicators = list(campaign.indicators.all())
    for i in range(n):
        school = Organisation.objects.create(
            kind=Organisation.Kind.SCHOOL,
            region=base.region,
            municipality=base.municipality,
            short_name=f"МКОУ «Тестовая СОШ № {i}»",
            full_name=f"Тестовая СОШ № {i}",
        )
        IndicatorValue.objects.bulk_create(
            IndicatorValue(campaign=campaign, school=school, indicator=ind, value=ind.min_value)
            for ind in indicators
        )


@pytest.mark.usefixtures("page_cache_off")
@pytest.mark.parametrize("persona", ["uo_dmitriev", "school_a"])
def test_the_campaign_page_and_list_do_not_grow_with_schools_and_values(
    client_of, user_of, persona
):
    campaign = dmitriev_campaign()
    client = client_of(persona)
    detail = reverse("monitoring:campaign", args=[campaign.pk])
    listing = reverse("monitoring:list")
    before = (count_queries(client, detail), count_queries(client, listing))
    add_schools_with_values(campaign)
    services.create_campaign(
        actor=user_of("uo_dmitriev"),
        municipality=campaign.municipality,
        year=2031,
        name="Ещё одна",
    )
    after = (count_queries(client, detail), count_queries(client, listing))
    assert before == after
    assert after == PINNED[persona]


# The campaign page: session (with the data version), user, memberships, the campaign, its
# indicators, the values, the schools, the imports (not for a school), the unread
# notifications. The list: session, user, memberships, the campaigns with their indicator
# counts, the unread notifications, the municipalities whose identification page opens (not
# asked for a school: it has no municipality-wide role).
PINNED = {"uo_dmitriev": (9, 6), "school_a": (8, 5)}
