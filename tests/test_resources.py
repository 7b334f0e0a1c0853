"""The resources schools offer to the network: entered by the school itself, seen by its
municipality, found by words in any of their Russian forms (on SQLite and on PostgreSQL).

Who may open and post each page is in tests/matrix_resources.py; here, what the people see and
what changed.
"""

import re

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from schools import resource_services as services
from schools.models import Organisation, Person
from schools.resource_search import crude_stem, search_resources, search_words
from schools.resources import Resource, ResourceEvent, Subject

from .conftest import HUB, KUPINO_SCHOOL, SCHOOL_A, SCHOOL_B

pytestmark = pytest.mark.django_db

ON_POSTGRES = connection.vendor == "postgresql"


def subject(name):
    return Subject.objects.get(name=name)


def enter(org, user_of, username, title, *, kind="methodological", subjects=(), **fields):
    return services.add_resource(
        org, actor=user_of(username), kind=kind, title=title, subjects=subjects, **fields
    )


def titles(queryset):
    return [r.title for r in queryset]


# --- the search ----------------------------------------------------------------------------


@pytest.fixture
def worded(org, user_of):
    """Three resources of school A whose words appear in one form only, and one unrelated."""
    school = org(SCHOOL_A)
    made = [
        enter(school, user_of, "school_a", "Кабинет химии", kind="material", quantity=20),
        enter(
            school,
            user_of,
            "school_a",
            "Практикум для 8 класса",
            description="Работы выполняются в школе, оснащённой цифровой лабораторией.",
        ),
        enter(school, user_of, "school_a", "Кружок робототехнической направленности"),
        enter(school, user_of, "school_a", "Программа по географии"),
    ]
    return Resource.objects.filter(pk__in=[r.pk for r in made])


@pytest.mark.parametrize(
    ("query", "found"),
    [
        ("химия", ["Кабинет химии"]),
        ("Химия", ["Кабинет химии"]),
        ("лаборатория", ["Практикум для 8 класса"]),
        ("робототехника", ["Кружок робототехнической направленности"]),
        ("робототехническая", ["Кружок робототехнической направленности"]),
        # Every word must be found; prepositions and short words are not looked for.
        ("кабинет по химии", ["Кабинет химии"]),
        ("кабинет физики", []),
        ("физика", []),
    ],
)
def test_the_search_finds_the_russian_word_forms_on_either_database(worded, query, found):
    assert sorted(titles(search_resources(worded, query))) == sorted(found)


def test_an_empty_or_wordless_query_narrows_nothing(worded):
    for query in ["", "   ", "по в на", "&|!:*'()", "\x00"]:
        assert search_resources(worded, query).count() == 4


def test_the_crude_stem_cuts_endings_and_alternating_consonants():
    assert crude_stem("химия") == crude_stem("химии") == "хим"
    assert crude_stem("лаборатория") == crude_stem("лабораторией") == "лаборатор"
    assert "робототехнической".startswith(crude_stem("робототехника"))
    assert "робототехника".startswith(crude_stem("робототехнической"))
    # Short words keep their letters: «ИЗО», «ОГЭ».
    assert crude_stem("изо") == "изо"
    assert search_words("Мастер-класс по химии для 9 класса") == ["мастер", "класс", "химии"]


def test_the_list_page_finds_a_chemistry_master_class_for_a_coordinator_of_dmitriev(client_of):
    body = client_of("school_a").get(reverse("schools:resource_list"), {"q": "химия"})
    text = body.content.decode()
    assert "Мастер-класс по химии" in text
    assert "Учитель химии высшей категории" in text
    # Kupino's chemistry teacher is another municipality's.
    assert "Учитель химии — тренер по подготовке к ВПР" not in text
    assert "Лаборатория робототехники" not in text


def test_the_list_finds_the_robotics_lab_by_another_form_of_the_word(client_of):
    text = client_of("school_b").get(
        reverse("schools:resource_list"), {"q": "лабораторией робототехнической"}
    )
    assert "Лаборатория робототехники центра «Точка роста»" in text.content.decode()


def test_a_teacher_is_found_by_name_and_by_what_they_can_do(user_of):
    visible = Resource.objects.visible_to(user_of("rmk_dmitriev"))
    assert titles(search_resources(visible, "Ситникова")) == [
        "Учитель химии высшей категории — тренер по подготовке к ОГЭ и ЕГЭ"
    ]
    mentors = titles(search_resources(visible, "наставники"))
    assert "Наставник молодых учителей математики" in mentors


