"""The admin of organisations and people, and the building blocks the other apps' admins share.

The admin is for the superuser repairing reference data. What the services own — states of
workflows, signed documents, history rows — it shows and never changes (see ``ViewOnlyAdmin``).
"""

from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from simple_history.admin import SimpleHistoryAdmin

from .models import (
    ContentVersion,
    Membership,
    Municipality,
    Organisation,
    Person,
    RateCount,
    Region,
    SchoolStatus,
    WorkerBeat,
)


class ViewOnlyAdmin(admin.ModelAdmin):
    """An admin that shows rows and changes nothing: no add, no change, no delete, for anyone,
    the superuser included. For history rows and for what only the services may change."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ViewOnlyInline(admin.TabularInline):
    """A read-only inline: rows of another model shown on their parent's page."""

    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class HistoryAdmin(SimpleHistoryAdmin):
    """The history page of an object, whose «revert to this version» obeys the object's change
    permission: simple_history saves a POST to a version's page checking only the permission to
    view. A model whose rows carry a workflow state sets ``allow_revert = False``: the version
    would be saved whole, its state included, past the services."""

    allow_revert = True

    def revert_disabled(self, request, obj=None):
        return not self.allow_revert or super().revert_disabled(request, obj)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        if request.method == "POST":
            obj = self.get_object(request, unquote(object_id))
            if (
                obj is None
                or self.revert_disabled(request, obj)
                or not self.has_change_permission(request, obj)
            ):
                raise PermissionDenied
        return super().history_form_view(request, object_id, version_id, extra_context)


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ["name", "name_genitive"]
    search_fields = ["name"]


@admin.register(Municipality)
class MunicipalityAdmin(admin.ModelAdmin):
    list_display = ["name", "region", "center_town"]
    list_filter = ["region"]
    list_select_related = ["region"]
    search_fields = ["name", "region__name"]
    autocomplete_fields = ["region"]


class SchoolStatusInline(ViewOnlyInline):
    """A school's statuses, shown: they are set by the signed list order of its department
    (``monitoring.lists.put_list_in_force``), never typed in."""

    model = SchoolStatus
    fields = ["year", "kind", "basis", "act", "note"]
    readonly_fields = fields
    show_change_link = False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("act")


class PersonInline(admin.TabularInline):
    model = Person
    extra = 0
    fields = ["last_name", "first_name", "patronymic", "position", "email", "phone", "user"]
    autocomplete_fields = ["user"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("user")


@admin.register(Organisation)
class OrganisationAdmin(HistoryAdmin):
    list_display = ["short_name", "kind", "municipality", "region"]
    list_filter = ["kind", "region", "municipality"]
    list_select_related = ["municipality", "region"]
    search_fields = ["short_name", "full_name", "inn"]
    autocomplete_fields = ["region", "municipality", "head"]
    inlines = [PersonInline, SchoolStatusInline]


@admin.register(SchoolStatus)
class SchoolStatusAdmin(ViewOnlyAdmin, HistoryAdmin):
    """Shown with their history, never changed here: a status is what the signed list order
    of the department says (``monitoring``'s identification), and it names that act."""

    allow_revert = False
    list_display = ["school", "year", "kind", "basis", "act", "created_at"]
    list_filter = ["kind", "year", "school__municipality"]
    list_select_related = ["school", "act"]
    search_fields = ["school__short_name", "basis"]
    date_hierarchy = "created_at"


@admin.register(Person)
class PersonAdmin(HistoryAdmin):
    list_display = ["full_name", "position", "organisation", "user"]
    list_filter = ["organisation__municipality"]
    list_select_related = ["organisation", "user"]
    search_fields = ["last_name", "first_name", "patronymic", "organisation__short_name"]
    autocomplete_fields = ["organisation", "user"]


@admin.register(Membership)
class MembershipAdmin(HistoryAdmin):
    list_display = ["user", "role", "organisation"]
    list_filter = ["role", "organisation__municipality"]
    list_select_related = ["user", "organisation"]
    search_fields = ["user__username", "organisation__short_name"]
    autocomplete_fields = ["user", "organisation"]


@admin.register(ContentVersion)
class ContentVersionAdmin(ViewOnlyAdmin):
    """The data's version, kept by database triggers (``schools.caching``): shown, never set."""

    list_display = ["n"]


@admin.register(RateCount)
class RateCountAdmin(ViewOnlyAdmin):
    """Rate-limit counters of the current windows (``schools.clients``): shown, never set."""

    list_display = ["key", "count", "expires_at"]


@admin.register(WorkerBeat)
class WorkerBeatAdmin(ViewOnlyAdmin):
    """The task workers heard of lately (``network_center.workers``): shown, never set."""

    list_display = ["worker_id", "host", "pid", "started_at", "beat_at"]


# The resources' admin, in its own module; imported last, as it uses the classes above.
from . import resource_admin  # noqa: E402, F401
