"""The list of plans, a new plan, and the plan page (its rows rendered once per content)."""

import functools
import hashlib
from itertools import groupby

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db.models import Count, Prefetch, Q
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods

from monitoring.risks import high_risks_unaddressed
from network_center.centers.models import Center
from schools.caching import cached_page
from schools.form_errors import add_service_error
from schools.ids import id_param
from schools.models import Organisation, Person
from schools.permissions import can, require

from .. import services, workflow
from ..forms import PlanCreateForm, TransitionForm, VisaForm
from ..models import Line, Plan, Proposal, Revision, Transition, Visa
from ..printing import involves_every_school
from ..queries import line_numbers, participant_ids
from ..rules import line_editing
from .common import get_center_for_user, get_plan_for_user

S = Revision.State


@login_required
@cached_page
def plan_list(request):
    plans = (
        Plan.objects.visible_to(request.user)
        .select_related("center__municipality", "center__hub")
        .prefetch_related(Prefetch("revisions", queryset=Revision.objects.order_by("-number")))
        .order_by("-year", "center__short_name")
    )
    centers = (
        Center.objects.visible_to(request.user)
        .filter(status=Center.Status.ACTIVE)
        .select_related("head", "hub")
    )
    creatable = [c for c in centers if can(request.user, "plans.add_plan", c)]
    return render(request, "plans/plan_list.html", {"plans": plans, "creatable": creatable})


@login_required
@require_http_methods(["GET", "POST"])
def plan_create(request, center_pk):
    center = get_center_for_user(request.user, center_pk)
    require(request.user, "plans.add_plan", center, _("План составляет руководитель центра."))
    revisions = Revision.objects.filter(
        plan__center=center, state__in=[S.APPROVED, S.CLOSED, S.SUPERSEDED]
    ).select_related("plan")
    today = timezone.localdate()
    default_year = today.year if today.month >= 6 else today.year - 1
    form = PlanCreateForm(
        request.POST or None,
        revisions=revisions,
        initial={"year": default_year, "copy_from": revisions.order_by("-plan__year").first()},
    )
    if request.method == "POST" and form.is_valid():
        try:
            plan = services.create_plan(
                center,
                form.cleaned_data["year"],
                actor=request.user,
                copy_from=form.cleaned_data["copy_from"],
            )
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("План создан."))
            return redirect("plans:detail", pk=plan.pk)
    return render(request, "plans/plan_create.html", {"form": form, "center": center})


# --- the plan page -------------------------------------------------------------------------------


LINE_COLUMNS = [
    "revision_id",
    "key",
    "position",
    "direction",
    "risk_factor_id",
    "title",
    "form_id",
    "format",
    "audience",
    "venue_id",
    "date_kind",
    "date_from",
    "date_to",
    "expected_result",
    "initiator_id",
    "version",
]


def _line_queryset(revision, request):
    # Only the columns the rows print: 150 lines bring ~900 related objects, and building
    # full Organisation rows for them costs more than the queries.
    lines = (
        Line.objects.filter(revision=revision)
        .select_related("form", "venue", "initiator", "risk_factor")
        .only(
            *LINE_COLUMNS,
            "risk_factor__name",
            "form__name",
            "venue__short_name",
            "initiator__short_name",
        )
        .prefetch_related(
            Prefetch(
                "responsible",
                queryset=Person.objects.only("last_name", "first_name", "patronymic", "user_id"),
            ),
            Prefetch("schools", queryset=Organisation.objects.only("short_name")),
        )
    )
    q = request.GET.get("q", "").strip()
    if q:
        from schools.search import text_search

        lines = text_search(lines, q, ["title", "direction", "audience"])
    if form_id := id_param(request.GET.get("form")):
        lines = lines.filter(form_id=form_id)
    if request.GET.get("format") in Line.Format.values:
        lines = lines.filter(format=request.GET["format"])
    if school_id := id_param(request.GET.get("school")):
        lines = lines.filter(schools__id=school_id)
    group = request.GET.get("group", "month")
    if group == "direction":
        return lines.order_by("direction", "date_from", "position", "pk"), group
    return lines.order_by("date_from", "position", "pk"), "month"


