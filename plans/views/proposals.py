"""Proposals of events by the participant schools: the list, a new one, its page, the center's
decision, and the school's withdrawal or revision."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST

from schools.caching import cached_page
from schools.form_errors import add_service_error
from schools.permissions import require

from .. import services, workflow
from ..forms import DecisionForm, ProposalForm
from ..models import Proposal, Revision, Visa
from ..rules import proposing_schools
from .common import errors, get_plan_for_user, get_proposal_for_user

PROPOSAL = workflow.PROPOSAL
DECISIONS = {
    DecisionForm.ACCEPT: "accept",
    DecisionForm.DECLINE: "decline",
    DecisionForm.RETURN: "return",
}


@login_required
@cached_page
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
    require(
        request.user,
        "plans.add_proposal",
        plan,
        _("Предлагать мероприятия может представитель школы-участника."),
    )
    school = proposing_schools(request.user, plan)[0]
    form = ProposalForm(request.POST or None, center=plan.center)
    if request.method == "POST" and form.is_valid():
        try:
            proposal = services.submit_proposal(
                plan, school, actor=request.user, **form.cleaned_data
            )
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("Предложение отправлено в центр."))
            return redirect("plans:proposal", pk=proposal.pk)
    return render(
        request, "plans/proposal_form.html", {"form": form, "plan": plan, "school": school}
    )


def _detail(request, proposal, decision_form=None):
    available = {rule.name for rule in PROPOSAL.available(request.user, proposal)}
    if decision_form is None and available & set(DECISIONS.values()):
        decision_form = DecisionForm(proposal=proposal)
    return render(
        request,
        "plans/proposal_detail.html",
        {
            "accept_warning": _accept_warning(proposal) if "accept" in available else "",
            "proposal": proposal,
            "events": proposal.events.select_related("actor"),
            "decision_form": decision_form,
            "may_withdraw": "withdraw" in available,
            "may_revise": "resubmit" in available,
        },
    )


def _accept_warning(proposal) -> str:
    """What accepting does to a plan already sent to the schools: its content changes, so every
    visa given is reset (``services.lines``) and those schools agree it again. Said before the
    center decides, with the number and the names."""
    revision = services.working_revision(proposal.plan)
    if revision is None or revision.state not in (
        Revision.State.ON_AGREEMENT,
        Revision.State.AGREED,
    ):
        return ""
    given = sorted(
        revision.visas.exclude(decision=Visa.Decision.PENDING).values_list(
            "school__short_name", flat=True
        )
    )
    if not given:
        return _(
            "План уже на согласовании: мероприятие войдёт в него, школы увидят план в новом виде."
        )
    return ngettext(
        "План уже на согласовании. Если принять предложение, будет сброшена %(counter)s виза "
        "(%(schools)s), и эти школы согласуют план заново.",
        "План уже на согласовании. Если принять предложение, будут сброшены %(counter)s виз "
        "(%(schools)s), и эти школы согласуют план заново.",
        len(given),
    ) % {"counter": len(given), "schools": ", ".join(given)}


@login_required
@cached_page
def proposal_detail(request, pk):
    return _detail(request, get_proposal_for_user(request.user, pk))


@login_required
@require_POST
def proposal_decide(request, pk):
    proposal = get_proposal_for_user(request.user, pk)
    require(
        request.user,
        "plans.decide_proposal",
        proposal,
        _("О предложениях решает руководитель центра."),
    )
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
                and services.working_revision(proposal.plan).state == Revision.State.ON_AGREEMENT
            ):
                messages.info(
                    request,
                    _("План на согласовании изменился: школы согласуют его в новом виде."),
                )
            return redirect("plans:proposal", pk=proposal.pk)
    return _detail(request, proposal, decision_form=form)


@login_required
@require_POST
def proposal_withdraw(request, pk):
    proposal = get_proposal_for_user(request.user, pk)
    require(
        request.user,
        "plans.withdraw_proposal",
        proposal,
        _("Отозвать предложение может только его школа."),
    )
    try:
        services.withdraw_proposal(proposal, actor=request.user)
    except ValidationError as exc:
        messages.error(request, errors(exc))
    else:
        messages.success(request, _("Предложение отозвано."))
    return redirect("plans:proposal", pk=proposal.pk)


@login_required
@require_http_methods(["GET", "POST"])
def proposal_edit(request, pk):
    proposal = get_proposal_for_user(request.user, pk)
    require(
        request.user, "plans.change_proposal", proposal, _("Дорабатывает предложение его школа.")
    )
    if not PROPOSAL.applies("resubmit", proposal):
        messages.error(request, PROPOSAL["resubmit"].refused)
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