def test_filters_by_kind_subject_and_school(client_of, org):
    client = client_of("uo_dmitriev")
    url = reverse("schools:resource_list")
    by_subject = client.get(url, {"subject": subject("Химия").pk}).content.decode()
    assert "Мастер-класс по химии" in by_subject and "Спортивный зал" not in by_subject
    by_kind = client.get(url, {"kind": "material"}).content.decode()
    assert "Спортивный зал и лыжная база" in by_kind and "Мастер-класс по химии" not in by_kind
    by_school = client.get(url, {"school": org(SCHOOL_B).pk}).content.decode()
    assert "Спортивный зал" in by_school and "Лаборатория робототехники" not in by_school


@pytest.mark.skipif(not ON_POSTGRES, reason="ranking is PostgreSQL's full-text search")
def test_on_postgres_a_title_match_ranks_above_a_description_match(org, user_of):
    school = org(SCHOOL_A)
    below = enter(
        school, user_of, "school_a", "Практикум", description="Опыты по химии для 9 класса."
    )
    above = enter(school, user_of, "school_a", "Практикум по химии")
    found = list(search_resources(Resource.objects.filter(pk__in=[below.pk, above.pk]), "химия"))
    assert found == [above, below]
    assert found[0].rank > found[1].rank


@pytest.mark.skipif(not ON_POSTGRES, reason="the GIN index exists on PostgreSQL only")
def test_on_postgres_the_search_uses_the_gin_index():
    query = search_resources(Resource.objects.all(), "робототехника")
    with connection.cursor() as cursor:
        # Few rows: only forbidding the sequential scan shows whether the index can serve.
        cursor.execute("SET LOCAL enable_seqscan = off")
    assert "resource_search" in query.explain()


@pytest.mark.skipif(ON_POSTGRES, reason="SQLite's path: the crude stem, contained")
def test_on_sqlite_the_search_is_the_crude_stem_contained_case_insensitively(worded):
    assert titles(search_resources(worded, "КАБИНЕТЫ ХИМИЧЕСКИЕ")) == ["Кабинет химии"]


# --- who enters and who sees ---------------------------------------------------------------


def test_a_coordinator_cannot_edit_another_schools_resource(client_of):
    resource = Resource.objects.get(title="Кабинет физики с цифровой лабораторией")
    client = client_of("school_b")
    url = reverse("schools:resource_edit", args=[resource.pk])
    assert client.get(url).status_code == 403
    response = client.post(url, {"title": "Подмена", "quantity": "1"})
    assert response.status_code == 403
    resource.refresh_from_db()
    assert resource.title == "Кабинет физики с цифровой лабораторией"
    assert client.post(reverse("schools:resource_delete", args=[resource.pk])).status_code == 403
    assert Resource.objects.filter(pk=resource.pk).exists()
    # It sees it, though: resources are offered to the whole network.
    page = client.get(reverse("schools:resource_detail", args=[resource.pk]))
    assert page.status_code == 200
    assert reverse("schools:resource_edit", args=[resource.pk]) not in page.content.decode()


def test_a_coordinator_cannot_see_a_kupino_resource(client_of, org):
    resource = Resource.objects.filter(school__municipality__name="Купинский район").first()
    client = client_of("school_a")
    for name in ("schools:resource_detail", "schools:resource_edit", "schools:resource_delete"):
        assert client.get(reverse(name, args=[resource.pk])).status_code == 404
    kupino = org(KUPINO_SCHOOL)
    assert client.get(reverse("schools:school_resources", args=[kupino.pk])).status_code == 404
    listed = client.get(reverse("schools:resource_list")).content.decode()
    assert resource.title not in listed


def test_a_service_refuses_whoever_the_rules_refuse(org, user_of):
    school = org(SCHOOL_A)
    for username in ("school_b", "uo_dmitriev", "region", "head_center"):
        with pytest.raises(PermissionDenied):
            enter(school, user_of, username, "Чужой ресурс")
    resource = Resource.objects.get(title="Кабинет физики с цифровой лабораторией")
    with pytest.raises(PermissionDenied):
        services.delete_resource(resource, actor=user_of("uo_dmitriev"))
    with pytest.raises(PermissionDenied):
        services.update_resource(resource, actor=user_of("school_b"), title="Подмена")


