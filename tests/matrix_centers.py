"""Permission-matrix rows of the centers' URLs (merged into tests/matrix.py).

Who is who for the Dmitriev center (at СОШ № 2): the department's specialist manages the center
and its participants; the hub's director manages the working group; the РМК, the center head, the
working-group member, the participant schools' coordinators and the regional observer see it and
change nothing (403); Kupino's specialist does not see it (404). The Kupino center mirrors this
with Kupino's specialist as the manager; only the administrator and the observer cross over.
"""

from .conftest import KUPINO_SCHOOL, SCHOOL_A
from .matrix import Case, count_of, expect, row_of

DMITRIEV = "Дмитриевский район"


def _dmitriev_center():
    from network_center.centers.models import Center

    return Center.objects.get(municipality__name=DMITRIEV)


def _kupino_center():
    """The Kupino center at СОШ № 77, whose participant is the Чаинская school."""
    from network_center.centers.models import Center

    return Center.objects.get(participations__school__short_name=KUPINO_SCHOOL)


def _participation(center, school_short_name):
    return center.participations.get(school__short_name=school_short_name).pk


def _dmitriev_draft_member():
    """Белова in a draft composition of the Dmitriev working group (a copy of the one in force,
    started by the hub's director)."""
    from django.contrib.auth import get_user_model

    from network_center.centers.services import working_group

    director = get_user_model().objects.get(username="director_sosh2")
    draft = working_group.draft_composition(_dmitriev_center(), actor=director)
    return draft.members.get(person__last_name="Белова").pk


def _kupino_draft_member():
    """The Kupino hub's director in a draft working group, added by the administrator (Kupino has
    no hub director login in the demo)."""
    from django.contrib.auth import get_user_model

    from network_center.centers.models import Member
    from network_center.centers.services import working_group

    admin = get_user_model().objects.get(username="admin")
    center = _kupino_center()
    return working_group.add_member(
        center, actor=admin, person=center.hub.head, role=Member.Role.HEAD
    ).pk


CENTER_TARGETS = {
    "dmitriev_center": lambda: _dmitriev_center().pk,
    "kupino_center": lambda: _kupino_center().pk,
    "dmitriev_participation": lambda: _participation(_dmitriev_center(), SCHOOL_A),
    "kupino_participation": lambda: _participation(_kupino_center(), KUPINO_SCHOOL),
    "dmitriev_member": _dmitriev_draft_member,
    "kupino_member": _kupino_draft_member,
}

# Everyone who sees the object may open it.
D_SEE = expect(200, uo_kupino=404)
K_SEE = expect(404, uo_kupino=200, region=200, admin=200)


def d_department(ok):
    """Dmitriev's department (and the administrator) act; the rest who see it are refused."""
    return expect(403, uo_dmitriev=ok, admin=ok, uo_kupino=404)


def k_department(ok):
    return expect(404, uo_kupino=ok, admin=ok, region=403)


def d_hub(ok):
    """The hub's director (and the administrator) act on the working group."""
    return expect(403, director_sosh2=ok, admin=ok, uo_kupino=404)


def k_hub(ok):
    return expect(404, admin=ok, uo_kupino=403, region=403)


POST_ONLY = expect(405)

# What a POST may change.
D_CENTER = row_of("centers.Center", "dmitriev_center", "participations", "compositions")
K_CENTER = row_of("centers.Center", "kupino_center", "participations", "compositions")
D_PART = row_of("centers.Participation", "dmitriev_participation")
K_PART = row_of("centers.Participation", "kupino_participation")
D_MEMBER = row_of("centers.Member", "dmitriev_member")
K_MEMBER = row_of("centers.Member", "kupino_member")
CENTERS = count_of("centers.Center")
MEMBERS = count_of("centers.Member")
D_DEPT = ("uo_dmitriev", "admin")
K_DEPT = ("uo_kupino", "admin")
D_HUB = ("director_sosh2", "admin")

