"""Centers of network interaction: list, card, participants, closing, and the working group.

Thin views: objects are loaded through ``visible_to`` (out of scope answers 404), actions are
asked of the ``rules`` predicates (refused answers 403), input is validated by a form and every
change is made by a service function, whose domain errors go back onto the form or a message.
htmx requests to the working group's actions get the draft fragment they replace; without
JavaScript the same forms post and redirect.
"""

import copy

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from network_center.documents.models import LegalDocument
from schools.access import get_access
from schools.caching import cached_page
from schools.models import Municipality, Organisation
from schools.permissions import can, require

from .forms import (
    CenterForm,
    CloseCenterForm,
    MemberAddForm,
    MemberEditForm,
    MemberNewPersonForm,
    MunicipalityChoiceForm,
    ParticipationForm,
    add_service_error,
)
from .models import Center, Composition, Member, Participation
from .services import centers as center_services
from .services import working_group as wg_services

ADD_CENTER = "centers.add_center"
CHANGE_CENTER = "centers.change_center"
MANAGE_GROUP = "centers.manage_working_group"

DOMAIN_ERRORS = (ValidationError, PermissionDenied)


# --- loading and permissions -------------------------------------------------------------------


def get_center_for_user(user, pk):
    """Load a center the user may see, or 404 (the same answer as for one that does not exist)."""
    queryset = Center.objects.visible_to(user).select_related(
        "municipality__region",
        "hub",
        "head",
        "creating_act",
        "regulation__parent",
        "closed_by",
    )
    return get_object_or_404(queryset, pk=pk)


def get_participation_for_user(user, pk):
    queryset = Participation.objects.filter(
        center__in=Center.objects.visible_to(user)
    ).select_related("center__municipality", "center__hub", "school", "agreement")
    return get_object_or_404(queryset, pk=pk)


def get_member_for_user(user, pk):
    queryset = Member.objects.filter(
        composition__center__in=Center.objects.visible_to(user)
    ).select_related(
        "composition__center__municipality", "composition__center__hub", "person__organisation"
    )
    return get_object_or_404(queryset, pk=pk)


require_perm = require


def require_center_change(user, center):
    require_perm(
        user,
        CHANGE_CENTER,
        center,
        _("Центрами управляет управление образования муниципалитета."),
    )


def refuse_if_closed(request, center):
    """A closed center's card and participants are kept as they were."""
    if center.status != Center.Status.ACTIVE:
        messages.error(request, _("Центр закрыт: изменить его нельзя."))
        return redirect("centers:detail", pk=center.pk)
    return None


def require_group_management(user, center):
    require_perm(
        user,
        MANAGE_GROUP,
        center,
        _("Состав рабочей группы утверждает директор базовой школы центра."),
    )


def creatable_municipalities(user):
    """Municipalities in which ``user`` may create a center."""
    access = get_access(user)
    queryset = Municipality.objects.select_related("region").order_by("region__name", "name")
    if access.is_superuser:
        return queryset
    return queryset.filter(
        pk__in=[m for m in access.municipality_ids() if can(user, ADD_CENTER, m)]
    )


def may_create_somewhere(user):
    """Whether to offer «Создать центр», without a query."""
    access = get_access(user)
    return access.is_superuser or any(
        can(user, ADD_CENTER, municipality_id) for municipality_id in access.municipality_ids()
    )


def visible_ids(queryset, user, ids):
    """Which of ``ids`` the user may open (one query, none when there is nothing to ask):
    links are drawn only to pages that will not answer 404."""
    ids = {pk for pk in ids if pk}
    if not ids:
        return set()
    visible = queryset.visible_to(user).filter(pk__in=ids).order_by()
    return set(visible.values_list("pk", flat=True))


def is_htmx(request):
    return request.headers.get("HX-Request") == "true"


def sort_members(members):
    return sorted(
        members,
        key=lambda m: (
            Member.ROLE_ORDER.get(m.role, 99),
            m.person.last_name,
            m.person.first_name,
            m.person.patronymic,
        ),
    )


def attach_members(compositions):
    """Give each composition its ``member_list``, sorted as in the order's appendix (one query)."""
    compositions = [c for c in compositions if c is not None]
    if not compositions:
        return
    by_composition = {c.pk: [] for c in compositions}
    members = Member.objects.filter(composition__in=list(by_composition)).select_related(
        "person__organisation"
    )
    for member in members:
        by_composition[member.composition_id].append(member)
    for composition in compositions:
        composition.member_list = sort_members(by_composition[composition.pk])


