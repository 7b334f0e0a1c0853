"""Plans: the plan page, line editing, the workflow buttons, visas, proposals, notifications.

Thin views: load through ``visible_to`` (404 out of scope), ask ``plans.workflow`` what the user
may do, validate with a form, call a service, turn a refusal into a message.
"""

import functools
import hashlib
import io
from itertools import groupby

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Prefetch, Q
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from network_center.centers.models import Center
from schools.access import Role, get_access
from schools.form_errors import add_service_error
from schools.models import Organisation, Person

from . import services, workflow
from .forms import (
    DecisionForm,
    LineForm,
    PlanCreateForm,
    ProposalForm,
    TransitionForm,
    VisaForm,
)
from .models import Line, Plan, Proposal, Revision, Transition, Visa

S = Revision.State


def _errors(exc: ValidationError) -> str:
    return " ".join(exc.messages)


def _to_revision(revision):
    return redirect(
        f"{reverse('plans:detail', args=[revision.plan_id])}?revision={revision.number}"
    )


def get_plan_for_user(user, pk) -> Plan:
    return get_object_or_404(
        Plan.objects.visible_to(user).select_related(
            "center__hub", "center__head", "center__municipality"
        ),
        pk=pk,
    )


def get_revision_for_user(user, pk) -> Revision:
    return get_object_or_404(
        Revision.objects.filter(plan__in=Plan.objects.visible_to(user)).select_related(
            "plan__center__hub", "plan__center__head", "approval_document"
        ),
        pk=pk,
    )


def get_line_for_user(user, pk) -> Line:
    return get_object_or_404(
        Line.objects.filter(revision__plan__in=Plan.objects.visible_to(user)).select_related(
            "revision__plan__center__hub", "revision__plan__center__head"
        ),
        pk=pk,
    )


def get_proposal_for_user(user, pk) -> Proposal:
    return get_object_or_404(
        Proposal.objects.visible_to(user).select_related(
            "plan__center__hub", "plan__center__head", "school", "form", "venue", "author"
        ),
        pk=pk,
    )


# --- list and create -----------------------------------------------------------------------------


@login_required
def plan_list(request):
    plans = (
        Plan.objects.visible_to(request.user)
        .select_related("center__municipality", "center__hub")
        .prefetch_related(Prefetch("revisions", queryset=Revision.objects.order_by("-number")))
        .order_by("-year", "center__short_name")
    )
    centers = [
        c
        for c in Center.objects.visible_to(request.user).select_related("head", "hub")
        if c.status == Center.Status.ACTIVE
        and not get_access(request.user).is_read_only
        and (get_access(request.user).is_superuser or workflow.manages_plan(request.user, c))
    ]
    return render(request, "plans/plan_list.html", {"plans": plans, "creatable": centers})


