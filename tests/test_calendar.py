"""The calendar of events (month and week), its filters, and the iCal feeds: what a person sees
on the page and what their calendar application reads at the feed's secret address."""

import re
from datetime import date, datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from icalendar import Calendar

from plans import feeds
from plans.models import CalendarFeed, Execution
from plans.services import execution as execution_services
from schools.models import Membership

from .calendar_world import (
    INTENSIVE,
    LESSON,
    MENTORING,
    OCTOBER,
    SCHOOL_A,
    SCHOOL_B,
    SEMINAR,
    approved_plan,
    dmitriev_center,
    school,
    standard_lines,
    user,
)

pytestmark = pytest.mark.django_db

OCTOBER_2027 = reverse("plans:calendar") + "?view=month&date=2027-10-01"


def text(response) -> str:
    """The page's text without tags, spaces collapsed."""
    html = response.content.decode()
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def day_cells(response) -> dict[str, str]:
    """Each day of the grid by its long date («Вторник, 5 октября»): the text of its cell."""
    html = response.content.decode()
    cells = {}
    for cell in re.findall(
        r'<li class="cal-day[^"]*"[^>]*>(.*?)</li>\s*(?=<li class="cal-day|</ol>)', html, re.S
    ):
        label = re.search(r'<span class="cal-date-long">([^<]+)</span>', cell).group(1)
        cells[label] = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", cell))
    return cells


@pytest.fixture
def events():
    return approved_plan()


# --- the month and the week ---------------------------------------------------------------------


def test_the_month_shows_each_event_on_its_days_in_weeks_from_monday(client_of, events):
    response = client_of("head_center").get(OCTOBER_2027)
    assert response.status_code == 200
    page = text(response)
    assert "Октябрь 2027" in page
    cells = day_cells(response)
    days = list(cells)
    # Weeks start on Monday: the grid opens on Monday 27 September and ends on Sunday 31 October.
    assert days[0] == "Понедельник, 27 сентября" and days[-1] == "Воскресенье, 31 октября"
    assert len(days) == 35
    assert re.search(
        r"cal-weekdays[^>]*><div>Пн</div><div>Вт</div>.*<div>Вс</div></div>",
        response.content.decode(),
    )
    assert SEMINAR in cells["Вторник, 5 октября"]
    assert "05.10.2027 · МКОУ «СОШ № 1 г. Дмитриева» · очно" in cells["Вторник, 5 октября"]
    assert "Запланировано" in cells["Вторник, 5 октября"]
    # A period is on each of its days, and only on them.
    with_intensive = [day for day, cell in cells.items() if INTENSIVE in cell]
    assert with_intensive[0] == "Вторник, 12 октября" and with_intensive[-1] == "Среда, 20 октября"
    assert len(with_intensive) == 9
    assert "12.10.2027 – 20.10.2027" in cells["Пятница, 15 октября"]
    assert LESSON in cells["Четверг, 28 октября"]
    # A month-kind event is a month-long item above the grid, not on a day.
    assert "В течение месяца: октябрь 2027" in page
    assert not any(OCTOBER in cell for cell in cells.values())
    assert OCTOBER in page
    # The next month's month-kind event belongs to November.
    assert MENTORING not in page
    each = {e.pk for e in events.values()}
    links = {
        int(pk) for pk in re.findall(r'href="/plans/events/(\d+)/"', response.content.decode())
    }
    assert links >= each - {events[MENTORING].pk}


def test_every_event_links_to_its_page(client_of, events):
    response = client_of("head_center").get(OCTOBER_2027)
    url = reverse("plans:execution", args=[events[SEMINAR].pk])
    assert f'href="{url}"' in response.content.decode()


def test_the_week_shows_its_seven_days_and_the_months_it_touches(client_of, events):
    client = client_of("head_center")
    response = client.get(reverse("plans:calendar") + "?view=week&date=2027-10-29")
    page = text(response)
    assert "25 – 31 октября 2027" in page
    cells = day_cells(response)
    assert list(cells)[0] == "Понедельник, 25 октября" and len(cells) == 7
    assert LESSON in cells["Четверг, 28 октября"]
    assert "В течение месяца: октябрь 2027" in page and OCTOBER in page
    # A week across two months lists the month-kind events of both.
    response = client.get(reverse("plans:calendar") + "?view=week&date=2027-11-01")
    page = text(response)
    assert "1 – 7 ноября 2027" in page
    assert "В течение месяца: ноябрь 2027" in page and MENTORING in page
    response = client.get(reverse("plans:calendar") + "?view=week&date=2027-10-01")
    page = text(response)
    assert "27 сентября – 3 октября 2027" in page
    assert "В течение месяца: октябрь 2027" in page


