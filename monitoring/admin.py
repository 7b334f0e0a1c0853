"""The admin of monitoring: the indicator catalogue is reference data the administrator may
correct; campaigns, values and imports are shown, never changed here (the import services
validate every value and record who wrote it)."""

from django.contrib import admin

from schools.admin import ViewOnlyAdmin, ViewOnlyInline

from .models import (
    Campaign,
    CampaignEvent,
    IdentificationRule,
    IdentificationRun,
    ImportRecord,
    Indicator,
    IndicatorValue,
    RiskFactor,
    RiskProfile,
    RiskProfileEvent,
    RiskRating,
    RuleEvent,
    RuleIndicator,
    RunEntry,
    RunEvent,
)


@admin.register(Indicator)
class IndicatorAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "group", "unit", "min_value", "max_value", "direction"]
    list_filter = ["group"]
    search_fields = ["code", "name"]


@admin.register(Campaign)
class CampaignAdmin(ViewOnlyAdmin):
    list_display = ["name", "municipality", "year", "state"]
    list_filter = ["state"]
    list_select_related = ["municipality"]


@admin.register(IndicatorValue)
class IndicatorValueAdmin(ViewOnlyAdmin):
    list_display = ["campaign", "school", "indicator", "value"]
    list_select_related = ["campaign__municipality", "school", "indicator"]
    raw_id_fields = ["campaign", "school", "indicator", "import_record"]


@admin.register(ImportRecord)
class ImportRecordAdmin(ViewOnlyAdmin):
    list_display = ["file_name", "campaign", "state", "uploaded_by", "uploaded_at"]
    list_select_related = ["campaign__municipality", "uploaded_by"]
    exclude = ["payload"]


# --- what the services own: shown, never changed here -------------------------------------
# Rules, runs, their entries and risk profiles change only through monitoring's services,
# which check the department's rights, keep a version and write a history row; a change typed
# into the admin would bypass all three, so the admin shows them and no more.


@admin.register(CampaignEvent)
class CampaignEventAdmin(ViewOnlyAdmin):
    list_display = ["campaign", "action", "from_state", "to_state", "actor", "at"]
    list_select_related = ["campaign__municipality", "actor"]


@admin.register(RiskFactor)
class RiskFactorAdmin(admin.ModelAdmin):
    """The federal list of risk factors is reference data: the administrator may add a factor,
    rename one or stop using it (a factor already rated is never deleted)."""

    list_display = ["position", "code", "name", "is_active"]
    list_display_links = ["code"]
    list_filter = ["is_active"]
    search_fields = ["code", "name"]

    def has_delete_permission(self, request, obj=None):
        return obj is None or not obj.ratings.exists()


class RiskRatingInline(ViewOnlyInline):
    model = RiskRating
    fields = ["factor", "level", "note"]
    readonly_fields = fields
    show_change_link = False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("factor")


@admin.register(RiskProfile)
class RiskProfileAdmin(ViewOnlyAdmin):
    list_display = ["school", "year", "version", "updated_by", "updated_at"]
    list_select_related = ["school", "updated_by"]
    list_filter = ["year"]
    inlines = [RiskRatingInline]


@admin.register(RiskRating)
class RiskRatingAdmin(ViewOnlyAdmin):
    list_display = ["profile", "factor", "level"]
    list_select_related = ["profile__school", "factor"]


@admin.register(RiskProfileEvent)
class RiskProfileEventAdmin(ViewOnlyAdmin):
    list_display = ["profile", "action", "actor", "at"]
    list_select_related = ["profile__school", "actor"]


class RuleIndicatorInline(ViewOnlyInline):
    model = RuleIndicator
    fields = ["indicator", "weight", "threshold"]
    readonly_fields = fields
    show_change_link = False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("indicator")


@admin.register(IdentificationRule)
class IdentificationRuleAdmin(ViewOnlyAdmin):
    list_display = ["municipality", "kind", "method", "threshold_type", "threshold", "version"]
    list_select_related = ["municipality"]
    inlines = [RuleIndicatorInline]


@admin.register(RuleIndicator)
class RuleIndicatorAdmin(ViewOnlyAdmin):
    list_display = ["rule", "indicator", "weight", "threshold"]
    list_select_related = ["rule__municipality", "indicator"]


@admin.register(RuleEvent)
class RuleEventAdmin(ViewOnlyAdmin):
    list_display = ["rule", "action", "actor", "at"]
    list_select_related = ["rule__municipality", "actor"]


@admin.register(IdentificationRun)
class IdentificationRunAdmin(ViewOnlyAdmin):
    list_display = ["municipality", "year", "state", "order", "created_by", "created_at"]
    list_select_related = ["municipality", "order", "created_by"]
    list_filter = ["state"]
    raw_id_fields = ["order"]


@admin.register(RunEntry)
class RunEntryAdmin(ViewOnlyAdmin):
    list_display = ["run", "school", "kind", "rank", "proposed", "included"]
    list_select_related = ["run__municipality", "school"]
    list_filter = ["kind", "included"]
    raw_id_fields = ["run", "school"]


@admin.register(RunEvent)
class RunEventAdmin(ViewOnlyAdmin):
    list_display = ["run", "action", "from_state", "to_state", "actor", "at"]
    list_select_related = ["run__municipality", "actor"]
    raw_id_fields = ["run", "entry"]
