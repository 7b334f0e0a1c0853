"""A center's overdue list: events without a report past their date, visas past their due
date, reports returned and not filed again (``plans.overdue``). Read-only."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.translation import gettext as _

from network_center.centers.models import Center
from schools.caching import cached_page
from schools.permissions import require

from .. import overdue


@login_required
@cached_page
def center_overdue(request, pk):
    """For who sees every event of the center (``plans.view_overdue``): its staff, the
    department, the РМК, the region's observer; a participant school sees its own overdue
    things on its home page."""
    center = get_object_or_404(
        Center.objects.visible_to(request.user).select_related("municipality", "hub"), pk=pk
    )
    require(
        request.user,
        "plans.view_overdue",
        center,
        _("Список просроченного по центру видят его сотрудники и управление образования."),
    )
    today = timezone.localdate()
    items = overdue.overdue_for_center(center, request.user, today=today)
    groups = [
        (kind, label, [item for item in items if item.kind == kind])
        for kind, label in overdue.KINDS.items()
    ]
    return render(
        request,
        "plans/overdue.html",
        {"center": center, "items": items, "groups": groups, "today": today},
    )
