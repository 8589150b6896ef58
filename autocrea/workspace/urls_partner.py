"""Workspace URLs (partner slice): what the partner records on a trajectory."""

from django.urls import path

from autocrea.workspace.views import partner

urlpatterns = [
    path("trajectories/<int:pk>/answer/", partner.answer, name="answer"),
    path("trajectories/<int:pk>/diagnostic/", partner.diagnostic, name="diagnostic"),
    path("trajectories/<int:pk>/sessions/new/", partner.session_add, name="session_add"),
    path("trajectories/<int:pk>/sessions/<int:session_pk>/outcome/", partner.session_outcome, name="session_outcome"),
    path("trajectories/<int:pk>/sessions/<int:session_pk>/cancel/", partner.session_cancel, name="session_cancel"),
    path("trajectories/<int:pk>/actions/new/", partner.action_add, name="action_add"),
    path("trajectories/<int:pk>/milestones/new/", partner.milestone_add, name="milestone_add"),
    path("trajectories/<int:pk>/viability-tests/new/", partner.viability_add, name="viability_add"),
    path("trajectories/<int:pk>/skills/", partner.skills, name="skills"),
    path("trajectories/<int:pk>/exit/", partner.exit_, name="exit"),
    path("trajectories/<int:pk>/follow-up/", partner.follow_up, name="follow_up"),
    path("trajectories/<int:pk>/reorient/", partner.reorient, name="reorient"),
]
