"""Reference data is edited by administrators; exit kinds say what counts as positive or job creation."""

from django.contrib import admin

from autocrea.reference.models import BarrierCode, BusinessSector, Commune, ExitKind


@admin.register(ExitKind)
class ExitKindAdmin(admin.ModelAdmin):
    list_display = ["code", "name_fr", "name_nl", "is_positive", "is_job_creation", "active", "position"]
    list_editable = ["is_positive", "is_job_creation", "active", "position"]


@admin.register(BarrierCode)
class BarrierCodeAdmin(admin.ModelAdmin):
    list_display = ["code", "name_fr", "name_nl", "sensitive", "position"]


@admin.register(BusinessSector)
class BusinessSectorAdmin(admin.ModelAdmin):
    list_display = ["code", "name_fr", "name_nl"]


@admin.register(Commune)
class CommuneAdmin(admin.ModelAdmin):
    list_display = ["nis_code", "name_fr", "name_nl", "postcodes"]
