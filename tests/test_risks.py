"""Risk profiles: the service (a profile made and changed, its history before → after, a stale
form, the note a high rating needs, who is refused), the pages (a school sees only its own,
Kupino nothing of Dmitriev, the observer reads without a form), the plan page's «Риски без
мероприятий» and the pinned query counts of the profile page, the list and the block."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from monitoring import risks
from monitoring.models import RiskFactor, RiskProfile, RiskProfileEvent
from plans import services as plan_services
from plans.models import Line, Plan
from plans.queries import working_revision
from schools.models import Municipality, Organisation

from .conftest import HUB, KUPINO_SCHOOL, SCHOOL_A, SCHOOL_B

pytestmark = pytest.mark.django_db

KRUPETS = "МКОУ «Крупецкая СОШ»"
STAROGOROD = SCHOOL_B
PERVOAVANGARD = "МКОУ «Первоавангардская СОШ»"
FATEEVKA = "МКОУ «Фатеевская ООШ»"
DMITRIEV_SCHOOLS = [HUB, SCHOOL_A, STAROGOROD, KRUPETS, PERVOAVANGARD, FATEEVKA]


def _factors():
    return {f.code: f for f in RiskFactor.objects.filter(is_active=True)}


def _all(level="low", note="", **named):
    """Ratings for every active factor: ``level`` unless named (``PARENTS=("high", "…")``)."""
    return {f.pk: named.get(code, (level, note)) for code, f in _factors().items()}


def _new_school(name="МКОУ «Новая СОШ»", like=SCHOOL_A):
    base = Organisation.objects.get(short_name=like)
    return Organisation.objects.create(
        kind=Organisation.Kind.SCHOOL,
        region=base.region,
        municipality=base.municipality,
        short_name=name,
        full_name=f"Муниципальное казённое общеобразовательное учреждение {name}",
    )


def _profile_url(school, year=2026):
    return reverse("monitoring:risk_profile", args=[school.pk, year])


def _post_data(profile, **levels):
    """The form as it would be posted: every factor's current level and note, some changed
    (``PARENTS=("high", "…")``)."""
    ratings = {r.factor_id: r for r in profile.ratings.all()}
    data = {"version": str(profile.version)}
    for code, factor in _factors().items():
        level, note = levels.get(code, (ratings[factor.pk].level, ratings[factor.pk].note))
        data[risks.level_field(factor.pk)] = level
        data[risks.note_field(factor.pk)] = note
    return data


# --- the service ---------------------------------------------------------------------------------


def test_a_school_assesses_itself_and_the_history_says_what_it_rated(user_of):
    school = _new_school()
    from schools.services import grant_role

    grant_role(user_of("school_a"), school, "coordinator")
    profile = risks.save_profile(
        school,
        2026,
        actor=user_of("school_a"),
        ratings=_all(PARENTS=("high", "Родители не приходят на собрания.")),
        version=None,
    )
    assert profile.version == 1
    assert profile.ratings.count() == 10
    assert profile.ratings.get(factor__code="PARENTS").level == "high"
    (event,) = profile.events.all()
    assert event.action == "create" and event.actor == user_of("school_a")
    assert event.data["PARENTS"] == {
        "level": ["", "high"],
        "note": ["", "Родители не приходят на собрания."],
    }


def test_the_department_corrects_a_rating_and_only_that_rating_is_written(user_of):
    profile = RiskProfile.objects.get(school__short_name=STAROGOROD, year=2026)
    before = {r.factor.code: (r.pk, r.level, r.note) for r in profile.ratings.all()}
    events = profile.events.count()
    factor = _factors()["MOTIVATION"]
    saved = risks.save_profile(
        profile.school,
        2026,
        actor=user_of("uo_dmitriev"),
        ratings={
            factor.pk: ("high", "Посещаемость элективов упала вдвое."),
            _factors()["PARENTS"].pk: before["PARENTS"][1:],  # unchanged: not written
        },
        version=profile.version,
    )
    assert saved.version == profile.version + 1
    assert saved.updated_by == user_of("uo_dmitriev")
    after = {r.factor.code: (r.pk, r.level, r.note) for r in saved.ratings.all()}
    assert after["MOTIVATION"] == (
        before["MOTIVATION"][0],
        "high",
        "Посещаемость элективов упала вдвое.",
    )
    assert {k: v for k, v in after.items() if k != "MOTIVATION"} == {
        k: v for k, v in before.items() if k != "MOTIVATION"
    }
    assert saved.events.count() == events + 1
    event = saved.events.last()
    assert event.action == "change"
    assert event.data == {
        "MOTIVATION": {
            "level": ["medium", "high"],
            "note": [before["MOTIVATION"][2], "Посещаемость элективов упала вдвое."],
        }
    }


def test_a_save_that_changes_nothing_writes_nothing(user_of):
    profile = RiskProfile.objects.get(school__short_name=SCHOOL_A, year=2026)
    ratings = {r.factor_id: (r.level, r.note) for r in profile.ratings.all()}
    events = RiskProfileEvent.objects.count()
    again = risks.save_profile(
        profile.school, 2026, actor=user_of("school_a"), ratings=ratings, version=profile.version
    )
    assert again.version == profile.version
    assert RiskProfileEvent.objects.count() == events


def test_a_stale_form_is_refused_and_the_first_save_stands(user_of):
    profile = RiskProfile.objects.get(school__short_name=SCHOOL_A, year=2026)
    shown = profile.version
    factor = _factors()["EQUIPMENT"]
    risks.save_profile(
        profile.school,
        2026,
        actor=user_of("uo_dmitriev"),
        ratings={factor.pk: ("medium", "Нужна замена компьютерного класса.")},
        version=shown,
    )
    with pytest.raises(risks.StaleProfile):
        risks.save_profile(
            profile.school,
            2026,
            actor=user_of("school_a"),
            ratings={factor.pk: ("none", "")},
            version=shown,
        )
    assert profile.ratings.get(factor=factor).level == "medium"
    # A profile made meanwhile by someone else is a stale form too.
    school = _new_school()
    risks.save_profile(school, 2026, actor=user_of("uo_dmitriev"), ratings=_all(), version=None)
    with pytest.raises(risks.StaleProfile):
        risks.save_profile(
            school, 2026, actor=user_of("uo_dmitriev"), ratings=_all("medium"), version=None
        )


def test_a_high_rating_needs_a_note(user_of):
    profile = RiskProfile.objects.get(school__short_name=SCHOOL_A, year=2026)
    factor = _factors()["EQUIPMENT"]
    with pytest.raises(ValidationError) as refused:
        risks.save_profile(
            profile.school,
            2026,
            actor=user_of("school_a"),
            ratings={factor.pk: ("high", "   ")},
            version=profile.version,
        )
    assert refused.value.message_dict == {
        risks.note_field(factor.pk): ["Для высокого уровня риска укажите, на чём основана оценка."]
    }
    assert profile.ratings.get(factor=factor).level == "low"


def test_a_new_profile_rates_every_factor_and_knows_only_the_catalogue(user_of):
    school = _new_school()
    some = dict(list(_all().items())[:3])
    with pytest.raises(ValidationError) as refused:
        risks.save_profile(school, 2026, actor=user_of("uo_dmitriev"), ratings=some, version=None)
    assert len(refused.value.message_dict) == 7
    with pytest.raises(ValidationError):
        risks.save_profile(
            school,
            2026,
            actor=user_of("uo_dmitriev"),
            ratings={**_all(), 0: ("low", "")},
            version=None,
        )
    with pytest.raises(ValidationError):
        risks.save_profile(
            school, 2026, actor=user_of("uo_dmitriev"), ratings=_all("критический"), version=None
        )
    assert not RiskProfile.objects.filter(school=school).exists()


@pytest.mark.parametrize(
    ("persona", "school"),
    [
        ("school_b", SCHOOL_A),  # another school of the same network
        ("rmk_dmitriev", SCHOOL_A),  # reads, does not rate
        ("region", SCHOOL_A),  # the observer reads only
        ("head_center", SCHOOL_A),  # the center's staff rate nothing of a participant
        ("uo_kupino", SCHOOL_A),  # another municipality
        ("uo_dmitriev", KUPINO_SCHOOL),
    ],
)
def test_who_may_not_rate_is_refused_and_nothing_changes(persona, school, user_of):
    profile = RiskProfile.objects.get(school__short_name=school, year=2026)
    ratings = {r.factor_id: ("none", "") for r in profile.ratings.all()}
    with pytest.raises(PermissionDenied):
        risks.save_profile(
            profile.school, 2026, actor=user_of(persona), ratings=ratings, version=profile.version
        )
    assert RiskProfile.objects.get(pk=profile.pk).version == profile.version


def test_the_hub_director_rates_the_hub_only(user_of):
    hub = RiskProfile.objects.get(school__short_name=HUB, year=2026)
    factor = _factors()["EQUIPMENT"]
    saved = risks.save_profile(
        hub.school,
        2026,
        actor=user_of("director_sosh2"),
        ratings={factor.pk: ("medium", "")},
        version=hub.version,
    )
    assert saved.version == hub.version + 1
    a = RiskProfile.objects.get(school__short_name=SCHOOL_A, year=2026)
    with pytest.raises(PermissionDenied):
        risks.save_profile(
            a.school, 2026, actor=user_of("director_sosh2"), ratings={}, version=a.version
        )


# --- the pages -----------------------------------------------------------------------------------


def test_a_school_sees_its_own_profile_and_another_schools_is_404(client_of, org):
    client = client_of("school_a")
    page = client.get(_profile_url(org(SCHOOL_A)))
    assert page.status_code == 200
    body = page.content.decode()
    assert "31 обучающийся 5–9 классов" in body
    assert 'name="version"' in body  # its own: the form
    assert client.get(_profile_url(org(SCHOOL_B))).status_code == 404
    assert client.get(_profile_url(org(HUB))).status_code == 404
    post = client.post(_profile_url(org(SCHOOL_B)), {"version": "1"})
    assert post.status_code == 404


def test_kupino_sees_nothing_of_dmitriev(client_of, org):
    client = client_of("uo_kupino")
    dmitriev = Municipality.objects.get(name="Дмитриевский район")
    assert client.get(_profile_url(org(SCHOOL_A))).status_code == 404
    assert client.get(reverse("monitoring:risk_list", args=[dmitriev.pk])).status_code == 404
    kupino = client.get(_profile_url(org(KUPINO_SCHOOL)))
    assert kupino.status_code == 200
    assert "казахоязычной" in kupino.content.decode()


def test_the_observer_reads_without_a_form_and_a_post_is_refused(client_of, org):
    client = client_of("region")
    school = org(SCHOOL_A)
    page = client.get(_profile_url(school)).content.decode()
    assert "31 обучающийся 5–9 классов" in page
    assert 'name="version"' not in page and "Сохранить профиль" not in page
    profile = RiskProfile.objects.get(school=school, year=2026)
    data = _post_data(profile, EQUIPMENT=("high", "Наблюдатель так решил."))
    assert client.post(_profile_url(school), data).status_code == 403
    assert RiskProfile.objects.get(pk=profile.pk).version == profile.version


def test_a_save_from_the_page_is_kept_with_its_history(client_of, org):
    client = client_of("school_a")
    school = org(SCHOOL_A)
    profile = RiskProfile.objects.get(school=school, year=2026)
    data = _post_data(profile, EQUIPMENT=("medium", "Проектор в кабинете математики сломан."))
    response = client.post(_profile_url(school), data, follow=True)
    assert response.status_code == 200
    body = response.content.decode()
    assert "Профиль рисков сохранён." in body
    assert "уровень «низкий» → «средний»" in body
    assert profile.ratings.get(factor__code="EQUIPMENT").level == "medium"


def test_errors_stand_beside_their_field_and_the_input_is_kept(client_of, org):
    client = client_of("school_a")
    school = org(SCHOOL_A)
    profile = RiskProfile.objects.get(school=school, year=2026)
    factor = _factors()["EQUIPMENT"]
    data = _post_data(profile, EQUIPMENT=("high", ""), ENVIRONMENT=("medium", "Тесно в столовой."))
    response = client.post(_profile_url(school), data)
    assert response.status_code == 200
    body = response.content.decode()
    row = body[body.index(f'id="factor-{factor.pk}"') :]
    row = row[: row.index("</tr>")]
    assert "Для высокого уровня риска укажите, на чём основана оценка." in row
    assert '<option value="high" selected>' in row
    assert "Тесно в столовой." in body
    assert RiskProfile.objects.get(pk=profile.pk).version == profile.version


def test_a_second_editor_is_told_and_keeps_their_input(client_of, org, user_of):
    school = org(SCHOOL_A)
    profile = RiskProfile.objects.get(school=school, year=2026)
    stale = _post_data(profile, EQUIPMENT=("medium", "Моя оценка: проектор сломан."))
    # The department saves first.
    risks.save_profile(
        school,
        2026,
        actor=user_of("uo_dmitriev"),
        ratings={
            _factors()["EQUIPMENT"].pk: ("high", "Оценка управления: нет интерактивных досок.")
        },
        version=profile.version,
    )
    client = client_of("school_a")
    response = client.post(_profile_url(school), stale)
    assert response.status_code == 200
    body = response.content.decode()
    assert "профиль рисков сохранил другой пользователь" in body
    assert "Моя оценка: проектор сломан." in body  # the input kept
    assert "Оценка управления: нет интерактивных досок." in body  # what the other saved
    assert f'name="version" value="{profile.version + 1}"' in body
    level = RiskProfile.objects.get(pk=profile.pk).ratings.get(factor__code="EQUIPMENT").level
    assert level == "high"  # the first save stands
    # Saving again, knowing the other save, goes through.
    again = {**stale, "version": str(profile.version + 1)}
    assert client.post(_profile_url(school), again).status_code == 302
    level = RiskProfile.objects.get(pk=profile.pk).ratings.get(factor__code="EQUIPMENT").level
    assert level == "medium"


def test_a_year_out_of_range_is_404(client_of, org):
    client = client_of("uo_dmitriev")
    assert client.get(_profile_url(org(SCHOOL_A), 1999)).status_code == 404
    assert client.get(_profile_url(org(SCHOOL_A), 99999999999)).status_code == 404
    assert client.get(_profile_url(org(SCHOOL_A), 2030)).status_code == 200  # not made yet


def test_the_list_says_who_has_how_many_high_risks(client_of):
    dmitriev = Municipality.objects.get(name="Дмитриевский район")
    url = reverse("monitoring:risk_list", args=[dmitriev.pk])
    body = client_of("region").get(url).content.decode()
    assert "профилей заполнено: 6 из 6" in body
    # Крупецкая: failure, motivation and (after the department's correction) staff — three.
    krupets = body[body.index(KRUPETS) :]
    assert '<span class="badge text-bg-danger">3</span>' in krupets[: krupets.index("</tr>")]
    last_year = client_of("uo_dmitriev").get(url + "?year=2025").content.decode()
    assert "2025/2026" in last_year
    assert client_of("uo_dmitriev").get(url + "?year=garbage").status_code == 200
    for persona in ("school_a", "head_center", "director_sosh2", "uo_kupino"):
        assert client_of(persona).get(url).status_code == 404


def test_the_school_page_links_the_profile_only_for_who_may_see_it(client_of, org):
    school = org(SCHOOL_A)
    url = reverse("schools:detail", args=[school.pk])
    link = _profile_url(school)
    assert link in client_of("school_a").get(url).content.decode()
    assert link in client_of("region").get(url).content.decode()
    # The hub's staff see the school's card, not its risk profile.
    assert link not in client_of("head_center").get(url).content.decode()
    campaigns = client_of("uo_dmitriev").get(reverse("monitoring:list")).content.decode()
    assert reverse("monitoring:risk_list", args=[school.municipality_id]) in campaigns


# --- the plan page -------------------------------------------------------------------------------


def _plan_2026():
    return Plan.objects.get(center__hub__short_name=HUB, year=2026)


def _block(body):
    if "Риски без мероприятий" not in body:
        return None
    start = body.index("Риски без мероприятий")
    return body[start : body.index("</section>", start)]


def _unaddressed(client, plan):
    block = _block(client.get(reverse("plans:detail", args=[plan.pk])).content.decode())
    return block or ""


def test_the_plan_page_lists_exactly_the_high_risks_no_line_addresses(client_of):
    block = _unaddressed(client_of("uo_dmitriev"), _plan_2026())
    # Addressed by the demo's lines: СОШ № 1's teachers' competence, Крупецкая's motivation,
    # Первоавангардская's adaptivity; the hub is no participant (and has no high risk).
    assert {school: names_in(block, school) for school in DMITRIEV_SCHOOLS} == {
        HUB: set(),
        SCHOOL_A: {"FAILURE_RISK"},
        STAROGOROD: {"PARENTS", "EQUIPMENT"},
        KRUPETS: {"STAFF_SHORTAGE", "FAILURE_RISK"},
        PERVOAVANGARD: set(),
        FATEEVKA: {"PARENTS"},
    }
    assert block.count('<li><span class="badge text-bg-danger">') == 6
    # Kupino's high risks are no concern of this plan.
    assert "казахоязычной" not in block


def test_a_risk_leaves_the_block_when_a_line_addresses_it(client_of, user_of):
    plan = _plan_2026()
    client = client_of("uo_dmitriev")
    assert "Нет школьной библиотеки" not in _unaddressed(client, plan)
    assert names_in(_unaddressed(client, plan), STAROGOROD) == {"PARENTS", "EQUIPMENT"}
    revision = working_revision(plan)
    line = revision.lines.get(title="Взаимопосещение уроков математики в сельских школах")
    assert line.schools.filter(short_name=STAROGOROD).exists()
    plan_services.update_line(
        line,
        actor=user_of("head_center"),
        version=line.version,
        risk_factor=_factors()["EQUIPMENT"],
    )
    assert names_in(_unaddressed(client, plan), STAROGOROD) == {"PARENTS"}
    # A line naming the factor but not the school addresses nothing of that school.
    fateevka = FATEEVKA
    assert not line.schools.filter(short_name=fateevka).exists()
    plan_services.update_line(
        Line.objects.get(pk=line.pk),
        actor=user_of("head_center"),
        version=line.version + 1,
        risk_factor=_factors()["PARENTS"],
    )
    assert names_in(_unaddressed(client, plan), fateevka) == {"PARENTS"}
    assert names_in(_unaddressed(client, plan), STAROGOROD) == {"EQUIPMENT"}
    # A line naming no school is an event of the whole network: it addresses every school's.
    plan_services.update_line(
        Line.objects.get(pk=line.pk),
        actor=user_of("head_center"),
        version=line.version + 2,
        schools=[],
    )
    assert names_in(_unaddressed(client, plan), fateevka) == set()
    assert names_in(_unaddressed(client, plan), STAROGOROD) == {"EQUIPMENT"}


def names_in(block, school):
    """The factor codes listed under ``school`` in the block."""
    if school not in block:
        return set()
    part = block.split(school, 1)[1]
    part = part.split("</ul>", 1)[0]
    return {code for code, f in _factors().items() if f.name in part}


def test_the_block_shows_a_school_only_its_own_risks_and_the_center_staff_none(client_of):
    plan = _plan_2026()
    own = _unaddressed(client_of("school_a"), plan)
    assert names_in(own, SCHOOL_A) == {"FAILURE_RISK"}
    assert STAROGOROD not in own and KRUPETS not in own
    assert _unaddressed(client_of("head_center"), plan) == ""
    assert _unaddressed(client_of("wg_member"), plan) == ""
    assert names_in(_unaddressed(client_of("region"), plan), KRUPETS) == {
        "STAFF_SHORTAGE",
        "FAILURE_RISK",
    }


def test_the_line_form_offers_the_active_factors(client_of):
    revision = working_revision(_plan_2026())
    line = revision.lines.get(title="Анализ затруднений учителей математики по итогам ВПР")
    page = client_of("head_center").get(reverse("plans:line_edit", args=[line.pk]))
    body = page.content.decode()
    assert 'name="risk_factor"' in body
    assert f'<option value="{line.risk_factor_id}" selected>' in body
    row = client_of("head_center").get(reverse("plans:line_row", args=[line.pk])).content.decode()
    assert "фактор риска" in row and line.risk_factor.name in row


# --- pinned query counts -------------------------------------------------------------------------


def _count(client, url):
    client.get(url)  # warm: session, content types
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def _more_profiles(user, n=8):
    """``n`` more Dmitriev schools, each with a profile of 2026 saved twice."""
    for i in range(n):
        school = _new_school(f"МКОУ «Тестовая СОШ № {i}»")
        profile = risks.save_profile(
            school, 2026, actor=user, ratings=_all("medium", "Пояснение."), version=None
        )
        factor = _factors()["PARENTS"]
        risks.save_profile(
            school, 2026, actor=user, ratings={factor.pk: ("high", "Причина.")}, version=1
        )
        assert profile.pk


# session, user, memberships, notifications count, school (+municipality), profile (+who
# saved), ratings, factors, events (+who), years
PROFILE_QUERIES = 10
# session, user, memberships, notifications count, municipality (+region), schools with their
# counts, factors with theirs, years
LIST_QUERIES = 8


@pytest.mark.usefixtures("page_cache_off")
def test_profile_page_and_list_do_not_grow_with_schools_and_ratings(client_of, org, user_of):
    client = client_of("uo_dmitriev")
    school = org(KRUPETS)
    profile_url = _profile_url(school)
    list_url = reverse("monitoring:risk_list", args=[school.municipality_id])
    before = _count(client, profile_url), _count(client, list_url)
    _more_profiles(user_of("uo_dmitriev"))
    # More history on the page itself.
    profile = RiskProfile.objects.get(school=school, year=2026)
    for level in ("low", "medium", "low"):
        profile = risks.save_profile(
            school,
            2026,
            actor=user_of("uo_dmitriev"),
            ratings={_factors()["EQUIPMENT"].pk: (level, "")},
            version=profile.version,
        )
    after = _count(client, profile_url), _count(client, list_url)
    assert before == after == (PROFILE_QUERIES, LIST_QUERIES)


@pytest.mark.usefixtures("page_cache_off")
def test_the_plan_page_block_costs_one_query_whatever_the_ratings(client_of, user_of):
    """The block is one query for whoever sees profiles, none for the center's staff (the
    pinned plan page of tests/test_plans.py is the center head's: unchanged)."""
    plan = _plan_2026()
    url = reverse("plans:detail", args=[plan.pk])
    uo = client_of("uo_dmitriev")
    before = _count(uo, url)
    head_before = _count(client_of("head_center"), url)
    _more_profiles(user_of("uo_dmitriev"))
    for school in plan.center.participations.values_list("school", flat=True):
        profile = RiskProfile.objects.get(school_id=school, year=2026)
        risks.save_profile(
            profile.school,
            2026,
            actor=user_of("uo_dmitriev"),
            ratings={_factors()["ENVIRONMENT"].pk: ("high", "Нужен ремонт.")},
            version=profile.version,
        )
    assert _count(uo, url) == before
    assert _count(client_of("head_center"), url) == head_before
    assert "Нужен ремонт." in _unaddressed(uo, plan)


def test_the_school_is_told_when_the_department_corrects_its_profile(
    user_of, django_capture_on_commit_callbacks
):
    from network_center.notifications.models import Notification

    profile = RiskProfile.objects.get(school__short_name=STAROGOROD, year=2026)
    factor = _factors()["MOTIVATION"]
    with django_capture_on_commit_callbacks(execute=True):
        risks.save_profile(
            profile.school,
            2026,
            actor=user_of("uo_dmitriev"),
            ratings={factor.pk: ("high", "Посещаемость элективов упала вдвое.")},
            version=profile.version,
        )
    told = Notification.objects.filter(text__contains="изменило профиль рисков")
    assert set(told.values_list("user__username", flat=True)) >= {"school_b"}
    assert not told.filter(user__username="uo_dmitriev").exists()
    # The school's own change tells nobody.
    profile.refresh_from_db()
    before = told.count()
    with django_capture_on_commit_callbacks(execute=True):
        risks.save_profile(
            profile.school,
            2026,
            actor=user_of("school_b"),
            ratings={factor.pk: ("medium", "")},
            version=profile.version,
        )
    assert told.count() == before
