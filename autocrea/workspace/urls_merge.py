"""Workspace URLs (merge slice): merge a duplicate record of a person into this one."""

from django.urls import path

from autocrea.workspace.views import merge

urlpatterns = [
    path("trajectories/<int:pk>/merge/", merge.merge, name="merge"),
]
