"""Bad input gets a clear answer, never a 500."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "path",
    [
        "/documents/?year=abc&issuer=zzz&kind=nope&state=x&page=-1",
        "/schools/?municipality=abc&status=nope&page=999",
        "/plans/proposals/?state=nonsense",
        "/centers/?municipality=abc",
        "/verify/%00%01/",
        "/verify/" + "A" * 300 + "/",
    ],
)
def test_nonsense_query_strings_do_not_break_pages(client_of, path):
    response = client_of("uo_dmitriev").get(path)
    assert response.status_code in (200, 404)


def test_plan_page_ignores_nonsense_filters(client_of):
    from plans.models import Plan

    plan = Plan.objects.filter(year=2026).first()
    response = client_of("head_center").get(
        reverse("plans:detail", args=[plan.pk]),
        {"revision": "abc", "school": "x", "form": "y", "format": "z", "group": "w"},
    )
    assert response.status_code == 200


def test_an_unknown_transition_is_a_bad_request(client_of):
    from plans.models import Revision

    revision = Revision.objects.filter(state="on_agreement").first()
    response = client_of("head_center").post(
        reverse("plans:transition", args=[revision.pk, "explode"])
    )
    assert response.status_code == 400


def test_a_line_form_with_garbage_redisplays_with_errors(client_of):
    from plans.models import Revision

    revision = Revision.objects.filter(state="on_agreement").first()
    response = client_of("head_center").post(
        reverse("plans:line_add", args=[revision.pk]),
        {"title": "", "date_from": "31.02.2027", "form": "999999", "format": "zzz"},
    )
    assert response.status_code == 200
    assert "Обязательное поле" in response.content.decode()


# What tests/test_fuzz.py found answering 500, kept as plain cases.


def _plan_2026():
    from plans.models import Plan

    return Plan.objects.get(center__hub__short_name="МКОУ «СОШ № 2 г. Дмитриева»", year=2026)


@pytest.mark.parametrize(
    "query",
    [
        {"revision": "\u00b2"},  # a digit to str.isdigit, not to int
        {"revision": "9" * 5000},  # more digits than int() converts
        {"form": "\u00b2"},
        {"form": "9" * 20},  # past 64 bits: SQLite refuses it in a query
        {"school": "\u00b2"},
        {"school": "9" * 20},
    ],
)
def test_the_plan_page_ignores_ids_that_are_not_ids(client_of, page_cache_off, query):
    response = client_of("head_center").get(reverse("plans:detail", args=[_plan_2026().pk]), query)
    assert response.status_code == 200


@pytest.mark.parametrize("query", [{"a": "\u00b2"}, {"b": "\u00b2", "a": "9" * 5000}])
def test_the_comparison_ignores_revision_numbers_that_are_not_numbers(client_of, query):
    response = client_of("head_center").get(reverse("plans:compare", args=[_plan_2026().pk]), query)
    assert response.status_code == 200


@pytest.mark.parametrize("school_pk", [2**63, 10**30])
def test_an_id_out_of_range_in_the_address_is_not_found(client_of, school_pk):
    revision = _plan_2026().revisions.get()
    response = client_of("school_a").post(
        reverse("plans:visa", args=[revision.pk, school_pk]), {"decision": "agreed"}
    )
    assert response.status_code == 404


def test_a_point_under_a_parent_that_is_not_an_id_is_not_found(client_of):
    from .matrix import forget_resolved, resolve

    forget_resolved()
    response = client_of("uo_dmitriev").post(
        reverse("documents:point_add", args=[resolve("dmitriev_draft")]),
        {"new-text": "Пункт", "new-style": "numbered", "parent": "\u00b2"},
    )
    assert response.status_code == 404


def test_a_line_with_a_responsible_id_out_of_range_is_refused_by_the_form(client_of):
    revision = _plan_2026().revisions.get()
    response = client_of("head_center").post(
        reverse("plans:line_add", args=[revision.pk]),
        {
            "title": "Семинар",
            "direction": "Адресная поддержка",
            "format": "in_person",
            "date_kind": "day",
            "date_from": "2026-11-20",
            "responsible": ["9" * 20],
            "schools": ["9" * 20],
        },
    )
    assert response.status_code == 200
    assert response.context["form"].errors.keys() >= {"responsible", "schools"}


@pytest.mark.parametrize(
    ("field", "value", "refused"),
    [
        ("last_name", "Иванова\nПетрова", True),  # one line: no line break
        ("last_name", "Иванова\tПетрова", True),
        ("last_name", "Ива\x00нова", True),
        ("last_name", "Ива\x1bнова", True),  # escape
        ("last_name", "Ива\x85нова", True),  # C1: next line
        ("last_name", "Ива\u2028нова", True),  # line separator
        ("last_name", "Иванова\u200b", False),  # zero-width space: not a control character
        ("position", "учитель\u0301", False),  # combining mark
    ],
)
def test_a_one_line_field_refuses_control_characters_and_line_breaks(
    client_of, org, field, value, refused
):
    from schools.models import Person

    school = org("МКОУ «СОШ № 1 г. Дмитриева»")
    before = Person.objects.count()
    data = {"last_name": "Иванова", "first_name": "Анна", "position": "учитель", field: value}
    response = client_of("uo_dmitriev").post(
        reverse("schools:person_create", args=[school.pk]), data
    )
    assert (Person.objects.count() == before) is refused
    if refused:
        assert response.context["form"].errors[field]


@pytest.mark.parametrize(
    ("text", "refused"),
    [
        ("Первая строка\r\nвторая\tс табуляцией", False),  # a textarea keeps line breaks
        ("до\x00после", True),
        ("звонок\x07", True),
        ("\x9b31m", True),  # C1: control sequence introducer
    ],
)
def test_a_text_of_several_lines_refuses_only_control_characters(client_of, text, refused):
    from plans.models import Visa

    revision = _plan_2026().revisions.get()
    school = Visa.objects.filter(revision=revision, school__short_name__contains="СОШ № 1").get()
    client_of("school_a").post(
        reverse("plans:visa", args=[revision.pk, school.school_id]),
        {"decision": "agreed_remarks", "remarks": text},
    )
    school.refresh_from_db()
    assert (school.remarks == text) is not refused


@pytest.mark.parametrize("inn", ["\u00b2" * 10, "\u0661" * 10, "12345678901"])
def test_an_inn_is_ascii_digits(client_of, org, inn):
    school = org("МКОУ «СОШ № 1 г. Дмитриева»")
    response = client_of("uo_dmitriev").get(reverse("schools:edit", args=[school.pk]))
    data = {
        name: value
        for name, value in (
            (name, response.context["form"][name].value())
            for name in response.context["form"].fields
        )
        if value is not None
    }
    data["inn"] = inn
    response = client_of("uo_dmitriev").post(reverse("schools:edit", args=[school.pk]), data)
    assert response.status_code == 200
    assert "inn" in response.context["form"].errors


def test_a_username_longer_than_any_is_refused_before_the_lockout_records_it(client):
    # django-axes keeps a failed login's username in 255 characters; PostgreSQL refused a longer
    # one with a DataError (a 500 on the public login page).
    from axes.models import AccessAttempt

    response = client.post(reverse("login"), {"username": "я" * 256, "password": "x"})
    assert response.status_code == 200
    assert response.context["form"].errors["username"]
    assert not AccessAttempt.objects.exists()
