"""Workspace URLs (documents slice): a trajectory's attestations as PDF."""

from django.urls import path

from autocrea.workspace.views import documents

urlpatterns = [
    path("trajectories/<int:pk>/attestation.pdf", documents.attestation, name="attestation"),
]
