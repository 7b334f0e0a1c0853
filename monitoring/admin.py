"""The admin of monitoring: the indicator catalogue is reference data the administrator may
correct; campaigns, values and imports are shown, never changed here (the import services
validate every value and record who wrote it)."""

from django.contrib import admin

from schools.admin import ViewOnlyAdmin

from .models import Campaign, ImportRecord, Indicator, IndicatorValue


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