@login_required
@require_http_methods(["GET", "POST"])
def plan_create(request, center_pk):
    center = get_object_or_404(
        Center.objects.visible_to(request.user).select_related("head", "hub"), pk=center_pk
    )
    access = get_access(request.user)
    if access.is_read_only or not (
        access.is_superuser or workflow.manages_plan(request.user, center)
    ):
        raise PermissionDenied(_("План составляет руководитель центра."))
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
        .select_related("form", "venue", "initiator")
        .only(
            *LINE_COLUMNS,
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
    if request.GET.get("form"):
        lines = (
            lines.filter(form_id=request.GET["form"]) if request.GET["form"].isdigit() else lines
        )
    if request.GET.get("format") in Line.Format.values:
        lines = lines.filter(format=request.GET["format"])
    if request.GET.get("school", "").isdigit():
        lines = lines.filter(schools__id=request.GET["school"])
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


def _decorate(line, participants: set[int]):
    """Prepare a row's printed values once in Python. In the template, walking
    ``line.schools.all`` builds a queryset per row and column, and ``{% url %}`` resolves the
    URL conf per call: for 150 rows either costs more than the rest of the row. A line for the
    whole network says so, as the printed plan does; the names stay in its tooltip."""
    line.responsible_display = ", ".join(p.name_initials for p in line.responsible.all())
    schools = list(line.schools.all())
    line.schools_list = ", ".join(s.short_name for s in schools)
    line.schools_display = (
        _("все школы — участники сети")
        if services.involves_every_school((s.pk for s in schools), participants)
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
    of the key. Who may edit which rows is part of the key too, and the schools agreeing the
    plan (a line for all of them reads «все школы»)."""
    user = request.user
    center = revision.plan.center
    if not revision.is_editable:
        editor = "ro"
    elif get_access(user).is_superuser or workflow.manages_plan(user, center):
        editor = "all"
    elif get_access(user).has_role(Role.WG_MEMBER):
        editor = f"u{user.pk}"
    else:
        editor = "ro"
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
    for n, line in enumerate(lines, start=1):
        line.n = n
        line.editable = editor != "ro" and workflow.may_edit_lines(user, revision, line)
        _decorate(line, participants)
    html = render_to_string(
        "plans/_plan_rows.html",
        {"groups": _groups(lines, group), "revision": revision},
        request=request,
    )
    result = (html, len(lines), group)
    cache.set(key, result, ROWS_CACHE_SECONDS)
    return result


@login_required
def plan_detail(request, pk):
    plan = get_plan_for_user(request.user, pk)
    revisions = list(plan.revisions.order_by("-number"))
    revision = None
    if request.GET.get("revision", "").isdigit():
        revision = next((r for r in revisions if r.number == int(request.GET["revision"])), None)
    if revision is None:
        revision = next(
            (r for r in revisions if r.state in (S.DRAFT, S.ON_AGREEMENT, S.AGREED)),
            None,
        ) or (revisions[0] if revisions else None)
    revision.plan = plan
    center = plan.center
    user = request.user
    visas = list(revision.visas.select_related("school", "decided_by_person"))
    participations = list(center.participations.select_related("school"))
    participants = services.participant_ids(revision, visas, participations)
    rows_html, line_count, group = _plan_rows(request, revision, participants)
    my_visas = [v for v in visas if workflow.may_give_visa(user, revision, v.school_id)]
    proposals = Proposal.objects.visible_to(user).filter(plan=plan).select_related("school")
    counts = proposals.aggregate(
        submitted=Count("pk", filter=Q(state=Proposal.State.SUBMITTED)), total=Count("pk")
    )
    approved = next((r for r in revisions if r.state == S.APPROVED), None)
    return render(
        request,
        "plans/plan_detail.html",
        {
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
            "visa_form": VisaForm(),
            "transition_form": TransitionForm(),
            "can_add_line": workflow.may_edit_lines(user, revision),
            "participations": participations,
            "can_propose": bool(
                workflow.coordinated_school_ids(user) & {p.school_id for p in participations}
            )
            and revision.is_editable,
            "proposal_counts": counts,
            "query": request.GET.urlencode(),
        },
    )


@login_required
def revision_export(request, pk):
    """Any revision as XLSX: the plan's table with the agreement sheet."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    revision = get_revision_for_user(request.user, pk)
    table = services.plan_table(revision)
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "План"
    sheet.append([f"{revision.plan}, редакция {revision.number}"])
    sheet.append([f"Состояние: {revision.get_state_display()}"])
    sheet.append([])
    sheet.append(table["columns"])
    for cell in sheet[4]:
        cell.font = Font(bold=True)
    for row in table["rows"]:
        sheet.append(row)
    for column, width in zip("ABCDEFGHIJ", [5, 30, 40, 22, 24, 24, 18, 28, 30, 40], strict=True):
        sheet.column_dimensions[column].width = width
    for row in sheet.iter_rows(min_row=5):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    visas = workbook.create_sheet("Лист согласования")
    visas.append(["Школа", "Должность", "И.О. Фамилия", "Решение", "Дата", "Замечания"])
    for row in services.agreement_sheet(revision):
        visas.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    from network_center.documents.views import _attachment

    response = HttpResponse(
        buffer.getvalue(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    name = f"План_{revision.plan.academic_year.replace('/', '-')}_ред{revision.number}.xlsx"
    response["Content-Disposition"] = _attachment(name)
    return response


@login_required
def revision_pdf(request, pk):
    """A revision as PDF: the stored approved document when there is one; otherwise the plan
    as it stands, rendered on request and marked «ПРОЕКТ» on every page."""
    from network_center.documents.pdf import render_document_pdf
    from network_center.documents.views import _attachment

    revision = get_revision_for_user(request.user, pk)
    if revision.approval_document_id:
        return redirect("documents:pdf", pk=revision.approval_document_id)
    document = services.draft_plan_document(revision)
    response = HttpResponse(render_document_pdf(document), content_type="application/pdf")
    name = f"План_{revision.plan.academic_year.replace('/', '-')}_ред{revision.number}_проект.pdf"
    response["Content-Disposition"] = _attachment(name)
    return response


@login_required
def revision_compare(request, pk):
    """Lines added, removed and changed (field by field) between two revisions of a plan."""
    plan = get_plan_for_user(request.user, pk)
    revisions = list(plan.revisions.order_by("number"))
    by_number = {r.number: r for r in revisions}

    def pick(name, default):
        value = request.GET.get(name, "")
        return by_number.get(int(value)) if value.isdigit() else default

    new = pick("b", revisions[-1] if revisions else None)
    old = pick("a", by_number.get(new.number - 1) if new else None)
    diff = services.compare_revisions(old, new) if old and new and old != new else None
    return render(
        request,
        "plans/revision_compare.html",
        {"plan": plan, "revisions": revisions, "old": old, "new": new, "diff": diff},
    )


# --- workflow ----------------------------------------------------------------------------


@login_required
@require_POST
def revision_transition(request, pk, name):
    revision = get_revision_for_user(request.user, pk)
    if name not in workflow.TRANSITIONS:
        return HttpResponse(_("Неизвестное действие."), status=400)
    if not workflow.may_take(name, request.user, revision):
        raise PermissionDenied(_("Это действие вам не доступно."))
    if not workflow.allowed(name, request.user, revision):
        rule = workflow.TRANSITIONS[name]
        messages.error(
            request,
            _("Действие «%(action)s» сейчас невозможно: план в состоянии «%(state)s».")
            % {"action": rule.label, "state": revision.get_state_display()},
        )
        return redirect("plans:detail", pk=revision.plan_id)
    form = TransitionForm(request.POST)
    form.is_valid()
    try:
        result = services.TRANSITION_SERVICES[name](revision, request.user, form.cleaned_data)
    except ValidationError as exc:
        messages.error(request, _errors(exc))
    else:
        messages.success(request, workflow.TRANSITIONS[name].done)
        if name == "amend":
            return _to_revision(result)
    return redirect("plans:detail", pk=revision.plan_id)


@login_required
@require_POST
def give_visa(request, pk, school_pk):
    revision = get_revision_for_user(request.user, pk)
    visa = get_object_or_404(
        Visa.objects.select_related("school"), revision=revision, school_id=school_pk
    )
    if not workflow.may_give_visa(request.user, revision, visa.school_id):
        if revision.state != S.ON_AGREEMENT and visa.school_id in workflow.coordinated_school_ids(
            request.user
        ):
            messages.error(request, _("План сейчас не на согласовании."))
            return redirect("plans:detail", pk=revision.plan_id)
        raise PermissionDenied(_("Визу школы даёт её представитель."))
    form = VisaForm(request.POST)
    if form.is_valid():
        try:
            services.give_visa(
                revision,
                visa.school,
                actor=request.user,
                decision=form.cleaned_data["decision"],
                remarks=form.cleaned_data["remarks"],
            )
        except ValidationError as exc:
            messages.error(request, _errors(exc))
        else:
            messages.success(request, _("Решение школы записано."))
    else:
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
    return redirect("plans:detail", pk=revision.plan_id)


# --- lines ----------------------------------------------------------------------------


def _line_fields(form):
    data = dict(form.cleaned_data)
    data.pop("version", None)
    return data


@login_required
@require_http_methods(["GET", "POST"])
def line_add(request, pk):
    revision = get_revision_for_user(request.user, pk)
    if not workflow.may_edit_lines(request.user, revision):
        raise PermissionDenied(_("Добавлять мероприятия может руководитель центра."))
    center = revision.plan.center
    form = LineForm(request.POST or None, center=center)
    if request.method == "POST" and form.is_valid():
        data = _line_fields(form)
        try:
            services.add_line(
                revision,
                actor=request.user,
                responsible=data.pop("responsible"),
                schools=data.pop("schools"),
                **data,
            )
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("Мероприятие добавлено."))
            return _to_revision(revision)
    return render(request, "plans/line_form.html", {"form": form, "revision": revision})


@login_required
@require_http_methods(["GET", "POST"])
def line_edit(request, pk):
    line = get_line_for_user(request.user, pk)
    revision = line.revision
    if not workflow.may_edit_lines(request.user, revision, line):
        raise PermissionDenied(_("Это мероприятие вам изменять не поручено."))
    form = LineForm(request.POST or None, instance=line, center=revision.plan.center)
    is_htmx = request.headers.get("HX-Request") == "true"
    if request.method == "POST" and form.is_valid():
        try:
            services.update_line(
                Line.objects.get(pk=line.pk),
                actor=request.user,
                version=form.cleaned_data.get("version"),
                **_line_fields(form),
            )
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            if is_htmx:
                return _line_row(request, line.pk)
            messages.success(request, _("Мероприятие сохранено."))
            return _to_revision(revision)
    template = "plans/_line_edit.html" if is_htmx else "plans/line_form.html"
    return render(request, template, {"form": form, "revision": revision, "line": line})


def _line_row(request, pk):
    line = (
        Line.objects.select_related("form", "venue", "initiator", "revision__plan__center__head")
        .prefetch_related("responsible__organisation", "schools")
        .get(pk=pk)
    )
    line.editable = workflow.may_edit_lines(request.user, line.revision, line)
    _decorate(line, services.participant_ids(line.revision))
    return render(
        request,
        "plans/_line_row.html",
        {"line": line, "revision": line.revision, "hub_id": line.revision.plan.center.hub_id},
    )


@login_required
def line_row(request, pk):
    line = get_line_for_user(request.user, pk)
    return _line_row(request, line.pk)


@login_required
@require_POST
def line_delete(request, pk):
    line = get_line_for_user(request.user, pk)
    revision = line.revision
    try:
        services.delete_line(line, actor=request.user)
    except ValidationError as exc:
        messages.error(request, _errors(exc))
    else:
        messages.success(request, _("Мероприятие удалено."))
    return _to_revision(revision)


# --- proposals ----------------------------------------------------------------------------


@login_required
def proposal_list(request):
    proposals = (
        Proposal.objects.visible_to(request.user)
        .select_related("plan__center", "school", "form")
        .order_by("-created_at")
    )
    state = request.GET.get("state")
    if state in Proposal.State.values:
        proposals = proposals.filter(state=state)
    return render(
        request,
        "plans/proposal_list.html",
        {"proposals": proposals[:200], "state": state, "states": Proposal.State.choices},
    )


@login_required
@require_http_methods(["GET", "POST"])
def proposal_create(request, pk):
    plan = get_plan_for_user(request.user, pk)
    schools = [
        p.school
        for p in plan.center.participations.select_related("school")
        if p.school_id in workflow.coordinated_school_ids(request.user)
    ]
    if not schools:
        raise PermissionDenied(_("Предлагать мероприятия может представитель школы-участника."))
    form = ProposalForm(request.POST or None, center=plan.center)
    if request.method == "POST" and form.is_valid():
        try:
            proposal = services.submit_proposal(
                plan, schools[0], actor=request.user, **form.cleaned_data
            )
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("Предложение отправлено в центр."))
            return redirect("plans:proposal", pk=proposal.pk)
    return render(
        request, "plans/proposal_form.html", {"form": form, "plan": plan, "school": schools[0]}
    )


@login_required
def proposal_detail(request, pk):
    proposal = get_proposal_for_user(request.user, pk)
    center = proposal.plan.center
    may_decide = (
        proposal.state == Proposal.State.SUBMITTED
        and not get_access(request.user).is_read_only
        and (get_access(request.user).is_superuser or workflow.manages_plan(request.user, center))
    )
    is_own = proposal.school_id in workflow.coordinated_school_ids(request.user)
    return render(
        request,
        "plans/proposal_detail.html",
        {
            "proposal": proposal,
            "events": proposal.events.select_related("actor"),
            "decision_form": DecisionForm(proposal=proposal) if may_decide else None,
            "may_withdraw": is_own
            and proposal.state in (Proposal.State.SUBMITTED, Proposal.State.RETURNED),
            "may_revise": is_own and proposal.state == Proposal.State.RETURNED,
        },
    )


@login_required
@require_POST
def proposal_decide(request, pk):
    proposal = get_proposal_for_user(request.user, pk)
    center = proposal.plan.center
    access = get_access(request.user)
    if access.is_read_only or not (
        access.is_superuser or workflow.manages_plan(request.user, center)
    ):
        raise PermissionDenied(_("О предложениях решает руководитель центра."))
    form = DecisionForm(request.POST, proposal=proposal)
    if form.is_valid():
        data = form.cleaned_data
        try:
            if data["decision"] == DecisionForm.ACCEPT:
                services.accept_proposal(
                    proposal,
                    actor=request.user,
                    comment=data["comment"],
                    venue=data["venue"],
                    form=data["form"],
                    format=data["format"],
                    date_kind=data["date_kind"],
                    date_from=data["date_from"],
                    date_to=data["date_to"],
                )
            elif data["decision"] == DecisionForm.DECLINE:
                services.decline_proposal(proposal, actor=request.user, reason=data["comment"])
            else:
                services.return_proposal(proposal, actor=request.user, comment=data["comment"])
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("Решение записано, школа уведомлена."))
            if (
                data["decision"] == DecisionForm.ACCEPT
                and services.working_revision(proposal.plan).state == S.ON_AGREEMENT
            ):
                messages.info(
                    request,
                    _("План на согласовании изменился: школы согласуют его в новом виде."),
                )
            return redirect("plans:proposal", pk=proposal.pk)
    return render(
        request,
        "plans/proposal_detail.html",
        {
            "proposal": proposal,
            "events": proposal.events.select_related("actor"),
            "decision_form": form,
        },
    )


@login_required
@require_POST
def proposal_withdraw(request, pk):
    proposal = get_proposal_for_user(request.user, pk)
    try:
        services.withdraw_proposal(proposal, actor=request.user)
    except ValidationError as exc:
        messages.error(request, _errors(exc))
    else:
        messages.success(request, _("Предложение отозвано."))
    return redirect("plans:proposal", pk=proposal.pk)


@login_required
@require_http_methods(["GET", "POST"])
def proposal_edit(request, pk):
    proposal = get_proposal_for_user(request.user, pk)
    if proposal.school_id not in workflow.coordinated_school_ids(request.user):
        raise PermissionDenied(_("Дорабатывает предложение его школа."))
    if proposal.state != Proposal.State.RETURNED:
        messages.error(request, _("Дорабатывать можно только возвращённое предложение."))
        return redirect("plans:proposal", pk=proposal.pk)
    form = ProposalForm(request.POST or None, instance=proposal, center=proposal.plan.center)
    if request.method == "POST" and form.is_valid():
        try:
            services.resubmit_proposal(
                Proposal.objects.get(pk=proposal.pk), actor=request.user, **form.cleaned_data
            )
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("Предложение отправлено повторно."))
            return redirect("plans:proposal", pk=proposal.pk)
    return render(
        request,
        "plans/proposal_form.html",
        {"form": form, "plan": proposal.plan, "school": proposal.school, "proposal": proposal},
    )
