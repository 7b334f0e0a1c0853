"""The practice bank: the demo, marking and withdrawing (the services' guards and history), who
sees what (Kupino and Dmitriev apart, the observer across regions read-only, a school its own
municipality's bank with links only where they open), the pages of an event and a resource,
the bank's filters, pinned query counts and the import direction.

The demo's practices (``practices/demo.py``): Kupino — the opening seminar of СОШ № 77's plan,
its robotics laboratory, the mentoring programme of Купинская СОШ № 1; Dmitriev — the open
lessons of Russian at СОШ № 1 (2025/2026) and their protocol. ``school_b`` (Старогородская) was
not at those lessons.
"""

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from network_center.notifications.models import Notification
from plans.models import EvidenceFile, Execution
from practices import services
from practices.demo import load_practices
from practices.models import Practice, PracticeEvent
from schools import resource_services
from schools.history import AppendOnlyError
from schools.resources import Resource, Subject

pytestmark = pytest.mark.django_db

State = Practice.State
Kind = Practice.Kind
OPEN_LESSONS = "Открытые уроки русского языка в 5–6 классах"
ROUND_TABLE = "Круглый стол «Итоги года сети: что сработало»"
CANCELLED = "«Исследование урока»: формирующее оценивание"
PROTOCOL = "Протокол открытых уроков.pdf"
PHOTO = "Фото с урока.png"
KUPINO_LAB = "Инженерная лаборатория робототехнической направленности"
PHYSICS_LAB = "Кабинет физики с цифровой лабораторией"
REASON = "Опыт, который стоит повторить в каждой школе района."


def user(username):
    return get_user_model().objects.get(username=username)


def execution(title, year=2025):
    return Execution.objects.select_related("plan__center__hub", "line__venue").get(
        line__title=title, plan__year=year
    )


def evidence(name):
    return EvidenceFile.objects.select_related(
        "execution__plan__center__hub", "execution__line__venue"
    ).get(original_name=name)


def resource(title):
    return Resource.objects.select_related("school").get(title=title)


def practice(title):
    return Practice.objects.get(title=title, state=State.RECOMMENDED)


def page(client, url, data=None):
    response = client.get(url, data)
    assert response.status_code == 200, (url, response.status_code)
    return response.content.decode()


# --- the demo --------------------------------------------------------------------------------


def test_the_demo_recommends_kupino_and_dmitriev_practice():
    rows = {
        (p.municipality.name, p.kind, p.title, p.marked_by.username)
        for p in Practice.objects.select_related("municipality", "marked_by")
    }
    assert rows == {
        (
            "Купинский район",
            Kind.EVENT,
            "Установочный семинар сети: результаты ВПР 2026",
            "uo_kupino",
        ),
        ("Купинский район", Kind.RESOURCE, KUPINO_LAB, "uo_kupino"),
        (
            "Купинский район",
            Kind.RESOURCE,
            "Программа наставничества «Учитель — учителю»",
            "uo_kupino",
        ),
        ("Дмитриевский район", Kind.EVENT, OPEN_LESSONS, "uo_dmitriev"),
        ("Дмитриевский район", Kind.MATERIAL, PROTOCOL, "uo_dmitriev"),
    }
    assert not Practice.objects.exclude(state=State.RECOMMENDED).exists()
    # Each was marked through the service: one history row each.
    assert PracticeEvent.objects.filter(action="marked").count() == 5
    lessons = practice(OPEN_LESSONS)
    assert lessons.school.short_name == "МКОУ «СОШ № 1 г. Дмитриева»"  # the venue's
    assert lessons.execution.state == Execution.State.ACCEPTED


def test_loading_the_demo_practices_again_adds_nothing():
    before = Practice.objects.count(), PracticeEvent.objects.count()
    load_practices()
    assert (Practice.objects.count(), PracticeEvent.objects.count()) == before


# --- marking ---------------------------------------------------------------------------------


