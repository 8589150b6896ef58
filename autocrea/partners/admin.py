from django.contrib import admin

from autocrea.partners.models import Partner, PartnerActivity
from autocrea.reference.admin import DeactivateNotDelete


@admin.register(Partner)
class PartnerAdmin(DeactivateNotDelete):
    list_display = ["slug", "name_fr", "commune", "yearly_capacity", "focus_women", "active"]
    filter_horizontal = ["sectors"]
    # Quotas are programme settings: changed on reporting:programme_settings only (versioned and audited).
    readonly_fields = ["quota_guided"]


@admin.register(PartnerActivity)
class PartnerActivityAdmin(DeactivateNotDelete):
    """The partners' catalogues; partner managers edit their own in the staff workspace (audited there)."""

    list_display = ["partner", "code", "name_fr", "name_nl", "step", "kind", "active", "position"]
    list_filter = ["partner", "step", "kind", "active"]
    search_fields = ["code", "name_fr", "name_nl", "name_en"]
    ordering = ["partner__name_fr", "position", "name_fr"]
