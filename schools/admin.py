from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import Membership, Municipality, Organisation, Person, Region, SchoolStatus


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ["name", "name_genitive"]
    search_fields = ["name"]


@admin.register(Municipality)
class MunicipalityAdmin(admin.ModelAdmin):
    list_display = ["name", "region", "center_town"]
    list_filter = ["region"]
    search_fields = ["name"]


class SchoolStatusInline(admin.TabularInline):
    model = SchoolStatus
    extra = 0


class PersonInline(admin.TabularInline):
    model = Person
    extra = 0
    fields = ["last_name", "first_name", "patronymic", "position", "email", "phone", "user"]
    raw_id_fields = ["user"]


@admin.register(Organisation)
class OrganisationAdmin(SimpleHistoryAdmin):
    list_display = ["short_name", "kind", "municipality", "region"]
    list_filter = ["kind", "region", "municipality"]
    search_fields = ["short_name", "full_name", "inn"]
    raw_id_fields = ["head"]
    inlines = [PersonInline, SchoolStatusInline]


@admin.register(SchoolStatus)
class SchoolStatusAdmin(SimpleHistoryAdmin):
    list_display = ["school", "year", "kind", "basis"]
    list_filter = ["kind", "year", "school__municipality"]
    search_fields = ["school__short_name"]
    raw_id_fields = ["school"]


@admin.register(Person)
class PersonAdmin(SimpleHistoryAdmin):
    list_display = ["full_name", "position", "organisation", "user"]
    list_filter = ["organisation__municipality"]
    search_fields = ["last_name", "first_name", "organisation__short_name"]
    raw_id_fields = ["organisation", "user"]


@admin.register(Membership)
class MembershipAdmin(SimpleHistoryAdmin):
    list_display = ["user", "role", "organisation"]
    list_filter = ["role", "organisation__municipality"]
    search_fields = ["user__username", "organisation__short_name"]
    raw_id_fields = ["user", "organisation"]
