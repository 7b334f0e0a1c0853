"""Mentoring pairs: the lists per center and per school, a pair's page, its form, its meetings
and its completion or early stop.

Thin views: objects are loaded through ``visible_to`` (404), actions asked of the rules (403),
input validated by a form and every change made by ``cooperation.services``, whose refusals go
back onto the form or into a message.
"""

import copy

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from network_center.centers.models import Center
from schools.caching import cached_page
from schools.form_errors import add_service_error
from schools.models import Organisation, Person
from schools.permissions import can, require

from .. import services
from ..forms import CompleteForm, MeetingForm, PairForm, StopForm
from ..models import MentoringPair
from .common import get_center_for_user, get_pair_for_user, get_school_for_user, visible_ids

DOMAIN_ERRORS = (ValidationError, PermissionDenied)
State = MentoringPair.State


def pair_rows(queryset):
    """Pairs as the lists show them: people, line and the number of meetings in one query."""
    return (
        queryset.select_related(
            "mentor__organisation", "mentee__organisation", "line__revision__plan"
        )
        .annotate(meeting_count=Count("meetings"))
        .order_by("state", "-date_from", "pk")
    )


def _state_filter(request, pairs):
    state = request.GET.get("state")
    if isinstance(state, str) and state in State.values:
        return pairs.filter(state=state), state
    return pairs, ""


@login_required
@cached_page
def center_mentoring(request, pk):
    """All the pairs of a center the user sees (a participant school: its own only)."""
    center = get_center_for_user(request.user, pk)
    pairs, state = _state_filter(
        request, MentoringPair.objects.visible_to(request.user).filter(center=center)
    )
    participations = list(center.participations.select_related("school"))
    schools = [p.school for p in participations]
    shown = visible_ids(Organisation.objects, request.user, [s.pk for s in schools])
    return render(
        request,
        "cooperation/center_mentoring.html",
        {
            "center": center,
            "pairs": list(pair_rows(pairs)),
            "state": state,
            "states": State.choices,
            "schools": [s for s in schools if s.pk in shown],
            "can_create": can(request.user, "cooperation.add_pair", center),
        },
    )


@login_required
@cached_page
def school_mentoring(request, pk):
    """The pairs whose mentee or mentor is of the school."""
    school = get_school_for_user(request.user, pk)
    staff = Person.objects.filter(organisation=school).values("pk")
    pairs, state = _state_filter(
        request,
        MentoringPair.objects.visible_to(request.user).filter(
            Q(mentee_id__in=staff) | Q(mentor_id__in=staff)
        ),
    )
    rows = list(pair_rows(pairs.select_related("center")))
    return render(
        request,
        "cooperation/school_mentoring.html",
        {"school": school, "pairs": rows, "state": state, "states": State.choices},
    )


def _pair_page(request, pair, *, status=200):
    user = request.user
    return render(
        request,
        "cooperation/pair_detail.html",
        {
            "pair": pair,
            "meetings": pair.meetings.select_related("recorded_by"),
            "events": pair.events.select_related("actor"),
            "can_edit": can(user, "cooperation.change_pair", pair),
            "can_finish": pair.is_active and can(user, "cooperation.finish_pair", pair),
            "can_add_meeting": can(user, "cooperation.add_meeting", pair),
            # Links are drawn only to pages that open: a mentor's own login may see the pair
            # without seeing the center or the other school.
            "center_visible": bool(visible_ids(Center.objects, user, [pair.center_id])),
            "visible_person_ids": visible_ids(
                Person.objects, user, [pair.mentor_id, pair.mentee_id]
            ),
        },
        status=status,
    )


@login_required
@cached_page
def pair_detail(request, pk):
    return _pair_page(request, get_pair_for_user(request.user, pk))


@login_required
@require_http_methods(["GET", "POST"])
def pair_create(request, pk):
    center = get_center_for_user(request.user, pk)
    require(request.user, "cooperation.add_pair", center, services.mentoring.MANAGERS_ONLY)
    form = PairForm(request.POST or None, instance=MentoringPair(center=center), center=center)
    if request.method == "POST" and form.is_valid():
        try:
            pair = services.create_pair(center, actor=request.user, **form.service_fields())
        except DOMAIN_ERRORS as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("Пара наставничества создана."))
            return redirect("cooperation:pair", pk=pair.pk)
    return render(
        request, "cooperation/pair_form.html", {"form": form, "center": center, "pair": None}
    )


@login_required
@require_http_methods(["GET", "POST"])
def pair_edit(request, pk):
    pair = get_pair_for_user(request.user, pk)
    require(request.user, "cooperation.change_pair", pair, services.mentoring.MANAGERS_ONLY)
    # The form works on a copy: the page around an invalid form shows what is saved.
    form = PairForm(request.POST or None, instance=copy.copy(pair), center=pair.center)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_pair(pair, actor=request.user, **form.service_fields())
        except DOMAIN_ERRORS as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("Сведения о паре сохранены."))
            return redirect("cooperation:pair", pk=pair.pk)
    return render(
        request,
        "cooperation/pair_form.html",
        {"form": form, "center": pair.center, "pair": pair},
    )


def _finish_view(request, pk, *, name, form_class, service, argument, template, done):
    pair = get_pair_for_user(request.user, pk)
    require(request.user, "cooperation.finish_pair", pair, services.mentoring.MANAGERS_ONLY)
    if not pair.is_active:
        messages.info(
            request,
            _("Наставничество уже в состоянии «%(state)s».") % {"state": pair.get_state_display()},
        )
        return redirect("cooperation:pair", pk=pair.pk)
    form = form_class(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            service(pair, actor=request.user, **{argument: form.cleaned_data[argument]})
        except DOMAIN_ERRORS as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, done)
            return redirect("cooperation:pair", pk=pair.pk)
    return render(request, template, {"pair": pair, "form": form, "action": name})


@login_required
@require_http_methods(["GET", "POST"])
def pair_complete(request, pk):
    return _finish_view(
        request,
        pk,
        name="complete",
        form_class=CompleteForm,
        service=services.complete_pair,
        argument="results",
        template="cooperation/pair_finish.html",
        done=_("Наставничество завершено, результаты записаны."),
    )


@login_required
@require_http_methods(["GET", "POST"])
def pair_stop(request, pk):
    return _finish_view(
        request,
        pk,
        name="stop",
        form_class=StopForm,
        service=services.stop_pair,
        argument="reason",
        template="cooperation/pair_finish.html",
        done=_("Наставничество прекращено досрочно."),
    )


@login_required
@require_http_methods(["GET", "POST"])
def meeting_add(request, pk):
    pair = get_pair_for_user(request.user, pk)
    require(
        request.user,
        "cooperation.add_meeting",
        pair,
        _("Встречи записывают наставник, руководитель центра и школа наставляемого."),
    )
    form = MeetingForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.add_meeting(pair, actor=request.user, **form.cleaned_data)
        except DOMAIN_ERRORS as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("Встреча записана."))
            return redirect("cooperation:pair", pk=pair.pk)
    return render(request, "cooperation/meeting_form.html", {"pair": pair, "form": form})
