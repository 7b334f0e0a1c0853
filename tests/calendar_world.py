"""A plan of the Dmitriev center approved through the services, with events on dates the tests
choose: the calendar, feed, overdue and reminder tests build on it (on top of the demo)."""

from datetime import date

from django.contrib.auth import get_user_model

from network_center.centers.models import Center
from plans import services
from plans.models import EventForm, Execution, Visa
from schools.models import Membership, Organisation, Person

HUB = "МКОУ «СОШ № 2 г. Дмитриева»"
SCHOOL_A = "МКОУ «СОШ № 1 г. Дмитриева»"
SCHOOL_B = "МКОУ «Старогородская СОШ»"

SEMINAR = "Семинар для учителей СОШ № 1"
INTENSIVE = "Интенсив сети по смысловому чтению"
MENTORING = "Наставничество молодых учителей"
OCTOBER = "Консультации учителей математики"
LESSON = "Открытый урок в Старогородской СОШ"


def user(username):
    return get_user_model().objects.get(username=username)


def school(short_name):
    return Organisation.objects.get(short_name=short_name)


def coordinator_of(organisation):
    return Membership.objects.get(organisation=organisation, role="coordinator").user


def dmitriev_center():
    return Center.objects.get(hub__short_name=HUB)


def standard_lines():
    """Five events of October–November 2027: a day at school A (its coordinator is school_a,
    Т.Н. Белова — wg_member — is responsible), a period at the hub for A and B, a month-kind
    event in October and one in November, and a day at school B only."""
    a, b, hub = school(SCHOOL_A), school(SCHOOL_B), school(HUB)
    belova = Person.objects.get(last_name="Белова")
    return [
        dict(
            title=SEMINAR,
            form="семинар",
            format="in_person",
            venue=a,
            date_kind="day",
            date_from=date(2027, 10, 5),
            schools=[a],
            responsible=[belova],
        ),
        dict(
            title=INTENSIVE,
            form="выездной интенсив",
            format="blended",
            venue=hub,
            date_kind="period",
            date_from=date(2027, 10, 12),
            date_to=date(2027, 10, 20),
            schools=[a, b],
        ),
        dict(
            title=OCTOBER,
            form="консультация",
            format="in_person",
            venue=hub,
            date_kind="month",
            date_from=date(2027, 10, 1),
            schools=[a, b],
        ),
        dict(
            title=MENTORING,
            form="наставничество",
            format="remote",
            venue=None,
            date_kind="month",
            date_from=date(2027, 11, 1),
            schools=[b],
        ),
        dict(
            title=LESSON,
            form="открытый урок",
            format="in_person",
            venue=b,
            date_kind="day",
            date_from=date(2027, 10, 28),
            schools=[b],
        ),
    ]


def approved_plan(year=2027, lines=None) -> dict[str, Execution]:
    """A plan of the Dmitriev center for ``year`` with ``lines`` (``standard_lines()``), sent
    for agreement, agreed by every school and approved by the department's head; its events
    by title."""
    head = user("head_center")
    forms = {f.name: f for f in EventForm.objects.all()}
    plan = services.create_plan(dmitriev_center(), year, actor=head)
    revision = plan.revisions.get()
    for spec in standard_lines() if lines is None else lines:
        spec = dict(spec)
        services.add_line(
            revision,
            actor=head,
            direction="Адресная методическая поддержка учителей",
            audience="учителя",
            form=forms[spec.pop("form")],
            **spec,
        )
    services.submit(revision, actor=head)
    for visa in revision.visas.select_related("school"):
        services.give_visa(
            revision, visa.school, actor=coordinator_of(visa.school), decision=Visa.Decision.AGREED
        )
    services.approve(revision, actor=user("chief_dmitriev"), password="demo12345")
    return {
        e.line.title: e
        for e in Execution.objects.filter(plan=plan).select_related("line__venue", "line__form")
    }
