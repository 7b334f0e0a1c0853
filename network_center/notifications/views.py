"""A person's notifications: the list and «mark all read»."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from schools.caching import cached_page

from . import services
from .models import Notification


@login_required
@cached_page
def notification_list(request):
    notifications = Notification.objects.filter(user=request.user)[:100]
    return render(request, "notifications/notification_list.html", {"notifications": notifications})


@login_required
@require_POST
def notifications_read(request):
    services.mark_all_read(request.user)
    return redirect("notifications:list")
