"""The permission matrix: every URL name × every persona × own / foreign object → outcome.

Each app adds its rows here. ``test_permission_matrix.py`` runs every row, **following redirects**,
and asserts the outcome:

- the final status: ``200``, ``403``, ``404``, ``405``; ``302`` in a row is shorthand for «was
  redirected, and the page it landed on opened (200)» — for the anonymous visitor, that the page
  is the login page;
- for every POST row, the state it may change (``state``: a snapshot read before and after the
  request): it must differ afterwards for exactly the personas in ``changes`` and stay equal for
  everyone else. A POST row without ``state`` fails the suite.

The suite also fails when any URL pattern of the project has no row (the admin is Django's own
and checked separately).
"""

from collections.abc import Callable
from dataclasses import dataclass, field

from .conftest import ANONYMOUS, HUB, KUPINO_SCHOOL, PERSONAS, SCHOOL_A

EVERYONE = [*PERSONAS]


def expect(default: int, anonymous: int = 302, **overrides: int) -> dict[str, int]:
    """Expected status for every persona: ``default`` unless overridden by name."""
    unknown = set(overrides) - set(PERSONAS)
    if unknown:
        raise ValueError(f"unknown personas: {unknown}")
    result = {p: overrides.get(p, default) for p in PERSONAS}
    result[ANONYMOUS] = anonymous
    return result


@dataclass
class Case:
    url: str
    expect: dict[str, int]
    method: str = "get"
    # Names of objects (see TARGETS) whose primary keys fill the URL's arguments.
    args: tuple[str, ...] = ()
    data: dict = field(default_factory=dict)
    label: str = ""
    # What the request may change: read before and after it (a snapshot that compares equal when
    # nothing changed), and the personas for whom it must have changed.
    state: Callable[[], object] | None = None
    changes: tuple[str, ...] = ()


# Targets resolved in the running test: some targets make their object on first use (a draft),
# so a row's arguments and its state snapshot must share one resolution.
_RESOLVED: dict[str, object] = {}


def resolve(name: str):
    if name not in _RESOLVED:
        _RESOLVED[name] = TARGETS[name]()
    return _RESOLVED[name]


def forget_resolved() -> None:
    _RESOLVED.clear()


def row_of(model_path: str, target: str, *related: str):
    """A snapshot of one row (and the rows of its ``related`` managers) for ``Case.state``:
    ``row_of("documents.LegalDocument", "dmitriev_draft", "points")``. A deleted row reads as
    ``None``."""

    def snapshot():
        from django.apps import apps

        model = apps.get_model(model_path)
        pk = resolve(target)
        obj = model._base_manager.filter(pk=pk).first()
        if obj is None:
            return None
        values = model._base_manager.filter(pk=pk).values().get()
        values.pop("updated_at", None)
        for name in related:
            values[name] = sorted(repr(sorted(r.items())) for r in getattr(obj, name).values())
        return repr(values)

    return snapshot


def count_of(model_path: str, **filters):
    """A snapshot of how many rows of a model match ``filters`` (a creation changes it)."""

    def snapshot():
        from django.apps import apps

        return apps.get_model(model_path)._base_manager.filter(**filters).count()

    return snapshot


def languages():
    """Everyone's interface language (``Person.language``), for the rows of ``language``."""
    from schools.models import Person

    return sorted(Person.objects.exclude(user=None).values_list("user__username", "language"))


def _org_pk(short_name):
    from schools.models import Organisation

    return lambda: Organisation.objects.get(short_name=short_name).pk


def _school_a_head():
    from schools.models import Organisation

    return Organisation.objects.get(short_name=SCHOOL_A).head_id


TARGETS = {
    "school_a_school": _org_pk(SCHOOL_A),
    "school_a_head": _school_a_head,
    "hub_school": _org_pk(HUB),
    "kupino_school": _org_pk(KUPINO_SCHOOL),
}

# Who edits a Dmitriev school's card and people: its department (and the administrator); the
# others who see the school are refused.
DEPARTMENT_EDITS = dict(
    uo_dmitriev=200,
    admin=200,
    rmk_dmitriev=403,
    school_a=403,
    region=403,
    director_sosh2=403,
    head_center=403,
    wg_member=403,
)

