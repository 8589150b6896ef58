"""Workspace URLs (export slice)."""

urlpatterns: list = []