def test_the_department_recommends_an_accepted_event_and_its_school_hears_of_it(
    django_capture_on_commit_callbacks,
):
    event = execution(ROUND_TABLE)
    with django_capture_on_commit_callbacks(execute=True):
        made = services.mark_practice(event, actor=user("uo_dmitriev"), reason=f"  {REASON} ")
    made.refresh_from_db()
    assert (made.kind, made.execution_id, made.state) == (Kind.EVENT, event.pk, State.RECOMMENDED)
    assert made.municipality.name == "Дмитриевский район"
    assert made.school_id == event.line.venue_id  # held at the hub
    assert (made.reason, made.title, made.marked_by.username) == (
        REASON,
        ROUND_TABLE,
        "uo_dmitriev",
    )
    [row] = made.events.all()
    assert (row.action, row.from_state, row.to_state, row.actor.username, row.reason) == (
        "marked",
        "",
        State.RECOMMENDED,
        "uo_dmitriev",
        REASON,
    )
    told = set(
        Notification.objects.filter(url=reverse("practices:detail", args=[made.pk])).values_list(
            "user__username", flat=True
        )
    )
    # The hub's center head and director hear of it; the department that marked it does not.
    assert {"head_center", "director_sosh2"} <= told
    assert "uo_dmitriev" not in told and "school_b" not in told


