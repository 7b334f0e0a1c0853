from django.contrib import admin

from .models import Notification


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    """Notifications are sent by the services (``plans.notify``); here they are read and may be
    marked read or removed."""

    list_display = ["user", "text", "created_at", "read_at"]
    list_filter = ["read_at"]
    list_select_related = ["user"]
    search_fields = ["text", "user__username"]
    date_hierarchy = "created_at"
    fields = ["user", "text", "url", "created_at", "read_at"]
    readonly_fields = ["user", "text", "url", "created_at"]

    def has_add_permission(self, request):
        return False
