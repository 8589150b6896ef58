from django.contrib import admin

from autocrea.partners.models import Partner


@admin.register(Partner)
class PartnerAdmin(admin.ModelAdmin):
    list_display = ["slug", "name_fr", "commune", "yearly_capacity", "focus_women", "active"]
    filter_horizontal = ["sectors"]
