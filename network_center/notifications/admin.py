from django.contrib import admin

from .models import Notification


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["user", "text", "created_at", "read_at"]
    list_filter = ["read_at"]
    search_fields = ["text", "user__username"]
    readonly_fields = ["user", "text", "url", "created_at"]
