"""A revision: the workflow's buttons, its PDF and XLSX, and the comparison of two revisions."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from network_center.documents.views import _attachment
from schools.caching import cached_page
from schools.ids import id_param
from schools.permissions import require

from .. import exports, printing, services, workflow
from ..forms import TransitionForm
from .common import errors, get_plan_for_user, get_revision_for_user, to_revision


@login_required
@require_POST
def revision_transition(request, pk, name):
    """A button of the plan page. Someone the transition's rule does not name is refused (403);
    someone it names is told why it cannot be taken now, if it cannot."""
    revision = get_revision_for_user(request.user, pk)
    if name not in workflow.REVISION or workflow.REVISION[name].automatic:
        return HttpResponse(_("Неизвестное действие."), status=400)
    rule = workflow.REVISION[name]
    require(request.user, rule.perm, revision, _("Это действие вам не доступно."))
    form = TransitionForm(request.POST)
    if not form.is_valid():
        # A NUL or another character no field may hold: refused with the reason, nothing taken.
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
        return redirect("plans:detail", pk=revision.plan_id)
    try:
        result = services.TRANSITION_SERVICES[name](revision, request.user, form.cleaned_data)
    except ValidationError as exc:
        messages.error(request, errors(exc))
    else:
        messages.success(request, rule.done)
        if name == "amend":
            return to_revision(result)
    return redirect("plans:detail", pk=revision.plan_id)


@login_required
@cached_page
def revision_export(request, pk):
    """Any revision as XLSX: every field of its lines, with the agreement sheet."""
    revision = get_revision_for_user(request.user, pk)
    response = HttpResponse(
        exports.revision_workbook(revision),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = _attachment(exports.file_name(revision))
    return response


@login_required
@cached_page
def revision_pdf(request, pk):
    """A revision as PDF: the stored approved document when there is one; otherwise the plan
    as it stands, rendered on request and marked «ПРОЕКТ» on every page."""
    from network_center.documents.pdf import render_document_pdf

    revision = get_revision_for_user(request.user, pk)
    if revision.approval_document_id:
        return redirect("documents:pdf", pk=revision.approval_document_id)
    document = printing.draft_plan_document(revision)
    response = HttpResponse(render_document_pdf(document), content_type="application/pdf")
    name = f"План_{revision.plan.academic_year.replace('/', '-')}_ред{revision.number}_проект.pdf"
    response["Content-Disposition"] = _attachment(name)
    return response


@login_required
@cached_page
def revision_compare(request, pk):
    """Lines added, removed and changed (field by field) between two revisions of a plan."""
    plan = get_plan_for_user(request.user, pk)
    revisions = list(plan.revisions.order_by("number"))
    by_number = {r.number: r for r in revisions}

    def pick(name, default):
        number = id_param(request.GET.get(name))
        return by_number.get(number) if number else default

    new = pick("b", revisions[-1] if revisions else None)
    old = pick("a", by_number.get(new.number - 1) if new else None)
    diff = services.compare_revisions(old, new) if old and new and old != new else None
    return render(
        request,
        "plans/revision_compare.html",
        {"plan": plan, "revisions": revisions, "old": old, "new": new, "diff": diff},
    )
