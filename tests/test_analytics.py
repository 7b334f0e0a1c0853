"""The effectiveness of the network (``analytics``): its figures on the demo world against numbers
counted from the demo's sources (``plans/demo.py``, ``plans/demo_execution.py``,
``cooperation/demo.py``, ``monitoring/demo.py``) or by independent queries; the charts; the PDF and
the XLSX; who may read what; the pages' pinned query counts.

The demo, as counted by hand: Dmitriev's 2025/2026 plan has 10 events — one cancelled
(«Исследование урока»), two postponed and held after their planned dates (the school programmes
on 04.12.2025 instead of 20.11.2025, «Читаем вместе» on 06.04.2026 instead of 02.03.2026), seven
held on their day. Kupino's 2026/2027 plan (СОШ № 77) has 6: two held and accepted, one reported,
one past its date without a report (12.11.2026), two ahead. Dmitriev's ШНОР list of 2026/2027
no longer names «Первоавангардская СОШ» (ШНОР in 2025/2026; now in the risk group).
"""

import io
from datetime import date

import pytest
from django.db.models import Count, Sum
from django.urls import reverse
from openpyxl import load_workbook

from analytics import charts, metrics
from analytics.views import XLSX
from cooperation import services as cooperation_services
from cooperation.models import MentoringPair
from monitoring.models import Indicator, IndicatorValue
from network_center.centers.models import Center, Participation
from network_center.centers.services.centers import add_participant
from network_center.demo import DEMO_PASSWORD
from plans import services as plan_services
from plans.models import EventForm, Execution, ExecutionParticipation, Line, Plan, Visa
from plans.queries import working_revision
from plans.services import execution as execution_services
from schools.models import Membership, Municipality, Organisation

from .conftest import HUB
from .test_pdf import page_texts

KUPINO_HUB = "МБОУ «Купинская СОШ № 77»"
# The day the demo's Kupino figures are counted on: its 12.11.2026 event is overdue, the 10.12.2026
# and 11.02.2027 ones are ahead.
TODAY = date(2026, 12, 3)


@pytest.fixture
def dmitriev_center(db):
    return Center.objects.select_related("municipality", "hub", "head").get(hub__short_name=HUB)


@pytest.fixture
def kupino_center(db):
    return Center.objects.select_related("municipality", "hub", "head").get(
        hub__short_name=KUPINO_HUB
    )


# --- the figures against the demo -----------------------------------------------------------------


@pytest.mark.django_db
def test_dmitriev_last_year_counts_late_and_cancelled_events(dmitriev_center, user_of):
    data = metrics.center_effectiveness(
        dmitriev_center, 2025, user=user_of("uo_dmitriev"), today=TODAY
    )
    t = data.timeliness
    assert (t.total, t.on_time, t.late, t.cancelled, t.overdue, t.upcoming) == (10, 7, 2, 1, 0, 0)
    assert t.not_held == 1
    assert t.percent_on_time == 70


@pytest.mark.django_db
def test_kupino_this_year_has_overdue_and_upcoming_events(kupino_center, user_of):
    data = metrics.center_effectiveness(kupino_center, 2026, user=user_of("uo_kupino"), today=TODAY)
    t = data.timeliness
    assert (t.total, t.on_time, t.late, t.overdue, t.upcoming) == (6, 3, 0, 1, 2)
    # Of the four events due, three were held on time.
    assert t.due == 4
    assert t.percent_on_time == 75


@pytest.mark.django_db
def test_a_late_report_counts_as_late(kupino_center, user_of):
    """The overdue master class, reported held eight days after its planned day, is late."""
    director = user_of("director_kupino77")
    execution = Execution.objects.get(
        plan__center=kupino_center, line__title__startswith="Мастер-класс «Смысловое чтение"
    )
    execution_services.report(
        execution,
        actor=director,
        held_on=date(2026, 11, 20),
        outcome="Проведено с опозданием.",
        materials="",
        participants=[(kupino_center.hub, 3, [])],
        files=[],
    )
    data = metrics.center_effectiveness(kupino_center, 2026, user=user_of("uo_kupino"), today=TODAY)
    assert (data.timeliness.on_time, data.timeliness.late, data.timeliness.overdue) == (3, 1, 0)
    assert data.timeliness.percent_on_time == 75


@pytest.mark.django_db
def test_forms_and_formats_count_held_events(dmitriev_center, user_of):
    data = metrics.center_effectiveness(dmitriev_center, 2025, user=user_of("uo_dmitriev"))
    forms = {t.label: t.n for t in data.forms}
    # Nine events held: two seminars, one of every other form but the cancelled lesson study.
    assert forms.pop("семинар") == 2
    assert set(forms.values()) == {1} and len(forms) == 7
    assert "«исследование урока»" not in forms
    assert {t.label: t.n for t in data.formats} == {
        "очно": 6,
        "дистанционно": 2,
        "очно-заочно (смешанно)": 1,
    }