def test_previous_next_and_today_keep_the_view_and_the_filters(client_of, events):
    center = dmitriev_center()
    response = client_of("head_center").get(
        reverse("plans:calendar") + f"?view=week&date=2027-10-06&center={center.pk}"
    )
    html = response.content.decode()
    assert f"?view=week&amp;date=2027-09-27&amp;center={center.pk}" in html
    assert f"?view=week&amp;date=2027-10-11&amp;center={center.pk}" in html
    assert f"?view=month&amp;date=2027-10-06&amp;center={center.pk}" in html
    from django.utils import timezone

    assert f"?view=week&amp;date={timezone.localdate().isoformat()}&amp;center={center.pk}" in html
    month = client_of("head_center").get(reverse("plans:calendar") + "?view=month&date=2027-01-15")
    assert "?view=month&amp;date=2026-12-01" in month.content.decode()
    assert "?view=month&amp;date=2027-02-01" in month.content.decode()


def test_a_postponed_event_shows_its_new_date_and_a_cancelled_one_is_struck(client_of, events):
    head = user("head_center")
    execution_services.postpone(
        events[SEMINAR],
        actor=head,
        date_kind="day",
        date_from=date(2027, 10, 7),
        reason="Совпало с региональной конференцией.",
    )
    execution_services.cancel(events[LESSON], actor=head, reason="Учитель на больничном.")
    response = client_of("school_a").get(OCTOBER_2027)
    cells = day_cells(response)
    assert SEMINAR not in cells["Вторник, 5 октября"]
    moved = cells["Четверг, 7 октября"]
    assert SEMINAR in moved and "07.10.2027" in moved
    assert "Перенесено" in moved and "перенесено, по плану: 05.10.2027" in moved
    response = client_of("head_center").get(OCTOBER_2027)
    html = response.content.decode()
    assert re.search(r"<del>\s*" + re.escape(LESSON) + r"\s*</del>", html)
    assert "Отменено" in day_cells(response)["Четверг, 28 октября"]


def test_a_school_sees_only_the_events_it_takes_part_in(client_of, events):
    page = text(client_of("school_b").get(OCTOBER_2027))
    assert INTENSIVE in page and LESSON in page and OCTOBER in page
    assert SEMINAR not in page, "school A's own seminar is not school B's"
    page = text(client_of("school_a").get(OCTOBER_2027))
    assert SEMINAR in page and INTENSIVE in page
    assert LESSON not in page
    assert SEMINAR not in text(client_of("uo_kupino").get(OCTOBER_2027))
    assert SEMINAR in text(client_of("region").get(OCTOBER_2027))


def test_only_plans_in_force_or_closed_are_on_the_calendar(client_of):
    # The demo's 2026/2027 plan is on agreement: its events have no execution and are not shown.
    page = text(client_of("head_center").get(reverse("plans:calendar") + "?date=2026-12-01"))
    assert "Стажировка молодых учителей в базовой школе" not in page
    # Last year's approved plan is.
    page = text(client_of("head_center").get(reverse("plans:calendar") + "?date=2025-09-01"))
    assert "Установочное совещание сети" in page


@pytest.mark.parametrize(
    ("query", "shown", "hidden"),
    [
        ("school={b}", {INTENSIVE, LESSON, OCTOBER}, {SEMINAR}),
        ("school={a}", {SEMINAR, INTENSIVE, OCTOBER}, {LESSON}),
        ("format=blended", {INTENSIVE}, {SEMINAR, LESSON, OCTOBER}),
        ("form={seminar}", {SEMINAR}, {INTENSIVE, LESSON, OCTOBER}),
        ("school={b}&form={seminar}", set(), {SEMINAR, INTENSIVE, LESSON, OCTOBER}),
        ("center={center}&format=in_person", {SEMINAR, LESSON, OCTOBER}, {INTENSIVE}),
    ],
)
def test_the_filters_narrow_the_calendar(client_of, events, query, shown, hidden):
    from plans.models import EventForm

    values = dict(
        a=school(SCHOOL_A).pk,
        b=school(SCHOOL_B).pk,
        seminar=EventForm.objects.get(name="семинар").pk,
        center=dmitriev_center().pk,
    )
    page = text(client_of("uo_dmitriev").get(f"{OCTOBER_2027}&{query.format(**values)}"))
    for title in shown:
        assert title in page, title
    for title in hidden:
        assert title not in page, title


