"""Workspace URLs (follow-up slice): the +6-month follow-up worklist and its actions."""

from django.urls import path

from autocrea.workspace.views import followups

urlpatterns = [
    path("follow-ups/", followups.follow_up_list, name="follow_ups"),
    path("trajectories/<int:pk>/follow-up/attempt/", followups.attempt, name="follow_up_attempt"),
    path("trajectories/<int:pk>/follow-up/answer/", followups.answer, name="follow_up_answer"),
    path("trajectories/<int:pk>/follow-up/no-response/", followups.no_response, name="follow_up_no_response"),
]
