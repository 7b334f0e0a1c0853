"""Mentoring pairs and interaction groups: who sees them, how a pair moves (active → completed /
stopped), its meetings, the forms' choices and refusals, the groups and their members, the
person's page, the line's include, the demo, pinned query counts and the import direction.

The demo's pairs (``cooperation/demo.py``): Белова (the hub, ``wg_member``) → Ершова (СОШ № 1)
completed; Соколова (the hub, no login) → Павлова (СОШ № 1) active; Белова → Никитина
(Старогородская, ``school_b``) active.
"""

from datetime import date, timedelta

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.template import Context, Template
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from cooperation import services
from cooperation.demo import load_cooperation
from cooperation.models import (
    GroupEvent,
    GroupMember,
    InteractionGroup,
    Meeting,
    MentoringPair,
    PairEvent,
)
from network_center.centers.models import Center
from network_center.notifications.models import Notification
from plans.models import Line, Revision
from schools.history import AppendOnlyError
from schools.models import Organisation, Person
from schools.services import create_login, create_person

from .conftest import HUB, SCHOOL_A, SCHOOL_B

pytestmark = pytest.mark.django_db

State = MentoringPair.State


def _pair(mentee_last_name):
    return MentoringPair.objects.select_related("center", "mentor", "mentee").get(
        mentee__last_name=mentee_last_name
    )


@pytest.fixture
def completed():
    """Белова → Ершова (СОШ № 1), last year: completed."""
    return _pair("Ершова")


@pytest.fixture
def pair_a():
    """Соколова → Павлова (СОШ № 1): active, its mentor has no login."""
    return _pair("Павлова")


@pytest.fixture
def pair_b():
    """Белова → Никитина (Старогородская): active, its mentor is ``wg_member``."""
    return _pair("Никитина")


@pytest.fixture
def center():
    return Center.objects.get(hub__short_name=HUB)


@pytest.fixture
def group():
    return InteractionGroup.objects.get(name="Группа взаимодействия учителей математики")


def _person(last_name):
    return Person.objects.get(last_name=last_name)


def _url(name, *args):
    return reverse(f"cooperation:{name}", args=[getattr(a, "pk", a) for a in args])


def _page(client, url):
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return response.content.decode()


# --- the demo --------------------------------------------------------------------------------


def test_the_demo_tells_the_mentoring_story(completed, pair_a, pair_b, group):
    assert completed.state == State.COMPLETED and "ВПР" in completed.results
    assert completed.line.title.startswith("Закрепление наставников")
    assert completed.line.revision.state in (Revision.State.APPROVED, Revision.State.CLOSED)
    assert pair_a.state == pair_b.state == State.ACTIVE
    assert {completed.mentee.organisation.short_name, pair_b.mentee.organisation.short_name} == {
        SCHOOL_A,
        SCHOOL_B,
    }
    assert all(p.meetings.count() >= 3 for p in (completed, pair_a, pair_b))
    # The completed pair's story: created, five meetings, completed — every step on record.
    assert list(completed.events.values_list("action", flat=True)) == ["created", "complete"]
    schools = set(group.members.values_list("person__organisation__short_name", flat=True))
    assert {HUB, SCHOOL_A, SCHOOL_B} <= schools
    assert group.lines.count() == 2
    assert group.members.filter(person=group.coordinator).exists()
    kupino = InteractionGroup.objects.get(center__municipality__name="Купинский район")
    assert kupino.members.values("person__organisation").distinct().count() == 3


def test_loading_the_demo_again_adds_nothing():
    counts = (
        MentoringPair.objects.count(),
        Meeting.objects.count(),
        InteractionGroup.objects.count(),
        GroupMember.objects.count(),
    )
    load_cooperation()
    assert counts == (
        MentoringPair.objects.count(),
        Meeting.objects.count(),
        InteractionGroup.objects.count(),
        GroupMember.objects.count(),
    )


