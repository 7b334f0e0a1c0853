"""Permission-matrix rows of the schools' resources (merged into tests/matrix.py).

Everyone of a municipality sees the resources of its schools (a participant school's
coordinator included), the regional observer those of the region; Kupino's are 404 in Dmitriev
and the other way round. A school's coordinator and its director enter, edit and delete its
resources; the department of the municipality (and the administrator) edits them too; everyone
else who sees them is refused (403).
"""

from .conftest import HUB, SCHOOL_A
from .matrix import Case, count_of, expect, row_of

KUPINO = "Купинский район"


def _resource(**filters):
    def get():
        from schools.resources import Resource

        return Resource.objects.filter(**filters).order_by("pk").first().pk

    return get


RESOURCE_TARGETS = {
    # School A's physics room (material-technical), entered by its coordinator school_a.
    "res_school_a": _resource(school__short_name=SCHOOL_A, kind="material"),
    # The hub's chemistry teacher (staff), entered by its director.
    "res_hub": _resource(school__short_name=HUB, kind="staff"),
    "res_kupino": _resource(school__municipality__name=KUPINO),
    "kind_staff": lambda: "staff",
    "kind_methodological": lambda: "methodological",
    "kind_unknown": lambda: "unknown",
}

# Who sees the resources of a Dmitriev school.
SEES = dict(
    uo_dmitriev=200,
    rmk_dmitriev=200,
    director_sosh2=200,
    head_center=200,
    wg_member=200,
    school_a=200,
    school_b=200,
    region=200,
    admin=200,
)
SEES_KUPINO = dict(uo_kupino=200, region=200, admin=200)


def only(allowed, seen=SEES, ok=200):
    """Everyone who sees gets 403 but ``allowed`` (who get ``ok``); the others 404."""
    return expect(404, **{p: (ok if p in allowed else 403) for p in seen})


# Who may do what with school A's resources and with the hub's.
SCHOOL_A_ENTERS = ("school_a",)
SCHOOL_A_EDITS = ("school_a", "uo_dmitriev", "admin")
HUB_ENTERS = ("director_sosh2",)
HUB_EDITS = ("director_sosh2", "uo_dmitriev", "admin")

RES_SCHOOL_A = row_of("schools.Resource", "res_school_a", "subjects")
SCHOOL_A_COUNT = count_of("schools.Resource", school__short_name=SCHOOL_A)

RESOURCE_MATRIX = {
    "schools:resource_list": [
        Case("schools:resource_list", expect(200)),
        Case(
            "schools:resource_list",
            expect(200),
            data={"q": "химия", "kind": "staff"},
            label="search and filter",
        ),
    ],
    "schools:school_resources": [
        Case("schools:school_resources", expect(404, **SEES), args=("school_a_school",)),
        Case("schools:school_resources", expect(404, **SEES_KUPINO), args=("kupino_school",)),
    ],
    "schools:resource_detail": [
        Case("schools:resource_detail", expect(404, **SEES), args=("res_school_a",)),
        Case("schools:resource_detail", expect(404, **SEES_KUPINO), args=("res_kupino",)),
    ],
    "schools:resource_create": [
        Case(
            "schools:resource_create",
            only(SCHOOL_A_ENTERS),
            args=("school_a_school", "kind_methodological"),
        ),
        Case("schools:resource_create", only(HUB_ENTERS), args=("hub_school", "kind_staff")),
        Case(
            "schools:resource_create",
            only((), SEES_KUPINO),
            args=("kupino_school", "kind_staff"),
            label="Kupino school",
        ),
        Case(
            "schools:resource_create",
            expect(404),
            args=("school_a_school", "kind_unknown"),
            label="unknown kind",
        ),
        Case(
            "schools:resource_create",
            only(SCHOOL_A_ENTERS, ok=302),
            method="post",
            args=("school_a_school", "kind_methodological"),
            data={
                "title": "Программа «Читаем вместе»",
                "description": "Для 5–6 классов",
                "is_available": "on",
            },
            state=SCHOOL_A_COUNT,
            changes=SCHOOL_A_ENTERS,
        ),
        Case(
            "schools:resource_create",
            only(SCHOOL_A_ENTERS),
            method="post",
            args=("school_a_school", "kind_methodological"),
            data={"title": "", "description": "Без названия"},
            label="invalid POST re-displays the form",
            state=SCHOOL_A_COUNT,
        ),
    ],
    "schools:resource_edit": [
        Case("schools:resource_edit", only(SCHOOL_A_EDITS), args=("res_school_a",)),
        Case("schools:resource_edit", only(HUB_EDITS), args=("res_hub",)),
        Case(
            "schools:resource_edit",
            only(("uo_kupino", "admin"), SEES_KUPINO),
            args=("res_kupino",),
        ),
        Case(
            "schools:resource_edit",
            only(SCHOOL_A_EDITS, ok=302),
            method="post",
            args=("res_school_a",),
            data={"title": "Кабинет физики", "quantity": "20", "is_available": "on"},
            state=RES_SCHOOL_A,
            changes=SCHOOL_A_EDITS,
        ),
        Case(
            "schools:resource_edit",
            only(SCHOOL_A_EDITS),
            method="post",
            args=("res_school_a",),
            data={"title": "", "quantity": "-1"},
            label="invalid POST re-displays the form",
            state=RES_SCHOOL_A,
        ),
    ],
    "schools:resource_delete": [
        Case("schools:resource_delete", only(SCHOOL_A_ENTERS), args=("res_school_a",)),
        Case("schools:resource_delete", only(HUB_ENTERS), args=("res_hub",)),
        Case(
            "schools:resource_delete",
            only(SCHOOL_A_ENTERS, ok=302),
            method="post",
            args=("res_school_a",),
            state=RES_SCHOOL_A,
            changes=SCHOOL_A_ENTERS,
        ),
        Case(
            "schools:resource_delete",
            only((), SEES_KUPINO),
            method="post",
            args=("res_kupino",),
            label="Kupino resource",
            state=row_of("schools.Resource", "res_kupino"),
        ),
    ],
}
