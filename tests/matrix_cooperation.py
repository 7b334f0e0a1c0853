"""Permission-matrix rows of the cooperation URLs: mentoring pairs, their meetings, interaction
groups, a person's page (merged into tests/matrix.py).

Who is who (``cooperation/rules.py``): the Dmitriev center's staff (the hub's director, the center
head, the working-group member), its department, the РМК and the regional observer see every pair
and group of the center; a participant school (``school_a``, ``school_b``) sees only the pairs of
its own teachers (the other school's answer 404) and the groups with its staff. The center head,
the hub's director and the department (and the administrator) create, edit and finish pairs and
manage groups; meetings are recorded by the mentor (``wg_member`` mentors ``school_b``'s
teacher), the center head and the mentee's school. Kupino's specialist sees nothing of Dmitriev
and manages the Kupino group.
"""

from .conftest import KUPINO_SCHOOL, PERSONAS, SCHOOL_B
from .matrix import Case, count_of, expect, resolve, row_of

DMITRIEV_GROUP = "Группа взаимодействия учителей математики"


class Pk:
    """An id in a row's data, read in the running test (each test database has its own ids):
    posted as its ``str``."""

    def __init__(self, target):
        self.target = target

    def __str__(self):
        return str(resolve(self.target))

    def __repr__(self):
        return f"Pk({self.target!r})"


def _pair(mentee_last_name):
    def get():
        from cooperation.models import MentoringPair

        return MentoringPair.objects.get(mentee__last_name=mentee_last_name).pk

    return get


def _group(center_municipality):
    def get():
        from cooperation.models import InteractionGroup

        return InteractionGroup.objects.get(center__municipality__name=center_municipality).pk

    return get


def _member(municipality, last_name):
    def get():
        from cooperation.models import GroupMember

        return GroupMember.objects.get(
            group__center__municipality__name=municipality, person__last_name=last_name
        ).pk

    return get


def _person(last_name):
    def get():
        from schools.models import Person

        return Person.objects.get(last_name=last_name).pk

    return get


def _approved_line(title_part):
    def get():
        from plans.models import Line

        return (
            Line.objects.filter(
                revision__plan__center__hub__short_name="МКОУ «СОШ № 2 г. Дмитриева»",
                revision__state__in=["approved", "closed"],
                title__contains=title_part,
            )
            .order_by("pk")
            .first()
            .pk
        )

    return get


def _school(short_name):
    def get():
        from schools.models import Organisation

        return Organisation.objects.get(short_name=short_name).pk

    return get


COOPERATION_TARGETS = {
    # Соколова (the hub) → Павлова (СОШ № 1): active.
    "coop_pair_a": _pair("Павлова"),
    # Белова (the hub, wg_member) → Ершова (СОШ № 1): completed last year.
    "coop_pair_a_done": _pair("Ершова"),
    # Белова → Никитина (Старогородская, school_b): active.
    "coop_pair_b": _pair("Никитина"),
    "coop_group": _group("Дмитриевский район"),
    "coop_kupino_group": _group("Купинский район"),
    "coop_member": _member("Дмитриевский район", "Ершова"),
    "coop_kupino_member": _member("Купинский район", "Лысенко"),
    "coop_belova": _person("Белова"),
    "coop_ershova": _person("Ершова"),
    "coop_zaitseva": _person("Зайцева"),
    "coop_kupino_teacher": _person("Лысенко"),
    "coop_line_mentors": _approved_line("Закрепление наставников"),
    "coop_line_math": _approved_line("Анализ затруднений учителей математики"),
    "school_b_school": _school(SCHOOL_B),
    "coop_kupino_school": _school(KUPINO_SCHOOL),
}

# Who sees every pair and group of the Dmitriev center.
CENTER_WIDE = (
    "uo_dmitriev",
    "rmk_dmitriev",
    "director_sosh2",
    "head_center",
    "wg_member",
    "region",
    "admin",
)
MANAGERS = ("uo_dmitriev", "director_sosh2", "head_center", "admin")
KUPINO = ("uo_kupino", "region", "admin")
KUPINO_MANAGERS = ("uo_kupino", "admin")