# --- who sees --------------------------------------------------------------------------------


def test_it_hides_school_a_pairs_from_school_b(client_of, completed, pair_a, pair_b):
    client = client_of("school_b")
    for pair in (completed, pair_a):
        assert client.get(_url("pair", pair)).status_code == 404
    assert client.get(_url("pair", pair_b)).status_code == 200
    listing = _page(client, _url("center_mentoring", pair_b.center))
    assert "Никитина" in listing
    assert "Ершова" not in listing and "Павлова" not in listing


def test_a_coordinator_in_the_working_group_still_reads_only_its_own_school(client_of, pair_b):
    """Орлова (``school_a``) is the working group's secretary: a participant school all the
    same, she does not read the Старогородская school's pair."""
    assert client_of("school_a").get(_url("pair", pair_b)).status_code == 404


def test_the_center_staff_and_the_municipality_see_every_pair(client_of, center):
    for persona in ("head_center", "director_sosh2", "wg_member", "uo_dmitriev", "rmk_dmitriev"):
        listing = _page(client_of(persona), _url("center_mentoring", center))
        assert all(name in listing for name in ("Ершова", "Павлова", "Никитина")), persona


def test_the_observer_reads_and_changes_nothing(client_of, center, pair_a):
    client = client_of("region")
    page = _page(client, _url("pair", pair_a))
    assert _url("meeting_add", pair_a) not in page and _url("pair_edit", pair_a) not in page
    assert client.get(_url("pair_create", center)).status_code == 403
    assert client.post(_url("pair_complete", pair_a), {"results": "x"}).status_code == 403
    assert client.get(_url("group_create", center)).status_code == 403


def test_another_municipality_does_not_see_the_pairs(client_of, center, pair_a, group):
    client = client_of("uo_kupino")
    assert client.get(_url("pair", pair_a)).status_code == 404
    assert client.get(_url("center_mentoring", center)).status_code == 404
    assert client.get(_url("group", group)).status_code == 404


def test_a_mentor_with_a_login_and_no_role_sees_and_records_their_own_pair(client_of, pair_a):
    sokolova = pair_a.mentor
    create_login(sokolova, "sokolova", "x")
    client = client_of("sokolova")
    page = _page(client, _url("pair", pair_a))
    # She sees her pair, but not the center: no link to pages that would answer 404.
    assert reverse("centers:detail", args=[pair_a.center_id]) not in page
    assert client.get(_url("center_mentoring", pair_a.center)).status_code == 404
    today = timezone.localdate()
    response = client.post(
        _url("meeting_add", pair_a),
        {"date": today.isoformat(), "format": "remote", "topic": "Консультация по ВПР"},
    )
    assert response.status_code == 302
    assert pair_a.meetings.filter(topic="Консультация по ВПР", recorded_by__username="sokolova")


# --- the transitions -------------------------------------------------------------------------


