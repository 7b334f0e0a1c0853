"""The admin of joint plans.

Every change of a plan is a service of ``plans.services``: it checks the workflow, records a
history row and tells the people concerned. So plans, revisions, lines, visas and proposals are
shown here and never added, changed or deleted — a plan or revision always has history rows —
and the history itself (transitions, proposal events) is shown only. The reference list of
event forms is edited here.
"""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from schools.admin import ViewOnlyAdmin, ViewOnlyInline

from .models import (
    CalendarFeed,
    EventForm,
    EvidenceFile,
    Execution,
    ExecutionEvent,
    ExecutionParticipation,
    Line,
    Plan,
    Proposal,
    ProposalEvent,
    Reminder,
    Revision,
    Transition,
    Visa,
)


@admin.register(EventForm)
class EventFormAdmin(admin.ModelAdmin):
    list_display = ["name", "position", "is_active"]
    list_editable = ["position", "is_active"]
    list_filter = ["is_active"]
    search_fields = ["name"]


class RevisionInline(ViewOnlyInline):
    model = Revision
    fields = ["number", "state", "content_version", "approval_document", "approved_at"]
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("plan__center", "approval_document")


@admin.register(Plan)
class PlanAdmin(ViewOnlyAdmin):
    """Created with its first revision and history row (``services.create_plan``); never
    deleted: its revisions own history."""

    list_display = ["__str__", "center", "year", "created_at"]
    list_filter = ["year", "center__municipality"]
    list_select_related = ["center"]
    search_fields = ["center__short_name", "center__name"]
    readonly_fields = ["created_at"]
    date_hierarchy = "created_at"
    inlines = [RevisionInline]


class LineInline(ViewOnlyInline):
    model = Line
    fields = ["date_from", "title", "direction", "form", "format", "venue", "initiator"]
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("form", "venue", "initiator")


class VisaInline(ViewOnlyInline):
    model = Visa
    fields = ["school", "decision", "remarks", "content_version", "decided_by_person", "decided_at"]
    readonly_fields = fields
    show_change_link = False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("school", "decided_by_person")


class TransitionInline(ViewOnlyInline):
    model = Transition
    fields = ["at", "action_display", "from_state", "to_state", "actor", "comment"]
    readonly_fields = fields
    show_change_link = False

    @admin.display(description=_("действие"))
    def action_display(self, transition):
        return transition.action_display

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("actor")


@admin.register(Revision)
class RevisionAdmin(ViewOnlyAdmin):
    """Made and moved by the services (``create_plan``, ``submit``, ``approve``, ``amend``…)."""

    list_display = ["__str__", "plan", "number", "state", "content_version", "approved_at"]
    list_filter = ["state", "plan__year", "plan__center__municipality"]
    list_select_related = ["plan__center"]
    search_fields = ["plan__center__short_name"]
    readonly_fields = [
        "state",
        "content_version",
        "approval_document",
        "approved_at",
        "created_at",
    ]
    date_hierarchy = "created_at"
    inlines = [LineInline, VisaInline, TransitionInline]


@admin.register(Line)
class LineAdmin(ViewOnlyAdmin):
    """Lines change on the plan page: the services check the center's network, record each
    change in the plan's history, reset the visas given and renew the page's cache."""

    list_display = ["title", "revision", "direction", "form", "format", "date_from", "initiator"]
    list_filter = ["format", "form", "revision__state", "revision__plan__year"]
    list_select_related = ["revision__plan__center", "form", "initiator"]
    search_fields = ["title", "direction", "audience"]
    date_hierarchy = "date_from"
    readonly_fields = ["key", "version"]


@admin.register(Visa)
class VisaAdmin(ViewOnlyAdmin):
    """Given by the school on the plan page (``services.give_visa``)."""

    list_display = ["school", "revision", "decision", "decided_by_person", "decided_at"]
    list_filter = ["decision", "revision__state", "revision__plan__year"]
    list_select_related = ["school", "revision__plan__center", "decided_by_person"]
    search_fields = ["school__short_name", "remarks"]
    date_hierarchy = "decided_at"