def test_a_recommended_resource_is_told_to_its_school(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        made = services.mark_practice(
            resource(PHYSICS_LAB), actor=user("uo_dmitriev"), reason=REASON
        )
    told = set(
        Notification.objects.filter(url=reverse("practices:detail", args=[made.pk])).values_list(
            "user__username", flat=True
        )
    )
    assert "school_a" in told  # the coordinator of СОШ № 1, whose laboratory it is
    assert "school_b" not in told


def test_a_material_of_an_accepted_event_is_recommended():
    made = services.mark_practice(evidence(PHOTO), actor=user("admin"), reason=REASON)
    assert (made.kind, made.evidence.original_name, made.execution_id) == (
        Kind.MATERIAL,
        PHOTO,
        None,
    )
    assert made.municipality.name == "Дмитриевский район"


def test_a_second_recommendation_of_the_same_thing_is_refused():
    before = Practice.objects.count()
    for target in (execution(OPEN_LESSONS), evidence(PROTOCOL)):
        with pytest.raises(services.PracticeError, match="уже рекомендовано"):
            services.mark_practice(target, actor=user("uo_dmitriev"), reason=REASON)
    assert Practice.objects.count() == before


def test_the_database_keeps_one_active_recommendation_per_thing():
    existing = practice(OPEN_LESSONS)
    with pytest.raises(IntegrityError), transaction.atomic():
        Practice.objects.create(
            kind=Kind.EVENT,
            execution=existing.execution,
            municipality=existing.municipality,
            school=existing.school,
            title=existing.title,
            reason=REASON,
            marked_at=timezone.now(),
        )


def test_the_database_refuses_a_practice_of_two_things():
    existing = practice(OPEN_LESSONS)
    with pytest.raises(IntegrityError), transaction.atomic():
        Practice.objects.create(
            kind=Kind.EVENT,
            execution=execution(ROUND_TABLE),
            evidence=evidence(PHOTO),
            municipality=existing.municipality,
            school=existing.school,
            title="Два сразу",
            reason=REASON,
            marked_at=timezone.now(),
        )


@pytest.mark.parametrize("reason", ["", "   ", None])
def test_a_recommendation_without_a_reason_is_refused(reason):
    with pytest.raises(services.PracticeError) as info:
        services.mark_practice(execution(ROUND_TABLE), actor=user("uo_dmitriev"), reason=reason)
    assert "reason" in info.value.error_dict
    assert not Practice.objects.filter(execution__line__title=ROUND_TABLE).exists()


def test_an_event_not_held_or_not_accepted_is_not_recommended():
    with pytest.raises(services.PracticeError, match="отчёт о котором принят"):
        services.mark_practice(execution(CANCELLED), actor=user("uo_dmitriev"), reason=REASON)
    reported = execution("Взаимопосещение уроков русского языка", year=2026)
    assert reported.state == Execution.State.REPORTED
    with pytest.raises(services.PracticeError, match="отчёт о котором принят"):
        services.mark_practice(reported, actor=user("uo_kupino"), reason=REASON)
    assert not Practice.objects.filter(execution__in=[reported.pk]).exists()


@pytest.mark.parametrize(
    "username", ["uo_kupino", "rmk_dmitriev", "head_center", "school_a", "region"]
)
def test_only_the_department_of_the_municipality_recommends(username):
    with pytest.raises(PermissionDenied):
        services.mark_practice(execution(ROUND_TABLE), actor=user(username), reason=REASON)
    assert not Practice.objects.filter(execution__line__title=ROUND_TABLE).exists()


def test_a_foreign_department_neither_marks_a_resource_nor_withdraws():
    with pytest.raises(PermissionDenied):
        services.mark_practice(resource(PHYSICS_LAB), actor=user("uo_kupino"), reason=REASON)
    with pytest.raises(PermissionDenied):
        services.withdraw_practice(practice(KUPINO_LAB), actor=user("uo_dmitriev"), reason=REASON)
    assert practice(KUPINO_LAB).state == State.RECOMMENDED


# --- withdrawing -----------------------------------------------------------------------------


def test_withdrawing_needs_a_reason():
    target = practice(OPEN_LESSONS)
    with pytest.raises(services.PracticeError) as info:
        services.withdraw_practice(target, actor=user("uo_dmitriev"), reason=" ")
    assert "reason" in info.value.error_dict
    target.refresh_from_db()
    assert target.state == State.RECOMMENDED and target.events.count() == 1


def test_a_withdrawn_recommendation_keeps_its_story_and_may_be_made_again(
    django_capture_on_commit_callbacks,
):
    target = practice(OPEN_LESSONS)
    with django_capture_on_commit_callbacks(execute=True):
        services.withdraw_practice(
            target, actor=user("uo_dmitriev"), reason="Программа изменилась."
        )
    target.refresh_from_db()
    assert (target.state, target.withdrawn_by.username, target.withdraw_reason) == (
        State.WITHDRAWN,
        "uo_dmitriev",
        "Программа изменилась.",
    )
    assert [(e.action, e.from_state, e.to_state) for e in target.events.all()] == [
        ("marked", "", State.RECOMMENDED),
        ("withdrawn", State.RECOMMENDED, State.WITHDRAWN),
    ]
    assert Notification.objects.filter(text__contains="Программа изменилась.").exists()
    with pytest.raises(services.PracticeError, match="уже снята"):
        services.withdraw_practice(target, actor=user("uo_dmitriev"), reason="Ещё раз.")
    again = services.mark_practice(execution(OPEN_LESSONS), actor=user("admin"), reason=REASON)
    assert again.pk != target.pk
    assert Practice.objects.filter(execution__line__title=OPEN_LESSONS).count() == 2


def test_the_history_of_a_practice_is_append_only():
    row = practice(OPEN_LESSONS).events.get()
    with pytest.raises(AppendOnlyError):
        row.save()
    with pytest.raises(AppendOnlyError):
        PracticeEvent.objects.all().delete()


def test_a_school_may_delete_its_recommended_resource_and_the_bank_keeps_the_title(client_of):
    lab = resource(PHYSICS_LAB)
    made = services.mark_practice(lab, actor=user("uo_dmitriev"), reason=REASON)
    resource_services.delete_resource(lab, actor=user("school_a"))
    made.refresh_from_db()
    assert made.resource_id is None and made.title == PHYSICS_LAB
    html = page(client_of("school_b"), reverse("practices:detail", args=[made.pk]))
    assert PHYSICS_LAB in html and "больше не предлагает" in html


# --- who sees what ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("username", "municipalities"),
    [
        ("uo_dmitriev", {"Дмитриевский район"}),
        ("rmk_dmitriev", {"Дмитриевский район"}),
        ("head_center", {"Дмитриевский район"}),
        ("school_a", {"Дмитриевский район"}),
        ("school_b", {"Дмитриевский район"}),
        ("uo_kupino", {"Купинский район"}),
        ("region", {"Дмитриевский район", "Купинский район"}),
        ("admin", {"Дмитриевский район", "Купинский район"}),
    ],
)
def test_the_bank_is_the_municipalitys_and_the_observer_sees_the_region(username, municipalities):
    seen = set(
        Practice.objects.visible_to(user(username)).values_list("municipality__name", flat=True)
    )
    assert seen == municipalities