def test_completing_a_pair_records_results_history_and_tells_the_people(
    client_of, pair_b, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client_of("head_center").post(
            _url("pair_complete", pair_b),
            {"results": "Освоены разноуровневые задания."},
            follow=True,
        )
    assert response.status_code == 200
    pair_b.refresh_from_db()
    assert pair_b.state == State.COMPLETED
    assert pair_b.results == "Освоены разноуровневые задания."
    event = pair_b.events.last()
    assert (event.action, event.from_state, event.to_state, event.actor.username) == (
        "complete",
        "active",
        "completed",
        "head_center",
    )
    told = set(
        Notification.objects.filter(url=_url("pair", pair_b), text__contains="завершено")
        .values_list("user__username", flat=True)
        .distinct()
    )
    # The mentor (wg_member) and the mentee's school; not the one who completed it.
    assert {"wg_member", "school_b"} <= told and "head_center" not in told
    page = response.content.decode()
    assert "Освоены разноуровневые задания." in page
    assert _url("meeting_add", pair_b) not in page


def test_completing_without_results_shows_the_error_beside_the_field(client_of, pair_b):
    response = client_of("director_sosh2").post(_url("pair_complete", pair_b), {"results": " "})
    assert response.status_code == 200
    assert 'id="error_1_id_results"' in response.content.decode()
    pair_b.refresh_from_db()
    assert pair_b.state == State.ACTIVE and not pair_b.events.filter(action="complete")


def test_stopping_needs_a_reason_and_a_finished_pair_moves_no_more(client_of, pair_a):
    client = client_of("uo_dmitriev")
    assert client.post(_url("pair_stop", pair_a), {"reason": ""}).status_code == 200
    response = client.post(_url("pair_stop", pair_a), {"reason": "Педагог уволился."})
    assert response.status_code == 302
    pair_a.refresh_from_db()
    assert (pair_a.state, pair_a.stop_reason) == (State.STOPPED, "Педагог уволился.")
    # A second click is told, and changes nothing.
    response = client.post(_url("pair_complete", pair_a), {"results": "x"}, follow=True)
    assert "Прекращено досрочно" in response.content.decode()
    pair_a.refresh_from_db()
    assert pair_a.state == State.STOPPED and pair_a.results == ""
    assert client.get(_url("pair_edit", pair_a)).status_code == 403
    assert client.get(_url("meeting_add", pair_a)).status_code == 403


def test_the_service_refuses_a_second_finish(pair_b, user_of):
    head = user_of("head_center")
    services.stop_pair(pair_b, actor=head, reason="Отпуск по уходу за ребёнком.")
    with pytest.raises(services.CooperationError):
        services.complete_pair(pair_b, actor=head, results="Итоги")
    assert list(pair_b.events.values_list("action", flat=True)) == ["created", "stop"]


def test_the_history_and_the_meetings_are_append_only(completed):
    event = completed.events.first()
    event.comment = "переписано"
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        Meeting.objects.filter(pair=completed).update(topic="переписано")
    with pytest.raises(AppendOnlyError):
        PairEvent.objects.filter(pair=completed).delete()


def test_who_is_refused_a_pair_is_refused_by_the_service_too(center, user_of):
    ershova = _person("Ершова")
    for username in ("rmk_dmitriev", "wg_member", "school_a", "region"):
        with pytest.raises(PermissionDenied):
            services.create_pair(
                center,
                actor=user_of(username),
                mentor=_person("Белова"),
                mentee=ershova,
                subject="алгебра",
                date_from=date(2026, 9, 1),
                date_to=date(2027, 5, 31),
                goals="Цели",
            )


# --- the pair's form -------------------------------------------------------------------------


def _pair_data(**overrides):
    data = {
        "mentor": _person("Белова").pk,
        "mentee": _person("Павлова").pk,
        "subject": "математика",
        "date_from": "2026-09-01",
        "date_to": "2027-05-31",
        "goals": "Повысить долю удовлетворительных результатов ВПР.",
        "line": "",
    }
    return {**data, **overrides}


def test_the_form_offers_only_what_makes_sense(client_of, center):
    form = client_of("head_center").get(_url("pair_create", center)).context["form"]
    mentees = set(form.fields["mentee"].queryset.values_list("organisation__short_name", flat=True))
    participants = set(center.participations.values_list("school__short_name", flat=True))
    assert mentees <= participants and HUB not in mentees
    mentors = form.fields["mentor"].queryset
    assert mentors.first().organisation.short_name == HUB  # the hub's staff first
    lines = form.fields["line"].queryset
    assert lines.exists()
    assert set(lines.values_list("revision__state", flat=True)) <= {"approved", "closed"}
    assert not lines.exclude(revision__plan__center=center).exists()


def test_a_new_pair_is_created_and_recorded(client_of, center, django_capture_on_commit_callbacks):
    line = Line.objects.filter(
        revision__plan__center=center, revision__state="approved", title__contains="математики"
    ).first()
    with django_capture_on_commit_callbacks(execute=True):
        response = client_of("head_center").post(
            _url("pair_create", center), _pair_data(line=line.pk)
        )
    assert response.status_code == 302
    pair = MentoringPair.objects.get(mentee__last_name="Павлова", mentor__last_name="Белова")
    assert (pair.state, pair.line, pair.created_by.username) == (State.ACTIVE, line, "head_center")
    assert pair.events.get().action == "created"
    assert Notification.objects.filter(user__username="school_a", url=_url("pair", pair)).exists()


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"date_to": "2026-08-01"}, "date_to"),  # the end before the start
        ({"mentee": "Белова"}, "mentee"),  # the mentor mentors themselves
        ({"mentee": "Зайцева"}, "mentee"),  # a hub teacher is not a mentee
        ({"mentee": "Лысенко"}, "mentee"),  # a teacher of Kupino
        ({"line": "2026"}, "line"),  # a line of the plan not yet approved
        ({"subject": "  "}, "subject"),
    ],
)
def test_the_form_refuses_and_shows_the_error_beside_the_field(client_of, center, overrides, field):
    values = dict(overrides)
    if field in ("mentee",):
        values[field] = _person(values[field]).pk
    if field == "line":
        values["line"] = (
            Line.objects.filter(revision__plan__center=center, revision__plan__year=2026).first().pk
        )
    before = MentoringPair.objects.count()
    response = client_of("head_center").post(_url("pair_create", center), _pair_data(**values))
    assert response.status_code == 200
    assert f'id="error_1_id_{field}"' in response.content.decode(), field
    assert MentoringPair.objects.count() == before


