"""Permission-matrix rows of the execution URLs (merged into tests/matrix.py): an event's page,
its report, postponement, cancellation and the center head's decision, its evidence files, and
the plan's execution report.

The demo's 2025/2026 plan is executed: every report accepted but one event cancelled. Rows that
need an event still to happen, or a report on review, put one of its events back in that state
(``_reopened``) — test setup, not a path of the product."""

from django.core.files.uploadedfile import SimpleUploadedFile

from .matrix import Case, count_of, expect, row_of
from .matrix_plans import KUPINO, SEES, refused

HUB = "МКОУ «СОШ № 2 г. Дмитриева»"
MATH = "Взаимопосещение уроков математики в сельских школах"
REVIEW = "Мастер-класс по подготовке к ОГЭ по математике"
COMMON = "Установочное совещание сети: анализ результатов мониторинга ШНОР/ШНСУ"
OWN = "Открытые уроки русского языка в 5–6 классах"


def _execution(title, year=2025, hub=HUB):
    from plans.models import Execution

    return Execution.objects.get(
        plan__center__hub__short_name=hub, plan__year=year, line__title=title
    )


def _reopened(title, state):
    """An event of last year's plan put back into ``state`` (its report cleared when it is
    to happen again)."""

    def get():
        from plans.models import Execution

        execution = _execution(title)
        fields = {"state": state}
        if state in Execution.OPEN:
            execution.participations.all().delete()
            fields.update(held_on=None, outcome="", reported_by=None, reported_at=None)
        Execution.objects.filter(pk=execution.pk).update(**fields)
        return execution.pk

    return get


def _kupino_execution(state):
    def get():
        from plans.models import Execution

        return (
            Execution.objects.filter(
                plan__center__hub__short_name="МБОУ «Купинская СОШ № 77»", state=state
            )
            .order_by("date_from")
            .first()
            .pk
        )

    return get


def _evidence(title, state=None):
    def get():
        from plans.models import EvidenceFile

        if state:
            _reopened(title, state)()
        # Not the file the department recommended (``practices.demo``): an accepted report's
        # files never change, and a recommended one is protected by its practice.
        files = EvidenceFile.objects.filter(execution=_execution(title), practices__isnull=True)
        return files.order_by("pk").first().pk

    return get


def _kupino77_revision():
    from plans.models import Revision

    return Revision.objects.get(
        plan__center__hub__short_name="МБОУ «Купинская СОШ № 77»", state="approved"
    ).pk


EXECUTION_TARGETS = {
    "exec_common": lambda: _execution(COMMON).pk,
    "exec_own": lambda: _execution(OWN).pk,
    "exec_open": _reopened(MATH, "planned"),
    "exec_review": _reopened(REVIEW, "reported"),
    "kupino_exec": _kupino_execution("planned"),
    "evidence_own": _evidence(OWN),
    "evidence_open": _evidence(OWN, "reported"),
    "kupino77_revision": _kupino77_revision,
    "e_cancel": lambda: "cancel",
    "e_accept": lambda: "accept",
    "e_return": lambda: "return",
    "e_unknown": lambda: "unknown",
}

# Who files the report of the math event (Т.Н. Белова is responsible; it is held at the hub):
# the responsible member, the center head, the department, the administrator.
REPORTERS = ("wg_member", "head_center", "uo_dmitriev", "admin")
# Who decides on reports and cancels events.
DECIDERS = ("head_center", "uo_dmitriev", "admin")
# СОШ № 1's own event: school B was not there.
OWN_SEES = {**SEES, "school_b": 404}
# Who reports СОШ № 1's own event: its coordinator (the venue's), the center's managers.
OWN_REPORTERS = ("school_a", "head_center", "uo_dmitriev", "admin")


def not_b(codes):
    """``codes`` for СОШ № 1's own event: school B does not see it (404)."""
    return {**codes, "school_b": 404}


def _report_data():
    from schools.models import Organisation

    from .test_execution import small_pdf

    execution = _execution(MATH)
    school = execution.line.schools.order_by("pk").first()
    assert isinstance(school, Organisation)
    return {
        "version": execution.version,
        "held_on": execution.date_from.isoformat(),
        "outcome": "Проведено, разобраны типичные ошибки.",
        f"count_{school.pk}": "7",
        "files": SimpleUploadedFile("Протокол.pdf", small_pdf()),
    }


def _file_data():
    from .test_execution import small_pdf

    return {"files": SimpleUploadedFile("Фото.pdf", small_pdf())}


EXECUTION_OPEN = row_of("plans.Execution", "exec_open", "participations", "files")
EXECUTION_REVIEW = row_of("plans.Execution", "exec_review")