def _groups(lines, group):
    if group == "direction":
        key = lambda line: line.direction  # noqa: E731
    else:
        key = lambda line: date_format(line.date_from, "F Y")  # noqa: E731
    return [(name, list(items)) for name, items in groupby(lines, key=key)]


ROWS_CACHE_SECONDS = 3600


def decorate(line, participants: set[int]):
    """Prepare a row's printed values once in Python. In the template, walking
    ``line.schools.all`` builds a queryset per row and column, and ``{% url %}`` resolves the
    URL conf per call: for 150 rows either costs more than the rest of the row. A line for the
    whole network says so, as the printed plan does; the names stay in its tooltip."""
    line.responsible_display = ", ".join(p.name_initials for p in line.responsible.all())
    schools = list(line.schools.all())
    line.schools_list = ", ".join(s.short_name for s in schools)
    line.schools_display = (
        _("все школы — участники сети")
        if involves_every_school((s.pk for s in schools), participants)
        else line.schools_list
    )
    line.edit_url = _line_url(line.pk, "edit/")
    line.row_url = _line_url(line.pk, "")


@functools.cache
def _line_url_prefix():
    return reverse("plans:line_row", args=[0])[: -len("0/")]


def _line_url(pk, suffix):
    return f"{_line_url_prefix()}{pk}/{suffix}"


def _plan_rows(request, revision, participants: set[int]):
    """The rendered rows of the plan table, cached: an approved revision never changes, and a
    revision in work changes only through the services, which bump ``content_version`` — part
    of the key. Which lines the user may edit is part of the key too (``rules.line_editing``),
    and so are the schools agreeing the plan (a line for all of them reads «все школы»)."""
    user = request.user
    editing = line_editing(user, revision)
    editor = f"{editing}:{user.pk}" if editing == "responsible" else editing
    filters = request.GET.copy()
    filters.pop("revision", None)
    key = (
        "plan-rows:"
        + hashlib.sha256(
            f"{revision.pk}:{revision.content_version}:{editor}:{sorted(participants)}:"
            f"{filters.urlencode()}".encode()
        ).hexdigest()
    )
    cached = cache.get(key)
    if cached is not None:
        return cached
    lines, group = _line_queryset(revision, request)
    lines = list(lines)
    numbers = line_numbers(revision)
    for line in lines:
        line.n = numbers[line.pk]
        line.revision = revision
        line.editable = editing == "all" or (
            editing == "responsible" and can(user, "plans.change_line", line)
        )
        decorate(line, participants)
    html = render_to_string(
        "plans/_plan_rows.html",
        {"groups": _groups(lines, group), "revision": revision},
        request=request,
    )
    result = (html, len(lines), group)
    cache.set(key, result, ROWS_CACHE_SECONDS)
    return result


def _approval_hint(user, center, revision, visas):
    """Why «Утвердить» is not offered, told to who approves or runs the plan: the schools that
    have not agreed yet, or who alone may sign the approval."""
    from ..roles import is_approver, manages_plan
    from ..services.revisions import approving_organisation

    if not (manages_plan(user, center) or is_approver(user, center)):
        return {}
    if revision.state == S.ON_AGREEMENT:
        waiting = [v.school.short_name for v in visas if v.decision not in Visa.AGREEING]
        if waiting:
            return {
                "approval_hint": ngettext(
                    "Утвердить план пока нельзя: ждёт согласования %(counter)s школа из "
                    "%(total)s — %(schools)s.",
                    "Утвердить план пока нельзя: ждут согласования %(counter)s школ из "
                    "%(total)s — %(schools)s.",
                    len(waiting),
                )
                % {"counter": len(waiting), "total": len(visas), "schools": ", ".join(waiting)}
            }
    if revision.state == S.AGREED and not is_approver(user, center):
        organisation = approving_organisation(center)
        return {
            "approval_hint": _(
                "План согласован всеми школами. Утверждает лицо с правом подписи от имени "
                "%(organisation)s (руководитель или исполняющий его обязанности)."
            )
            % {"organisation": organisation.short_name_genitive if organisation else "—"}
        }
    return {}