def test_the_same_active_pair_twice_is_refused(client_of, center, pair_a):
    data = _pair_data(
        mentor=pair_a.mentor_id,
        mentee=pair_a.mentee_id,
        subject=pair_a.subject,
    )
    response = client_of("head_center").post(_url("pair_create", center), data)
    assert response.status_code == 200
    assert "уже действует" in response.content.decode()


def test_an_edit_records_the_fields_before_and_after(client_of, pair_a):
    client = client_of("director_sosh2")
    form = client.get(_url("pair_edit", pair_a)).context["form"]
    data = {name: form[name].value() for name in form.fields}
    data = {k: ("" if v is None else v) for k, v in data.items()}
    data["date_from"] = pair_a.date_from.isoformat()
    data["date_to"] = "2027-01-31"
    assert client.post(_url("pair_edit", pair_a), data).status_code == 302
    event = pair_a.events.last()
    assert event.action == "edited"
    assert event.data["fields"] == {"date_to": ["25.12.2026", "31.01.2027"]}
    # Saving again without a change writes nothing.
    assert client.post(_url("pair_edit", pair_a), data).status_code == 302
    assert pair_a.events.filter(action="edited").count() == 1


# --- meetings --------------------------------------------------------------------------------


def _meeting(day, topic="Разбор урока"):
    return {
        "date": day.isoformat() if hasattr(day, "isoformat") else day,
        "format": "in_person",
        "topic": topic,
    }


def test_meetings_are_recorded_by_the_mentor_the_head_and_the_mentee_school(
    client_of, pair_a, pair_b
):
    today = timezone.localdate()
    day = min(today, pair_a.date_to)
    # The coordinator of the mentee's school records a meeting held at the school.
    assert client_of("school_a").post(_url("meeting_add", pair_a), _meeting(day)).status_code == 302
    assert (
        client_of("head_center").post(_url("meeting_add", pair_a), _meeting(day)).status_code == 302
    )
    # The working-group member is the mentor of the other pair only.
    assert (
        client_of("wg_member").post(_url("meeting_add", pair_a), _meeting(day)).status_code == 403
    )
    assert (
        client_of("wg_member").post(_url("meeting_add", pair_b), _meeting(day)).status_code == 302
    )
    # The mentor's school and the others are refused; another school does not see it.
    for persona in ("director_sosh2", "uo_dmitriev", "rmk_dmitriev"):
        response = client_of(persona).post(_url("meeting_add", pair_a), _meeting(day))
        assert response.status_code == 403, persona
    assert client_of("school_b").post(_url("meeting_add", pair_a), _meeting(day)).status_code == 404
    recorded = pair_a.meetings.filter(topic="Разбор урока")
    assert sorted(recorded.values_list("recorded_by__username", flat=True)) == [
        "head_center",
        "school_a",
    ]