def test_the_filter_form_is_redrawn_by_htmx_alone(client_of, events):
    response = client_of("head_center").get(
        OCTOBER_2027 + "&format=blended", HTTP_HX_REQUEST="true"
    )
    html = response.content.decode()
    assert "<html" not in html and "<form" not in html
    assert INTENSIVE in html and SEMINAR not in html


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("date=2027-13-45", "date"),
        ("date=0001-01-01", "date"),
        ("view=year", "view"),
        ("center=99999999", "center"),
        ("school=abc", "school"),
        ("form=%C2%B2", "form"),
        ("format=by_pigeon", "format"),
    ],
)
def test_a_bad_filter_value_is_shown_beside_its_field_not_a_500(client_of, query, field):
    response = client_of("head_center").get(reverse("plans:calendar") + "?" + query)
    assert response.status_code == 200
    html = response.content.decode()
    assert re.search(rf'id="id_{field}"[^>]*is-invalid|is-invalid[^>]*id="id_{field}"', html), field
    assert 'id="calendar"' in html


def test_a_user_of_another_district_does_not_see_the_dmitriev_schools_in_the_filter(client_of):
    html = client_of("uo_kupino").get(reverse("plans:calendar")).content.decode()
    assert SCHOOL_A not in html
    # Nor may they pick the Dmitriev center by its id.
    center = dmitriev_center()
    response = client_of("uo_kupino").get(f"{OCTOBER_2027}&center={center.pk}")
    assert "is-invalid" in response.content.decode()
    html = client_of("school_a").get(reverse("plans:calendar")).content.decode()
    assert "Чаинская" not in html


# --- query counts -------------------------------------------------------------------------------


def count_queries(client, url):
    client.get(url)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries), response


def more_events(n=25):
    """A second approved plan with ``n`` more events in October 2027, for the pinned counts."""
    a, b = school(SCHOOL_A), school(SCHOOL_B)
    lines = []
    for i in range(n):
        lines.append(
            dict(
                title=f"Дополнительное мероприятие {i}",
                form="вебинар",
                format="remote",
                venue=[a, b][i % 2],
                date_kind=["day", "period", "month"][i % 3],
                date_from=date(2027, 10, 1 + i % 20),
                date_to=date(2027, 10, 3 + i % 20) if i % 3 == 1 else None,
                schools=[a, b],
            )
        )
    approved_plan(2028, lines)


@pytest.mark.usefixtures("page_cache_off")
@pytest.mark.parametrize("persona", ["head_center", "school_a", "region"])
@pytest.mark.parametrize("view", ["month", "week"])
def test_the_calendar_costs_the_same_queries_with_more_events(client_of, events, persona, view):
    client = client_of(persona)
    url = reverse("plans:calendar") + f"?view={view}&date=2027-10-14&format=&school="
    # session, user, memberships, notifications count, the filter's centers, schools and
    # forms, the events
    before, response = count_queries(client, url)
    assert before == 8
    more_events()
    after, response = count_queries(client, url)
    assert after == before
    assert "Дополнительное мероприятие" in response.content.decode()


# --- the feed's page ----------------------------------------------------------------------------


