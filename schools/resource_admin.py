"""The admin of the resources schools offer to the network (imported by ``schools.admin``).

Subjects are reference data the administrator edits. Resources are shown and never changed
here: a change made past ``resource_services`` would leave no history row and stale search
keywords; the schools' own pages make every change. Their history is read-only, as all
history is.
"""

from django.contrib import admin
from django.db import models

from .admin import ViewOnlyAdmin, ViewOnlyInline
from .resources import Resource, ResourceEvent, Subject


@admin.register(Subject)
class SubjectAdmin(admin.ModelAdmin):
    list_display = ["name", "position"]
    list_editable = ["position"]
    search_fields = ["name"]


class ResourceEventInline(ViewOnlyInline):
    model = ResourceEvent
    fk_name = "resource"
    fields = ["at", "action", "actor", "fields"]
    readonly_fields = fields
    show_change_link = False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("actor")


@admin.register(Resource)
class ResourceAdmin(ViewOnlyAdmin):
    list_display = ["title", "kind", "school", "is_available", "updated_at"]
    list_filter = ["kind", "is_available", "school__municipality"]
    list_select_related = ["school"]
    search_fields = ["title", "description", "school__short_name"]
    readonly_fields = ["keywords", "created_by", "created_at", "updated_at"]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    inlines = [ResourceEventInline]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("school", "person", "created_by")


@admin.register(ResourceEvent)
class ResourceEventAdmin(ViewOnlyAdmin):
    list_display = ["at", "title", "action", "school", "actor"]
    list_filter = ["action", "school__municipality"]
    list_select_related = ["school", "actor"]
    search_fields = ["title", "school__short_name"]