@pytest.mark.parametrize(
    "day",
    [
        lambda pair: pair.date_from - timedelta(days=1),
        lambda pair: timezone.localdate() + timedelta(days=1),
    ],
    ids=["before the period", "in the future"],
)
def test_a_meeting_outside_the_period_or_in_the_future_is_refused(client_of, pair_b, day):
    before = pair_b.meetings.count()
    response = client_of("wg_member").post(_url("meeting_add", pair_b), _meeting(day(pair_b)))
    assert response.status_code == 200
    assert 'id="error_1_id_date"' in response.content.decode()
    assert pair_b.meetings.count() == before


# --- interaction groups ----------------------------------------------------------------------


def test_a_new_group_takes_its_coordinator_among_its_members(client_of, center):
    line = Line.objects.filter(revision__plan__center=center, revision__state="approved").first()
    people = [_person(n) for n in ("Соколова", "Павлова", "Голубева")]
    response = client_of("director_sosh2").post(
        _url("group_create", center),
        {
            "name": "Группа учителей русского языка",
            "purpose": "Взаимопосещение уроков",
            "coordinator": people[0].pk,
            "members": [p.pk for p in people[1:]],
            "lines": [line.pk],
        },
    )
    assert response.status_code == 302
    group = InteractionGroup.objects.get(name="Группа учителей русского языка")
    assert set(group.members.values_list("person__last_name", flat=True)) == {
        "Соколова",
        "Павлова",
        "Голубева",
    }
    assert list(group.lines.all()) == [line]
    assert group.events.get().action == "created"
    assert line.interaction_groups.filter(pk=group.pk).exists()


def test_a_group_refuses_people_outside_the_network(client_of, center):
    response = client_of("head_center").post(
        _url("group_create", center),
        {
            "name": "Сборная",
            "purpose": "Проверка",
            "coordinator": _person("Белова").pk,
            "members": [_person("Лысенко").pk],
        },
    )
    assert response.status_code == 200
    assert 'id="error_1_id_members"' in response.content.decode()
    assert not InteractionGroup.objects.filter(name="Сборная").exists()


def test_the_coordinator_is_chosen_among_members_and_is_not_removed(client_of, group):
    client = client_of("head_center")
    form = client.get(_url("group_edit", group)).context["form"]
    offered = set(form.fields["coordinator"].queryset.values_list("pk", flat=True))
    assert offered == set(group.members.values_list("person_id", flat=True))
    coordinator = group.members.get(person=group.coordinator)
    response = client.post(_url("member_remove", coordinator), follow=True)
    assert "сначала назначьте другого координатора" in response.content.decode()
    assert GroupMember.objects.filter(pk=coordinator.pk).exists()
    other = group.members.exclude(person=group.coordinator).first()
    assert client.post(_url("member_remove", other)).status_code == 302
    assert not GroupMember.objects.filter(pk=other.pk).exists()
    assert group.events.last().action == "member_removed"


def test_a_member_is_added_or_has_the_role_changed(client_of, group):
    client = client_of("uo_dmitriev")
    zaitseva = _person("Зайцева")
    url = _url("member_add", group)
    assert client.post(url, {"person": zaitseva.pk, "role": "эксперт"}).status_code == 302
    assert client.post(url, {"person": zaitseva.pk, "role": "ведущий"}).status_code == 302
    assert group.members.get(person=zaitseva).role == "ведущий"
    actions = list(GroupEvent.objects.filter(group=group).values_list("action", flat=True))
    assert actions[-2:] == ["member_added", "member_changed"]
    response = client.post(url, {"person": _person("Лысенко").pk})
    assert response.status_code == 200 and 'id="error_1_id_person"' in response.content.decode()


