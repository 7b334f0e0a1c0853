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
