"""The permission matrix: every URL name × every persona × own / foreign object → status.

Each app's issue adds its rows here. ``test_permission_matrix.py`` runs every row and fails when
any URL pattern of the project has no row (the admin is Django's own and checked separately).
"""

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


def _org_pk(short_name):
    from schools.models import Organisation

    return lambda: Organisation.objects.get(short_name=short_name).pk


TARGETS = {
    "school_a_school": _org_pk(SCHOOL_A),
    "hub_school": _org_pk(HUB),
    "kupino_school": _org_pk(KUPINO_SCHOOL),
}

MATRIX: dict[str, list[Case]] = {
    "home": [Case("home", expect(200))],
    "login": [
        Case("login", expect(302, anonymous=200)),
    ],
    "logout": [
        Case("logout", expect(302, anonymous=302), method="post"),
        Case("logout", expect(405, anonymous=405), label="GET is refused"),
    ],
    "password_change": [Case("password_change", expect(200))],
    "password_change_done": [Case("password_change_done", expect(200))],
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
        ),
    ],
}


def _merge():
    from .matrix_centers import CENTER_MATRIX, CENTER_TARGETS
    from .matrix_documents import DOCUMENT_MATRIX, DOCUMENT_TARGETS
    from .matrix_plans import PLAN_MATRIX, PLAN_TARGETS

    MATRIX.update(DOCUMENT_MATRIX)
    TARGETS.update(DOCUMENT_TARGETS)
    MATRIX.update(CENTER_MATRIX)
    TARGETS.update(CENTER_TARGETS)
    MATRIX.update(PLAN_MATRIX)
    TARGETS.update(PLAN_TARGETS)


_merge()
