"""Top-level URLs: every page is under a language prefix (/fr/, /nl/, /en/)."""

from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path

from autocrea.api.api import api
from autocrea.portal.views.public import root

urlpatterns = [
    path("api/", api.urls),
]
urlpatterns += i18n_patterns(
    path("", root, name="root"),  # public home, my pathway or the staff workspace, by role
    path("", include("autocrea.portal.urls")),
    path("accounts/", include("autocrea.accounts.urls")),
    path("accounts/", include("autocrea.accounts.urls_allauth")),  # django-allauth's pages we use
    path("workspace/", include("autocrea.workspace.urls")),
    path("figures/", include("autocrea.reporting.urls")),
    path("admin/", admin.site.urls),
)
handler404 = "autocrea.workspace.views.errors.not_found"
handler500 = "autocrea.workspace.views.errors.server_error"
