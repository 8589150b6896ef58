"""Administrators manage accounts and roles; personal data of job seekers is not in the admin."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from autocrea.accounts.models import User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ["username", "first_name", "last_name", "role", "partner", "is_active"]
    list_filter = ["role", "partner", "is_active"]
    fieldsets = (
        *BaseUserAdmin.fieldsets,
        (_("Programme role"), {"fields": ("role", "partner", "preferred_language")}),
    )