EXECUTION_MATRIX = {
    "plans:execution": [
        Case("plans:execution", expect(404, **SEES), args=("exec_common",)),
        Case(
            "plans:execution",
            expect(404, **OWN_SEES),
            args=("exec_own",),
            label="a school's own event",
        ),
        Case("plans:execution", expect(404, **KUPINO), args=("kupino_exec",)),
    ],
    "plans:execution_report": [
        Case(
            "plans:execution_report", expect(404, **refused(SEES, REPORTERS)), args=("exec_open",)
        ),
        Case(
            "plans:execution_report",
            expect(404, **refused(SEES, REPORTERS, ok=302)),
            method="post",
            args=("exec_open",),
            data=_report_data,
            label="a held event's report with a PDF",
            state=EXECUTION_OPEN,
            changes=REPORTERS,
        ),
        Case(
            "plans:execution_report",
            expect(404, **refused(SEES, REPORTERS)),
            method="post",
            args=("exec_open",),
            data={"held_on": "", "outcome": ""},
            label="invalid POST re-displays the form",
            state=EXECUTION_OPEN,
        ),
        Case(
            "plans:execution_report",
            expect(404, **not_b(refused(SEES, OWN_REPORTERS, ok=302))),
            args=("exec_own",),
            label="accepted: told so, back to the event",
        ),
        Case(
            "plans:execution_report",
            expect(404, uo_kupino=200, admin=200, region=403),
            args=("kupino_exec",),
        ),
    ],
    "plans:execution_postpone": [
        Case(
            "plans:execution_postpone",
            expect(404, **refused(SEES, REPORTERS)),
            args=("exec_open",),
        ),
        Case(
            "plans:execution_postpone",
            expect(404, **refused(SEES, REPORTERS, ok=302)),
            method="post",
            args=("exec_open",),
            data={"date_kind": "day", "date_from": "2026-05-14", "reason": "Совпало с ВПР."},
            label="postponed",
            state=EXECUTION_OPEN,
            changes=REPORTERS,
        ),
        Case(
            "plans:execution_postpone",
            expect(404, uo_kupino=200, admin=200, region=403),
            args=("kupino_exec",),
        ),
    ],
    "plans:execution_transition": [
        Case(
            "plans:execution_transition",
            expect(404, **refused(SEES, DECIDERS, ok=302)),
            method="post",
            args=("exec_open", "e_cancel"),
            data={"comment": "Ведущий заболел."},
            label="cancel",
            state=EXECUTION_OPEN,
            changes=DECIDERS,
        ),
        Case(
            "plans:execution_transition",
            expect(404, **refused(SEES, DECIDERS)),
            method="post",
            args=("exec_open", "e_cancel"),
            label="cancel without a reason re-displays the event",
            state=EXECUTION_OPEN,
        ),
        Case(
            "plans:execution_transition",
            expect(404, **refused(SEES, DECIDERS, ok=302)),
            method="post",
            args=("exec_review", "e_accept"),
            label="accept",
            state=EXECUTION_REVIEW,
            changes=DECIDERS,
        ),
        Case(
            "plans:execution_transition",
            expect(404, **refused(SEES, DECIDERS, ok=302)),
            method="post",
            args=("exec_review", "e_return"),
            data={"comment": "Добавьте участников поимённо."},
            label="return",
            state=EXECUTION_REVIEW,
            changes=DECIDERS,
        ),
        Case(
            "plans:execution_transition",
            expect(404),
            method="post",
            args=("exec_review", "e_unknown"),
            label="unknown action",
            state=EXECUTION_REVIEW,
        ),
        Case(
            "plans:execution_transition",
            expect(405, anonymous=302),
            args=("exec_review", "e_accept"),
            label="GET is refused",
        ),
    ],
    "plans:evidence_add": [
        Case(
            "plans:evidence_add",
            expect(404, **refused(SEES, REPORTERS, ok=302)),
            method="post",
            args=("exec_open",),
            data=_file_data,
            label="a file added to an open event",
            state=count_of("plans.EvidenceFile"),
            changes=REPORTERS,
        ),
        Case(
            "plans:evidence_add",
            expect(404, **not_b(refused(SEES))),
            method="post",
            args=("exec_own",),
            data=_file_data,
            label="an accepted report's files do not change",
            state=count_of("plans.EvidenceFile"),
        ),
    ],
    "plans:evidence": [
        Case(
            "plans:evidence",
            expect(404, **OWN_SEES),
            args=("evidence_own",),
            label="school B does not open school A's file",
        ),
    ],
    "plans:evidence_delete": [
        Case(
            "plans:evidence_delete",
            expect(404, **not_b(refused(SEES, OWN_REPORTERS, ok=302))),
            method="post",
            args=("evidence_open",),
            label="a report on review",
            state=count_of("plans.EvidenceFile"),
            changes=OWN_REPORTERS,
        ),
        Case(
            "plans:evidence_delete",
            expect(404, **not_b(refused(SEES))),
            method="post",
            args=("evidence_own",),
            label="an accepted report",
            state=count_of("plans.EvidenceFile"),
        ),
    ],
    "plans:execution_overview": [
        Case("plans:execution_overview", expect(404, **SEES), args=("revision_2025",)),
        Case(
            "plans:execution_overview",
            expect(404),
            args=("revision_2026",),
            label="a plan not yet in force has no execution",
        ),
        Case("plans:execution_overview", expect(404, **KUPINO), args=("kupino77_revision",)),
    ],
    "plans:execution_report_pdf": [
        Case("plans:execution_report_pdf", expect(404, **SEES), args=("revision_2025",)),
        Case("plans:execution_report_pdf", expect(404, **KUPINO), args=("kupino77_revision",)),
    ],
    "plans:execution_report_xlsx": [
        Case("plans:execution_report_xlsx", expect(404, **SEES), args=("revision_2025",)),
        Case("plans:execution_report_xlsx", expect(404, **KUPINO), args=("kupino77_revision",)),
    ],
}