def test_a_school_sees_only_the_groups_of_its_staff(client_of, center, group, user_of):
    hub_only = services.create_group(
        center,
        actor=user_of("head_center"),
        name="Группа базовой школы",
        purpose="Подготовка открытых уроков",
        coordinator=_person("Соколова"),
        members=[_person("Зайцева")],
    )
    listing = _page(client_of("school_b"), _url("center_groups", center))
    assert group.name in listing and hub_only.name not in listing
    assert client_of("school_b").get(_url("group", hub_only)).status_code == 404
    assert client_of("rmk_dmitriev").get(_url("group", hub_only)).status_code == 200


# --- the person's page, the school's page, the line's include ---------------------------------


def test_the_person_page_lists_their_pairs_and_groups(client_of, group):
    belova = _person("Белова")
    page = _page(client_of("head_center"), _url("person", belova))
    assert "Ершова" in page and "Никитина" in page and group.name in page
    # school_b sees its own teacher's page, with only what it may see.
    page = _page(client_of("school_b"), _url("person", _person("Никитина")))
    assert "Белова" in page and group.name in page
    # A school does not see the hub's staff, nor another school's.
    assert client_of("school_b").get(_url("person", belova)).status_code == 404
    assert client_of("school_b").get(_url("person", _person("Ершова"))).status_code == 404


def test_the_school_page_links_its_staff_to_their_pages(client_of, org):
    school = org(SCHOOL_A)
    page = _page(client_of("school_a"), reverse("schools:detail", args=[school.pk]))
    assert _url("person", _person("Ершова")) in page
    listing = _page(client_of("school_a"), _url("school_mentoring", school))
    assert "Ершова" in listing and "Павлова" in listing and "Никитина" not in listing


def test_the_center_page_links_its_mentoring_and_groups(client_of, center):
    page = _page(client_of("school_a"), reverse("centers:detail", args=[center.pk]))
    assert _url("center_mentoring", center) in page and _url("center_groups", center) in page


def _line_include(line, username):
    request = RequestFactory().get("/")
    request.user = get_user_model().objects.get(username=username)
    template = Template('{% include "cooperation/_line_cooperation.html" %}')
    return template.render(Context({"line": line, "request": request}))


def test_the_line_include_lists_what_the_user_sees(completed, group):
    line = completed.line
    assert completed.mentee.name_initials in _line_include(line, "head_center")
    assert completed.mentee.name_initials in _line_include(line, "school_a")
    assert completed.mentee.name_initials not in _line_include(line, "school_b")
    group_line = group.lines.first()
    assert group.name in _line_include(group_line, "school_b")
    assert group.name not in _line_include(group_line, "uo_kupino")


def test_the_line_include_follows_the_event_into_an_amended_revision(completed, user_of):
    """An amendment copies the lines with their keys: the pair shows on the new revision's
    line of the same event."""
    from plans import services as plan_services

    revision = completed.line.revision
    if revision.state != Revision.State.APPROVED:
        pytest.skip("last year's plan is closed in this demo")
    draft = plan_services.amend(revision, actor=user_of("head_center"))
    copy = draft.lines.get(key=completed.line.key)
    assert completed.mentee.name_initials in _line_include(copy, "head_center")


# --- query counts ----------------------------------------------------------------------------


def count_queries(client, url):
    client.get(url)  # warm the session and the content types
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(ctx.captured_queries)


