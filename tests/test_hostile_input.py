"""No input answers 500: every POST the permission matrix knows, sent by someone allowed to make
it, with each field (and the ids forms refer to) replaced by hostile values."""

import pytest
from django.urls import reverse

from .matrix import MATRIX, forget_resolved, resolve

HOSTILE = {
    "nul": "до\x00после",
    "line breaks": "первая\r\nвторая\nтретья",
    "control": "\x01\x02\x1b[31m\x7f",
    "long": "я" * 20_000,
    "not an id": "1 OR 1=1",
    "negative": "-1",
}
# Fields that forms of the product carry besides the rows' own data.
COMMON_FIELDS = ("comment", "password", "parent", "number", "date", "text", "title", "version")


def _allowed(case):
    return next(
        (p for p, code in case.expect.items() if code in (200, 302) and p != "anonymous"), None
    )


def _cases():
    for name, cases in MATRIX.items():
        for index, case in enumerate(cases):
            persona = _allowed(case)
            if case.method == "post" and persona:
                for label in HOSTILE:
                    yield pytest.param(case, persona, label, id=f"{name}[{index}]-{label}")


@pytest.mark.django_db
@pytest.mark.parametrize(("case", "persona", "hostile"), list(_cases()))
def test_hostile_values_never_answer_500(case, persona, hostile, client_of):
    forget_resolved()
    url = reverse(case.url, args=[resolve(name) for name in case.args])
    value = HOSTILE[hostile]
    # Data made per request names its fields only when made (it may need the database).
    fields = case.data() if callable(case.data) else case.data
    data = dict.fromkeys({*fields, *COMMON_FIELDS}, value)
    response = client_of(persona).post(url, data)
    assert response.status_code < 500, (url, hostile, response.status_code)


QUERY_FIELDS = ("page", "revision", "year", "state", "issuer", "q", "kind", "status", "school")


def _get_cases():
    seen = set()
    for name, cases in MATRIX.items():
        for index, case in enumerate(cases):
            persona = _allowed(case)
            if case.method == "get" and persona and name not in seen:
                seen.add(name)
                yield pytest.param(case, persona, id=f"{name}[{index}]")


@pytest.mark.django_db
@pytest.mark.parametrize(("case", "persona"), list(_get_cases()))
def test_hostile_query_parameters_never_answer_500(case, persona, client_of):
    forget_resolved()
    url = reverse(case.url, args=[resolve(name) for name in case.args])
    client = client_of(persona)
    for value in HOSTILE.values():
        response = client.get(url, dict.fromkeys(QUERY_FIELDS, value))
        assert response.status_code < 500, (url, value[:20], response.status_code)
