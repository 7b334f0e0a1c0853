"""The year-end execution report of a plan: what became of each event and what each school took
part in. One reading (``execution_report``) feeds the report page, its PDF (the legal-documents
machinery: a «Отчёт» of the hub, landscape table) and its XLSX, so the three never disagree.
Nothing here changes anything; closing the plan (``plans.services.revisions.close``) stores the
report as a document and attaches it.
"""

import io
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Prefetch
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from network_center.documents.body import ParsedPoint
from network_center.documents.language import in_russian
from network_center.documents.models import LegalDocument

from .models import Execution, ExecutionParticipation, Revision
from .printing import responsible_names
from .queries import PRINT_ORDER

E = Execution.State


@dataclass
class SchoolReach:
    school: object
    events: int = 0
    participants: int = 0


@dataclass
class ExecutionReport:
    revision: Revision
    rows: list = field(default_factory=list)  # (number, execution)
    counts: dict = field(default_factory=dict)  # state → how many
    schools: list = field(default_factory=list)  # SchoolReach, by name
    participants: int = 0

    @property
    def total(self):
        return len(self.rows)

    @property
    def held(self):
        return sum(self.counts.get(s, 0) for s in Execution.HELD)

    @property
    def accepted(self):
        return self.counts.get(E.ACCEPTED, 0)

    @property
    def postponed(self):
        """Events moved at least once (those still waiting and those held after a move)."""
        return sum(1 for _, e in self.rows if e.was_postponed)

    @property
    def cancelled(self):
        return self.counts.get(E.CANCELLED, 0)

    @property
    def open(self):
        """Events not yet settled: neither a report accepted nor cancelled."""
        return self.total - self.accepted - self.cancelled


def execution_report(revision: Revision) -> ExecutionReport:
    """Every event of ``revision`` with its execution, numbered as in the printed plan, and
    the reach per school: four queries, whatever the number of lines."""
    executions = list(
        Execution.objects.filter(line__revision=revision)
        .select_related("line__form", "line__venue")
        .prefetch_related(
            "line__responsible",
            Prefetch(
                "participations",
                queryset=ExecutionParticipation.objects.select_related("school"),
            ),
        )
        .order_by(*(f"line__{name}" for name in PRINT_ORDER))
    )
    postponed = set(
        Execution.objects.filter(line__revision=revision, events__action="postpone")
        .values_list("pk", flat=True)
        .distinct()
    )
    report = ExecutionReport(revision=revision)
    reach: dict[int, SchoolReach] = {}
    counts: dict[str, int] = defaultdict(int)
    for number, execution in enumerate(executions, start=1):
        execution.was_postponed = execution.pk in postponed
        execution.participant_total = sum(p.count for p in execution.participations.all())
        counts[execution.state] += 1
        report.rows.append((number, execution))
        if execution.state == E.CANCELLED:
            continue
        for participation in execution.participations.all():
            entry = reach.setdefault(
                participation.school_id, SchoolReach(school=participation.school)
            )
            entry.events += 1
            entry.participants += participation.count
            report.participants += participation.count
    report.counts = dict(counts)
    report.schools = sorted(reach.values(), key=lambda r: r.school.short_name)
    return report


# --- what the document prints ---------------------------------------------------------------------

REPORT_COLUMNS = [
    "№",
    "Мероприятие (форма)",
    "Сроки по плану",
    "Исполнение",
    "Участники",
    "Итоги",
    "Ответственные",
]


def _done(execution) -> str:
    if execution.state == E.CANCELLED:
        return f"отменено: {execution.reason}"
    if execution.is_held:
        moved = f" (перенесено на {execution.dates_display})" if execution.was_postponed else ""
        state = "отчёт принят" if execution.state == E.ACCEPTED else "отчёт не принят"
        return f"проведено {execution.held_on:%d.%m.%Y}{moved}; {state}"
    if execution.state == E.POSTPONED:
        return f"перенесено на {execution.dates_display}: {execution.reason}"
    return "не проведено"


def _participants(execution) -> str:
    return "; ".join(f"{p.school.short_name} — {p.count}" for p in execution.participations.all())