def test_the_department_corrects_a_schools_resource_and_the_history_names_it(user_of):
    resource = Resource.objects.get(title="Кабинет физики с цифровой лабораторией")
    services.update_resource(resource, actor=user_of("uo_dmitriev"), quantity=26)
    event = ResourceEvent.objects.filter(resource_id=resource.pk).latest("pk")
    assert event.action == "changed" and event.actor.username == "uo_dmitriev"
    assert event.fields == {"quantity": ["24", "26"]}


def test_a_staff_resource_is_a_teacher_of_the_school_itself(org, user_of):
    other = Person.objects.filter(organisation=org(HUB)).first()
    with pytest.raises(ValidationError) as refused:
        enter(
            org(SCHOOL_A),
            user_of,
            "school_a",
            "Учитель",
            kind="staff",
            person=other,
            as_mentor=True,
        )
    assert "person" in refused.value.error_dict


# --- the pages -----------------------------------------------------------------------------


def test_a_school_enters_edits_and_deletes_its_resource_and_the_history_stays(client_of, org):
    school = org(SCHOOL_A)
    client = client_of("school_a")
    teacher = Person.objects.get(organisation=school, last_name="Прохорова")
    response = client.post(
        reverse("schools:resource_create", args=[school.pk, "staff"]),
        {
            "title": "Учитель литературы — ведущий мастер-классов",
            "person": teacher.pk,
            "as_master_class_lead": "on",
            "subjects": [subject("Литература").pk],
            "description": "Мастер-классы по анализу текста.",
            "is_available": "on",
        },
        follow=True,
    )
    assert response.status_code == 200
    resource = Resource.objects.get(title="Учитель литературы — ведущий мастер-классов")
    assert resource.person == teacher and resource.created_by.username == "school_a"
    assert "Ресурс внесён." in response.content.decode()

    edit = reverse("schools:resource_edit", args=[resource.pk])
    response = client.post(
        edit,
        {
            "title": resource.title,
            "person": teacher.pk,
            "as_master_class_lead": "on",
            "as_mentor": "on",
            "subjects": [subject("Литература").pk, subject("Русский язык").pk],
            "description": "Мастер-классы по анализу текста.",
        },
        follow=True,
    )
    assert response.status_code == 200
    page = response.content.decode()
    # The history on the page names what changed.
    assert "наставник" in page and "временно недоступен" in page
    changed = ResourceEvent.objects.filter(resource_id=resource.pk, action="changed").get()
    assert changed.fields["as_mentor"] == ["нет", "да"]
    assert changed.fields["is_available"] == ["да", "нет"]
    assert changed.fields["subjects"] == ["Литература", "Литература, Русский язык"]

    response = client.post(reverse("schools:resource_delete", args=[resource.pk]), follow=True)
    assert response.request["PATH_INFO"] == reverse("schools:school_resources", args=[school.pk])
    assert not Resource.objects.filter(pk=resource.pk).exists()
    actions = list(
        ResourceEvent.objects.filter(resource_id=resource.pk).values_list("action", flat=True)
    )
    assert actions == ["created", "changed", "deleted"]


def _field_block(html, name):
    """The markup of one field's wrapper (crispy's ``div_id_<name>``)."""
    match = re.search(rf'<div id="div_id_{name}".*?(?=<div id="div_id_|</form>)', html, re.S)
    assert match, name
    return match.group(0)


def test_a_bad_form_redisplays_with_errors_beside_the_fields_and_the_choices_kept(client_of, org):
    school = org(SCHOOL_A)
    teacher = Person.objects.get(organisation=school, last_name="Прохорова")
    chemistry, biology = subject("Химия"), subject("Биология")
    count = Resource.objects.count()
    response = client_of("school_a").post(
        reverse("schools:resource_create", args=[school.pk, "staff"]),
        {
            "title": "",
            "person": teacher.pk,
            "subjects": [chemistry.pk, biology.pk],
            "description": "Описание остаётся.",
        },
    )
    assert response.status_code == 200
    assert Resource.objects.count() == count
    html = response.content.decode()
    assert "Обязательное поле" in _field_block(html, "title")
    assert "Отметьте, кем педагог готов работать в сети" in _field_block(html, "as_mentor")
    # What was chosen stays chosen.
    person = _field_block(html, "person")
    assert re.search(rf'<option value="{teacher.pk}"[^>]*selected', person)
    subjects = _field_block(html, "subjects")
    for kept in (chemistry, biology):
        assert re.search(rf'value="{kept.pk}"[^>]*checked', subjects)
    assert not re.search(rf'value="{subject("Физика").pk}"[^>]*checked', subjects)
    assert "Описание остаётся." in html


