"""Workspace URLs (caseload slice): partner staff's own and partner-wide caseloads."""

from django.urls import path

from autocrea.workspace.views import caseload

urlpatterns = [
    path("caseload/", caseload.caseload, name="caseload"),
]