def split_compositions(center):
    """(in force, draft, superseded ones newest first) of a center, one query."""
    compositions = list(center.compositions.select_related("order__signatory").order_by("-version"))
    in_force = next((c for c in compositions if c.status == Composition.Status.IN_FORCE), None)
    draft = next((c for c in compositions if c.status == Composition.Status.DRAFT), None)
    history = [c for c in compositions if c.status == Composition.Status.SUPERSEDED]
    return in_force, draft, history


# --- the list and the center's card ------------------------------------------------------------


@login_required
@cached_page
def center_list(request):
    visible = Center.objects.visible_to(request.user)
    today = timezone.localdate()
    current = Q(participations__until__isnull=True) | Q(participations__until__gte=today)
    # Counting over a plain queryset of the visible ids: the visibility filter joins
    # participations itself, and an annotation would count only the rows that filter kept.
    centers = (
        Center.objects.filter(pk__in=visible.values("pk"))
        .select_related("municipality", "hub", "head")
        .annotate(participant_count=Count("participations", filter=current))
        .order_by("municipality__name", "short_name")
    )
    municipalities = list(
        Municipality.objects.filter(pk__in=visible.values("municipality_id")).order_by("name")
    )
    selected = None
    chosen = request.GET.get("municipality", "")
    if chosen:
        selected = next((m for m in municipalities if str(m.pk) == chosen), None)
        if selected is not None:
            centers = centers.filter(municipality=selected)
    centers = list(centers)
    return render(
        request,
        "centers/center_list.html",
        {
            "centers": centers,
            "municipalities": municipalities,
            "selected": selected,
            "can_create": may_create_somewhere(request.user),
            "visible_school_ids": visible_ids(
                Organisation.objects, request.user, [c.hub_id for c in centers]
            ),
        },
    )