def test_a_coordinator_subscribes_to_their_school_and_sees_the_address(client_of, events):
    client = client_of("school_a")
    page = client.get(reverse("plans:feeds"))
    html = page.content.decode()
    a = school(SCHOOL_A)
    assert f'value="school:{a.pk}"' in html
    assert f'value="school:{school(SCHOOL_B).pk}"' not in html
    assert f'value="center:{dmitriev_center().pk}"' in html
    assert "Google" in html and "Яндекс" in html and "Outlook" in html
    response = client.post(reverse("plans:feeds"), {"subject": f"school:{a.pk}"}, follow=True)
    feed = CalendarFeed.objects.get(owner=user("school_a"))
    assert feed.scope == "school" and feed.school == a and len(feed.token) >= 40
    html = response.content.decode()
    assert "Подписка создана" in html
    from django.conf import settings

    address = settings.SITE_URL + reverse("plans:ical", args=[feed.token])
    assert f'value="{address}" readonly' in html
    assert re.search(rf'<label[^>]*for="feed-url-{feed.pk}"', html)
    assert f'href="webcal://{address.split("://", 1)[1]}"' in html


def test_nobody_subscribes_to_what_they_do_not_see(client_of):
    center = dmitriev_center()
    a = school(SCHOOL_A)
    kupino = client_of("uo_kupino")
    for subject in (f"center:{center.pk}", f"school:{a.pk}", "person:1", "center:abc", "x"):
        response = kupino.post(reverse("plans:feeds"), {"subject": subject})
        assert response.status_code == 200
        assert "is-invalid" in response.content.decode()
    # A coordinator subscribes to their own school, not to another participant.
    response = client_of("school_b").post(reverse("plans:feeds"), {"subject": f"school:{a.pk}"})
    assert "is-invalid" in response.content.decode()
    assert not CalendarFeed.objects.exists()
    # And the service refuses it whoever calls it.
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        feeds.create_feed(actor=user("school_b"), scope="school", subject=a)


def test_only_the_owner_sees_and_revokes_a_feed(client_of, events):
    feed = feeds.create_feed(actor=user("school_a"), scope="school", subject=school(SCHOOL_A))
    html = client_of("school_b").get(reverse("plans:feeds")).content.decode()
    assert feed.token not in html
    revoke = reverse("plans:feed_revoke", args=[feed.pk])
    assert client_of("school_b").post(revoke).status_code == 404
    assert client_of("admin").post(revoke).status_code == 404
    feed.refresh_from_db()
    assert feed.revoked_at is None
    response = client_of("school_a").post(revoke, follow=True)
    assert "Подписка отозвана" in response.content.decode()
    feed.refresh_from_db()
    assert feed.revoked_at is not None
    html = response.content.decode()
    assert feed.token not in html, "a revoked feed's address is no longer shown"
    # Revoking again is told, and changes nothing.
    response = client_of("school_a").post(revoke, follow=True)
    assert "уже отозвана" in response.content.decode()


def test_a_user_keeps_at_most_twenty_active_feeds(client_of):
    a = school(SCHOOL_A)
    for _ in range(feeds.MAX_ACTIVE_FEEDS):
        feeds.create_feed(actor=user("school_a"), scope="school", subject=a)
    response = client_of("school_a").post(reverse("plans:feeds"), {"subject": f"school:{a.pk}"})
    assert "отзовите ненужные" in response.content.decode()
    assert CalendarFeed.objects.filter(owner=user("school_a")).count() == feeds.MAX_ACTIVE_FEEDS


# --- the feed itself ----------------------------------------------------------------------------


def read_feed(client, feed):
    response = client.get(reverse("plans:ical", args=[feed.token]))
    assert response.status_code == 200, response.status_code
    return response, Calendar.from_ical(response.content)


def vevents(cal):
    return {str(e["summary"]): e for e in cal.walk("VEVENT")}


