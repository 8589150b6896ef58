from django.urls import path

from autocrea.workspace.views import home

app_name = "workspace"
urlpatterns = [
    path("", home.home, name="home"),
]
