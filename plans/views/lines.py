"""The lines of a revision: add, edit (a whole page, or the row in place through htmx), the row
itself, delete."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from schools.form_errors import add_service_error
from schools.permissions import can, require

from .. import services
from ..forms import LineForm
from ..models import Line
from ..queries import line_numbers, participant_ids
from .common import errors, get_line_for_user, get_revision_for_user, to_revision
from .plans import decorate


def _line_fields(form):
    data = dict(form.cleaned_data)
    data.pop("version", None)
    return data


@login_required
@require_http_methods(["GET", "POST"])
def line_add(request, pk):
    revision = get_revision_for_user(request.user, pk)
    require(
        request.user,
        "plans.add_line",
        revision,
        _("Добавлять мероприятия может руководитель центра."),
    )
    form = LineForm(request.POST or None, center=revision.plan.center)
    if request.method == "POST" and form.is_valid():
        data = _line_fields(form)
        try:
            services.add_line(
                revision,
                actor=request.user,
                responsible=data.pop("responsible"),
                schools=data.pop("schools"),
                needed_resources=data.pop("needed_resources"),
                **data,
            )
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("Мероприятие добавлено."))
            return to_revision(revision)
    return render(request, "plans/line_form.html", {"form": form, "revision": revision})


@login_required
@require_http_methods(["GET", "POST"])
def line_edit(request, pk):
    line = get_line_for_user(request.user, pk)
    revision = line.revision
    require(request.user, "plans.change_line", line, _("Это мероприятие вам изменять не поручено."))
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
            return to_revision(revision)
    template = "plans/_line_edit.html" if is_htmx else "plans/line_form.html"
    line.n = line_numbers(revision).get(line.pk)
    return render(request, template, {"form": form, "revision": revision, "line": line})


def _line_row(request, pk):
    line = (
        Line.objects.select_related("form", "venue", "initiator", "revision__plan__center__head")
        .prefetch_related("responsible__organisation", "schools")
        .get(pk=pk)
    )
    line.editable = can(request.user, "plans.change_line", line)
    # Its number in the printed plan, the one the table shows: it moves when the date does.
    line.n = line_numbers(line.revision)[line.pk]
    decorate(line, participant_ids(line.revision))
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
    require(
        request.user, "plans.delete_line", line, _("Удалять мероприятия может руководитель центра.")
    )
    try:
        services.delete_line(line, actor=request.user)
    except ValidationError as exc:
        messages.error(request, errors(exc))
    else:
        messages.success(request, _("Мероприятие удалено."))
    return to_revision(revision)
