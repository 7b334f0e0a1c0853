"""Loading the plans' objects for a user (404 out of scope) and the helpers every view shares."""

from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse

from network_center.centers.models import Center

from ..models import Line, Plan, Proposal, Revision, Visa


def errors(exc: ValidationError) -> str:
    """A service's refusal as one message."""
    return " ".join(exc.messages)


def to_revision(revision):
    """Back to the plan page, showing ``revision``."""
    return redirect(
        f"{reverse('plans:detail', args=[revision.plan_id])}?revision={revision.number}"
    )


def get_center_for_user(user, pk) -> Center:
    return get_object_or_404(Center.objects.visible_to(user).select_related("head", "hub"), pk=pk)


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


def get_visa_for_user(user, revision_pk, school_pk) -> Visa:
    return get_object_or_404(
        Visa.objects.filter(revision__plan__in=Plan.objects.visible_to(user)).select_related(
            "school", "revision__plan__center__hub", "revision__plan__center__head"
        ),
        revision_id=revision_pk,
        school_id=school_pk,
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
