"""Workspace URLs (funnel slice)."""

urlpatterns: list = []