def test_a_staff_form_offers_only_the_schools_own_people(client_of, org):
    school = org(SCHOOL_A)
    html = client_of("school_a").get(reverse("schools:resource_create", args=[school.pk, "staff"]))
    person = _field_block(html.content.decode(), "person")
    assert "Прохорова" in person and "Ситникова" not in person
    # The fields of the other kinds are not there.
    assert 'name="quantity"' not in html.content.decode()
    assert 'name="url"' not in html.content.decode()


def test_the_school_page_links_its_resources_and_the_navbar_the_network(client_of, org):
    school = org(SCHOOL_A)
    html = client_of("school_a").get(reverse("schools:detail", args=[school.pk])).content
    html = html.decode()
    assert reverse("schools:school_resources", args=[school.pk]) in html
    assert f'href="{reverse("schools:resource_list")}"' in html
    page = client_of("school_a").get(reverse("schools:school_resources", args=[school.pk]))
    body = page.content.decode()
    assert "Кабинет физики с цифровой лабораторией" in body
    assert reverse("schools:resource_create", args=[school.pk, "staff"]) in body
    # The department corrects, but does not enter a school's resources.
    body = client_of("uo_dmitriev").get(page.request["PATH_INFO"]).content.decode()
    assert reverse("schools:resource_create", args=[school.pk, "staff"]) not in body
    assert "изменить" in body


def test_every_dmitriev_school_offers_resources_in_the_demo(org):
    from schools.models import Organisation

    schools = Organisation.objects.schools().filter(municipality__name="Дмитриевский район")
    assert schools.count() >= 6
    assert all(school.resources.exists() for school in schools)
    assert Resource.objects.filter(school__municipality__name="Купинский район").count() >= 2
    assert Resource.objects.filter(title__startswith="Мастер-класс по химии").exists()
    assert Resource.objects.filter(title__startswith="Лаборатория робототехники").exists()
    # Entered through the service: each has its «created» row, by the school's own login.
    for resource in Resource.objects.all():
        event = ResourceEvent.objects.get(resource_id=resource.pk, action="created")
        assert event.actor == resource.created_by


def test_str_names_the_resource_and_its_school_without_a_query(user_of):
    resources = list(Resource.objects.visible_to(user_of("uo_dmitriev")))
    with CaptureQueriesContext(connection) as ctx:
        names = [str(r) for r in resources]
    assert len(ctx.captured_queries) == 0
    assert f"Лаборатория робототехники центра «Точка роста» — {HUB}" in names


# --- query counts --------------------------------------------------------------------------


def count_queries(client, url, data=None):
    client.get(url, data)  # warm caches (content types, session) so that only the page counts
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, data)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def add_resources(school, user, n):
    subjects = list(Subject.objects.all()[:3])
    for i in range(n):
        services.add_resource(
            school,
            actor=user,
            kind="methodological",
            title=f"Программа по химии № {i}",
            description="Материалы для учителей химии",
            subjects=subjects[: i % 4],
        )


@pytest.mark.usefixtures("page_cache_off")
@pytest.mark.parametrize(
    ("persona", "query", "expected"),
    [
        # session, user, memberships, notifications count, subject choices, school choices,
        # count, page of resources (+school, municipality, person), their subjects
        ("school_a", {}, 9),
        ("school_a", {"q": "химия", "kind": "methodological"}, 9),
        ("region", {"q": "программа химии"}, 9),
    ],
)
def test_the_list_page_costs_the_same_with_10_and_60_resources(
    persona, query, expected, client_of, org, user_of
):
    client = client_of(persona)
    url = reverse("schools:resource_list")
    add_resources(org(SCHOOL_A), user_of("school_a"), 10)
    assert count_queries(client, url, query) == expected
    add_resources(org(SCHOOL_A), user_of("school_a"), 50)
    assert count_queries(client, url, query) == expected


