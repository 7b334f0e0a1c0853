"""The admin of centers, participants and working groups.

The status of a center and of a composition are written by the services only (closing a center,
signing the order that puts a composition in force); neither is reverted to an old version from
its history page. A composition in force or superseded, and its members, are shown and never
changed: its order was signed. What the services do after a change is done here too: the
network reads the center's acts (``share_network_documents``), and the draft order of a draft
composition lists its members (``sync_composition_order``).
"""

from django.contrib import admin

from schools.admin import HistoryAdmin, ViewOnlyInline

from .models import Center, Composition, Member, Participation
from .services.centers import share_network_documents
from .services.working_group import sync_composition_order


def _is_frozen(composition) -> bool:
    return composition is not None and composition.status != Composition.Status.DRAFT


class ParticipationInline(admin.TabularInline):
    model = Participation
    extra = 0
    fields = ["school", "category", "since", "until", "agreement"]
    autocomplete_fields = ["school"]
    raw_id_fields = ["agreement"]

    def get_queryset(self, request):
        # The row's label is the participation's __str__: the school in the center.
        return super().get_queryset(request).select_related("school", "center", "agreement")


class CompositionInline(ViewOnlyInline):
    model = Composition
    fields = ["version", "status", "order", "effective_from", "effective_until"]
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("center", "order")


@admin.register(Center)
class CenterAdmin(HistoryAdmin):
    allow_revert = False
    list_display = ["short_name", "municipality", "hub", "head", "status", "plan_approver"]
    list_filter = ["status", "plan_approver", "municipality"]
    list_select_related = ["municipality", "hub", "head"]
    search_fields = ["short_name", "name", "hub__short_name"]
    autocomplete_fields = ["municipality", "hub", "head"]
    raw_id_fields = ["creating_act", "regulation"]
    readonly_fields = ["status", "closed_by", "created_at"]
    date_hierarchy = "created_at"
    inlines = [ParticipationInline, CompositionInline]

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        share_network_documents(form.instance)

    def has_delete_permission(self, request, obj=None):
        # A working group approved by a signed order is a record of the center; deleting the
        # center would delete it with its members.
        if obj is not None and obj.compositions.exclude(status=Composition.Status.DRAFT).exists():
            return False
        return super().has_delete_permission(request, obj)


@admin.register(Participation)
class ParticipationAdmin(HistoryAdmin):
    list_display = ["school", "center", "category", "since", "until", "agreement"]
    list_filter = ["category", "center__municipality", "center"]
    list_select_related = ["school", "center", "agreement"]
    search_fields = ["school__short_name", "center__short_name"]
    autocomplete_fields = ["center", "school"]
    raw_id_fields = ["agreement"]
    date_hierarchy = "since"

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        share_network_documents(obj.center)


class MemberInline(admin.TabularInline):
    model = Member
    extra = 0
    fields = ["person", "role", "responsibility"]
    autocomplete_fields = ["person"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("person")

    # ``obj`` is the composition: members of a composition in force or superseded are frozen.
    def has_add_permission(self, request, obj=None):
        return super().has_add_permission(request, obj) and not _is_frozen(obj)

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and not _is_frozen(obj)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and not _is_frozen(obj)


@admin.register(Composition)
class CompositionAdmin(HistoryAdmin):
    allow_revert = False
    list_display = ["__str__", "center", "version", "status", "effective_from", "effective_until"]
    list_filter = ["status", "center__municipality"]
    list_select_related = ["center"]
    search_fields = ["center__short_name", "order__number"]
    autocomplete_fields = ["center", "created_by"]
    raw_id_fields = ["order"]
    readonly_fields = ["status", "order", "effective_from", "effective_until", "created_at"]
    date_hierarchy = "created_at"
    inlines = [MemberInline]

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and not _is_frozen(obj)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and not _is_frozen(obj)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        if not _is_frozen(form.instance):
            sync_composition_order(form.instance, actor=request.user)


@admin.register(Member)
class MemberAdmin(HistoryAdmin):
    list_display = ["person", "role", "responsibility", "composition"]
    list_filter = ["role", "composition__status", "composition__center"]
    list_select_related = ["person", "composition__center"]
    search_fields = ["person__last_name", "person__first_name", "responsibility"]
    autocomplete_fields = ["person"]
    raw_id_fields = ["composition"]

    def has_change_permission(self, request, obj=None):
        frozen = obj is not None and _is_frozen(obj.composition)
        return super().has_change_permission(request, obj) and not frozen

    def has_delete_permission(self, request, obj=None):
        frozen = obj is not None and _is_frozen(obj.composition)
        return super().has_delete_permission(request, obj) and not frozen

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        # New members join a draft only: the model refuses the others.
        if db_field.name == "composition":
            kwargs["queryset"] = Composition.objects.filter(status=Composition.Status.DRAFT)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        sync_composition_order(obj.composition, actor=request.user)

    def delete_model(self, request, obj):
        composition = obj.composition
        super().delete_model(request, obj)
        sync_composition_order(composition, actor=request.user)

    def delete_queryset(self, request, queryset):
        compositions = {member.composition for member in queryset.select_related("composition")}
        super().delete_queryset(request, queryset)
        for composition in compositions:
            sync_composition_order(composition, actor=request.user)
