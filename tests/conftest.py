"""Shared fixtures: the demo data as the test world and its users as personas.

The demo is loaded once per test database by the same code as ``manage.py load_demo``; every
test then runs inside a transaction that is rolled back, so tests can change anything.
"""

import pytest
from django.contrib.auth import get_user_model

from network_center.demo import load_demo
from schools.models import Organisation

# The personas of SPEC §7 (and of every permission-matrix row), plus the anonymous visitor.
PERSONAS = [
    "uo_dmitriev",
    "rmk_dmitriev",
    "director_sosh2",
    "head_center",
    "wg_member",
    "school_a",
    "school_b",
    "uo_kupino",
    "region",
    "admin",
]
ANONYMOUS = "anonymous"


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        load_demo()


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test starts with an empty cache: rolled-back rows may reuse primary keys (SQLite),
    and cache keys built from them must not find another test's entries."""
    from django.core.cache import cache

    cache.clear()
    yield


@pytest.fixture
def page_cache_off(settings):
    """Pages rendered every time (``schools.caching`` off): for the pinned query counts, which
    measure what rendering a page costs, not what serving it from the cache costs."""
    settings.PAGE_CACHE_SECONDS = 0


@pytest.fixture
def user_of(db):
    def get(username):
        return get_user_model().objects.get(username=username)

    return get


@pytest.fixture
def client_of(db, client, user_of):
    """A logged-in test client for a persona (``anonymous`` gives a logged-out client)."""
    from django.test import Client

    def make(username):
        c = Client()
        if username != ANONYMOUS:
            c.force_login(user_of(username))
        return c

    return make


@pytest.fixture
def org(db):
    def get(short_name):
        return Organisation.objects.get(short_name=short_name)

    return get


SCHOOL_A = "МКОУ «СОШ № 1 г. Дмитриева»"
SCHOOL_B = "МКОУ «Старогородская СОШ»"
HUB = "МКОУ «СОШ № 2 г. Дмитриева»"
KUPINO_SCHOOL = "МКОУ «Чаинская СОШ»"


def _flushes_database(item):
    marker = item.get_closest_marker("django_db")
    return marker is not None and (
        marker.kwargs.get("transaction") or (marker.args and marker.args[0])
    )


def pytest_collection_modifyitems(config, items):
    """Run transactional tests (browser, concurrency) last: the database is flushed after each
    of them, which would remove the demo world the other tests share. Each of them loads the
    demo again for itself."""
    items.sort(key=lambda item: bool(_flushes_database(item)))


def pytest_runtest_logreport(report):
    """Sum the requests the fuzz tests made (``tests/test_fuzz.py`` records them per test;
    under xdist the reports reach the controlling process)."""
    if report.when == "call":
        for name, value in report.user_properties:
            if name in _FUZZ:
                _FUZZ[name] += value
                _FUZZ[f"{name}_tests"] += 1


_FUZZ = {"fuzz_submissions": 0, "fuzz_pages": 0, "fuzz_submissions_tests": 0, "fuzz_pages_tests": 0}


def pytest_terminal_summary(terminalreporter):
    if _FUZZ["fuzz_submissions_tests"] or _FUZZ["fuzz_pages_tests"]:
        terminalreporter.write_line(
            f"fuzz: {_FUZZ['fuzz_submissions']} hostile submissions in "
            f"{_FUZZ['fuzz_submissions_tests']} form tests, {_FUZZ['fuzz_pages']} hostile "
            f"queries in {_FUZZ['fuzz_pages_tests']} page tests"
        )
