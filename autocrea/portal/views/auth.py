"""Sign-in for job seekers: Django's own login view, with plain words and our markup."""

from __future__ import annotations

from django.contrib.auth import views as auth_views
from django.urls import reverse

from autocrea.portal.forms import JobseekerLoginForm


class JobseekerLoginView(auth_views.LoginView):
    template_name = "portal/login.html"
    authentication_form = JobseekerLoginForm
    redirect_authenticated_user = True

    def get_default_redirect_url(self) -> str:
        # The root sends each role to its own front door.
        return reverse("root")


login = JobseekerLoginView.as_view()
