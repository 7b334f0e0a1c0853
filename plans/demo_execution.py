"""Demo execution (SPEC §7, issue «through the year»), through ``plans.services.execution``.

Dmitriev's 2025/2026 plan was carried out: most events held and their reports accepted, two
postponed and held later, one cancelled, one report returned and corrected; the open lessons of
СОШ № 1 have its evidence files, which only the schools that were there may open. Kupino's
center at СОШ № 77 approved its 2026/2027 plan in September: a few events are held, one report
waits for the center head, one event is past its date without a report (overdue).
"""

import io
from datetime import date

from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile

from network_center.centers.models import Center
from schools import filetypes
from schools.models import Membership, Person
from schools.services import create_login, create_person, grant_role

from . import services
from .models import EventForm, Execution, Line, Plan, Visa
from .services import execution as execution_services

Role = Membership.Role
E = Execution.State


def _user(username):
    return get_user_model().objects.get(username=username)


def demo_pdf(title: str) -> bytes:
    """A small, well-formed one-page PDF (header, objects, cross-reference table, trailer)."""
    text = title.encode("latin-1", "replace")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        None,
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Times-Roman >>",
    ]
    stream = b"BT /F1 14 Tf 72 770 Td (" + text + b") Tj ET"
    objects[3] = b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream"
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(
        b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    )
    return out.getvalue()


def demo_png() -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), (210, 225, 240)).save(buffer, format="PNG")
    return buffer.getvalue()


def _files(*items):
    """Uploads as the report form gives them: ``(upload, kind)``, the kind judged by content."""
    result = []
    for name, data in items:
        upload = SimpleUploadedFile(name, data)
        result.append((upload, filetypes.detect(upload)))
    return result


def _participants(execution, per_school=4):
    line = execution.line
    schools = list(line.schools.all()) or ([line.venue] if line.venue else [])
    return [(school, per_school + n, []) for n, school in enumerate(schools)]


def _report(execution, actor, *, held_on, outcome, files=(), persons=None):
    participants = _participants(execution)
    if persons:
        # The named persons go with their school's row.
        participants = [
            (school, max(count, len(named)), named)
            if (named := [p for p in persons if p.organisation_id == school.pk])
            else (school, count, [])
            for school, count, _ in participants
        ]
    return execution_services.report(
        execution,
        actor=actor,
        held_on=held_on,
        outcome=outcome,
        materials="Программа, презентация и протокол — на сайте центра.",
        participants=participants,
        files=_files(*files),
    )


def load_execution(*, password, password_hash):
    """``password_hash``: the demo password hashed once (``network_center.demo``)."""
    _dmitriev_last_year()
    _kupino_this_year(password, password_hash)


def _dmitriev_last_year():
    center = Center.objects.filter(hub__short_name="МКОУ «СОШ № 2 г. Дмитриева»").first()
    plan = Plan.objects.filter(center=center, year=2025).first() if center else None
    if plan is None or plan.executions.exclude(state=E.PLANNED).exists():
        return
    head = _user("head_center")
    executions = list(plan.executions.select_related("line").order_by("date_from", "pk"))
    by_title = {e.line.title: e for e in executions}
    postponed = {
        "Разработка школьных программ перехода в эффективный режим работы": (
            date(2025, 12, 4),
            "Совпало с региональным семинаром для заместителей директоров.",
        ),
        "Сетевой проект «Читаем вместе» для 5–7 классов": (
            date(2026, 4, 6),
            "Карантин по гриппу в двух школах сети.",
        ),
    }
    cancelled = "«Исследование урока»: формирующее оценивание"
    returned = "Мастер-класс по подготовке к ОГЭ по математике"
    with_files = "Открытые уроки русского языка в 5–6 классах"
    for execution in executions:
        title = execution.line.title
        if title == cancelled:
            execution_services.cancel(
                execution,
                actor=head,
                reason="Ведущий учитель на больничном; тема перенесена в план 2026/2027.",
            )
            continue
        held_on = execution.date_from
        if title in postponed:
            new_date, reason = postponed[title]
            execution = execution_services.postpone(
                execution,
                actor=head,
                date_kind=Line.DateKind.DAY,
                date_from=new_date,
                reason=reason,
            )
            held_on = new_date
        reporter = head
        files = ()
        if title == with_files:
            reporter = _user("school_a")
            files = (
                ("Протокол открытых уроков.pdf", demo_pdf("Protocol of the open lessons")),
                ("Фото с урока.png", demo_png()),
            )
        elif "математ" in title:
            reporter = _user("wg_member") if _responsible(execution, "wg_member") else head
        execution = _report(
            execution,
            reporter,
            held_on=held_on,
            outcome="Проведено по плану; участники получили методические рекомендации, "
            "решения записаны в протокол.",
            files=files,
        )
        if title == returned:
            execution = execution_services.return_report(
                execution,
                actor=head,
                remarks="Добавьте список участников поимённо и ссылку на презентацию.",
            )
            school = execution.line.schools.order_by("short_name").first()
            persons = list(Person.objects.filter(organisation=school)[:3])
            execution = _report(
                execution,
                reporter,
                held_on=held_on,
                outcome="Проведено по плану; разобраны задания второй части ОГЭ, учителя "
                "получили банк заданий. Презентация: https://example.org/oge-math",
                persons=persons,
            )
        execution_services.accept_report(execution, actor=head)
    assert by_title  # the plan has its events


