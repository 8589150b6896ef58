"""Workspace URLs (information sessions slice): the attendance register, registrations, no-shows, booking one person."""

from django.urls import path

from autocrea.workspace.views import sessions

urlpatterns = [
    path("information-sessions/no-shows/", sessions.no_shows, name="no_shows"),
    path("information-sessions/<int:pk>/register/", sessions.session_register, name="session_register"),
    path("information-sessions/<int:pk>/registrations/", sessions.session_registrations, name="session_registrations"),
    path("trajectories/<int:pk>/book-information-session/", sessions.book_session, name="book_session"),
    path("trajectories/<int:pk>/cancel-information-booking/", sessions.cancel_booking, name="cancel_booking"),
]
