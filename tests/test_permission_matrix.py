"""Runs the permission matrix and checks that no URL pattern is left without rows."""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from .conftest import ANONYMOUS, PERSONAS
from .matrix import MATRIX, TARGETS

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


@pytest.mark.django_db
@pytest.mark.parametrize(("case", "persona"), list(_cases()))
def test_permission_matrix(case, persona, client_of):
    args = [TARGETS[name]() for name in case.args]
    url = reverse(case.url, args=args)
    client = client_of(persona)
    response = getattr(client, case.method)(url, case.data)
    assert response.status_code == case.expect[persona], (
        f"{case.method.upper()} {url} as {persona}: {response.status_code}, "
        f"expected {case.expect[persona]}"
    )


@pytest.mark.django_db
@pytest.mark.parametrize("persona", [p for p in PERSONAS if p != "admin"])
def test_admin_is_refused_to_everyone_but_the_administrator(persona, client_of):
    response = client_of(persona).get(reverse("admin:index"))
    assert response.status_code == 302
    assert reverse("admin:login") in response["Location"]


@pytest.mark.django_db
def test_admin_opens_for_the_administrator(client_of):
    assert client_of("admin").get(reverse("admin:index")).status_code == 200