def _responsible(execution, username) -> bool:
    return execution.line.responsible.filter(user__username=username).exists()


# --- Kupino: this year's plan in force, a few events held, one overdue ---------------------------

KUPINO_HUB = "МБОУ «Купинская СОШ № 77»"

KUPINO_LINES = [
    ("Установочный семинар сети: результаты ВПР 2026", "семинар", date(2026, 9, 17), "held"),
    ("Консультации учителей математики по итогам ВПР", "консультация", date(2026, 10, 8), "held"),
    (
        "Взаимопосещение уроков русского языка",
        "взаимопосещение уроков",
        date(2026, 10, 22),
        "reported",
    ),
    (
        "Мастер-класс «Смысловое чтение на уроках истории»",
        "мастер-класс",
        date(2026, 11, 12),
        "overdue",
    ),
    ("Вебинар «Работа с семьями группы риска»", "вебинар", date(2026, 12, 10), "planned"),
    ("Стажировка молодых учителей в базовой школе", "стажировка", date(2027, 2, 11), "planned"),
]


def _login_for(person, username, organisation, *roles, password_hash):
    user = getattr(person, "user", None) or create_login(
        person, username, "", password_hash=password_hash
    )
    for role in roles:
        grant_role(user, organisation, role)
    return user


def _kupino_this_year(password, password_hash):
    center = Center.objects.filter(hub__short_name=KUPINO_HUB).first()
    if center is None or Plan.objects.filter(center=center, year=2026).exists():
        return
    hub = center.hub
    # The hub's director heads the center and approves its plan (the center's approver).
    director = _login_for(
        hub.head,
        "director_kupino77",
        hub,
        Role.HUB_DIRECTOR,
        Role.CENTER_HEAD,
        password_hash=password_hash,
    )
    participants = [p.school for p in center.participations.select_related("school__head")]
    coordinators = {}
    for n, school in enumerate(participants, start=1):
        coordinators[school.pk] = _login_for(
            school.head,
            f"coordinator_kupino{n}",
            school,
            Role.COORDINATOR,
            password_hash=password_hash,
        )
    teacher = create_person(
        hub,
        last_name="Власова",
        first_name="Ирина",
        patronymic="Петровна",
        position="учитель математики, руководитель методического объединения",
    )
    services.ensure_event_forms()
    forms = {f.name: f for f in EventForm.objects.all()}
    plan = services.create_plan(center, 2026, actor=director)
    revision = plan.revisions.get()
    for title, form, day, _state in KUPINO_LINES:
        services.add_line(
            revision,
            actor=director,
            direction="Адресная методическая поддержка учителей",
            title=title,
            form=forms[form],
            format=Line.Format.REMOTE if form == "вебинар" else Line.Format.IN_PERSON,
            audience="учителя школ сети",
            venue=None if form == "вебинар" else hub,
            date_kind=Line.DateKind.DAY,
            date_from=day,
            expected_result="Методические рекомендации, протокол",
            responsible=[teacher if "математ" in title else hub.head],
            schools=participants,
        )
    services.submit(revision, actor=director)
    for school in participants:
        services.give_visa(
            revision, school, actor=coordinators[school.pk], decision=Visa.Decision.AGREED
        )
    services.approve(revision, actor=director, password=password)
    for execution in plan.executions.select_related("line"):
        state = next(s for t, _f, _d, s in KUPINO_LINES if t == execution.line.title)
        if state not in {"held", "reported"}:
            continue
        execution = _report(
            execution,
            director,
            held_on=execution.date_from,
            outcome="Проведено; решения и рекомендации разосланы школам сети.",
        )
        if state == "held":
            execution_services.accept_report(execution, actor=director)