CENTER_MATRIX: dict[str, list[Case]] = {
    "centers:list": [Case("centers:list", expect(200))],
    "centers:create": [
        Case("centers:create", expect(403, uo_dmitriev=200, uo_kupino=200, admin=200)),
        Case(
            "centers:create",
            expect(403, uo_dmitriev=200, uo_kupino=200, admin=200),
            method="post",
            data={"name": ""},
            label="invalid POST re-displays the form",
            state=CENTERS,
            changes=(),
        ),
    ],
    "centers:detail": [
        Case("centers:detail", D_SEE, args=("dmitriev_center",), label="Dmitriev"),
        Case("centers:detail", K_SEE, args=("kupino_center",), label="Kupino"),
    ],
    "centers:edit": [
        Case("centers:edit", d_department(200), args=("dmitriev_center",), label="Dmitriev"),
        Case("centers:edit", k_department(200), args=("kupino_center",), label="Kupino"),
        Case(
            "centers:edit",
            d_department(200),
            method="post",
            args=("dmitriev_center",),
            data={"name": ""},
            label="invalid POST re-displays the form",
            state=D_CENTER,
            changes=(),
        ),
        Case(
            "centers:edit",
            k_department(200),
            method="post",
            args=("kupino_center",),
            data={"name": ""},
            label="Kupino invalid POST",
            state=K_CENTER,
            changes=(),
        ),
    ],
    "centers:close": [
        Case("centers:close", d_department(200), args=("dmitriev_center",), label="Dmitriev"),
        Case("centers:close", k_department(200), args=("kupino_center",), label="Kupino"),
        Case(
            "centers:close",
            d_department(200),
            method="post",
            args=("dmitriev_center",),
            label="POST without an act re-displays the form",
            state=D_CENTER,
            changes=(),
        ),
        Case(
            "centers:close",
            k_department(200),
            method="post",
            args=("kupino_center",),
            label="Kupino POST without an act",
            state=K_CENTER,
            changes=(),
        ),
    ],
    "centers:participant_add": [
        Case(
            "centers:participant_add",
            d_department(200),
            args=("dmitriev_center",),
            label="Dmitriev",
        ),
        Case(
            "centers:participant_add",
            k_department(200),
            args=("kupino_center",),
            label="Kupino",
        ),
        Case(
            "centers:participant_add",
            d_department(200),
            method="post",
            args=("dmitriev_center",),
            label="invalid POST re-displays the form",
            state=D_CENTER,
            changes=(),
        ),
        Case(
            "centers:participant_add",
            k_department(200),
            method="post",
            args=("kupino_center",),
            label="Kupino invalid POST",
            state=K_CENTER,
            changes=(),
        ),
    ],
    "centers:participant_edit": [
        Case(
            "centers:participant_edit",
            d_department(200),
            args=("dmitriev_participation",),
            label="Dmitriev",
        ),
        Case(
            "centers:participant_edit",
            k_department(200),
            args=("kupino_participation",),
            label="Kupino",
        ),
        Case(
            "centers:participant_edit",
            d_department(302),
            method="post",
            args=("dmitriev_participation",),
            data={"category": "both", "since": "2017-09-01"},
            label="valid POST saves",
            state=D_PART,
            changes=D_DEPT,
        ),
        Case(
            "centers:participant_edit",
            k_department(200),
            method="post",
            args=("kupino_participation",),
            data={"category": ""},
            label="Kupino invalid POST",
            state=K_PART,
            changes=(),
        ),
    ],
    "centers:participant_delete": [
        Case(
            "centers:participant_delete",
            POST_ONLY,
            args=("dmitriev_participation",),
            label="GET is refused",
        ),
        Case(
            "centers:participant_delete",
            d_department(302),
            method="post",
            args=("dmitriev_participation",),
            label="Dmitriev",
            state=D_PART,
            changes=D_DEPT,
        ),
        Case(
            "centers:participant_delete",
            k_department(302),
            method="post",
            args=("kupino_participation",),
            label="Kupino",
            state=K_PART,
            changes=K_DEPT,
        ),
    ],
    "centers:working_group": [
        Case("centers:working_group", D_SEE, args=("dmitriev_center",), label="Dmitriev"),
        Case("centers:working_group", K_SEE, args=("kupino_center",), label="Kupino"),
    ],
    "centers:composition_draft": [
        Case(
            "centers:composition_draft",
            POST_ONLY,
            args=("dmitriev_center",),
            label="GET is refused",
        ),
        Case(
            "centers:composition_draft",
            d_hub(302),
            method="post",
            args=("dmitriev_center",),
            label="Dmitriev",
            state=D_CENTER,
            changes=D_HUB,
        ),
        Case(
            "centers:composition_draft",
            k_hub(302),
            method="post",
            args=("kupino_center",),
            label="Kupino",
            state=K_CENTER,
            changes=("admin",),
        ),
    ],
    "centers:member_add": [
        Case("centers:member_add", POST_ONLY, args=("dmitriev_center",), label="GET is refused"),
        Case(
            "centers:member_add",
            d_hub(200),
            method="post",
            args=("dmitriev_center",),
            data={"add-person": "", "add-role": "member"},
            label="invalid POST re-displays the form",
            state=MEMBERS,
            changes=(),
        ),
        Case(
            "centers:member_add",
            k_hub(200),
            method="post",
            args=("kupino_center",),
            data={"add-person": ""},
            label="Kupino invalid POST",
            state=MEMBERS,
            changes=(),
        ),
    ],
    "centers:member_new_person": [
        Case(
            "centers:member_new_person",
            POST_ONLY,
            args=("dmitriev_center",),
            label="GET is refused",
        ),
        Case(
            "centers:member_new_person",
            d_hub(200),
            method="post",
            args=("dmitriev_center",),
            data={"new-last_name": ""},
            label="invalid POST re-displays the form",
            state=MEMBERS,
            changes=(),
        ),
        Case(
            "centers:member_new_person",
            k_hub(200),
            method="post",
            args=("kupino_center",),
            data={"new-last_name": ""},
            label="Kupino invalid POST",
            state=MEMBERS,
            changes=(),
        ),
    ],
    "centers:member_edit": [
        Case("centers:member_edit", d_hub(200), args=("dmitriev_member",), label="Dmitriev"),
        Case("centers:member_edit", k_hub(200), args=("kupino_member",), label="Kupino"),
        Case(
            "centers:member_edit",
            d_hub(302),
            method="post",
            args=("dmitriev_member",),
            data={"role": "member", "responsibility": "математика"},
            label="valid POST saves",
            state=D_MEMBER,
            changes=D_HUB,
        ),
        Case(
            "centers:member_edit",
            k_hub(200),
            method="post",
            args=("kupino_member",),
            data={"role": "bogus"},
            label="Kupino invalid POST",
            state=K_MEMBER,
            changes=(),
        ),
    ],
    "centers:member_remove": [
        Case(
            "centers:member_remove",
            POST_ONLY,
            args=("dmitriev_member",),
            label="GET is refused",
        ),
        Case(
            "centers:member_remove",
            d_hub(302),
            method="post",
            args=("dmitriev_member",),
            label="Dmitriev",
            state=D_MEMBER,
            changes=D_HUB,
        ),
        Case(
            "centers:member_remove",
            k_hub(302),
            method="post",
            args=("kupino_member",),
            label="Kupino",
            state=K_MEMBER,
            changes=("admin",),
        ),
    ],
}
