"""Workspace URLs (calendar slice): a staff member's own .ics copy of a session."""

from django.urls import path

from autocrea.workspace.views import calendar

urlpatterns = [
    path(
        "information-sessions/<int:pk>/calendar.ics",
        calendar.information_session_ics,
        name="information_session_ics",
    ),
    path("coaching-sessions/<int:pk>/calendar.ics", calendar.coaching_session_ics, name="coaching_session_ics"),
]
