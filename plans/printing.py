"""What the printed plan says: the plan's table, its лист согласования, and the wording of the
documents that approve it. The legal-documents machinery typesets them; nothing here changes
anything (approval, which makes the documents, is ``plans.services.revisions.approve``).

Every builder runs ``in_russian``: the plan is a legal document, and the labels it takes from
the models (a format, a decision on a visa, a month in «октябрь 2026») are gettext lookups that
would otherwise follow the interface language of whoever approves or prints it.
"""

from django.utils import timezone

from network_center.documents.body import ParsedPoint
from network_center.documents.language import in_russian
from network_center.documents.models import LegalDocument

from .models import Line, Revision
from .queries import PRINT_ORDER, participant_ids

PRINT_COLUMNS = [
    "№",
    "Мероприятие (форма, формат)",
    "Сроки, место проведения",
    "Участники",
    "Ответственные",
    "Ожидаемый результат",
]
PRINT_FORMATS = {"in_person": "очно", "blended": "очно-заочно", "remote": "дистанционно"}
ALL_SCHOOLS = "все школы — участники сети"


def responsible_names(line: Line) -> str:
    """«Зайцева М.А., Белова Н.В.» (prefetched ``responsible``), plain spaces for a table cell."""
    return ", ".join(p.name_initials.replace("\u00a0", " ") for p in line.responsible.all())


def involves_every_school(school_ids, participants: set[int]) -> bool:
    """Whether a line for ``school_ids`` is for the whole network (printed «все школы — участники
    сети»): every school agreeing the plan takes part, and there is more than one."""
    return len(participants) > 1 and participants <= set(school_ids)


@in_russian
def plan_print_table(revision: Revision) -> dict:
    """The lines as the approved plan prints them: grouped by direction (a row heading each
    group, in the order of the plan page's grouping), by date within a group, numbered through;
    the form and format with the event, the audience with the schools — «все школы — участники
    сети» when a line involves every school that agrees the plan. Every field of a line is in
    the XLSX export (``plans.exports``); this is what a page of the printed plan holds,
    landscape."""
    lines = list(
        revision.lines.select_related("form", "venue")
        .prefetch_related("responsible", "schools")
        .order_by(*PRINT_ORDER)
    )
    participants = participant_ids(revision)
    rows: list = []
    direction = None
    for n, line in enumerate(lines, start=1):
        if line.direction != direction:
            direction = line.direction
            rows.append({"group": direction})
        venue = line.venue.short_name if line.venue else ""
        schools = list(line.schools.all())
        if involves_every_school((school.pk for school in schools), participants):
            involved = ALL_SCHOOLS
        else:
            involved = ", ".join(school.short_name for school in schools)
        rows.append(
            [
                str(n),
                f"{line.title} ({line.form.name}, {PRINT_FORMATS.get(line.format, line.format)})",
                "\n".join(part for part in (line.dates_display, venue) if part),
                "; ".join(part for part in (line.audience, involved) if part),
                responsible_names(line),
                line.expected_result,
            ]
        )
    return {"columns": PRINT_COLUMNS, "rows": rows, "landscape": True}


# The columns of the plan's лист согласования (SPEC §5): one row per participant school.
AGREEMENT_COLUMNS = ["Школа", "Должность", "И.О. Фамилия", "Решение", "Дата", "Замечания"]


@in_russian
def agreement_sheet(revision: Revision) -> dict | None:
    """The лист согласования as the document stores it: ``AGREEMENT_COLUMNS`` and a row per
    school, as printed; ``None`` for a revision without visas."""
    rows = []
    for visa in revision.visas.select_related("school", "decided_by_person"):
        person = visa.decided_by_person
        rows.append(
            [
                visa.school.short_name,
                person.position if person else "",
                person.initials_name.replace("\u00a0", " ") if person else "",
                visa.get_decision_display(),
                visa.decided_at.astimezone(timezone.get_current_timezone()).strftime("%d.%m.%Y")
                if visa.decided_at
                else "",
                visa.remarks,
            ]
        )
    return {"columns": AGREEMENT_COLUMNS, "rows": rows} if rows else None


@in_russian
def plan_heading(revision: Revision) -> str:
    """«совместной деятельности Центра … на 2026/2027 учебный год»: after «План» or «Об
    утверждении плана»."""
    center = revision.plan.center
    return (
        f"совместной деятельности {center.short_name_genitive()} "
        f"на {revision.plan.academic_year} учебный год"
    )


@in_russian
def draft_plan_document(revision: Revision) -> LegalDocument:
    """An unsaved plan document of a revision in work, for its «ПРОЕКТ» PDF."""
    return LegalDocument(
        issuer=revision.plan.center.hub,
        kind=LegalDocument.Kind.PLAN,
        heading=plan_heading(revision),
        table=plan_print_table(revision),
        agreement_sheet=agreement_sheet(revision),
    )


# --- the department's order approving the plan ---------------------------------------------------

APPROVAL_PREAMBLE = (
    "В соответствии с Положением о центре сетевого взаимодействия, на основании "
    "согласования плана всеми школами — участниками сетевого взаимодействия"
)


@in_russian
def approval_order_heading(revision: Revision) -> str:
    return f"Об утверждении плана {plan_heading(revision)}"


@in_russian
def approval_order_points(revision: Revision) -> list[ParsedPoint]:
    """The body of the order: the plan approved as its appendix 1, who carries it out, control."""
    return [
        ParsedPoint("numbered", f"Утвердить план {plan_heading(revision)} (приложение 1)."),
        ParsedPoint(
            "numbered",
            "Руководителю центра обеспечить выполнение плана; школам — участникам сетевого "
            "взаимодействия обеспечить участие педагогических работников в мероприятиях "
            "плана.",
        ),
        ParsedPoint("numbered", "Контроль за исполнением настоящего приказа оставляю за собой."),
    ]
