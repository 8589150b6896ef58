from django.contrib import admin

from autocrea.portal.models import AccessibilityReport


@admin.register(AccessibilityReport)
class AccessibilityReportAdmin(admin.ModelAdmin):
    list_display = ["id", "created_at", "page", "language", "handled"]
    list_filter = ["handled", "language"]
    readonly_fields = ["page", "description", "email", "language", "created_at"]
