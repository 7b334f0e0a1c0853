"""Interaction groups: the list of a center, a group's page with its members, its form, and
adding or removing a member."""

import copy

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from network_center.centers.models import Center
from plans.models import Line
from schools.caching import cached_page
from schools.form_errors import add_service_error
from schools.models import Person
from schools.permissions import can, require

from .. import services
from ..forms import GroupForm, MemberForm
from ..models import GroupMember, InteractionGroup
from .common import (
    errors,
    get_center_for_user,
    get_group_for_user,
    get_member_for_user,
    visible_ids,
)

DOMAIN_ERRORS = (ValidationError, PermissionDenied)
MANAGERS_ONLY = services.groups.MANAGERS_ONLY

MEMBERS = Prefetch(
    "members",
    queryset=GroupMember.objects.select_related("person__organisation").order_by(
        "person__last_name", "person__first_name", "pk"
    ),
)
LINES = Prefetch(
    "lines",
    queryset=Line.objects.select_related("revision__plan").order_by("date_from", "pk"),
)


@login_required
@cached_page
def center_groups(request, pk):
    """The center's groups the user sees (a participant school: those with its staff)."""
    center = get_center_for_user(request.user, pk)
    groups = (
        InteractionGroup.objects.visible_to(request.user)
        .filter(center=center)
        .select_related("coordinator__organisation")
        .prefetch_related(MEMBERS, LINES)
        .order_by("name", "pk")
    )
    return render(
        request,
        "cooperation/center_groups.html",
        {
            "center": center,
            "groups": list(groups),
            "can_create": can(request.user, "cooperation.add_group", center),
        },
    )


def _group_page(request, group, *, member_form=None, status=200):
    user = request.user
    can_change = can(user, "cooperation.change_group", group)
    if can_change and member_form is None:
        member_form = MemberForm(center=group.center)
    members = list(
        group.members.select_related("person__organisation").order_by(
            "person__last_name", "person__first_name", "pk"
        )
    )
    return render(
        request,
        "cooperation/group_detail.html",
        {
            "group": group,
            "members": members,
            "lines": group.lines.select_related("revision__plan").order_by("date_from", "pk"),
            "events": group.events.select_related("actor"),
            "can_change": can_change,
            "member_form": member_form if can_change else None,
            "center_visible": bool(visible_ids(Center.objects, user, [group.center_id])),
            "visible_person_ids": visible_ids(Person.objects, user, [m.person_id for m in members]),
        },
        status=status,
    )


@login_required
@cached_page
def group_detail(request, pk):
    return _group_page(request, get_group_for_user(request.user, pk))


@login_required
@require_http_methods(["GET", "POST"])
def group_create(request, pk):
    center = get_center_for_user(request.user, pk)
    require(request.user, "cooperation.add_group", center, MANAGERS_ONLY)
    form = GroupForm(request.POST or None, instance=InteractionGroup(center=center), center=center)
    if request.method == "POST" and form.is_valid():
        try:
            group = services.create_group(center, actor=request.user, **form.service_fields())
        except DOMAIN_ERRORS as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("Группа взаимодействия сформирована."))
            return redirect("cooperation:group", pk=group.pk)
    return render(
        request, "cooperation/group_form.html", {"form": form, "center": center, "group": None}
    )


@login_required
@require_http_methods(["GET", "POST"])
def group_edit(request, pk):
    group = get_group_for_user(request.user, pk)
    require(request.user, "cooperation.change_group", group, MANAGERS_ONLY)
    form = GroupForm(request.POST or None, instance=copy.copy(group), center=group.center)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_group(group, actor=request.user, **form.service_fields())
        except DOMAIN_ERRORS as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("Сведения о группе сохранены."))
            return redirect("cooperation:group", pk=group.pk)
    return render(
        request,
        "cooperation/group_form.html",
        {"form": form, "center": group.center, "group": group},
    )


@login_required
@require_POST
def member_add(request, pk):
    group = get_group_for_user(request.user, pk)
    require(request.user, "cooperation.change_group", group, MANAGERS_ONLY)
    form = MemberForm(request.POST, center=group.center)
    if form.is_valid():
        try:
            member = services.add_member(group, actor=request.user, **form.cleaned_data)
        except DOMAIN_ERRORS as exc:
            add_service_error(form, exc)
        else:
            messages.success(
                request,
                _("%(person)s — в составе группы.") % {"person": member.person.full_name},
            )
            return redirect("cooperation:group", pk=group.pk)
    return _group_page(request, group, member_form=form)


@login_required
@require_POST
def member_remove(request, pk):
    member = get_member_for_user(request.user, pk)
    group = member.group
    require(request.user, "cooperation.change_group", group, MANAGERS_ONLY)
    try:
        services.remove_member(member, actor=request.user)
    except DOMAIN_ERRORS as exc:
        messages.error(request, errors(exc))
    else:
        messages.success(
            request,
            _("%(person)s исключён(а) из группы.") % {"person": member.person.full_name},
        )
    return redirect("cooperation:group", pk=group.pk)