def test_an_anonymous_visitor_sees_no_practice():
    from django.contrib.auth.models import AnonymousUser

    assert not Practice.objects.visible_to(AnonymousUser()).exists()


def test_kupino_sees_nothing_of_dmitriev(client_of):
    client = client_of("uo_kupino")
    html = page(client, reverse("practices:list"), {"state": "all"})
    assert "Установочный семинар сети" in html
    assert OPEN_LESSONS not in html and PROTOCOL not in html
    assert (
        client.get(reverse("practices:detail", args=[practice(OPEN_LESSONS).pk])).status_code == 404
    )
    lessons = execution(OPEN_LESSONS)
    assert client.get(reverse("practices:mark", args=["event", lessons.pk])).status_code == 404


def test_a_school_reads_its_municipalitys_bank_with_links_only_where_they_open(client_of):
    lessons = execution(OPEN_LESSONS)
    protocol = evidence(PROTOCOL)
    event_url = reverse("plans:execution", args=[lessons.pk])
    file_url = reverse("plans:evidence", args=[protocol.pk])
    # school_b was not at the lessons: it reads the recommendation, is not sent to a 404.
    client = client_of("school_b")
    html = page(client, reverse("practices:list"))
    assert OPEN_LESSONS in html and PROTOCOL in html
    assert event_url not in html and file_url not in html
    assert client.get(event_url).status_code == 404 and client.get(file_url).status_code == 404
    detail = page(client, reverse("practices:detail", args=[practice(PROTOCOL).pk]))
    assert file_url not in detail and "запросите его у школы" in detail
    # school_a was there: the links are drawn and open.
    client = client_of("school_a")
    html = page(client, reverse("practices:list"))
    assert event_url in html and file_url in html
    assert client.get(file_url).status_code == 200


def test_the_observer_reads_both_regions_and_changes_nothing(client_of):
    client = client_of("region")
    html = page(client, reverse("practices:list"))
    assert OPEN_LESSONS in html and KUPINO_LAB in html
    assert "Дмитриевский район" in html and "Купинский район" in html  # grouped, filterable
    detail = page(client, reverse("practices:detail", args=[practice(KUPINO_LAB).pk]))
    assert reverse("practices:withdraw", args=[practice(KUPINO_LAB).pk]) not in detail
    response = client.post(
        reverse("practices:withdraw", args=[practice(KUPINO_LAB).pk]), {"reason": "Нет."}
    )
    assert response.status_code == 403
    assert practice(KUPINO_LAB).state == State.RECOMMENDED


# --- the pages of an event and a resource ------------------------------------------------------


def test_the_event_page_shows_the_recommendation_and_the_departments_forms(client_of):
    lessons = execution(OPEN_LESSONS)
    url = reverse("plans:execution", args=[lessons.pk])
    recommended = practice(OPEN_LESSONS)
    photo = evidence(PHOTO)
    html = page(client_of("uo_dmitriev"), url)
    assert "Рекомендовано к распространению" in html and recommended.reason in html
    assert reverse("practices:withdraw", args=[recommended.pk]) in html
    # The protocol is recommended; the photo may be.
    assert reverse("practices:mark", args=["material", photo.pk]) in html
    for username in ("school_a", "region", "head_center"):
        html = page(client_of(username), url)
        assert "Рекомендовано к распространению" in html and recommended.reason in html
        assert "/practices/mark/" not in html and "/withdraw/" not in html
        assert reverse("practices:detail", args=[recommended.pk]) in html


def test_an_accepted_event_offers_the_department_to_recommend_it_and_a_cancelled_one_not(
    client_of,
):
    client = client_of("uo_dmitriev")
    table = execution(ROUND_TABLE)
    html = page(client, reverse("plans:execution", args=[table.pk]))
    assert reverse("practices:mark", args=["event", table.pk]) in html
    cancelled = execution(CANCELLED)
    html = page(client, reverse("plans:execution", args=[cancelled.pk]))
    assert "/practices/mark/" not in html and 'id="practice"' not in html


