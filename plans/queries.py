"""Reads that the services, the views and the printed plan share: the revision in work, the one
in force, and the schools that agree a revision."""

from datetime import date

from django.db.models import Q
from django.utils import timezone

from network_center.centers.models import Center

from .models import Plan, Revision

S = Revision.State
IN_WORK = (S.DRAFT, S.ON_AGREEMENT, S.AGREED)


def working_revision(plan: Plan) -> Revision | None:
    """The revision in work (draft, on agreement or agreed): at most one per plan."""
    return plan.revisions.filter(state__in=IN_WORK).first()


# The order of the printed plan (``printing.plan_print_table``): by direction, by date within a
# direction. A line's number is its place in it, the same on the page, in the PDF and in the XLSX,
# whatever the page is filtered or grouped by.
PRINT_ORDER = ("direction", "date_from", "position", "pk")


def line_numbers(revision: Revision) -> dict[int, int]:
    """Each line's number in the printed plan, by line id (one query of ids)."""
    ids = revision.lines.order_by(*PRINT_ORDER).values_list("pk", flat=True)
    return {pk: n for n, pk in enumerate(ids, start=1)}


def approved_revision(plan: Plan) -> Revision | None:
    """The revision in force: at most one per plan."""
    return plan.revisions.filter(state=S.APPROVED).first()


def active_participations(center: Center, on: date | None = None):
    """The center's participations still current on ``on`` (today), with their schools
    (``Participation.is_current`` says the same of a loaded row)."""
    on = on or timezone.localdate()
    return center.participations.filter(Q(until__isnull=True) | Q(until__gte=on)).select_related(
        "school"
    )


def participant_ids(revision: Revision, visas=None, participations=None) -> set[int]:
    """The schools that agree ``revision``: those with a visa once it was sent for agreement,
    the center's current participants before. ``visas`` and ``participations`` (all of the
    center's) save the queries when the caller has them."""
    visas = revision.visas.all() if visas is None else visas
    if ids := {visa.school_id for visa in visas}:
        return ids
    if participations is None:
        return {p.school_id for p in active_participations(revision.plan.center)}
    today = timezone.localdate()
    return {p.school_id for p in participations if p.is_current(today)}
