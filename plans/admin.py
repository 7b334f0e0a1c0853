from django.contrib import admin

from .models import EventForm, Plan, Proposal, Revision


@admin.register(EventForm)
class EventFormAdmin(admin.ModelAdmin):
    list_display = ["name", "position", "is_active"]
    list_editable = ["position", "is_active"]


class RevisionInline(admin.TabularInline):
    model = Revision
    extra = 0
    fields = ["number", "state", "content_version", "approval_document"]
    readonly_fields = fields
    can_delete = False


@admin.register(Plan)
class PlanAdmin(admin.ModelAdmin):
    list_display = ["center", "year"]
    list_filter = ["year", "center__municipality"]
    inlines = [RevisionInline]


@admin.register(Proposal)
class ProposalAdmin(admin.ModelAdmin):
    list_display = ["title", "school", "plan", "state", "created_at"]
    list_filter = ["state"]
    readonly_fields = ["state"]