@pytest.mark.django_db
def test_reach_per_school_matches_the_execution_reports(dmitriev_center, user_of):
    data = metrics.center_effectiveness(dmitriev_center, 2025, user=user_of("uo_dmitriev"))
    expected = {
        row["school__short_name"]: (row["events"], row["people"])
        for row in ExecutionParticipation.objects.filter(
            execution__plan__center=dmitriev_center,
            execution__plan__year=2025,
            execution__state__in=Execution.HELD,
        )
        .values("school__short_name")
        .annotate(events=Count("execution"), people=Sum("count"))
    }
    assert {r.name: (r.events, r.participants) for r in data.reach} == expected
    assert len(expected) == 5  # every participant school sent someone
    # СОШ № 1 hosted its own open lessons besides the network's events.
    assert max(data.reach, key=lambda r: r.events).name == "МКОУ «СОШ № 1 г. Дмитриева»"


@pytest.mark.django_db
def test_proposals_and_mentoring_of_the_year(dmitriev_center, user_of):
    uo = user_of("uo_dmitriev")
    this_year = metrics.center_effectiveness(dmitriev_center, 2026, user=uo)
    # Five proposals in every state and one more after submission; one accepted.
    assert (this_year.proposals.made, this_year.proposals.accepted) == (6, 1)
    assert this_year.proposals.by_state == {
        "submitted": 2,
        "accepted": 1,
        "declined": 1,
        "returned": 1,
        "withdrawn": 1,
    }
    # This year: the Russian pair (January – December 2026) and the new mathematics pair.
    assert (this_year.mentoring.total, this_year.mentoring.active) == (2, 2)
    last_year = metrics.center_effectiveness(dmitriev_center, 2025, user=uo)
    assert last_year.proposals.made == 0
    # Last year: the completed mathematics pair, with its results, and the Russian pair.
    assert (last_year.mentoring.completed, last_year.mentoring.active) == (1, 1)
    completed = next(p for p in last_year.mentoring.pairs if p.state == "completed")
    assert completed.results.startswith("Доля «2» по ВПР")
    assert completed.school == "МКОУ «СОШ № 1 г. Дмитриева»"


@pytest.mark.django_db
def test_indicators_against_the_baseline_follow_the_direction(dmitriev_center, user_of):
    data = metrics.center_effectiveness(dmitriev_center, 2025, user=user_of("uo_dmitriev"))
    assert [s.name for s in data.indicators] == sorted(
        Participation.objects.filter(center=dmitriev_center).values_list(
            "school__short_name", flat=True
        )
    )
    school = next(s for s in data.indicators if s.name == "МКОУ «Первоавангардская СОШ»")
    assert (school.baseline_year, school.latest_year) == (2024, 2025)
    values = {
        (v.indicator.code, v.campaign.year): v.value
        for v in IndicatorValue.objects.filter(school_id=school.school_id).select_related(
            "indicator", "campaign"
        )
    }
    for change in school.changes:
        assert change.baseline == values[(change.code, 2024)]
        assert change.latest == values[(change.code, 2025)]
        higher = Indicator.objects.get(code=change.code).direction == "higher"
        delta = change.latest - change.baseline
        assert change.improved == (None if not delta else (delta > 0) == higher)
    # Its results rose from «bad» to «medium» (monitoring.demo.PROFILES): fewer «2» in ВПР.
    vpr_fail = next(c for c in school.changes if c.code == "VPR_FAIL")
    assert vpr_fail.change < 0 and vpr_fail.improved is True
    assert school.improved > school.worsened


@pytest.mark.django_db
def test_a_school_leaving_the_shnor_list_counts(dmitriev_center, user_of):
    uo = user_of("uo_dmitriev")
    data = metrics.center_effectiveness(dmitriev_center, 2026, user=uo)
    assert data.left_shnor == ["МКОУ «Первоавангардская СОШ»"]
    # There is no list of 2024/2025 to compare the 2025/2026 one with.
    assert metrics.center_effectiveness(dmitriev_center, 2025, user=uo).left_shnor is None
    municipality = metrics.municipality_effectiveness(dmitriev_center.municipality, 2026, user=uo)
    statuses = {s.kind: s for s in municipality.statuses}
    assert statuses["shnor"].left == ["МКОУ «Первоавангардская СОШ»"]
    assert statuses["shnor"].entered == []
    assert statuses["risk"].entered == ["МКОУ «Первоавангардская СОШ»"]


