"""What the portal stores of its own: reports of accessibility problems."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class AccessibilityReport(models.Model):
    """A problem someone met while using the site (accessibility statement: how to report a problem)."""

    page = models.CharField(_("page"), max_length=300, blank=True)
    description = models.TextField(_("what went wrong"))
    email = models.EmailField(_("e-mail address for the answer"), blank=True)
    language = models.CharField(_("language"), max_length=5, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    handled = models.BooleanField(_("handled"), default=False)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("accessibility report")
        verbose_name_plural = _("accessibility reports")

    def __str__(self) -> str:
        return f"#{self.pk}"