MATRIX: dict[str, list[Case]] = {
    "home": [Case("home", expect(200))],
    "login": [
        Case("login", expect(302, anonymous=200)),
    ],
    "logout": [
        Case(
            "logout",
            expect(302, anonymous=302),
            method="post",
            # The session of everyone logged in ends (its row is deleted).
            state=lambda: count_of("sessions.Session")(),
            changes=tuple(PERSONAS),
        ),
        Case("logout", expect(405, anonymous=405), label="GET is refused"),
    ],
    "password_change": [Case("password_change", expect(200))],
    "password_change_done": [Case("password_change_done", expect(200))],
    # Everyone with a card of their own chooses the language of their own pages; the
    # administrator's login has none (403). Whose row changed: test_i18n.
    "language": [
        Case("language", expect(200, admin=403)),
        Case(
            "language",
            expect(302, admin=403),
            method="post",
            data={"language": "en"},
            state=languages,
            changes=tuple(p for p in PERSONAS if p != "admin"),
        ),
        Case(
            "language",
            expect(200, admin=403),
            method="post",
            data={"language": "xx"},
            label="an unknown language re-displays the form",
            state=languages,
            changes=(),
        ),
    ],
    "schools:list": [Case("schools:list", expect(200))],
    "schools:detail": [
        Case(
            "schools:detail",
            expect(
                404,
                uo_dmitriev=200,
                rmk_dmitriev=200,
                school_a=200,
                region=200,
                admin=200,
                # The hub's staff see the schools of their network.
                director_sosh2=200,
                head_center=200,
                wg_member=200,
            ),
            args=("school_a_school",),
            label="Dmitriev participant school",
        ),
        Case(
            "schools:detail",
            expect(404, uo_kupino=200, region=200, admin=200),
            args=("kupino_school",),
            label="Kupino school",
        ),
    ],
    "schools:edit": [
        Case(
            "schools:edit",
            expect(
                404,
                uo_dmitriev=200,
                admin=200,
                rmk_dmitriev=403,
                school_a=403,
                region=403,
                director_sosh2=403,
                head_center=403,
                wg_member=403,
            ),
            args=("school_a_school",),
        ),
        Case(
            "schools:edit",
            expect(404, uo_kupino=200, admin=200, region=403),
            args=("kupino_school",),
        ),
        Case(
            "schools:edit",
            expect(
                404,
                uo_dmitriev=200,
                admin=200,
                rmk_dmitriev=403,
                school_a=403,
                region=403,
                director_sosh2=403,
                head_center=403,
                wg_member=403,
            ),
            method="post",
            args=("school_a_school",),
            data={"full_name": "", "short_name": ""},
            label="invalid POST re-displays the form",
            state=row_of("schools.Organisation", "school_a_school"),
            changes=(),
        ),
    ],
    "schools:organisation_list": [Case("schools:organisation_list", expect(200))],
    # The department enters the organisations of its municipality; the other rows of creation
    # (what was created, by whom) are in test_organisations.
    "schools:organisation_create": [
        Case(
            "schools:organisation_create",
            expect(403, uo_dmitriev=200, uo_kupino=200, admin=200),
        ),
        Case(
            "schools:organisation_create",
            expect(403, uo_dmitriev=200, uo_kupino=200, admin=200),
            method="post",
            data={"kind": "administration", "full_name": "", "short_name": ""},
            label="invalid POST re-displays the form",
            state=count_of("schools.Organisation"),
            changes=(),
        ),
    ],
    "schools:person_create": [
        Case("schools:person_create", expect(404, **DEPARTMENT_EDITS), args=("school_a_school",)),
        Case(
            "schools:person_create",
            expect(404, **DEPARTMENT_EDITS),
            method="post",
            args=("school_a_school",),
            data={"last_name": "", "first_name": "Иван"},
            label="invalid POST re-displays the form",
            state=count_of("schools.Person", organisation__short_name=SCHOOL_A),
            changes=(),
        ),
    ],
    "schools:person_edit": [
        Case("schools:person_edit", expect(404, **DEPARTMENT_EDITS), args=("school_a_head",)),
        Case(
            "schools:person_edit",
            expect(404, **DEPARTMENT_EDITS),
            method="post",
            args=("school_a_head",),
            data={"last_name": "", "first_name": ""},
            label="invalid POST re-displays the form",
            state=row_of("schools.Person", "school_a_head"),
            changes=(),
        ),
    ],
}


def _merge():
    from .matrix_analytics import ANALYTICS_MATRIX, ANALYTICS_TARGETS
    from .matrix_calendar import CALENDAR_MATRIX, CALENDAR_TARGETS
    from .matrix_centers import CENTER_MATRIX, CENTER_TARGETS
    from .matrix_cooperation import COOPERATION_MATRIX, COOPERATION_TARGETS
    from .matrix_documents import DOCUMENT_MATRIX, DOCUMENT_TARGETS
    from .matrix_execution import EXECUTION_MATRIX, EXECUTION_TARGETS
    from .matrix_identification import IDENTIFICATION_MATRIX, IDENTIFICATION_TARGETS
    from .matrix_monitoring import MONITORING_MATRIX, MONITORING_TARGETS
    from .matrix_plans import PLAN_MATRIX, PLAN_TARGETS
    from .matrix_practices import PRACTICE_MATRIX, PRACTICE_TARGETS
    from .matrix_resources import RESOURCE_MATRIX, RESOURCE_TARGETS
    from .matrix_risks import RISK_MATRIX, RISK_TARGETS

    MATRIX.update(DOCUMENT_MATRIX)
    TARGETS.update(DOCUMENT_TARGETS)
    MATRIX.update(CENTER_MATRIX)
    TARGETS.update(CENTER_TARGETS)
    MATRIX.update(PLAN_MATRIX)
    TARGETS.update(PLAN_TARGETS)
    MATRIX.update(RESOURCE_MATRIX)
    TARGETS.update(RESOURCE_TARGETS)
    MATRIX.update(EXECUTION_MATRIX)
    TARGETS.update(EXECUTION_TARGETS)
    MATRIX.update(COOPERATION_MATRIX)
    TARGETS.update(COOPERATION_TARGETS)
    MATRIX.update(CALENDAR_MATRIX)
    TARGETS.update(CALENDAR_TARGETS)
    MATRIX.update(MONITORING_MATRIX)
    TARGETS.update(MONITORING_TARGETS)
    MATRIX.update(PRACTICE_MATRIX)
    TARGETS.update(PRACTICE_TARGETS)
    MATRIX.update(IDENTIFICATION_MATRIX)
    TARGETS.update(IDENTIFICATION_TARGETS)
    MATRIX.update(ANALYTICS_MATRIX)
    TARGETS.update(ANALYTICS_TARGETS)
    MATRIX.update(RISK_MATRIX)
    TARGETS.update(RISK_TARGETS)


_merge()
