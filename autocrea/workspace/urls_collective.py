"""Workspace URLs (collective sessions slice): a partner's series, registers, rosters and registrations."""

from django.urls import path

from autocrea.workspace.views import collective

urlpatterns = [
    path("collective-sessions/", collective.collective_sessions, name="collective_sessions"),
    path("collective-sessions/new/", collective.collective_series_add, name="collective_series_add"),
    path("collective-sessions/<int:pk>/register/", collective.collective_register, name="collective_register"),
    path("collective-sessions/<int:pk>/roster/", collective.collective_roster, name="collective_roster"),
    path(
        "collective-sessions/<int:pk>/cancel/", collective.collective_session_cancel, name="collective_session_cancel"
    ),
    path("collective-sessions/series/<int:pk>/edit/", collective.collective_series_edit, name="collective_series_edit"),
    path(
        "collective-sessions/registrations/<int:pk>/cancel/",
        collective.collective_registration_cancel,
        name="collective_registration_cancel",
    ),
    path("trajectories/<int:pk>/collective-sessions/", collective.collective_enrol, name="collective_enrol"),
]
