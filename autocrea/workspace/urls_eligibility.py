"""Workspace URLs (eligibility slice): the justification for a person outside the rules."""

from django.urls import path

from autocrea.workspace.views import eligibility

urlpatterns = [
    path("trajectories/<int:pk>/eligibility/", eligibility.justify, name="eligibility_justify"),
]
