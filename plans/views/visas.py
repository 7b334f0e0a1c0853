"""A school's visa on the plan page's revision."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from schools.form_errors import add_service_error
from schools.permissions import require

from .. import services
from ..forms import VisaForm
from .common import get_plan_for_user, get_visa_for_user
from .plans import render_plan_page


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
            add_service_error(form, exc)
        else:
            messages.success(request, _("Решение школы записано."))
            return redirect("plans:detail", pk=revision.plan_id)
    # The page again, the school's form with its errors beside its fields and the choice kept.
    plan = get_plan_for_user(request.user, revision.plan_id)
    return render_plan_page(request, plan, revision=revision, failed_visa=(visa, form))