def test_a_school_feed_parses_and_holds_the_schools_events_only(client, events):
    feed = feeds.create_feed(actor=user("school_a"), scope="school", subject=school(SCHOOL_A))
    response, cal = read_feed(client, feed)  # no login: the token is the credential
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    # Kept by the client, asked again each time (its ETag), never by a shared cache.
    assert "no-cache" in response["Cache-Control"] and "private" in response["Cache-Control"]
    assert str(cal["version"]) == "2.0"
    assert "СОШ № 1 г. Дмитриева" in str(cal["x-wr-calname"])
    found = vevents(cal)
    assert {SEMINAR, INTENSIVE, OCTOBER} <= set(found)
    assert LESSON not in found and MENTORING not in found, "another school's event is not in it"
    seminar = found[SEMINAR]
    execution = events[SEMINAR]
    from urllib.parse import urlsplit

    from django.conf import settings

    host = urlsplit(settings.SITE_URL).hostname
    assert str(seminar["uid"]) == f"execution-{execution.pk}@{host}"
    assert seminar.decoded("dtstart") == date(2027, 10, 5)
    assert seminar.decoded("dtend") == date(2027, 10, 6), "DTEND is exclusive"
    assert "МКОУ «СОШ № 1 г. Дмитриева»" in str(seminar["location"])
    assert "Формат: очно" in str(seminar["description"])
    assert "очно" in [str(c) for c in seminar["categories"].cats]
    assert str(seminar["url"]) == settings.SITE_URL + reverse(
        "plans:execution", args=[execution.pk]
    )
    assert int(seminar["sequence"]) == execution.version
    assert str(seminar["status"]) == "CONFIRMED"
    assert isinstance(seminar.decoded("last-modified"), datetime)
    assert isinstance(seminar.decoded("dtstamp"), datetime)
    # A period spans its days; a month-kind event its month.
    assert found[INTENSIVE].decoded("dtstart") == date(2027, 10, 12)
    assert found[INTENSIVE].decoded("dtend") == date(2027, 10, 21)
    assert found[OCTOBER].decoded("dtstart") == date(2027, 10, 1)
    assert found[OCTOBER].decoded("dtend") == date(2027, 11, 1)


def test_a_postponed_event_moves_in_the_feed_and_a_cancelled_one_is_cancelled(client, events):
    feed = feeds.create_feed(actor=user("school_a"), scope="school", subject=school(SCHOOL_A))
    first, cal = read_feed(client, feed)
    before = vevents(cal)[SEMINAR]
    # A client that asks «changed?» with the ETag it has gets 304 while nothing moved.
    url = reverse("plans:ical", args=[feed.token])
    unchanged = client.get(url, HTTP_IF_NONE_MATCH=first["ETag"])
    assert unchanged.status_code == 304 and not unchanged.content
    head = user("head_center")
    moved = execution_services.postpone(
        events[SEMINAR],
        actor=head,
        date_kind="period",
        date_from=date(2027, 10, 25),
        date_to=date(2027, 10, 26),
        reason="Совпало с региональной конференцией.",
    )
    execution_services.cancel(events[INTENSIVE], actor=head, reason="Ведущий заболел.")
    _, cal = read_feed(client, feed)
    found = vevents(cal)
    after = found[SEMINAR]
    assert str(after["uid"]) == str(before["uid"]), "the same event, moved"
    assert after.decoded("dtstart") == date(2027, 10, 25)
    assert after.decoded("dtend") == date(2027, 10, 27)
    assert int(after["sequence"]) > int(before["sequence"])
    assert int(after["sequence"]) == moved.version
    assert "Перенесено" in str(after["description"])
    assert "Совпало с региональной конференцией" in str(after["description"])
    assert str(found[INTENSIVE]["status"]) == "CANCELLED"
    moved_response = client.get(url, HTTP_IF_NONE_MATCH=first["ETag"])
    assert moved_response.status_code == 200 and moved_response["ETag"] != first["ETag"]


def test_a_revoked_or_unknown_feed_answers_404(client, events):
    feed = feeds.create_feed(actor=user("school_a"), scope="school", subject=school(SCHOOL_A))
    feeds.revoke_feed(feed, actor=user("school_a"))
    assert client.get(reverse("plans:ical", args=[feed.token])).status_code == 404
    assert client.get(reverse("plans:ical", args=["x" * 43])).status_code == 404
    assert client.get("/plans/ical/short.ics").status_code == 404
    assert client.post(reverse("plans:ical", args=["x" * 43])).status_code == 405


def test_a_feed_shows_only_what_its_owner_sees(client, events):
    # School B's coordinator subscribes to the whole center: school A's own seminar is not hers.
    feed = feeds.create_feed(actor=user("school_b"), scope="center", subject=dmitriev_center())
    found = vevents(read_feed(client, feed)[1])
    assert {INTENSIVE, LESSON, OCTOBER, MENTORING} <= set(found)
    assert SEMINAR not in found
    # The center head's feed of the center has them all.
    feed = feeds.create_feed(actor=user("head_center"), scope="center", subject=dmitriev_center())
    assert set(vevents(read_feed(client, feed)[1])) >= {line["title"] for line in standard_lines()}


