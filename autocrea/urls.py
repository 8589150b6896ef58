"""Top-level URLs: every page is under a language prefix (/fr/, /nl/, /en/)."""

from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

from autocrea.api.api import api

urlpatterns = [
    path("api/", api.urls),
]
urlpatterns += i18n_patterns(
    path("", RedirectView.as_view(pattern_name="workspace:home", permanent=False), name="root"),
    path("accounts/", include("autocrea.accounts.urls")),
    path("workspace/", include("autocrea.workspace.urls")),
    path("admin/", admin.site.urls),
)
handler404 = "autocrea.workspace.views.errors.not_found"
handler500 = "autocrea.workspace.views.errors.server_error"
