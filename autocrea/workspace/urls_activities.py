"""Workspace URLs (activities slice): a partner's catalogue of activities mapped onto the backbone."""

from django.urls import path

from autocrea.workspace.views import activities

urlpatterns = [
    path("activities/", activities.activity_list, name="activities"),
    path("activities/new/", activities.activity_add, name="activity_add"),
    path("activities/delivered/", activities.activities_delivered, name="activities_delivered"),
    path("activities/<int:pk>/", activities.activity_edit, name="activity_edit"),
    path("activities/<int:pk>/delete/", activities.activity_delete, name="activity_delete"),
]
