"""The admin of mentoring and interaction groups: shown, never changed here.

Every change is a service of ``cooperation.services`` — it checks who may make it and what the
center's network allows, locks, and appends a history row — so pairs, groups and members are
read-only in the admin, and the meetings and the history are append-only rows.
"""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from schools.admin import ViewOnlyAdmin, ViewOnlyInline

from .models import GroupEvent, GroupMember, InteractionGroup, Meeting, MentoringPair, PairEvent


class MeetingInline(ViewOnlyInline):
    model = Meeting
    fields = ["date", "format", "topic", "recorded_by", "recorded_at"]
    readonly_fields = fields
    show_change_link = False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("recorded_by")


class PairEventInline(ViewOnlyInline):
    model = PairEvent
    fields = ["at", "action_display", "from_state", "to_state", "actor", "comment"]
    readonly_fields = fields
    show_change_link = False

    @admin.display(description=_("действие"))
    def action_display(self, event):
        return event.action_display

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("actor")


@admin.register(MentoringPair)
class MentoringPairAdmin(ViewOnlyAdmin):
    list_display = ["__str__", "center", "subject", "date_from", "date_to", "state"]
    list_filter = ["state", "center__municipality"]
    list_select_related = ["center", "mentor", "mentee"]
    search_fields = ["subject", "mentor__last_name", "mentee__last_name"]
    date_hierarchy = "date_from"
    readonly_fields = ["state", "results", "stop_reason", "finished_at", "created_at"]
    inlines = [MeetingInline, PairEventInline]


@admin.register(Meeting)
class MeetingAdmin(ViewOnlyAdmin):
    list_display = ["date", "pair", "format", "topic", "recorded_by"]
    list_filter = ["format"]
    list_select_related = ["pair__mentor", "pair__mentee", "recorded_by"]
    search_fields = ["topic", "notes"]
    date_hierarchy = "date"


@admin.register(PairEvent)
class PairEventAdmin(ViewOnlyAdmin):
    list_display = ["at", "pair", "action", "from_state", "to_state", "actor"]
    list_filter = ["action", "to_state"]
    list_select_related = ["pair__mentor", "pair__mentee", "actor"]
    date_hierarchy = "at"


class GroupMemberInline(ViewOnlyInline):
    model = GroupMember
    fields = ["person", "role"]
    readonly_fields = fields
    show_change_link = False

    def get_queryset(self, request):
        # A row's name names its group too (``GroupMember.__str__``).
        return super().get_queryset(request).select_related("person", "group")


@admin.register(InteractionGroup)
class InteractionGroupAdmin(ViewOnlyAdmin):
    list_display = ["name", "center", "coordinator", "created_at"]
    list_filter = ["center__municipality"]
    list_select_related = ["center", "coordinator"]
    search_fields = ["name", "purpose"]
    readonly_fields = ["created_at"]
    inlines = [GroupMemberInline]


@admin.register(GroupMember)
class GroupMemberAdmin(ViewOnlyAdmin):
    list_display = ["person", "group", "role"]
    list_select_related = ["person", "group"]
    search_fields = ["person__last_name", "group__name"]


@admin.register(GroupEvent)
class GroupEventAdmin(ViewOnlyAdmin):
    list_display = ["at", "group", "action", "actor"]
    list_filter = ["action"]
    list_select_related = ["group", "actor"]
    date_hierarchy = "at"
