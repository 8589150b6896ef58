"""Workspace URLs (partner slice)."""

urlpatterns: list = []