def test_a_person_feed_holds_the_events_the_person_is_responsible_for(client, events):
    from schools.models import Person

    belova = Person.objects.get(user=user("wg_member"))
    feed = feeds.create_feed(actor=user("wg_member"), scope="person", subject=belova)
    found = vevents(read_feed(client, feed)[1])
    assert SEMINAR in found
    assert INTENSIVE not in found and LESSON not in found


def test_an_owner_who_lost_access_or_was_deactivated_gets_an_empty_feed(client, events):
    owner = user("school_a")
    feed = feeds.create_feed(actor=owner, scope="school", subject=school(SCHOOL_A))
    assert vevents(read_feed(client, feed)[1])
    # She leaves the school: the address still answers, with no events.
    from django.core.cache import cache

    Membership.objects.filter(user=owner).delete()
    cache.clear()
    _, cal = read_feed(client, feed)
    assert not list(cal.walk("VEVENT"))
    # A deactivated login's feed is empty too.
    feed = feeds.create_feed(actor=user("school_b"), scope="school", subject=school(SCHOOL_B))
    assert vevents(read_feed(client, feed)[1])
    type(owner).objects.filter(username="school_b").update(is_active=False)
    cache.clear()
    _, cal = read_feed(client, feed)
    assert not list(cal.walk("VEVENT"))


def test_the_feed_is_in_its_owners_language(client, events):
    from schools.models import Person

    Person.objects.filter(user=user("school_a")).update(language="en")
    feed = feeds.create_feed(actor=user("school_a"), scope="school", subject=school(SCHOOL_A))
    seminar = vevents(read_feed(client, feed)[1])[SEMINAR]
    # The format's name is translated (the catalogue has it); the event's own title is not.
    assert "in person" in [str(c) for c in seminar["categories"].cats]


def test_the_feed_is_rate_limited_per_client(client, events, settings):
    settings.ICAL_RATE_LIMIT = (3, 600)
    feed = feeds.create_feed(actor=user("school_a"), scope="school", subject=school(SCHOOL_A))
    url = reverse("plans:ical", args=[feed.token])
    codes = [client.get(url, REMOTE_ADDR="192.0.2.70").status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]
    # Guesses count as well: a client cannot try tokens without end.
    assert (
        client.get(reverse("plans:ical", args=["y" * 43]), REMOTE_ADDR="192.0.2.70").status_code
        == 429
    )
    assert client.get(url, REMOTE_ADDR="192.0.2.71").status_code == 200


def test_reading_a_feed_changes_nothing_but_the_rate_counter(client, events):
    feed = feeds.create_feed(actor=user("school_a"), scope="school", subject=school(SCHOOL_A))
    before = (
        list(CalendarFeed.objects.values()),
        list(Execution.objects.values()),
    )
    read_feed(client, feed)
    assert before == (list(CalendarFeed.objects.values()), list(Execution.objects.values()))


@pytest.mark.usefixtures("page_cache_off")
def test_the_feed_costs_the_same_queries_with_more_events(client, events):
    feed = feeds.create_feed(actor=user("head_center"), scope="center", subject=dmitriev_center())
    url = reverse("plans:ical", args=[feed.token])
    client.get(url)

    def measure():
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(url)
        assert response.status_code == 200
        return len(ctx.captured_queries), response

    # the rate counter, the feed with its owner and subject, the owner's memberships and
    # whether the owner sees the center, the owner's language, the events
    before, _ = measure()
    more_events()
    # New data is a new version: what the owner may see is read again once, then remembered.
    client.get(url)
    after, response = measure()
    assert after == before
    assert "Дополнительное мероприятие 1" in vevents(Calendar.from_ical(response.content))


@pytest.mark.parametrize(
    "query",
    [
        "center=1180591620717411303424",
        "school=-1",
        "form=1e5",
        "date=%00",
        "view=%00week",
        "date=9999-12-31",
        "center=1&center=2",
        "format=" + "x" * 5000,
    ],
)
def test_hostile_calendar_queries_are_refused_quietly(client_of, query):
    response = client_of("uo_dmitriev").get(reverse("plans:calendar") + "?" + query)
    assert response.status_code == 200
    assert 'id="calendar"' in response.content.decode()