@pytest.mark.django_db
def test_the_municipality_adds_up_its_centers(user_of):
    kupino = Municipality.objects.get(name="Купинский район")
    data = metrics.municipality_effectiveness(kupino, 2026, user=user_of("uo_kupino"), today=TODAY)
    assert len(data.centers) == Center.objects.filter(municipality=kupino).count() == 2
    assert data.timeliness.total == sum(c.timeliness.total for c in data.centers) == 6
    assert data.participants == sum(c.participants for c in data.centers)


@pytest.mark.django_db
def test_the_region_puts_its_municipalities_side_by_side(user_of):
    rows = {
        r.municipality.name: r
        for r in metrics.region_rows(list(Municipality.objects.all()), 2026, today=TODAY)
    }
    kupino, dmitriev = rows["Купинский район"], rows["Дмитриевский район"]
    assert (kupino.centers, dmitriev.centers) == (2, 1)
    assert kupino.timeliness.percent_on_time == 75
    # Dmitriev's 2026/2027 plan is still on agreement: no events yet.
    assert dmitriev.timeliness.total == 0
    shnor = next(s for s in dmitriev.statuses if s.kind == "shnor")
    assert (shnor.count, shnor.entered, shnor.left) == (2, [], ["МКОУ «Первоавангардская СОШ»"])
    # Kupino has a list of 2026/2027 only: nothing to compare with.
    assert next(s for s in kupino.statuses if s.kind == "shnor").left is None


@pytest.mark.django_db
def test_a_school_sees_no_one_elses_values_through_the_metrics(dmitriev_center, user_of):
    """The figures read the values through ``IndicatorValue.visible_to``: the hub's director
    (a school role in monitoring) gets the participants' rows without their values."""
    data = metrics.center_effectiveness(dmitriev_center, 2025, user=user_of("director_sosh2"))
    assert data.indicators and all(not s.changes for s in data.indicators)


# --- charts ---------------------------------------------------------------------------------------


def test_charts_are_accessible_scalable_svg():
    t = metrics.Timeliness(on_time=7, late=2, cancelled=1)
    svg = charts.timeliness("t", "Исполнение «плана» <2025>", [("Центр", t)])
    assert svg.startswith("<svg") and 'role="img"' in svg and 'viewBox="0 0 320' in svg
    assert '<title id="t-title">Исполнение «плана» &lt;2025&gt;</title>' in svg
    assert 'aria-label="Исполнение «плана» &lt;2025&gt;"' in svg
    # Monochrome: the late segment is a pattern, and every count is printed as text.
    assert 'fill="url(#t-hatch)"' in svg and ">7</text>" in svg and ">2</text>" in svg
    assert "style=" not in svg  # the site's CSP: no inline styles
    bars = charts.bars("b", "Формы", [("семинар", 2), ("вебинар", 1)])
    assert ">семинар</text>" in bars and 'role="img"' in bars


# --- pages and permissions ------------------------------------------------------------------------


