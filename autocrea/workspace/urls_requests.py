"""Workspace URLs (data-rights slice): correction requests, requests on behalf, a person's data export."""

from django.urls import path

from autocrea.workspace.views import requests

urlpatterns = [
    path("correction-requests/", requests.request_list, name="requests"),
    path("correction-requests/<int:pk>/", requests.request_answer, name="request_answer"),
    path("trajectories/<int:pk>/correction-request/", requests.request_add, name="request_add"),
    path("trajectories/<int:pk>/personal-data", requests.data_export, name="data_export"),
]
