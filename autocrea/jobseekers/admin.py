from django.contrib import admin

from autocrea.jobseekers.models import EligibilityRule
from autocrea.reference.admin import DeactivateNotDelete


@admin.register(EligibilityRule)
class EligibilityRuleAdmin(DeactivateNotDelete):
    """The programme's eligibility rules are data: the programme changes them here, not in code."""

    list_display = ["code", "kind", "months", "age", "label_fr", "label_nl", "active", "order"]
    list_editable = ["active", "order"]
    list_filter = ["active", "kind"]
