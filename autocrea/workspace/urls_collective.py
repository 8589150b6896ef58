"""Workspace URLs (collective sessions slice): a partner's series, registers, rosters and registrations."""

from django.urls import path

from autocrea.workspace.views import collective

urlpatterns = [
    path("collective-sessions/", collective.collective_sessions, name="collective_sessions"),
    path("collective-sessions/new/", collective.collective_series_add, name="collective_series_add"),
    path("collective-sessions/<int:pk>/register/", collective.collective_register, name="collective_register"),
    path("collective-sessions/<int:pk>/roster/", collective.collective_roster, name="collective_roster"),
    path("trajectories/<int:pk>/collective-sessions/", collective.collective_enrol, name="collective_enrol"),
]
