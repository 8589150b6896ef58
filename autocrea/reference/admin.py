"""Reference data is edited by administrators; exit kinds say what counts as positive or job creation.

Rows that figures or pathways depend on are deactivated, never deleted (DeactivateNotDelete): the
admin has no delete permission nor delete action for them, and offers "deactivate" instead.
"""

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from simple_history.admin import SimpleHistoryAdmin

from autocrea.reference.models import BarrierCode, BusinessSector, Commune, ExitKind


class DeactivateNotDelete(SimpleHistoryAdmin):
    """No deletion (records and past figures keep pointing to the row): deactivate or reactivate instead.

    SimpleHistoryAdmin adds the "History" page of each row: every change, old and new values, and who.
    """

    actions = ["deactivate", "reactivate"]

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def _set_active(self, request: HttpRequest, queryset: QuerySet[Any], active: bool) -> None:
        # One save per row, not a bulk update: the change history records each row's old and new value.
        rows = [row for row in queryset if row.active != active]
        for row in rows:
            row.active = active
            row.save(update_fields=["active"])
        messages.success(
            request,
            ngettext("%(count)d row changed.", "%(count)d rows changed.", len(rows)) % {"count": len(rows)},
        )

    @admin.action(description=_("Deactivate the selected rows (they stay in records and figures)"))
    def deactivate(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        self._set_active(request, queryset, False)

    @admin.action(description=_("Reactivate the selected rows"))
    def reactivate(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        self._set_active(request, queryset, True)


@admin.register(ExitKind)
class ExitKindAdmin(DeactivateNotDelete):
    list_display = ["code", "name_fr", "name_nl", "is_positive", "is_job_creation", "active", "position"]
    list_editable = ["is_positive", "is_job_creation", "active", "position"]


@admin.register(BarrierCode)
class BarrierCodeAdmin(DeactivateNotDelete):
    list_display = ["code", "name_fr", "name_nl", "sensitive", "active", "position"]
    list_filter = ["active"]


@admin.register(BusinessSector)
class BusinessSectorAdmin(DeactivateNotDelete):
    list_display = ["code", "name_fr", "name_nl", "active"]
    list_filter = ["active"]


@admin.register(Commune)
class CommuneAdmin(DeactivateNotDelete):
    list_display = ["nis_code", "name_fr", "name_nl", "postcodes", "active"]
    list_filter = ["active"]