def seen(by, ok=200, allowed=None, refused=403):
    """404 for whoever does not see it; among those in ``by``, ``ok`` for ``allowed`` (all of
    them when ``None``) and ``refused`` for the rest."""
    allowed = by if allowed is None else allowed
    return expect(404, **{p: (ok if p in allowed else refused) for p in by})


def everyone_but_kupino(code=200):
    return expect(code, uo_kupino=404)


SEE_PAIR_A = (*CENTER_WIDE, "school_a")
SEE_PAIR_B = (*CENTER_WIDE, "school_b")
SEE_GROUP = (*CENTER_WIDE, "school_a", "school_b")
# Who sees СОШ № 1 and its staff: its municipality, the hub's network staff, itself, the region.
SEE_SCHOOL_A = (*CENTER_WIDE, "school_a")
# Who sees the hub's staff (a participant school sees only its own organisation).
SEE_HUB = CENTER_WIDE
RECORD_A = ("head_center", "school_a", "admin")  # the mentor of pair A has no login
RECORD_B = ("head_center", "wg_member", "school_b", "admin")

PAIR_FIELDS = {
    "mentor": Pk("coop_belova"),
    "mentee": Pk("coop_ershova"),
    "subject": "геометрия",
    "date_from": "2026-09-01",
    "date_to": "2027-05-31",
    "goals": "Подготовка к ОГЭ по геометрии.",
    "line": Pk("coop_line_mentors"),
}
MEETING = {"date": "2026-11-20", "format": "in_person", "topic": "Разбор открытого урока"}
GROUP_FIELDS = {
    "name": "Группа учителей геометрии",
    "purpose": "Взаимопосещение уроков геометрии.",
    "coordinator": Pk("coop_belova"),
    "members": [Pk("coop_ershova")],
    "lines": [Pk("coop_line_math")],
}

PAIR_A = row_of("cooperation.MentoringPair", "coop_pair_a", "events")
PAIR_A_DONE = row_of("cooperation.MentoringPair", "coop_pair_a_done", "events")
GROUP = row_of("cooperation.InteractionGroup", "coop_group", "lines", "members")


def _get_is_refused(name, *args):
    return Case(
        f"cooperation:{name}", expect(405, anonymous=302), args=args, label="GET is refused"
    )