@in_russian
def report_table(report: ExecutionReport) -> dict:
    rows = [
        [
            str(number),
            f"{e.line.title} ({e.line.form.name})",
            e.line.dates_display,
            _done(e),
            _participants(e),
            e.outcome if e.is_held else "",
            responsible_names(e.line),
        ]
        for number, e in report.rows
    ]
    return {"columns": REPORT_COLUMNS, "rows": rows, "landscape": True}


@in_russian
def report_heading(revision: Revision) -> str:
    center = revision.plan.center
    return (
        f"о выполнении плана совместной деятельности {center.short_name_genitive()} "
        f"за {revision.plan.academic_year} учебный год"
    )


@in_russian
def report_points(report: ExecutionReport) -> list[ParsedPoint]:
    """The report's text: the totals, then the reach of each school."""
    total = report.total
    points = [
        ParsedPoint(
            "numbered",
            ngettext("План включал %(n)s мероприятие.", "План включал %(n)s мероприятий.", total)
            % {"n": total}
            + " "
            + _(
                "Проведено — %(held)s (отчёты приняты по %(accepted)s), перенесено — "
                "%(postponed)s, отменено — %(cancelled)s, не проведено — %(open)s."
            )
            % {
                "held": report.held,
                "accepted": report.accepted,
                "postponed": report.postponed,
                "cancelled": report.cancelled,
                "open": total - report.held - report.cancelled,
            },
        ),
        ParsedPoint(
            "numbered",
            _("Всего участий педагогических работников в мероприятиях: %(n)s.")
            % {"n": report.participants},
        ),
    ]
    if report.schools:
        points.append(
            ParsedPoint(
                "numbered",
                _("Участие школ: ")
                + "; ".join(
                    _("%(school)s — %(events)s, %(people)s")
                    % {
                        "school": reach.school.short_name,
                        "events": ngettext("%(n)s мероприятие", "%(n)s мероприятий", reach.events)
                        % {"n": reach.events},
                        "people": ngettext("%(n)s участник", "%(n)s участников", reach.participants)
                        % {"n": reach.participants},
                    }
                    for reach in report.schools
                )
                + ".",
            )
        )
    points.append(ParsedPoint("numbered", _("Сведения о каждом мероприятии приведены в таблице.")))
    return points


@in_russian
def draft_report_document(report: ExecutionReport) -> LegalDocument:
    """An unsaved report document, for the «ПРОЕКТ» PDF before the plan is closed."""
    revision = report.revision
    document = LegalDocument(
        issuer=revision.plan.center.hub,
        kind=LegalDocument.Kind.REPORT,
        heading=report_heading(revision),
        table=report_table(report),
    )
    document.draft_points = report_points(report)
    return document


# --- XLSX ----------------------------------------------------------------------------------------


@in_russian
def report_workbook(report: ExecutionReport) -> bytes:
    """Sheet «Мероприятия» (a row per event) and sheet «Школы» (a row per school)."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    from schools.xlsx import write_cell

    from .exports import _write_table

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Мероприятия"
    write_cell(sheet, 1, 1, f"Отчёт {report_heading(report.revision)}").font = Font(bold=True)
    headings = [
        "№",
        "Мероприятие",
        "Форма",
        "Сроки по плану",
        "Состояние",
        "Фактическая дата",
        "Перенесено",
        "Причина переноса или отмены",
        "Участников",
        "Участники по школам",
        "Итоги",
        "Ответственные",
    ]
    rows = (
        [
            number,
            e.line.title,
            e.line.form.name,
            e.line.dates_display,
            e.get_state_display(),
            e.held_on,
            "да" if e.was_postponed else "",
            e.reason,
            sum(p.count for p in e.participations.all()),
            _participants(e),
            e.outcome,
            responsible_names(e.line),
        ]
        for number, e in report.rows
    )
    _write_table(sheet, 3, headings, [5, 40, 18, 18, 24, 14, 10, 30, 12, 36, 40, 28], rows)
    schools = workbook.create_sheet("Школы")
    _write_table(
        schools,
        1,
        ["Школа", "Мероприятий с участием", "Участников"],
        [40, 22, 14],
        ([r.school.short_name, r.events, r.participants] for r in report.schools),
    )
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


@in_russian
def report_file_name(revision: Revision, extension: str) -> str:
    year = revision.plan.academic_year.replace("/", "-")
    return f"Отчёт_о_выполнении_плана_{year}.{extension}"