@login_required
@cached_page
def plan_detail(request, pk):
    plan = get_plan_for_user(request.user, pk)
    return render_plan_page(request, plan)


def _visa_form(visa, failed):
    """The form a school's representative decides with: the bound form that failed (its errors
    beside its fields, the choice kept), else the decision already given, to change while the
    plan is on agreement. Ids carry the school: a coordinator of two schools gets two forms."""
    auto_id = f"id_visa{visa.school_id}_%s"
    if failed is not None and failed[0].pk == visa.pk:
        failed[1].auto_id = auto_id
        return failed[1]
    if visa.decision == Visa.Decision.PENDING:
        return VisaForm(auto_id=auto_id)
    return VisaForm(auto_id=auto_id, initial={"decision": visa.decision, "remarks": visa.remarks})


def render_plan_page(request, plan, *, revision=None, failed_visa=None, status=200):
    """The plan page: a revision (``?revision=N``, else the one in work, else the newest), its
    lines, visas, transitions and history. ``failed_visa`` — (visa, bound form) — re-displays a
    school's decision that did not validate."""
    revisions = list(plan.revisions.order_by("-number"))
    if revision is None and (number := id_param(request.GET.get("revision"))):
        revision = next((r for r in revisions if r.number == number), None)
    if revision is None:
        revision = next((r for r in revisions if r.is_editable), None) or (
            revisions[0] if revisions else None
        )
    revision.plan = plan
    center = plan.center
    user = request.user
    visas = list(revision.visas.select_related("school", "decided_by_person"))
    participations = list(center.participations.select_related("school"))
    participants = participant_ids(revision, visas, participations)
    rows_html, line_count, group = _plan_rows(request, revision, participants)
    proposals = Proposal.objects.visible_to(user).filter(plan=plan).select_related("school")
    counts = proposals.aggregate(
        submitted=Count("pk", filter=Q(state=Proposal.State.SUBMITTED)), total=Count("pk")
    )
    approved = next((r for r in revisions if r.state == S.APPROVED), None)
    my_visas = [v for v in visas if workflow.VISA.available(user, v)]
    for visa in my_visas:
        visa.form = _visa_form(visa, failed_visa)
    # «Риски без мероприятий»: one query for whoever sees some school's risk profile (none for
    # the center's staff without a school of their own).
    unaddressed = high_risks_unaddressed(
        plan, user=user, school_ids=participants, measures=Line.objects.filter(revision=revision)
    )
    return render(
        request,
        "plans/plan_detail.html",
        {
            **_approval_hint(user, center, revision, visas),
            "plan": plan,
            "center": center,
            "revision": revision,
            "revisions": revisions,
            "approved": approved,
            "rows_html": rows_html,
            "line_count": line_count,
            "group": group,
            "transitions": workflow.available_transitions(user, revision),
            "history": Transition.objects.filter(revision__plan=plan)
            .select_related("actor", "revision")
            .order_by("-at", "-pk")[:50],
            "visas": visas,
            "my_visas": my_visas,
            "transition_form": TransitionForm(),
            "can_add_line": can(user, "plans.add_line", revision),
            "participations": participations,
            # Proposals go to the revision in work: offered on its page.
            "can_propose": revision.is_editable and can(user, "plans.add_proposal", plan),
            "proposal_counts": counts,
            "unaddressed_risks": unaddressed,
            "query": request.GET.urlencode(),
        },
        status=status,
    )
