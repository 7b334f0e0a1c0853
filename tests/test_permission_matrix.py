"""Runs the permission matrix and checks that no URL pattern is left without rows."""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from .conftest import ANONYMOUS, PERSONAS
from .matrix import MATRIX, forget_resolved, resolve

# Django's admin checks staff status itself; one row in test_admin_access covers it.
IGNORED_NAMESPACES = {"admin"}


def _named_patterns(resolver=None, namespace=None):
    resolver = resolver or get_resolver()
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            ns = pattern.namespace
            if ns in IGNORED_NAMESPACES:
                continue
            full = f"{namespace}:{ns}" if namespace and ns else (ns or namespace)
            yield from _named_patterns(pattern, full)
        elif isinstance(pattern, URLPattern):
            name = pattern.name
            if name is None:
                yield f"<unnamed {pattern.pattern}>"
            else:
                yield f"{namespace}:{name}" if namespace else name


def test_every_url_pattern_has_rows_in_the_matrix():
    missing = sorted(set(_named_patterns()) - set(MATRIX))
    assert not missing, f"URL patterns without permission-matrix rows: {missing}"


def _cases():
    for name, cases in MATRIX.items():
        for index, case in enumerate(cases):
            for persona in [*PERSONAS, ANONYMOUS]:
                label = case.label or case.method
                yield pytest.param(case, persona, id=f"{name}[{index}:{label}]-{persona}")


def test_every_post_row_asserts_the_state_it_may_change():
    missing = [
        f"{name}[{index}]"
        for name, cases in MATRIX.items()
        for index, case in enumerate(cases)
        if case.method == "post" and case.state is None
    ]
    assert not missing, f"POST rows without a state to check: {missing}"


@pytest.mark.django_db
@pytest.mark.parametrize(("case", "persona"), list(_cases()))
def test_permission_matrix(case, persona, client_of):
    forget_resolved()
    args = [resolve(name) for name in case.args]
    url = reverse(case.url, args=args)
    client = client_of(persona)
    before = case.state() if case.state else None
    # Data that holds files, or names objects by key, is made afresh for every request.
    data = case.data() if callable(case.data) else case.data
    response = getattr(client, case.method)(url, data, follow=True)
    expected = case.expect[persona]
    where = f"{case.method.upper()} {url} as {persona}"
    landed = response.request["PATH_INFO"]
    if expected == 302:
        # Redirected, and the page it landed on opens for this person.
        assert response.redirect_chain, f"{where}: {response.status_code}, expected a redirect"
        assert response.status_code == 200, (
            f"{where}: redirected to {landed}, which answered {response.status_code}"
        )
        if persona == ANONYMOUS:
            assert landed == reverse("login"), f"{where}: landed on {landed}, not the login page"
    else:
        assert response.status_code == expected, (
            f"{where}: {response.status_code} (landed on {landed}), expected {expected}"
        )
    if case.state is not None:
        after = case.state()
        if persona in case.changes:
            assert after != before, f"{where}: expected a change, nothing changed"
        else:
            assert after == before, f"{where}: changed what it must not"


@pytest.mark.django_db
@pytest.mark.parametrize("persona", [p for p in PERSONAS if p != "admin"])
def test_admin_is_refused_to_everyone_but_the_administrator(persona, client_of):
    response = client_of(persona).get(reverse("admin:index"))
    assert response.status_code == 302
    assert reverse("admin:login") in response["Location"]


@pytest.mark.django_db
def test_admin_opens_for_the_administrator(client_of):
    assert client_of("admin").get(reverse("admin:index")).status_code == 200
