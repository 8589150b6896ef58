"""Sign-in for job seekers: django-allauth's sign-in (throttled, code by e-mail) with plain words."""

from __future__ import annotations

from autocrea.accounts.views import jobseeker_login

login = jobseeker_login
