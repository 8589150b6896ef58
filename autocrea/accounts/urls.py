from django.contrib.auth import views as auth_views
from django.urls import path

from autocrea.accounts.views import staff_login

app_name = "accounts"
urlpatterns = [
    # django-allauth's sign-in (throttled, session key rotated, MFA stage); see urls_allauth.py.
    path("login/", staff_login, name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
]
