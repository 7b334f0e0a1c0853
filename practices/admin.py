"""The admin of the practice bank: shown, never changed here.

Every change is a service of ``practices.services`` — it checks that the department of the
municipality makes it, locks, and appends a history row — so practices are read-only in the
admin and their history is append-only."""

from django.contrib import admin

from schools.admin import ViewOnlyAdmin, ViewOnlyInline

from .models import Practice, PracticeEvent


class PracticeEventInline(ViewOnlyInline):
    model = PracticeEvent
    fields = ["at", "action", "from_state", "to_state", "actor", "reason"]
    readonly_fields = fields
    show_change_link = False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("actor")


@admin.register(Practice)
class PracticeAdmin(ViewOnlyAdmin):
    list_display = ["title", "kind", "school", "municipality", "state", "marked_at"]
    list_filter = ["state", "kind", "municipality"]
    list_select_related = ["school", "municipality"]
    search_fields = ["title", "reason"]
    date_hierarchy = "marked_at"
    inlines = [PracticeEventInline]


@admin.register(PracticeEvent)
class PracticeEventAdmin(ViewOnlyAdmin):
    list_display = ["at", "practice", "action", "from_state", "to_state", "actor"]
    list_filter = ["action", "to_state"]
    list_select_related = ["practice", "actor"]
    date_hierarchy = "at"