@login_required
@cached_page
def center_detail(request, pk):
    center = get_center_for_user(request.user, pk)
    participations = list(
        center.participations.select_related("school", "agreement").order_by("school__short_name")
    )
    in_force, draft, _history = split_compositions(center)
    attach_members([in_force])
    user = request.user
    document_ids = [
        center.creating_act_id,
        center.regulation_id,
        center.regulation.parent_id if center.regulation else None,
        center.closed_by_id,
        in_force.order_id if in_force else None,
        *(p.agreement_id for p in participations),
    ]
    is_active = center.status == Center.Status.ACTIVE
    can_change = can(user, CHANGE_CENTER, center)
    return render(
        request,
        "centers/center_detail.html",
        {
            "center": center,
            "participations": participations,
            "in_force": in_force,
            "draft": draft,
            "can_change": can_change and is_active,
            "can_manage_group": can(user, MANAGE_GROUP, center) and is_active,
            "visible_document_ids": visible_ids(LegalDocument.objects, user, document_ids),
            "visible_school_ids": visible_ids(
                Organisation.objects,
                user,
                [center.hub_id, *(p.school_id for p in participations)],
            ),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def center_create(request):
    choosable = creatable_municipalities(request.user)
    municipalities = list(choosable)
    if not municipalities:
        raise PermissionDenied(_("Создавать центры может управление образования муниципалитета."))
    if len(municipalities) == 1:
        municipality = municipalities[0]
    else:
        chosen = request.GET.get("municipality", "")
        municipality = next((m for m in municipalities if str(m.pk) == chosen), None)
        if municipality is None:
            # Several municipalities: choose one first, so that schools, people and acts
            # offered below are that municipality's.
            return render(
                request,
                "centers/center_municipality.html",
                {"form": MunicipalityChoiceForm(municipalities=choosable)},
            )
    form = CenterForm(request.POST or None, municipality=municipality, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            center = center_services.create_center(
                municipality, actor=request.user, **form.service_fields()
            )
        except DOMAIN_ERRORS as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("Центр создан."))
            return redirect("centers:detail", pk=center.pk)
    return render(
        request,
        "centers/center_form.html",
        {"form": form, "municipality": municipality, "center": None},
    )


@login_required
@require_http_methods(["GET", "POST"])
def center_edit(request, pk):
    center = get_center_for_user(request.user, pk)
    require_center_change(request.user, center)
    refused = refuse_if_closed(request, center)
    if refused:
        return refused
    # The form works on a copy, so that the page around an invalid form shows the saved names.
    form = CenterForm(
        request.POST or None,
        instance=copy.copy(center),
        municipality=center.municipality,
        user=request.user,
    )
    if request.method == "POST" and form.is_valid():
        try:
            center_services.update_center(
                center, actor=request.user, **form.service_fields(form.changed_data)
            )
        except DOMAIN_ERRORS as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("Карточка центра сохранена."))
            return redirect("centers:detail", pk=center.pk)
    return render(
        request,
        "centers/center_form.html",
        {"form": form, "municipality": center.municipality, "center": center},
    )


@login_required
@require_http_methods(["GET", "POST"])
def center_close(request, pk):
    center = get_center_for_user(request.user, pk)
    require_center_change(request.user, center)
    if center.status != Center.Status.ACTIVE:
        messages.info(request, _("Центр уже закрыт."))
        return redirect("centers:detail", pk=center.pk)
    form = CloseCenterForm(request.POST or None, center=center, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            center_services.close_center(center, actor=request.user, act=form.cleaned_data["act"])
        except DOMAIN_ERRORS as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("Центр закрыт."))
            return redirect("centers:detail", pk=center.pk)
    return render(request, "centers/center_close.html", {"center": center, "form": form})


# --- participants ------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def participant_add(request, pk):
    center = get_center_for_user(request.user, pk)
    require_center_change(request.user, center)
    refused = refuse_if_closed(request, center)
    if refused:
        return refused
    form = ParticipationForm(request.POST or None, center=center, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            center_services.add_participant(center, actor=request.user, **form.service_fields())
        except DOMAIN_ERRORS as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("Школа добавлена в число участников центра."))
            return redirect("centers:detail", pk=center.pk)
    return render(
        request,
        "centers/participation_form.html",
        {"center": center, "form": form, "participation": None},
    )


@login_required
@require_http_methods(["GET", "POST"])
def participant_edit(request, pk):
    participation = get_participation_for_user(request.user, pk)
    center = participation.center
    require_center_change(request.user, center)
    refused = refuse_if_closed(request, center)
    if refused:
        return refused
    form = ParticipationForm(
        request.POST or None,
        instance=copy.copy(participation),
        center=center,
        user=request.user,
    )
    if request.method == "POST" and form.is_valid():
        try:
            center_services.update_participant(
                participation, actor=request.user, **form.service_fields()
            )
        except DOMAIN_ERRORS as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("Сведения об участнике сохранены."))
            return redirect("centers:detail", pk=center.pk)
    return render(
        request,
        "centers/participation_form.html",
        {"center": center, "form": form, "participation": participation},
    )


@login_required
@require_POST
def participant_delete(request, pk):
    participation = get_participation_for_user(request.user, pk)
    center = participation.center
    require_center_change(request.user, center)
    refused = refuse_if_closed(request, center)
    if refused:
        return refused
    try:
        center_services.remove_participant(participation, actor=request.user)
    except DOMAIN_ERRORS as exc:
        messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
    else:
        messages.success(
            request,
            _("Школа %(school)s исключена из списка участников.")
            % {"school": participation.school.short_name},
        )
    return redirect("centers:detail", pk=center.pk)


# --- the working group -------------------------------------------------------------------------


def render_working_group(request, center, *, add_form=None, new_form=None):
    """The working group's page, or only its draft fragment for htmx."""
    user = request.user
    in_force, draft, history = split_compositions(center)
    attach_members([in_force, draft])
    can_manage = can(user, MANAGE_GROUP, center) and center.status == Center.Status.ACTIVE
    if can_manage:
        add_form = add_form or MemberAddForm(center=center, prefix="add")
        new_form = new_form or MemberNewPersonForm(center=center, prefix="new")
    orders = [c.order_id for c in (in_force, draft, *history) if c is not None]
    context = {
        "center": center,
        "in_force": in_force,
        "draft": draft,
        "history": history,
        "can_manage": can_manage,
        "add_form": add_form,
        "new_form": new_form,
        "visible_document_ids": visible_ids(LegalDocument.objects, user, orders),
        "is_htmx": is_htmx(request),
    }
    template = "centers/_wg_draft.html" if is_htmx(request) else "centers/working_group.html"
    return render(request, template, context)


