"""Permission-matrix rows of the practice bank's URLs (merged into tests/matrix.py).

Who is who (``practices/models.py``, ``practices/rules.py``): everyone of Dmitriev — the
department, the РМК, the hub's staff, both participant schools — reads Dmitriev's bank and its
practices, the regional observer both municipalities', Kupino only its own (Dmitriev's answer
404 to it). Only the department of the municipality (and the administrator) marks and
withdraws; whoever else sees the thing is refused (403). Marking loads the thing through its
own visibility first: ``school_b`` was not at the open lessons of СОШ № 1, so that event and
its files answer 404 to it, while the bank shows it their recommendation.

The demo's practices are those of ``practices/demo.py``, loaded by ``load_demo``.
"""

from .conftest import PERSONAS
from .matrix import Case, count_of, expect, resolve, row_of

DMITRIEV_PERSONAS = (
    "uo_dmitriev",
    "rmk_dmitriev",
    "director_sosh2",
    "head_center",
    "wg_member",
    "school_a",
    "school_b",
)
OPEN_LESSONS = "Открытые уроки русского языка в 5–6 классах"
ROUND_TABLE = "Круглый стол «Итоги года сети: что сработало»"
CANCELLED = "«Исследование урока»: формирующее оценивание"
DEPARTMENT = ("uo_dmitriev", "admin")
KUPINO_DEPARTMENT = ("uo_kupino", "admin")


def _practice(title):
    def get():
        from practices.models import Practice

        return Practice.objects.get(title=title, state="recommended").pk

    return get


def _execution(title):
    def get():
        from plans.models import Execution

        return Execution.objects.get(line__title=title, plan__year=2025).pk

    return get


def _marked_execution(title):
    """An event the demo recommended."""
    return _execution(title)


def _file(name):
    def get():
        from plans.models import EvidenceFile

        return EvidenceFile.objects.get(original_name=name).pk

    return get


def _resource(title):
    def get():
        from schools.resources import Resource

        return Resource.objects.get(title=title).pk

    return get


def _kind(kind):
    return lambda: kind


PRACTICE_TARGETS = {
    "prac_dmitriev_event": _practice(OPEN_LESSONS),
    "prac_dmitriev_material": _practice("Протокол открытых уроков.pdf"),
    "prac_kupino_resource": _practice("Инженерная лаборатория робототехнической направленности"),
    "prac_round_table": _execution(ROUND_TABLE),
    "prac_open_lessons_marked": _marked_execution(OPEN_LESSONS),
    "prac_cancelled": _execution(CANCELLED),
    "prac_photo": _file("Фото с урока.png"),
    "prac_physics_lab": _resource("Кабинет физики с цифровой лабораторией"),
    "prac_kupino_chemist": _resource("Учитель химии — тренер по подготовке к ВПР"),
    "kind_event": _kind("event"),
    "kind_material": _kind("material"),
    "kind_resource": _kind("resource"),
    "kind_unknown": _kind("plan"),
}


def seen(by, ok=200, allowed=(), refused=403):
    """404 for whoever does not see it; among those in ``by``, ``ok`` for ``allowed`` and
    ``refused`` for the rest."""
    return expect(404, **{p: (ok if p in allowed else refused) for p in by})


SEES_DMITRIEV = (*DMITRIEV_PERSONAS, "region", "admin")
SEES_KUPINO = ("uo_kupino", "region", "admin")
# Who sees the open lessons of СОШ № 1 (and their files): not school_b, not Kupino.
SEES_OPEN_LESSONS = tuple(p for p in SEES_DMITRIEV if p != "school_b")

REASON = {"reason": "Опыт, который стоит повторить в каждой школе района."}


def _practices_of(field, target):
    """How many practices name the target (a mark adds one)."""

    def snapshot():
        return count_of("practices.Practice", **{field: resolve(target)})()

    return snapshot


PRACTICE = row_of("practices.Practice", "prac_dmitriev_event", "events")
KUPINO_PRACTICE = row_of("practices.Practice", "prac_kupino_resource", "events")