@pytest.mark.django_db
def test_center_page_shows_the_figures_with_charts_and_tables(client_of, dmitriev_center):
    response = client_of("head_center").get(
        reverse("analytics:center", args=[dmitriev_center.pk]), {"year": 2025}
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "Проведено в срок 70 % мероприятий" in html
    assert html.count('role="img"') >= 4
    assert 'id="timeliness-table"' in html and 'id="reach-table"' in html
    # The center's head sees no school's values (monitoring shows a school only its own).
    assert "Значений показателей школы нет или они вам не видны." in html


@pytest.mark.django_db
def test_a_wrong_year_is_told_and_the_default_shown(client_of, dmitriev_center):
    response = client_of("uo_dmitriev").get(
        reverse("analytics:center", args=[dmitriev_center.pk]), {"year": "1900"}
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "Выберите учебный год из списка." in html
    # The default is the latest year with events: 2025/2026.
    assert "за 2025/2026 учебный год" in html


@pytest.mark.django_db
def test_kupino_sees_nothing_of_dmitriev(client_of, dmitriev_center):
    client = client_of("uo_kupino")
    for name in ("center", "center_pdf", "center_xlsx"):
        assert (
            client.get(reverse(f"analytics:{name}", args=[dmitriev_center.pk])).status_code == 404
        )
    for name in ("municipality", "municipality_pdf", "municipality_xlsx"):
        url = reverse(f"analytics:{name}", args=[dmitriev_center.municipality_id])
        assert client.get(url).status_code == 404
    index = client.get(reverse("analytics:index")).content.decode()
    assert "Дмитриев" not in index


@pytest.mark.django_db
def test_schools_and_working_group_are_refused(client_of, dmitriev_center):
    for login in ("school_a", "school_b", "wg_member"):
        url = reverse("analytics:center", args=[dmitriev_center.pk])
        assert client_of(login).get(url).status_code == 403


@pytest.mark.django_db
def test_the_observer_reads_everything_and_changes_nothing(client_of, dmitriev_center):
    from django.apps import apps

    def counts():
        return {
            m._meta.label: m._base_manager.count()
            for m in apps.get_models()
            if m._meta.app_label
            in {"plans", "cooperation", "monitoring", "schools", "centers", "documents"}
        }

    before = counts()
    client = client_of("region")
    kupino = Municipality.objects.get(name="Купинский район")
    for url in (
        reverse("analytics:index"),
        reverse("analytics:region"),
        reverse("analytics:center", args=[dmitriev_center.pk]),
        reverse("analytics:municipality", args=[dmitriev_center.municipality_id]),
        reverse("analytics:municipality", args=[kupino.pk]),
        reverse("analytics:municipality_xlsx", args=[kupino.pk]),
    ):
        assert client.get(url).status_code == 200, url
    region = client.get(reverse("analytics:region")).content.decode()
    for municipality in Municipality.objects.all():
        assert reverse("analytics:municipality", args=[municipality.pk]) in region
    assert counts() == before
    # Nothing here is a form to post.
    assert client.post(reverse("analytics:region")).status_code == 405


# --- downloads ------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_xlsx_holds_data_never_formulas(client_of, dmitriev_center, user_of):
    pair = MentoringPair.objects.get(center=dmitriev_center, subject="русский язык")
    cooperation_services.complete_pair(
        pair, actor=user_of("head_center"), results='=HYPERLINK("http://evil.example","x")'
    )
    response = client_of("uo_dmitriev").get(
        reverse("analytics:center_xlsx", args=[dmitriev_center.pk]), {"year": 2025}
    )
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    book = load_workbook(io.BytesIO(response.content))
    cells = [cell for sheet in book.worksheets for row in sheet.iter_rows() for cell in row]
    assert not [c.coordinate for c in cells if c.data_type == "f"]
    evil = [c for c in cells if c.value == '=HYPERLINK("http://evil.example","x")']
    assert evil and all(c.data_type == "s" and c.quotePrefix for c in evil)
    timeliness = book["Исполнение"]
    assert [c.value for c in timeliness[4]] == ["Всего", 10, 7, 2, 1, 1, 0, 70]


@pytest.mark.django_db
def test_the_pdf_is_an_analytical_note_with_charts(client_of, dmitriev_center):
    response = client_of("rmk_dmitriev").get(
        reverse("analytics:municipality_pdf", args=[dmitriev_center.municipality_id]),
        {"year": 2025},
    )
    assert response.status_code == 200
    assert response.content.startswith(b"%PDF")
    text = " ".join(page_texts(response.content))
    assert "АНАЛИТИЧЕСКАЯ СПРАВКА" in text
    assert "о результативности сетевого взаимодействия центров Дмитриевского района" in text
    assert "за 2025/2026 учебный год" in text
    assert "Проведено в срок — 7, с опозданием — 2" in text
    # The chart is drawn with its words as text (the stacked bar's legend; its glyphs are
    # placed one by one, so the extraction loses the spaces).
    assert "сопозданиемнепроведенопредстоит" in text.replace(" ", "")


@pytest.mark.django_db
def test_the_regional_view_downloads_as_data_and_as_a_note(client_of):
    client = client_of("region")
    page = client.get(reverse("analytics:region"), {"year": 2025}).text
    assert f'href="{reverse("analytics:region_xlsx")}?year=2025"' in page
    assert f'href="{reverse("analytics:region_pdf")}?year=2025"' in page

    response = client.get(reverse("analytics:region_xlsx"), {"year": 2025})
    assert response.status_code == 200 and response["Content-Type"] == XLSX
    assert "attachment" in response["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(response.content))["Муниципалитеты"]
    cells = [cell for row in sheet.iter_rows() for cell in row]
    assert not [c.coordinate for c in cells if c.data_type == "f"]
    header = [c.value for c in sheet[3]]
    assert header[:4] == ["Регион", "Муниципалитет", "Центров", "ШНОР"]
    rows = {
        row[1]: dict(zip(header, row, strict=True))
        for row in sheet.iter_rows(min_row=4, values_only=True)
    }
    expected = metrics.region_rows(list(Municipality.objects.order_by("name")), 2025)
    assert sorted(rows) == sorted(r.municipality.name for r in expected)
    for r in expected:
        row = rows[r.municipality.name]
        assert row["Центров"] == r.centers and row["Мероприятий"] == r.timeliness.total
        assert row["Проведено в срок"] == r.timeliness.on_time
        assert row["Доля в срок, %"] == r.timeliness.percent_on_time
        assert (row["Школ охвачено"], row["Участников"]) == (r.schools_reached, r.participants)
    assert rows["Дмитриевский район"]["Мероприятий"] > 0  # the year has events to show

    response = client.get(reverse("analytics:region_pdf"), {"year": 2025})
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    text = " ".join(page_texts(response.content))
    assert "АНАЛИТИЧЕСКАЯ СПРАВКА" in text
    assert "за 2025/2026 учебный год" in text
    assert "Дмитриевский район" in text and "Купинский район" in text


# --- pinned query counts --------------------------------------------------------------------------


def _count(client, url, params=None):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, params or {})
    assert response.status_code == 200
    return len(ctx.captured_queries)


def _coordinator(school):
    return Membership.objects.get(organisation=school, role=Membership.Role.COORDINATOR).user


def _grow(center, user_of, *, lines, schools):
    """More events (added to this year's plan, which is then agreed and approved, two of them
    reported) and more participant schools, all through the services."""
    head, uo = user_of("head_center"), user_of("uo_dmitriev")
    revision = working_revision(Plan.objects.get(center=center, year=2026))
    form = EventForm.objects.get(name="семинар")
    for n in range(lines):
        plan_services.add_line(
            revision,
            actor=head,
            direction="Адресная методическая поддержка учителей",
            title=f"Дополнительный семинар № {n}",
            form=form,
            format=Line.Format.IN_PERSON,
            audience="учителя",
            venue=center.hub,
            date_kind=Line.DateKind.DAY,
            date_from=date(2026, 9, 10 + n),
            schools=[p.school for p in center.participations.all()],
        )
    for visa in revision.visas.select_related("school"):
        plan_services.give_visa(
            revision, visa.school, actor=_coordinator(visa.school), decision=Visa.Decision.AGREED
        )
    plan_services.approve(revision, actor=user_of("chief_dmitriev"), password=DEMO_PASSWORD)
    for execution in Execution.objects.filter(
        plan__center=center, plan__year=2026, line__title__startswith="Дополнительный"
    )[:2]:
        execution_services.report(
            execution,
            actor=head,
            held_on=execution.date_from,
            outcome="Проведено.",
            materials="",
            participants=[(p.school, 3, []) for p in center.participations.all()],
            files=[],
        )
    for n in range(schools):
        school = Organisation.objects.create(
            kind=Organisation.Kind.SCHOOL,
            region=center.municipality.region,
            municipality=center.municipality,
            short_name=f"МКОУ «Новая школа № {n}»",
            full_name=f"Новая школа № {n}",
        )
        add_participant(center, actor=uo, school=school, category="shnor", since=date(2026, 9, 1))


@pytest.mark.django_db
def test_analytics_pages_do_not_grow_with_lines_and_schools(
    client_of, user_of, dmitriev_center, page_cache_off
):
    uo, region = client_of("uo_dmitriev"), client_of("region")
    year = {"year": 2026}
    pages = [
        (uo, reverse("analytics:center", args=[dmitriev_center.pk])),
        (uo, reverse("analytics:municipality", args=[dmitriev_center.municipality_id])),
        (region, reverse("analytics:region")),
        (uo, reverse("analytics:index")),
    ]
    before = [_count(client, url, year) for client, url in pages]
    _grow(dmitriev_center, user_of, lines=6, schools=4)
    assert Execution.objects.filter(plan__center=dmitriev_center, plan__year=2026).count() >= 16
    after = [_count(client, url, year) for client, url in pages]
    assert before == after
    assert before == [CENTER_QUERIES, MUNICIPALITY_QUERIES, REGION_QUERIES, INDEX_QUERIES]


# Every page: the session (with the data's version), the user, the memberships, the navbar's
# unread notifications — 4. The center page adds 11: the center, its plan years, the statuses of
# two years, then one query per figure — timeliness, forms and formats, reach, proposals,
# mentoring pairs, participants, the indicator catalogue, the values. The municipality page
# loads the municipality and its centers instead of the center: 12. The region: its
# municipalities, plan years, centers count, timeliness, reach, statuses — 6. The index: the
# municipalities and the centers — 2.
CENTER_QUERIES = 15
MUNICIPALITY_QUERIES = 16
REGION_QUERIES = 10
INDEX_QUERIES = 6
