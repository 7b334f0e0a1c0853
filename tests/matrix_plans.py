"""Permission-matrix rows of the plans URLs (merged into tests/matrix.py).

Every POST row says what the request may change (``state``) and for whom it must change it
(``changes``): for everyone else — refused, or right but in the wrong state — it stays as it was.
"""

from .matrix import Case, count_of, expect, row_of

HUB = "МКОУ «СОШ № 2 г. Дмитриева»"


def _plan(year):
    def get():
        from plans.models import Plan

        return Plan.objects.get(center__hub__short_name=HUB, year=year)

    return get


def _plan_pk(year):
    return lambda: _plan(year)().pk


def _revision_pk(year):
    return lambda: _plan(year)().revisions.get().pk


def _line_pk(year):
    """A line with a working-group member (Т.Н. Белова) among its responsible persons."""

    def get():
        from plans.models import Line

        return (
            Line.objects.filter(revision__plan=_plan(year)(), responsible__last_name="Белова")
            .order_by("date_from")
            .first()
            .pk
        )

    return get


def _kupino_revision():
    from django.contrib.auth import get_user_model

    from network_center.centers.models import Center
    from plans import services
    from plans.models import EventForm, Plan

    # The center at СОШ № 1 г. Купино: the demo gives the other one a plan in force.
    center = Center.objects.get(hub__short_name="МБОУ «Купинская СОШ № 1»")
    plan = Plan.objects.filter(center=center).first()
    if plan is None:
        uo = get_user_model().objects.get(username="uo_kupino")
        plan = services.create_plan(center, 2026, actor=uo)
        from datetime import date

        services.add_line(
            plan.revisions.get(),
            actor=uo,
            direction="Адресная поддержка",
            title="Семинар для учителей",
            form=EventForm.objects.first(),
            format="in_person",
            audience="учителя",
            date_from=date(2026, 12, 1),
        )
    return plan.revisions.get()


def _proposal(state, school="МКОУ «СОШ № 1 г. Дмитриева»"):
    def get():
        from plans.models import Proposal

        return (
            Proposal.objects.filter(state=state, school__short_name=school)
            .order_by("pk")
            .first()
            .pk
        )

    return get


PLAN_TARGETS = {
    "plan_2026": _plan_pk(2026),
    "plan_2025": _plan_pk(2025),
    "revision_2026": _revision_pk(2026),
    "revision_2025": _revision_pk(2025),
    "line_2026": _line_pk(2026),
    "line_2025": _line_pk(2025),
    "kupino_plan": lambda: _kupino_revision().plan_id,
    "kupino_revision": lambda: _kupino_revision().pk,
    "kupino_line": lambda: _kupino_revision().lines.get().pk,
    "proposal_a": _proposal("submitted"),
    "t_submit": lambda: "submit",
    "t_return": lambda: "return",
    "t_approve": lambda: "approve",
    "t_amend": lambda: "amend",
    "t_close": lambda: "close",
}

# Who sees the Dmitriev center and so its plans.
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
KUPINO = dict(uo_kupino=200, region=200, admin=200)


def refused(codes, allowed=(), ok=200):
    """Everyone who sees gets 403 except ``allowed`` (who get ``ok``)."""
    return {k: (ok if k in allowed else 403) for k in codes}


MANAGERS = ("head_center", "uo_dmitriev", "admin")
CLOSERS = ("head_center", "director_sosh2", "admin")
# The personas with unread notifications in the demo.
NOTIFIED = (
    "uo_kupino",  # told that the plan of СОШ № 77 was agreed and approved
    "uo_dmitriev",
    "rmk_dmitriev",
    "director_sosh2",
    "head_center",
    "wg_member",
    "school_a",
    "school_b",
)


def together(*snapshots):
    """One snapshot of several."""
    return lambda: tuple(snapshot() for snapshot in snapshots)


# The plan on agreement: its revision, its visas and its lines.
REVISION_2026 = row_of("plans.Revision", "revision_2026", "visas", "lines")
REVISION_2025 = row_of("plans.Revision", "revision_2025", "visas", "lines")