PRACTICE_MATRIX = {
    "practices:list": [
        Case("practices:list", expect(200)),
        Case(
            "practices:list",
            expect(200),
            data={"kind": "event", "q": "уроки", "state": "all"},
            label="filtered",
        ),
    ],
    "practices:detail": [
        Case(
            "practices:detail",
            seen(SEES_DMITRIEV, allowed=SEES_DMITRIEV),
            args=("prac_dmitriev_event",),
            label="Dmitriev event",
        ),
        Case(
            "practices:detail",
            seen(SEES_DMITRIEV, allowed=SEES_DMITRIEV),
            args=("prac_dmitriev_material",),
            label="Dmitriev material (school_b reads it, does not download it)",
        ),
        Case(
            "practices:detail",
            seen(SEES_KUPINO, allowed=SEES_KUPINO),
            args=("prac_kupino_resource",),
            label="Kupino resource",
        ),
    ],
    "practices:withdraw": [
        Case(
            "practices:withdraw",
            seen(SEES_DMITRIEV, allowed=DEPARTMENT),
            args=("prac_dmitriev_event",),
        ),
        Case(
            "practices:withdraw",
            seen(SEES_DMITRIEV, allowed=DEPARTMENT, ok=302),
            method="post",
            args=("prac_dmitriev_event",),
            data={"reason": "Опыт устарел: программа изменилась."},
            label="withdrawn with a reason",
            state=PRACTICE,
            changes=DEPARTMENT,
        ),
        Case(
            "practices:withdraw",
            seen(SEES_DMITRIEV, allowed=DEPARTMENT),
            method="post",
            args=("prac_dmitriev_event",),
            data={"reason": "  "},
            label="without a reason the form is shown again",
            state=PRACTICE,
            changes=(),
        ),
        Case(
            "practices:withdraw",
            seen(SEES_KUPINO, allowed=KUPINO_DEPARTMENT, ok=302),
            method="post",
            args=("prac_kupino_resource",),
            data={"reason": "Лаборатория закрыта на ремонт."},
            label="Kupino's, by Kupino only",
            state=KUPINO_PRACTICE,
            changes=KUPINO_DEPARTMENT,
        ),
    ],
    "practices:mark": [
        Case(
            "practices:mark",
            seen(SEES_DMITRIEV, allowed=DEPARTMENT),
            args=("kind_event", "prac_round_table"),
            label="an accepted event: the form",
        ),
        Case(
            "practices:mark",
            seen(SEES_DMITRIEV, allowed=DEPARTMENT, ok=302),
            method="post",
            args=("kind_event", "prac_round_table"),
            data=REASON,
            label="an accepted event is recommended",
            state=_practices_of("execution_id", "prac_round_table"),
            changes=DEPARTMENT,
        ),
        Case(
            "practices:mark",
            seen(SEES_DMITRIEV, allowed=DEPARTMENT),
            method="post",
            args=("kind_event", "prac_round_table"),
            data={"reason": ""},
            label="without a reason the form is shown again",
            state=_practices_of("execution_id", "prac_round_table"),
            changes=(),
        ),
        Case(
            "practices:mark",
            seen(SEES_DMITRIEV, allowed=DEPARTMENT, ok=302),
            method="post",
            args=("kind_event", "prac_cancelled"),
            data=REASON,
            label="a cancelled event is refused (back to its page)",
            state=_practices_of("execution_id", "prac_cancelled"),
            changes=(),
        ),
        Case(
            "practices:mark",
            seen(SEES_OPEN_LESSONS, allowed=DEPARTMENT, ok=302),
            method="post",
            args=("kind_event", "prac_open_lessons_marked"),
            data=REASON,
            label="already recommended: told, nothing added",
            state=_practices_of("execution_id", "prac_open_lessons_marked"),
            changes=(),
        ),
        Case(
            "practices:mark",
            seen(SEES_OPEN_LESSONS, allowed=DEPARTMENT),
            args=("kind_material", "prac_photo"),
            label="a material of an accepted event: the form (school_b: 404)",
        ),
        Case(
            "practices:mark",
            seen(SEES_OPEN_LESSONS, allowed=DEPARTMENT, ok=302),
            method="post",
            args=("kind_material", "prac_photo"),
            data=REASON,
            label="a material is recommended",
            state=_practices_of("evidence_id", "prac_photo"),
            changes=DEPARTMENT,
        ),
        Case(
            "practices:mark",
            seen(SEES_DMITRIEV, allowed=DEPARTMENT),
            args=("kind_resource", "prac_physics_lab"),
            label="a resource: the form",
        ),
        Case(
            "practices:mark",
            seen(SEES_DMITRIEV, allowed=DEPARTMENT, ok=302),
            method="post",
            args=("kind_resource", "prac_physics_lab"),
            data=REASON,
            label="a Dmitriev resource is recommended",
            state=_practices_of("resource_id", "prac_physics_lab"),
            changes=DEPARTMENT,
        ),
        Case(
            "practices:mark",
            seen(SEES_KUPINO, allowed=KUPINO_DEPARTMENT, ok=302),
            method="post",
            args=("kind_resource", "prac_kupino_chemist"),
            data=REASON,
            label="a Kupino resource, by Kupino only",
            state=_practices_of("resource_id", "prac_kupino_chemist"),
            changes=KUPINO_DEPARTMENT,
        ),
        Case(
            "practices:mark",
            expect(404),
            args=("kind_unknown", "prac_round_table"),
            label="an unknown kind",
        ),
        Case(
            "practices:mark",
            expect(405, anonymous=302),
            method="put",
            args=("kind_event", "prac_round_table"),
            label="PUT is refused",
        ),
    ],
}

assert set(SEES_DMITRIEV) <= set(PERSONAS)
