"""The execution of an approved plan: an event's page (its report, files and history), filing
and correcting a report, postponing, cancelling, the center head's decision, evidence files,
and the plan's execution report (page, PDF, XLSX)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from network_center.documents.views import _attachment, stored_file_response
from schools.caching import cached_page
from schools.form_errors import add_service_error
from schools.permissions import can, require

from .. import reporting, workflow
from ..execution_forms import DecisionForm, EvidenceForm, PostponeForm, ReportForm
from ..models import EvidenceFile, Execution, Revision
from ..services import execution as services
from .common import errors, get_revision_for_user

TABLE = workflow.EXECUTION


def get_execution_for_user(user, pk) -> Execution:
    """An event's execution the user may see (``Execution.visible_to``), or 404."""
    return get_object_or_404(
        Execution.objects.visible_to(user).select_related(
            "plan__center__hub",
            "plan__center__head",
            "line__revision",
            "line__form",
            "line__venue",
            "reported_by",
            "decided_by",
        ),
        pk=pk,
    )


def get_evidence_for_user(user, pk) -> EvidenceFile:
    """An evidence file of an event the user may see, or 404: a school that was not at the
    event does not learn that the file exists."""
    return get_object_or_404(
        EvidenceFile.objects.filter(
            execution__in=Execution.objects.visible_to(user)
        ).select_related(
            "execution__plan__center", "execution__line__revision", "execution__line__venue"
        ),
        pk=pk,
    )


def _not_now(request, execution, name):
    """Someone the rule names, but the event is not where it starts: told why, back to the
    event's page. ``None`` when the transition can be taken."""
    if TABLE.applies(name, execution):
        return None
    rule = TABLE[name]
    in_source = TABLE.state_of(execution) in rule.sources
    messages.error(request, rule.not_now if in_source else rule.refused)
    return redirect("plans:execution", pk=execution.pk)


def _page(request, execution, *, decision_form=None, failed=None, evidence_form=None, status=200):
    line = execution.line
    rules = [r for r in TABLE.available(request.user, execution) if r.name not in {"report"}]
    context = {
        "execution": execution,
        "line": line,
        "plan": execution.plan,
        "responsible": list(line.responsible.all()),
        "schools": list(line.schools.all()),
        "needed_resources": list(line.needed_resources.select_related("school")),
        "participations": list(
            execution.participations.select_related("school").prefetch_related("persons")
        ),
        "files": list(execution.files.all()),
        "events": list(execution.events.select_related("actor")),
        "can_report": TABLE.allowed("report", request.user, execution),
        "can_change_files": can(request.user, "plans.change_evidence", execution),
        "transitions": rules,
        "failed": failed,
        "decision_form": decision_form or DecisionForm(),
        "evidence_form": evidence_form or EvidenceForm(),
        "in_force": line.revision.state == Revision.State.APPROVED,
    }
    return render(request, "plans/execution_detail.html", context, status=status)


@login_required
def execution_detail(request, pk):
    return _page(request, get_execution_for_user(request.user, pk))


@login_required
@require_http_methods(["GET", "POST"])
def execution_report(request, pk):
    """File the report of a held event, or correct a returned one and file it again."""
    execution = get_execution_for_user(request.user, pk)
    require(request.user, "plans.report_execution", execution, TABLE["report"].denied)
    if refusal := _not_now(request, execution, "report"):
        return refusal
    form = ReportForm(request.POST or None, request.FILES or None, execution=execution)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.report(
                execution,
                actor=request.user,
                held_on=data["held_on"],
                outcome=data["outcome"],
                materials=data["materials"],
                participants=data["participants"],
                files=data["files"],
                version=data["version"],
            )
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, TABLE["report"].done)
            return redirect("plans:execution", pk=execution.pk)
    if request.method == "POST" and request.FILES and not form.has_error("files"):
        # A browser cannot be given back the files chosen: the form says so beside the field.
        form.add_error("files", _("Выбранные файлы не сохранены: приложите их снова."))
    return render(
        request,
        "plans/execution_report_form.html",
        {"form": form, "execution": execution, "line": execution.line},
        status=200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def execution_postpone(request, pk):
    execution = get_execution_for_user(request.user, pk)
    require(request.user, "plans.postpone_execution", execution, TABLE["postpone"].denied)
    if refusal := _not_now(request, execution, "postpone"):
        return refusal
    initial = {
        "version": execution.version,
        "date_kind": execution.date_kind,
        "date_from": execution.date_from,
        "date_to": execution.date_to,
    }
    form = PostponeForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.postpone(
                execution,
                actor=request.user,
                date_kind=data["date_kind"],
                date_from=data["date_from"],
                date_to=data["date_to"],
                reason=data["reason"],
                version=data["version"],
            )
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, TABLE["postpone"].done)
            return redirect("plans:execution", pk=execution.pk)
    return render(
        request,
        "plans/execution_postpone.html",
        {"form": form, "execution": execution, "line": execution.line},
    )


