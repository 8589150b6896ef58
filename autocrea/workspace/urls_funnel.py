"""Workspace URLs (funnel slice): the case list, a trajectory's page, intake and the funnel's steps."""

from django.urls import path

from autocrea.workspace.views import funnel

urlpatterns = [
    path("trajectories/", funnel.trajectory_list, name="trajectories"),
    path("trajectories/<int:pk>/", funnel.trajectory_detail, name="trajectory"),
    path("intake/", funnel.intake, name="intake"),
    path("trajectories/<int:pk>/information/", funnel.information, name="information"),
    path("trajectories/<int:pk>/decision/", funnel.decision, name="decision"),
    path("trajectories/<int:pk>/orient/", funnel.orient, name="orient"),
    path("trajectories/<int:pk>/stop/", funnel.stop, name="stop"),
    path("trajectories/<int:pk>/reopen/", funnel.reopen, name="reopen"),
    path("information-sessions/", funnel.info_sessions, name="info_sessions"),
]
