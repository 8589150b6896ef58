"""What the data-rights app stores: the correction requests (GDPR art. 16)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from autocrea.backbone.steps import Channel


class CorrectionStatus(models.TextChoices):
    """Where a correction request stands: open until a staff member answers it."""

    OPEN = "open", _("Waiting for an answer")
    DONE = "done", _("Corrected")
    REFUSED = "refused", _("Not corrected")


class CorrectionRequest(models.Model):
    """A person's request to correct data held about them (GDPR art. 16), answered by staff.

    Asked online by the person or recorded by staff on their behalf (the channel says which). Staff see
    it through accounts.access.jobseekers_for, so partner staff only see the people oriented to them.
    """

    jobseeker = models.ForeignKey(
        "jobseekers.Jobseeker",
        on_delete=models.CASCADE,
        related_name="correction_requests",
        verbose_name=_("job seeker"),
    )
    what_is_wrong = models.TextField(_("what is wrong"))
    what_it_should_be = models.TextField(_("what it should be"))
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices, default=Channel.WEB)
    status = models.CharField(
        _("status"), max_length=10, choices=CorrectionStatus.choices, default=CorrectionStatus.OPEN
    )
    answer = models.TextField(_("answer"), blank=True)
    created_at = models.DateTimeField(_("asked on"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("recorded by")
    )
    answered_at = models.DateTimeField(_("answered on"), null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("answered by"),
    )
    # A one-time token carried by the form: the same form submitted twice creates one request.
    form_token = models.UUIDField(null=True, blank=True, unique=True, editable=False)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("correction request")
        verbose_name_plural = _("correction requests")
        # Created by the portal app and moved here without touching the table (migrations
        # portal 0003 and datarights 0001 only change Django's state).
        db_table = "portal_correctionrequest"
        indexes = [models.Index(fields=["status", "created_at"], name="correction_status_idx")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status="open") | ~models.Q(answer=""), name="answered_correction_has_answer"
            )
        ]

    def __str__(self) -> str:
        return f"C-{self.pk}"

    @property
    def reference(self) -> str:
        """Return the number the person and staff quote (no personal data in it)."""
        return f"C-{self.pk:06d}" if self.pk else ""