DECISIONS = {
    "cancel": lambda e, actor, comment: services.cancel(e, actor=actor, reason=comment),
    "accept": lambda e, actor, comment: services.accept_report(e, actor=actor),
    "return": lambda e, actor, comment: services.return_report(e, actor=actor, remarks=comment),
}


@login_required
@require_POST
def execution_transition(request, pk, name):
    """Cancel an event, accept or return its report. A refusal comes back on the event's page
    with the comment typed and the error beside it."""
    execution = get_execution_for_user(request.user, pk)
    if name not in DECISIONS:
        raise Http404
    rule = TABLE[name]
    require(request.user, rule.perm, execution, rule.denied)
    form = DecisionForm(request.POST)
    if form.is_valid():
        try:
            DECISIONS[name](execution, request.user, form.cleaned_data["comment"])
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, rule.done)
            return redirect("plans:execution", pk=execution.pk)
    return _page(request, execution, decision_form=form, failed=name)


@login_required
@require_POST
def evidence_add(request, pk):
    execution = get_execution_for_user(request.user, pk)
    require(request.user, "plans.change_evidence", execution, _("Файлы этого отчёта не меняются."))
    form = EvidenceForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            stored = services.add_evidence(
                execution, actor=request.user, files=form.cleaned_data["files"]
            )
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("Файлов добавлено: %(n)s.") % {"n": len(stored)})
            return redirect("plans:execution", pk=execution.pk)
    return _page(request, execution, evidence_form=form)


@login_required
@require_POST
def evidence_delete(request, pk):
    evidence = get_evidence_for_user(request.user, pk)
    execution = evidence.execution
    require(request.user, "plans.change_evidence", execution, _("Файлы этого отчёта не меняются."))
    try:
        services.remove_evidence(evidence, actor=request.user)
    except ValidationError as exc:
        messages.error(request, errors(exc))
    else:
        messages.success(request, _("Файл «%(name)s» удалён.") % {"name": evidence.original_name})
    return redirect("plans:execution", pk=execution.pk)


@login_required
def evidence_download(request, pk):
    """The stored file as an attachment under its original name, with the type it was judged
    to be — only to those who see the event."""
    evidence = get_evidence_for_user(request.user, pk)
    return stored_file_response(
        evidence.file.storage, evidence.file.name, evidence.original_name, evidence.content_type
    )


# --- the plan's execution report --------------------------------------------------------------


def _executed_revision(user, pk) -> Revision:
    revision = get_revision_for_user(user, pk)
    if revision.state not in {Revision.State.APPROVED, Revision.State.CLOSED}:
        raise Http404
    return revision


@login_required
@cached_page
def execution_overview(request, pk):
    """A revision in force (or closed): what became of each event, and each school's reach."""
    revision = _executed_revision(request.user, pk)
    report = reporting.execution_report(revision)
    visible = set(
        Execution.objects.visible_to(request.user)
        .filter(line__revision=revision)
        .values_list("pk", flat=True)
    )
    close = workflow.REVISION["close"]
    return render(
        request,
        "plans/execution_overview.html",
        {
            "revision": revision,
            "plan": revision.plan,
            "report": report,
            "visible": visible,
            "may_close": workflow.REVISION.permits("close", request.user, revision),
            "settled": revision.state == Revision.State.APPROVED
            and workflow.every_event_settled(revision),
            "close_rule": close,
        },
    )


@login_required
@cached_page
def execution_report_pdf(request, pk):
    """The year-end report as PDF: the attached document once the plan is closed; before, the
    report as it stands, marked «ПРОЕКТ»."""
    from network_center.documents.pdf import render_document_pdf

    revision = _executed_revision(request.user, pk)
    if revision.execution_report_id:
        return redirect("documents:pdf", pk=revision.execution_report_id)
    document = reporting.draft_report_document(reporting.execution_report(revision))
    response = HttpResponse(render_document_pdf(document), content_type="application/pdf")
    name = reporting.report_file_name(revision, "pdf").replace(".pdf", "_проект.pdf")
    response["Content-Disposition"] = _attachment(name)
    return response


@login_required
@cached_page
def execution_report_xlsx(request, pk):
    revision = _executed_revision(request.user, pk)
    response = HttpResponse(
        reporting.report_workbook(reporting.execution_report(revision)),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = _attachment(reporting.report_file_name(revision, "xlsx"))
    return response