def after_group_change(request, center):
    """PRG without JavaScript; the fresh draft fragment for htmx."""
    if is_htmx(request):
        return render_working_group(request, center)
    return redirect("centers:working_group", pk=center.pk)


@login_required
@cached_page
def working_group(request, pk):
    center = get_center_for_user(request.user, pk)
    return render_working_group(request, center)


@login_required
@require_POST
def member_add(request, pk):
    center = get_center_for_user(request.user, pk)
    require_group_management(request.user, center)
    refused = _refuse_if_closed(request, center)
    if refused:
        return refused
    form = MemberAddForm(request.POST, center=center, prefix="add")
    if form.is_valid():
        try:
            member = wg_services.add_member(center, actor=request.user, **form.cleaned_data)
        except DOMAIN_ERRORS as exc:
            add_service_error(form, exc)
        else:
            messages.success(
                request,
                _("%(person)s включён(а) в проект состава.") % {"person": member.person.full_name},
            )
            return after_group_change(request, center)
    return render_working_group(request, center, add_form=form)


@login_required
@require_POST
def member_new_person(request, pk):
    center = get_center_for_user(request.user, pk)
    require_group_management(request.user, center)
    refused = _refuse_if_closed(request, center)
    if refused:
        return refused
    form = MemberNewPersonForm(request.POST, center=center, prefix="new")
    if form.is_valid():
        try:
            member = wg_services.add_new_person_as_member(
                center, actor=request.user, **form.cleaned_data
            )
        except DOMAIN_ERRORS as exc:
            add_service_error(form, exc)
        else:
            messages.success(
                request,
                _("%(person)s внесён(а) в список сотрудников и включён(а) в проект состава.")
                % {"person": member.person.full_name},
            )
            return after_group_change(request, center)
    return render_working_group(request, center, new_form=form)


@login_required
@require_POST
def composition_draft(request, pk):
    """Start a draft composition as a copy of the one in force, to change or remove members."""
    center = get_center_for_user(request.user, pk)
    require_group_management(request.user, center)
    refused = _refuse_if_closed(request, center)
    if refused:
        return refused
    try:
        wg_services.draft_composition(center, actor=request.user)
    except DOMAIN_ERRORS as exc:
        messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
    else:
        messages.success(request, _("Проект нового состава подготовлен: внесите изменения."))
    return after_group_change(request, center)


def _refuse_if_closed(request, center):
    if center.status != Center.Status.ACTIVE:
        messages.error(request, _("Центр закрыт: состав рабочей группы больше не изменяется."))
        return after_group_change(request, center)
    return None


def _refuse_unless_draft(request, member):
    refused = _refuse_if_closed(request, member.composition.center)
    if refused:
        return refused
    if member.composition.status != Composition.Status.DRAFT:
        messages.error(
            request, _("Утверждённый состав изменить нельзя: изменения вносятся в проект.")
        )
        return after_group_change(request, member.composition.center)
    return None


@login_required
@require_http_methods(["GET", "POST"])
def member_edit(request, pk):
    member = get_member_for_user(request.user, pk)
    center = member.composition.center
    require_group_management(request.user, center)
    refused = _refuse_unless_draft(request, member)
    if refused:
        return refused
    form = MemberEditForm(
        request.POST or None,
        initial={"role": member.role, "responsibility": member.responsibility},
    )
    if request.method == "POST" and form.is_valid():
        try:
            wg_services.update_member(member, actor=request.user, **form.cleaned_data)
        except DOMAIN_ERRORS as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("Сведения о члене рабочей группы сохранены."))
            return redirect("centers:working_group", pk=center.pk)
    return render(
        request, "centers/member_form.html", {"center": center, "member": member, "form": form}
    )


@login_required
@require_POST
def member_remove(request, pk):
    member = get_member_for_user(request.user, pk)
    center = member.composition.center
    require_group_management(request.user, center)
    refused = _refuse_unless_draft(request, member)
    if refused:
        return refused
    try:
        wg_services.remove_member(member, actor=request.user)
    except DOMAIN_ERRORS as exc:
        messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
    else:
        messages.success(
            request,
            _("%(person)s исключён(а) из проекта состава.") % {"person": member.person.full_name},
        )
    return after_group_change(request, center)