PLAN_MATRIX = {
    "plans:list": [Case("plans:list", expect(200))],
    "plans:create": [
        Case("plans:create", expect(404, **refused(SEES, MANAGERS)), args=("dmitriev_center",)),
        Case(
            "plans:create",
            expect(404, **refused(SEES, MANAGERS)),
            method="post",
            args=("dmitriev_center",),
            data={"year": "2026"},
            label="existing year re-displays the form",
            state=count_of("plans.Plan"),
        ),
        Case(
            "plans:create",
            expect(404, uo_kupino=200, admin=200, region=403),
            args=("kupino_center",),
        ),
    ],
    "plans:detail": [
        Case("plans:detail", expect(404, **SEES), args=("plan_2026",)),
        Case("plans:detail", expect(404, **KUPINO), args=("kupino_plan",)),
    ],
    "plans:compare": [
        Case("plans:compare", expect(404, **SEES), args=("plan_2026",)),
        Case("plans:compare", expect(404, **KUPINO), args=("kupino_plan",)),
    ],
    "plans:export": [
        Case("plans:export", expect(404, **SEES), args=("revision_2025",)),
        Case("plans:export", expect(404, **KUPINO), args=("kupino_revision",)),
    ],
    "plans:pdf": [
        Case("plans:pdf", expect(404, **SEES), args=("revision_2026",), label="draft PDF"),
        Case(
            "plans:pdf",
            expect(404, **dict.fromkeys(SEES, 302)),
            args=("revision_2025",),
            label="approved: the stored document",
        ),
        Case("plans:pdf", expect(404, **KUPINO), args=("kupino_revision",)),
    ],
    "plans:proposal_create": [
        Case(
            "plans:proposal_create",
            expect(404, **refused(SEES, ("school_a", "school_b"))),
            args=("plan_2026",),
        ),
        Case(
            "plans:proposal_create",
            expect(404, **refused(SEES, ("school_a", "school_b"))),
            method="post",
            args=("plan_2026",),
            data={"title": ""},
            label="invalid POST",
            state=count_of("plans.Proposal"),
        ),
        Case(
            "plans:proposal_create",
            expect(404, uo_kupino=403, region=403, admin=403),
            args=("kupino_plan",),
        ),
    ],
    "plans:line_add": [
        Case("plans:line_add", expect(404, **refused(SEES, MANAGERS)), args=("revision_2026",)),
        Case(
            "plans:line_add",
            expect(404, **refused(SEES)),
            args=("revision_2025",),
            label="approved revision is frozen",
        ),
        Case(
            "plans:line_add",
            expect(404, uo_kupino=200, admin=200, region=403),
            args=("kupino_revision",),
        ),
    ],
    "plans:transition": [
        # The role decides first (403); a right role in the wrong state is told and redirected.
        Case(
            "plans:transition",
            expect(404, **refused(SEES, MANAGERS, ok=302)),
            method="post",
            args=("revision_2026", "t_submit"),
            label="submit",
            # On agreement already: the managers are told so, nothing changes.
            state=REVISION_2026,
        ),
        Case(
            "plans:transition",
            expect(404, **refused(SEES, MANAGERS, ok=302)),
            method="post",
            args=("revision_2026", "t_return"),
            data={"comment": "Уточнить сроки"},
            label="return",
            state=REVISION_2026,
            changes=MANAGERS,
        ),
        Case(
            "plans:transition",
            # The department's specialist may not: only its head (chief_dmitriev, tested in
            # test_signing_rights) holds the right to sign the approving order.
            expect(404, **refused(SEES, ("admin",), ok=302)),
            method="post",
            args=("revision_2026", "t_approve"),
            data={"password": "demo12345"},
            label="approve by the department's signatory only",
            # Not every school has agreed: the approver is told so, nothing is approved.
            state=REVISION_2026,
        ),
        Case(
            "plans:transition",
            expect(404, **refused(SEES, MANAGERS, ok=302)),
            method="post",
            args=("revision_2025", "t_amend"),
            label="amend",
            # A new draft of last year's plan; the approved revision stays as it was.
            state=count_of("plans.Revision", plan__center__hub__short_name=HUB, plan__year=2025),
            changes=MANAGERS,
        ),
        Case(
            "plans:transition",
            # Closing writes the hub's year-end report: who drafts the hub's documents.
            expect(404, **refused(SEES, CLOSERS, ok=302)),
            method="post",
            args=("revision_2025", "t_close"),
            data={"comment": "Итоги года подведены"},
            label="close",
            state=REVISION_2025,
            changes=CLOSERS,
        ),
        Case(
            "plans:transition",
            expect(404, uo_kupino=302, admin=302, region=403),
            method="post",
            args=("kupino_revision", "t_submit"),
            label="Kupino submit",
            state=row_of("plans.Revision", "kupino_revision", "visas"),
            changes=("uo_kupino", "admin"),
        ),
        Case(
            "plans:transition",
            expect(405, anonymous=302, uo_kupino=405),
            args=("revision_2026", "t_submit"),
            label="GET is refused",
        ),
    ],
    "plans:visa": [
        Case(
            "plans:visa",
            expect(404, **refused(SEES, ("school_a",), ok=302)),
            method="post",
            args=("revision_2026", "school_a_school"),
            data={"decision": "agreed"},
            label="school A's visa",
            # School A agreed before; its decision is given again, with its new time.
            state=REVISION_2026,
            changes=("school_a",),
        ),
    ],
    "plans:line_row": [
        Case("plans:line_row", expect(404, **SEES), args=("line_2026",)),
        Case("plans:line_row", expect(404, **KUPINO), args=("kupino_line",)),
    ],
    "plans:line_edit": [
        Case(
            "plans:line_edit",
            expect(404, **refused(SEES, (*MANAGERS, "wg_member"))),
            args=("line_2026",),
            label="responsible member may edit",
        ),
        Case(
            "plans:line_edit",
            expect(404, **refused(SEES)),
            args=("line_2025",),
            label="approved revision is frozen",
        ),
        Case(
            "plans:line_edit",
            expect(404, uo_kupino=200, admin=200, region=403),
            args=("kupino_line",),
        ),
    ],
    "plans:line_delete": [
        Case(
            "plans:line_delete",
            expect(404, **refused(SEES, MANAGERS, ok=302)),
            method="post",
            args=("line_2026",),
            state=together(row_of("plans.Line", "line_2026"), REVISION_2026),
            changes=MANAGERS,
        ),
        Case(
            "plans:line_delete",
            expect(404, **refused(SEES)),
            method="post",
            args=("line_2025",),
            label="approved revision is frozen",
            state=REVISION_2025,
        ),
    ],
    "plans:proposals": [Case("plans:proposals", expect(200))],
    "plans:proposal": [
        Case(
            "plans:proposal",
            expect(404, **{**SEES, "school_b": 404}),
            args=("proposal_a",),
            label="another school's pending proposal is not visible",
        ),
    ],
    "plans:proposal_decide": [
        Case(
            "plans:proposal_decide",
            expect(404, **{**refused(SEES, MANAGERS, ok=302), "school_b": 404}),
            method="post",
            args=("proposal_a",),
            data={"decision": "decline", "comment": "Уже есть в плане района"},
            state=row_of("plans.Proposal", "proposal_a"),
            changes=MANAGERS,
        ),
    ],
    "plans:proposal_withdraw": [
        Case(
            "plans:proposal_withdraw",
            expect(404, **{**refused(SEES, ("school_a",), ok=302), "school_b": 404}),
            method="post",
            args=("proposal_a",),
            state=row_of("plans.Proposal", "proposal_a"),
            changes=("school_a",),
        ),
    ],
    "plans:proposal_edit": [
        Case(
            "plans:proposal_edit",
            expect(404, **{**refused(SEES, ("school_a",), ok=302), "school_b": 404}),
            args=("proposal_a",),
            label="only a returned proposal is revised",
        ),
    ],
    "notifications:list": [Case("notifications:list", expect(200))],
    "notifications:read": [
        Case(
            "notifications:read",
            expect(302),
            method="post",
            # Each persona marks only its own; the unread count falls for those who had some.
            state=count_of("notifications.Notification", read_at=None),
            changes=NOTIFIED,
        ),
    ],
}
