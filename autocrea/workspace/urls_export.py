"""Workspace URLs (export slice)."""

from django.urls import path

from autocrea.workspace.views import export

urlpatterns = [
    path("export/trajectories.<str:fmt>", export.trajectories, name="export"),
]