@pytest.mark.usefixtures("page_cache_off")
@pytest.mark.parametrize("persona", ["school_a", "uo_dmitriev", "school_b"])
def test_the_school_resources_page_costs_the_same_with_10_and_60_resources(
    persona, client_of, org, user_of
):
    school = org(SCHOOL_A)
    client = client_of(persona)
    url = reverse("schools:school_resources", args=[school.pk])
    # session, user, memberships, notifications count, school (+municipality, head),
    # resources (+person), their subjects
    add_resources(school, user_of("school_a"), 10)
    assert count_queries(client, url) == 7
    add_resources(school, user_of("school_a"), 50)
    assert count_queries(client, url) == 7


@pytest.mark.usefixtures("page_cache_off")
def test_the_resource_page_costs_the_same_with_a_longer_history(client_of, user_of):
    resource = Resource.objects.get(title="Кабинет физики с цифровой лабораторией")
    client = client_of("school_b")
    url = reverse("schools:resource_detail", args=[resource.pk])
    # session, user, memberships, resource (+school, municipality, head, person, author),
    # its subjects, notifications count, its history (+actors), the bank's recommendation
    assert count_queries(client, url) == 8
    for n in range(10):
        services.update_resource(resource, actor=user_of("school_a"), quantity=n + 1)
    assert count_queries(client, url) == 8


def test_a_second_editor_of_a_resource_is_told_and_loses_nothing(client_of, user_of):
    """Two people open the same resource; the one who saves second is told, their text kept,
    and the first one's save stands."""
    resource = Resource.objects.get(title="Кабинет физики с цифровой лабораторией")
    opened = resource.version
    services.update_resource(
        resource, actor=user_of("uo_dmitriev"), description="Поправлено управлением."
    )
    response = client_of("school_a").post(
        reverse("schools:resource_edit", args=[resource.pk]),
        {
            "version": opened,
            "title": resource.title,
            "quantity": "30",
            "description": "Тридцать мест после ремонта.",
            "is_available": "on",
        },
    )
    page = response.content.decode()
    assert response.status_code == 200 and "его сохранил другой пользователь" in page
    assert "Тридцать мест после ремонта." in page
    resource.refresh_from_db()
    assert resource.description == "Поправлено управлением." and resource.quantity == 24
    assert resource.version == opened + 1


def test_a_teacher_renamed_on_their_card_is_found_under_the_new_name_at_once(user_of):
    from schools.services import update_person

    resource = Resource.objects.get(title="Наставник для учителей русского языка")
    teacher, version = resource.person, resource.version
    assert not list(search_resources(Resource.objects.all(), "Преображенская"))
    update_person(teacher, actor=user_of("uo_dmitriev"), last_name="Преображенская")
    found = list(search_resources(Resource.objects.all(), "Преображенская"))
    assert resource in found
    resource.refresh_from_db()
    assert resource.version == version, "not an edit of the resource: no conflict for its editors"


def _markup(html):
    return re.sub(r">\s+<", "><", str(html)).strip()


@pytest.mark.parametrize(
    "choices, value",
    [
        ([("", "Любой"), ("lab", "Лаборатория «Кванториум» & <b>"), ("teacher", "Педагог")], "lab"),
        ([("a", "A"), ("a", "A again"), ("b", "B")], "a"),  # the first match only is selected
        ([("", "Все"), ("Дмитриев", [("1", "СОШ № 2"), ("2", "ООШ")]), ("3", "Лицей")], "2"),
        ([(1, "один"), (2, "два")], None),
    ],
)
def test_the_plain_select_writes_what_djangos_select_writes(choices, value):
    from django import forms

    from schools.widgets import PlainSelect

    attrs = {"id": "id_school", "class": "form-select", "required": True}
    ours = PlainSelect(choices=choices).render("school", value, attrs=attrs)
    django = forms.Select(choices=choices).render("school", value, attrs=attrs)
    assert _markup(ours) == _markup(django)


def test_the_plain_select_of_schools_writes_what_djangos_select_writes():
    from django import forms

    from schools.widgets import PlainSelect

    schools = Organisation.objects.schools().order_by("short_name")
    chosen = schools[3]
    fields = [
        forms.ModelChoiceField(queryset=schools, widget=widget, empty_label="Все")
        for widget in (PlainSelect, forms.Select)
    ]
    ours, django = (f.widget.render("school", chosen.pk) for f in fields)
    assert _markup(ours) == _markup(django)
    assert f'<option value="{chosen.pk}" selected>' in ours