@admin.register(Transition)
class TransitionAdmin(ViewOnlyAdmin):
    list_display = ["at", "revision", "action_display", "from_state", "to_state", "actor"]
    list_filter = ["action", "to_state"]
    list_select_related = ["revision__plan__center", "actor"]
    search_fields = ["revision__plan__center__short_name", "actor__username", "comment"]
    readonly_fields = ["at"]
    date_hierarchy = "at"

    @admin.display(description=_("действие"), ordering="action")
    def action_display(self, transition):
        return transition.action_display


class ProposalEventInline(ViewOnlyInline):
    model = ProposalEvent
    fields = ["at", "from_state", "to_state", "actor", "comment"]
    readonly_fields = fields
    show_change_link = False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("actor")


@admin.register(Proposal)
class ProposalAdmin(ViewOnlyAdmin):
    """The school's word and the center's decision on it, each recorded in the proposal's
    history by the services (``submit_proposal``, ``accept_proposal``, …)."""

    list_display = ["title", "school", "plan", "state", "created_at", "decided_at"]
    list_filter = ["state", "format", "plan__year"]
    list_select_related = ["school", "plan__center"]
    search_fields = ["title", "direction", "school__short_name"]
    date_hierarchy = "created_at"
    readonly_fields = ["state", "created_at", "version"]
    inlines = [ProposalEventInline]


@admin.register(ProposalEvent)
class ProposalEventAdmin(ViewOnlyAdmin):
    list_display = ["at", "proposal", "from_state", "to_state", "actor"]
    list_filter = ["to_state"]
    list_select_related = ["proposal", "actor"]
    search_fields = ["proposal__title", "actor__username", "comment"]
    readonly_fields = ["at"]
    date_hierarchy = "at"


# --- execution: shown only; it changes through plans.services.execution -------------------------


class ExecutionParticipationInline(ViewOnlyInline):
    model = ExecutionParticipation
    fields = ["school", "count"]
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("school")


class EvidenceFileInline(ViewOnlyInline):
    model = EvidenceFile
    fields = ["original_name", "content_type", "size", "uploaded_by", "uploaded_at"]
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("uploaded_by")


class ExecutionEventInline(ViewOnlyInline):
    model = ExecutionEvent
    fields = ["at", "action", "from_state", "to_state", "actor", "comment"]
    readonly_fields = fields
    show_change_link = False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("actor")


@admin.register(Execution)
class ExecutionAdmin(ViewOnlyAdmin):
    """Reported, postponed, cancelled and decided on the event's page: the services check the
    table of ``workflow.EXECUTION`` and record each step in the event's history."""

    list_display = ["line", "plan", "state", "date_from", "held_on", "reported_at"]
    list_filter = ["state", "plan__year"]
    list_select_related = ["line", "plan__center"]
    search_fields = ["line__title", "outcome"]
    date_hierarchy = "date_from"
    readonly_fields = ["key", "state", "version"]
    inlines = [ExecutionParticipationInline, EvidenceFileInline, ExecutionEventInline]


@admin.register(ExecutionParticipation)
class ExecutionParticipationAdmin(ViewOnlyAdmin):
    list_display = ["execution", "school", "count"]
    list_select_related = ["execution__line", "school"]


@admin.register(EvidenceFile)
class EvidenceFileAdmin(ViewOnlyAdmin):
    list_display = ["original_name", "execution", "content_type", "size", "uploaded_at"]
    list_select_related = ["execution__line"]
    search_fields = ["original_name"]


@admin.register(ExecutionEvent)
class ExecutionEventAdmin(ViewOnlyAdmin):
    list_display = ["at", "execution", "action", "from_state", "to_state", "actor"]
    list_filter = ["action", "to_state"]
    list_select_related = ["execution__line", "actor"]
    readonly_fields = ["at"]


@admin.register(CalendarFeed)
class CalendarFeedAdmin(ViewOnlyAdmin):
    """Made and revoked by their owners on «Подписки на календарь»; the token is not shown."""

    list_display = ["scope", "owner", "created_at", "revoked_at"]
    list_filter = ["scope"]
    list_select_related = ["owner"]
    exclude = ["token"]


@admin.register(Reminder)
class ReminderAdmin(ViewOnlyAdmin):
    """What ``manage.py send_reminders`` has sent, one row per person and thing."""

    list_display = ["sent_at", "user", "subject"]
    list_select_related = ["user"]
    search_fields = ["subject", "user__username"]