def test_the_department_recommends_from_the_event_page_and_lands_back_on_it(client_of):
    table = execution(ROUND_TABLE)
    client = client_of("uo_dmitriev")
    response = client.post(
        reverse("practices:mark", args=["event", table.pk]), {"reason": REASON}, follow=True
    )
    assert response.redirect_chain[-1][0] == reverse("plans:execution", args=[table.pk])
    html = response.content.decode()
    assert "Рекомендовано к распространению" in html and REASON in html


def test_a_reason_with_control_characters_is_refused_beside_the_field(client_of):
    table = execution(ROUND_TABLE)
    response = client_of("uo_dmitriev").post(
        reverse("practices:mark", args=["event", table.pk]), {"reason": "до\x00после"}
    )
    assert response.status_code == 200
    assert "управляющие символы" in response.content.decode()
    assert not Practice.objects.filter(execution=table).exists()


def test_the_resource_page_shows_the_recommendation(client_of):
    lab = resource(KUPINO_LAB)
    url = reverse("schools:resource_detail", args=[lab.pk])
    recommended = practice(KUPINO_LAB)
    html = page(client_of("uo_kupino"), url)
    assert recommended.reason in html
    assert reverse("practices:withdraw", args=[recommended.pk]) in html
    html = page(client_of("region"), url)
    assert recommended.reason in html and "/withdraw/" not in html
    other = resource(PHYSICS_LAB)
    html = page(client_of("uo_dmitriev"), reverse("schools:resource_detail", args=[other.pk]))
    assert reverse("practices:mark", args=["resource", other.pk]) in html
    html = page(client_of("school_a"), reverse("schools:resource_detail", args=[other.pk]))
    assert "/practices/" not in html.split('id="main"')[1]


def test_withdrawing_from_the_form_records_the_reason(client_of):
    target = practice(OPEN_LESSONS)
    url = reverse("practices:withdraw", args=[target.pk])
    client = client_of("uo_dmitriev")
    assert "Причина снятия" in page(client, url)
    response = client.post(url, {"reason": "Материал устарел."}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("practices:detail", args=[target.pk])
    html = response.content.decode()
    assert "Рекомендация снята" in html and "Материал устарел." in html
    # A second visit is told, not shown the form.
    response = client.get(url, follow=True)
    assert response.redirect_chain and "уже снята" in response.content.decode()


def test_the_navbar_offers_the_bank_to_everyone_who_has_one(client_of):
    for username in ("uo_dmitriev", "school_b", "region", "uo_kupino", "admin"):
        assert reverse("practices:list") in page(client_of(username), reverse("home"))


# --- the bank's filters ------------------------------------------------------------------------


def test_the_filters_find_by_kind_form_subject_text_and_municipality(client_of):
    region = client_of("region")
    html = page(region, reverse("practices:list"), {"kind": "resource"})
    assert KUPINO_LAB in html and OPEN_LESSONS not in html
    open_lesson = execution(OPEN_LESSONS).line.form
    html = page(region, reverse("practices:list"), {"form": open_lesson.pk})
    assert OPEN_LESSONS in html and PROTOCOL in html and KUPINO_LAB not in html
    physics = Subject.objects.get(name="Физика")
    html = page(region, reverse("practices:list"), {"subject": physics.pk})
    assert KUPINO_LAB in html and "Учитель — учителю" not in html
    html = page(region, reverse("practices:list"), {"resource_kind": "methodological"})
    assert "Учитель — учителю" in html and KUPINO_LAB not in html
    html = page(region, reverse("practices:list"), {"q": "робототехнической"})
    assert KUPINO_LAB in html and OPEN_LESSONS not in html
    kupino = practice(KUPINO_LAB).municipality
    html = page(region, reverse("practices:list"), {"municipality": kupino.pk})
    assert KUPINO_LAB in html and OPEN_LESSONS not in html
    # A municipality's own people choose no municipality.
    html = page(client_of("uo_dmitriev"), reverse("practices:list"))
    assert 'name="municipality"' not in html


def test_withdrawn_practice_is_listed_only_when_asked_for(client_of):
    withdrawn = services.withdraw_practice(
        practice(OPEN_LESSONS), actor=user("uo_dmitriev"), reason="Устарело."
    )
    # The event's own row (its material's row still names it).
    row = reverse("practices:detail", args=[withdrawn.pk])
    standing = reverse("practices:detail", args=[practice(PROTOCOL).pk])
    client = client_of("school_a")
    html = page(client, reverse("practices:list"))
    assert row not in html and standing in html
    html = page(client, reverse("practices:list"), {"state": "withdrawn"})
    assert row in html and standing not in html and "Рекомендация снята" in html
    html = page(client, reverse("practices:list"), {"state": "all"})
    assert row in html and standing in html


def test_bad_filter_values_are_ignored(client_of):
    html = page(
        client_of("region"),
        reverse("practices:list"),
        {"municipality": "x", "form": "99999999", "subject": "-1", "kind": "nope", "page": "z"},
    )
    assert OPEN_LESSONS in html


# --- pinned query counts ------------------------------------------------------------------------


def count_queries(client, url, data=None):
    client.get(url, data)  # warm the session and the content types
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, data)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def recommend_more_of_dmitriev():
    """Every other accepted event, material and resource of Dmitriev, through the service."""
    actor = user("uo_dmitriev")
    targets = [
        *Execution.objects.filter(
            plan__center__municipality__name="Дмитриевский район", state="accepted"
        ).select_related("plan__center__hub", "line__venue"),
        *EvidenceFile.objects.filter(execution__state="accepted").select_related(
            "execution__plan__center__hub", "execution__line__venue"
        ),
        *Resource.objects.filter(school__municipality__name="Дмитриевский район").select_related(
            "school"
        ),
    ]
    made = 0
    for target in targets:
        if services.active_practice(target) is None:
            services.mark_practice(target, actor=actor, reason=REASON)
            made += 1
    return made


