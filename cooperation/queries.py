"""Who and what a pair or a group of a center may name: read by the forms (the choices they
offer) and by the services (the same rules, checked again)."""

from django.db.models import Case, IntegerField, Q, Value, When
from django.utils import timezone

from network_center.centers.models import Center
from network_center.centers.services.working_group import network_organisations
from plans.models import Line, Revision
from schools.models import Person

# Lines a pair or a group may come from: those of a revision that was approved — the one in
# force, or the closed one of a finished year. A superseded revision's lines are the same events
# as the newer revision's (same key), so they are not offered twice; a value already chosen
# stays valid (``keep``).
LINKABLE_STATES = (Revision.State.APPROVED, Revision.State.CLOSED)


def current_participant_ids(center: Center):
    """The center's participant schools still taking part today (an id subquery)."""
    today = timezone.localdate()
    return center.participations.filter(Q(until__isnull=True) | Q(until__gte=today)).values(
        "school_id"
    )


def _people(queryset, center):
    # The hub's staff first: a mentor is usually a hub teacher, and a list read from the top
    # should start with them.
    return queryset.select_related("organisation").order_by(
        Case(
            When(organisation_id=center.hub_id, then=Value(0)),
            default=Value(1),
            output_field=IntegerField(),
        ),
        "organisation__short_name",
        "last_name",
        "first_name",
        "patronymic",
        "pk",
    )


def network_people(center: Center):
    """Persons of the center's network: the hub, the current participant schools and the
    municipality's РМК (who may mentor, or be members of a group)."""
    return _people(Person.objects.filter(organisation__in=network_organisations(center)), center)


def mentee_candidates(center: Center):
    """Teachers of the center's current participant schools: who a pair supports."""
    return _people(
        Person.objects.filter(organisation_id__in=current_participant_ids(center)), center
    )


def linkable_lines(center: Center, keep=()):
    """Lines of the approved (or closed) revisions of the center's plans, newest year first;
    with ``keep``, the center's lines already chosen too: an edit never refuses a line whose
    revision has since been superseded."""
    q = Q(revision__state__in=LINKABLE_STATES)
    keep = [pk for pk in keep if pk]
    if keep:
        q |= Q(pk__in=keep)
    return (
        Line.objects.filter(q, revision__plan__center=center)
        .select_related("revision__plan")
        .order_by("-revision__plan__year", "date_from", "position", "pk")
    )


def line_label(line: Line) -> str:
    """«2025/2026: Закрепление наставников … (01.10.2025)»."""
    return f"{line.revision.plan.academic_year}: {line.title} ({line.dates_display})"


def person_label(person: Person) -> str:
    """«Белова Т.Н., учитель математики — МКОУ «СОШ № 2 г. Дмитриева»»."""
    return f"{person.name_initials}, {person.position} — {person.organisation.short_name}"
