"""A school's visa on the plan page's revision."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from schools.permissions import require

from .. import services
from ..forms import VisaForm
from .common import errors, get_visa_for_user


@login_required
@require_POST
def give_visa(request, pk, school_pk):
    visa = get_visa_for_user(request.user, pk, school_pk)
    revision = visa.revision
    require(request.user, "plans.give_visa", visa, _("Визу школы даёт её представитель."))
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
            messages.error(request, errors(exc))
        else:
            messages.success(request, _("Решение школы записано."))
    else:
        messages.error(request, " ".join(e for field in form.errors.values() for e in field))
    return redirect("plans:detail", pk=revision.plan_id)