@pytest.mark.usefixtures("page_cache_off")
@pytest.mark.parametrize(
    ("username", "data", "expected"),
    [
        # session, user, memberships, notifications count, form choices, subject choices,
        # count, the page of practices (+ municipality, school, who marked, event with its
        # line, form, plan and center, material with the same, resource), resources' subjects,
        # which events open, which resources open
        ("school_b", {}, 11),
        # the search finds the resource only: which events open is not asked
        ("uo_dmitriev", {"q": "урок физики"}, 10),
        # … and the municipality choices
        ("region", {}, 12),
    ],
)
def test_the_bank_costs_the_same_with_more_practice(username, data, expected, client_of):
    # A resource of each municipality recommended: every kind of row is on the page.
    services.mark_practice(resource(PHYSICS_LAB), actor=user("uo_dmitriev"), reason="Урок физики")
    client = client_of(username)
    url = reverse("practices:list")
    assert count_queries(client, url, data) == expected
    assert recommend_more_of_dmitriev() >= 20
    assert count_queries(client, url, data) == expected


@pytest.mark.usefixtures("page_cache_off")
def test_a_practice_page_costs_the_same_whatever_its_history(client_of):
    target = practice(KUPINO_LAB)
    client = client_of("region")
    url = reverse("practices:detail", args=[target.pk])
    # session, user, memberships, notifications count, the practice (+ related), its
    # history (+ actors), which resource opens, the resource's subjects
    assert count_queries(client, url) == 8
    services.withdraw_practice(target, actor=user("uo_kupino"), reason="Ремонт.")
    assert count_queries(client, url) == 8


@pytest.mark.usefixtures("page_cache_off")
def test_the_event_page_asks_the_bank_once_whatever_the_number_of_materials(client_of):
    """The tag adds one query to the event's page, for the department too (the files come
    from the page's own context)."""
    lessons = execution(OPEN_LESSONS)
    url = reverse("plans:execution", args=[lessons.pk])
    client = client_of("uo_dmitriev")
    before = count_queries(client, url)
    services.mark_practice(evidence(PHOTO), actor=user("uo_dmitriev"), reason=REASON)
    assert count_queries(client, url) == before
    with CaptureQueriesContext(connection) as ctx:
        client.get(url)
    bank = [q for q in ctx.captured_queries if "practices_practice" in q["sql"]]
    assert len(bank) == 1