COOPERATION_MATRIX = {
    "cooperation:center_mentoring": [
        Case("cooperation:center_mentoring", everyone_but_kupino(), args=("dmitriev_center",)),
        Case("cooperation:center_mentoring", seen(KUPINO), args=("kupino_center",)),
    ],
    "cooperation:center_groups": [
        Case("cooperation:center_groups", everyone_but_kupino(), args=("dmitriev_center",)),
        Case("cooperation:center_groups", seen(KUPINO), args=("kupino_center",)),
    ],
    "cooperation:school_mentoring": [
        Case("cooperation:school_mentoring", seen(SEE_SCHOOL_A), args=("school_a_school",)),
        Case(
            "cooperation:school_mentoring",
            seen((*CENTER_WIDE, "school_b")),
            args=("school_b_school",),
        ),
        Case("cooperation:school_mentoring", seen(KUPINO), args=("coop_kupino_school",)),
    ],
    "cooperation:pair": [
        Case(
            "cooperation:pair",
            seen(SEE_PAIR_A),
            args=("coop_pair_a",),
            label="school A's pair: school B answers 404",
        ),
        Case("cooperation:pair", seen(SEE_PAIR_A), args=("coop_pair_a_done",), label="completed"),
        Case("cooperation:pair", seen(SEE_PAIR_B), args=("coop_pair_b",), label="school B's"),
    ],
    "cooperation:pair_create": [
        Case(
            "cooperation:pair_create",
            everyone_but_kupino(403) | dict.fromkeys(MANAGERS, 200),
            args=("dmitriev_center",),
        ),
        Case(
            "cooperation:pair_create",
            seen(KUPINO, allowed=KUPINO_MANAGERS),
            args=("kupino_center",),
        ),
        Case(
            "cooperation:pair_create",
            everyone_but_kupino(403) | dict.fromkeys(MANAGERS, 200),
            method="post",
            args=("dmitriev_center",),
            data={**PAIR_FIELDS, "date_to": "2026-08-31"},
            label="an end before the start re-displays the form",
            state=count_of("cooperation.MentoringPair"),
        ),
        Case(
            "cooperation:pair_create",
            everyone_but_kupino(403) | dict.fromkeys(MANAGERS, 302),
            method="post",
            args=("dmitriev_center",),
            data=PAIR_FIELDS,
            state=count_of("cooperation.MentoringPair"),
            changes=MANAGERS,
        ),
    ],
    "cooperation:pair_edit": [
        Case("cooperation:pair_edit", seen(SEE_PAIR_A, allowed=MANAGERS), args=("coop_pair_a",)),
        Case(
            "cooperation:pair_edit",
            seen(SEE_PAIR_A, allowed=()),
            args=("coop_pair_a_done",),
            label="a completed pair is not edited",
        ),
        Case(
            "cooperation:pair_edit",
            seen(SEE_PAIR_A, allowed=MANAGERS),
            method="post",
            args=("coop_pair_a",),
            data={**PAIR_FIELDS, "mentor": "", "date_to": "2025-01-01"},
            label="invalid POST re-displays the form",
            state=PAIR_A,
        ),
        Case(
            "cooperation:pair_edit",
            seen(SEE_PAIR_A, ok=302, allowed=MANAGERS),
            method="post",
            args=("coop_pair_a",),
            data={**PAIR_FIELDS, "mentor": Pk("coop_zaitseva"), "mentee": Pk("coop_ershova")},
            state=PAIR_A,
            changes=MANAGERS,
        ),
    ],
    "cooperation:pair_complete": [
        Case(
            "cooperation:pair_complete", seen(SEE_PAIR_A, allowed=MANAGERS), args=("coop_pair_a",)
        ),
        Case(
            "cooperation:pair_complete",
            seen(SEE_PAIR_A, ok=302, allowed=MANAGERS),
            method="post",
            args=("coop_pair_a_done",),
            data={"results": "Ещё раз"},
            label="already completed: told, nothing changes",
            state=PAIR_A_DONE,
        ),
        Case(
            "cooperation:pair_complete",
            seen(SEE_PAIR_A, ok=302, allowed=MANAGERS),
            method="post",
            args=("coop_pair_a",),
            data={"results": "Результаты ВПР по русскому языку улучшились."},
            state=PAIR_A,
            changes=MANAGERS,
        ),
    ],
    "cooperation:pair_stop": [
        Case("cooperation:pair_stop", seen(SEE_PAIR_A, allowed=MANAGERS), args=("coop_pair_a",)),
        Case(
            "cooperation:pair_stop",
            seen(SEE_PAIR_A, ok=302, allowed=MANAGERS),
            method="post",
            args=("coop_pair_a",),
            data={"reason": "Педагог переведён в другую школу."},
            state=PAIR_A,
            changes=MANAGERS,
        ),
    ],
    "cooperation:meeting_add": [
        Case("cooperation:meeting_add", seen(SEE_PAIR_A, allowed=RECORD_A), args=("coop_pair_a",)),
        Case(
            "cooperation:meeting_add",
            seen(SEE_PAIR_A, allowed=()),
            args=("coop_pair_a_done",),
            label="a completed pair takes no meetings",
        ),
        Case(
            "cooperation:meeting_add",
            seen(SEE_PAIR_B, ok=302, allowed=RECORD_B),
            method="post",
            args=("coop_pair_b",),
            data=MEETING,
            label="the mentor, the center head, the mentee's school",
            state=count_of("cooperation.Meeting", pair__mentee__last_name="Никитина"),
            changes=RECORD_B,
        ),
        Case(
            "cooperation:meeting_add",
            seen(SEE_PAIR_A, ok=302, allowed=RECORD_A),
            method="post",
            args=("coop_pair_a",),
            data=MEETING,
            state=count_of("cooperation.Meeting", pair__mentee__last_name="Павлова"),
            changes=RECORD_A,
        ),
    ],
    "cooperation:group": [
        Case("cooperation:group", seen(SEE_GROUP), args=("coop_group",)),
        Case("cooperation:group", seen(KUPINO), args=("coop_kupino_group",)),
    ],
    "cooperation:group_create": [
        Case(
            "cooperation:group_create",
            everyone_but_kupino(403) | dict.fromkeys(MANAGERS, 200),
            args=("dmitriev_center",),
        ),
        Case(
            "cooperation:group_create",
            seen(KUPINO, allowed=KUPINO_MANAGERS),
            args=("kupino_center",),
        ),
        Case(
            "cooperation:group_create",
            everyone_but_kupino(403) | dict.fromkeys(MANAGERS, 302),
            method="post",
            args=("dmitriev_center",),
            data=GROUP_FIELDS,
            state=count_of("cooperation.InteractionGroup"),
            changes=MANAGERS,
        ),
    ],
    "cooperation:group_edit": [
        Case("cooperation:group_edit", seen(SEE_GROUP, allowed=MANAGERS), args=("coop_group",)),
        Case(
            "cooperation:group_edit",
            seen(KUPINO, allowed=KUPINO_MANAGERS),
            args=("coop_kupino_group",),
        ),
        Case(
            "cooperation:group_edit",
            seen(SEE_GROUP, ok=302, allowed=MANAGERS),
            method="post",
            args=("coop_group",),
            data={
                "name": DMITRIEV_GROUP,
                "purpose": "Анализ результатов ВПР и ОГЭ, взаимопосещение уроков.",
                "coordinator": Pk("coop_belova"),
                "lines": [Pk("coop_line_math")],
            },
            state=GROUP,
            changes=MANAGERS,
        ),
    ],
    "cooperation:member_add": [
        _get_is_refused("member_add", "coop_group"),
        Case(
            "cooperation:member_add",
            seen(SEE_GROUP, ok=200, allowed=MANAGERS),
            method="post",
            args=("coop_group",),
            data={"person": Pk("coop_kupino_teacher"), "role": "эксперт"},
            label="someone outside the network is refused beside the field",
            state=GROUP,
        ),
        Case(
            "cooperation:member_add",
            seen(SEE_GROUP, ok=302, allowed=MANAGERS),
            method="post",
            args=("coop_group",),
            data={"person": Pk("coop_zaitseva"), "role": "эксперт"},
            state=GROUP,
            changes=MANAGERS,
        ),
        Case(
            "cooperation:member_add",
            seen(KUPINO, ok=302, allowed=KUPINO_MANAGERS),
            method="post",
            args=("coop_kupino_group",),
            data={"person": Pk("coop_kupino_teacher"), "role": "ведущий"},
            label="Kupino",
            state=row_of("cooperation.InteractionGroup", "coop_kupino_group", "members"),
            changes=KUPINO_MANAGERS,
        ),
    ],
    "cooperation:member_remove": [
        _get_is_refused("member_remove", "coop_member"),
        Case(
            "cooperation:member_remove",
            seen(SEE_GROUP, ok=302, allowed=MANAGERS),
            method="post",
            args=("coop_member",),
            state=row_of("cooperation.GroupMember", "coop_member"),
            changes=MANAGERS,
        ),
        Case(
            "cooperation:member_remove",
            seen(KUPINO, ok=302, allowed=KUPINO_MANAGERS),
            method="post",
            args=("coop_kupino_member",),
            label="Kupino",
            state=row_of("cooperation.GroupMember", "coop_kupino_member"),
            changes=KUPINO_MANAGERS,
        ),
    ],
    "cooperation:person": [
        Case("cooperation:person", seen(SEE_SCHOOL_A), args=("coop_ershova",), label="СОШ № 1"),
        Case("cooperation:person", seen(SEE_HUB), args=("coop_belova",), label="the hub"),
        Case("cooperation:person", seen(KUPINO), args=("coop_kupino_teacher",), label="Kupino"),
    ],
}

assert all(
    set(case.expect) == {*PERSONAS, "anonymous"}
    for rows in COOPERATION_MATRIX.values()
    for case in rows
)