def _more_rows(center, n=8):
    """More pairs with meetings, and more groups with members and lines, in the center."""
    head = get_user_model().objects.get(username="head_center")
    school = Organisation.objects.get(short_name=SCHOOL_B)
    mentor = Person.objects.get(last_name="Белова")
    line = Line.objects.filter(revision__plan__center=center, revision__state="approved").first()
    for i in range(n):
        mentee = create_person(
            school, last_name=f"Учителева{i}", first_name="Анна", position="учитель"
        )
        pair = services.create_pair(
            center,
            actor=head,
            mentor=mentor,
            mentee=mentee,
            subject="математика",
            date_from=date(2026, 9, 1),
            date_to=date(2027, 5, 31),
            goals="Цели",
            line=line,
        )
        for day in (1, 2, 3):
            services.add_meeting(
                pair, actor=head, date=date(2026, 10, day), format="remote", topic="Тема"
            )
        services.create_group(
            center,
            actor=head,
            name=f"Группа {i}",
            purpose="Цель",
            coordinator=mentor,
            members=[mentee],
            lines=[line],
        )


@pytest.mark.usefixtures("page_cache_off")
@pytest.mark.parametrize(
    ("persona", "page", "expected"),
    [
        # session, user, memberships, notifications count, center, pairs (with people, line,
        # meetings counted), participations, the visible schools among them
        ("head_center", "center_mentoring", 8),
        ("school_b", "center_mentoring", 8),
        # session, user, memberships, notifications count, center, groups, their members,
        # their lines
        ("head_center", "center_groups", 8),
        ("school_b", "center_groups", 8),
        # session, user, memberships, notifications count, school, pairs
        ("uo_dmitriev", "school_mentoring", 6),
        # session, user, memberships, notifications count, person, pairs, groups, their roles
        ("head_center", "person", 8),
    ],
)
def test_list_pages_cost_the_same_with_more_pairs_and_meetings(
    persona, page, expected, client_of, center
):
    client = client_of(persona)
    target = {
        "center_mentoring": center,
        "center_groups": center,
        "school_mentoring": Organisation.objects.get(short_name=SCHOOL_B),
        "person": Person.objects.get(last_name="Белова"),
    }[page]
    url = _url(page, target)
    assert count_queries(client, url) == expected
    _more_rows(center)
    assert count_queries(client, url) == expected


@pytest.mark.usefixtures("page_cache_off")
def test_detail_pages_cost_the_same_with_more_meetings_and_members(client_of, pair_b, group):
    client = client_of("head_center")
    pair_url, group_url = _url("pair", pair_b), _url("group", group)
    # session, user, memberships, notifications count, pair (+center, people, line), meetings,
    # events, the center visible, the people visible
    assert count_queries(client, pair_url) == 9
    # session, user, memberships, notifications count, group, members, lines, events, the
    # center visible, the people visible, the people offered to add
    group_queries = count_queries(client, group_url)
    head = get_user_model().objects.get(username="head_center")
    school = Organisation.objects.get(short_name=SCHOOL_B)
    for i in range(8):
        services.add_meeting(
            pair_b,
            actor=head,
            date=pair_b.date_from + timedelta(days=i),
            format="remote",
            topic=f"Тема {i}",
        )
        person = create_person(
            school, last_name=f"Участникова{i}", first_name="Анна", position="учитель"
        )
        services.add_member(group, actor=head, person=person, role="участник")
    assert count_queries(client, pair_url) == 9
    assert count_queries(client, group_url) == group_queries == 11


def test_a_meeting_recorded_by_someone_else_is_told_to_the_mentor_only(
    client_of, pair_b, django_capture_on_commit_callbacks
):
    day = min(timezone.localdate(), pair_b.date_to)
    with django_capture_on_commit_callbacks(execute=True):
        response = client_of("school_b").post(
            _url("meeting_add", pair_b), _meeting(day, "Открытый урок в 8 классе")
        )
    assert response.status_code == 302
    told = Notification.objects.filter(text__contains="Открытый урок в 8 классе")
    assert set(told.values_list("user__username", flat=True)) == {"wg_member"}
