"""What was (or is to be) sent to a person about a session: one row per message, ids only."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class NotificationKind(models.TextChoices):
    INVITATION = "invitation", _("Invitation")
    CANCELLATION = "cancellation", _("Cancellation")
    REMINDER = "reminder", _("Reminder")


class NotificationStatus(models.TextChoices):
    PENDING = "pending", _("To send")
    SENT = "sent", _("Sent")
    SKIPPED = "skipped", _("Not sent: no e-mail address")


class Notification(models.Model):
    """One message about one session to one person.

    The row is written in the same transaction as the booking it is about (a rolled-back booking
    leaves no row and sends nothing); the background task sends it and marks it sent. A reminder is
    unique per person and session, so that running send_reminders twice, or twice at the same time,
    never sends a second one.
    """

    jobseeker = models.ForeignKey(
        "jobseekers.Jobseeker", on_delete=models.CASCADE, related_name="notifications", verbose_name=_("job seeker")
    )
    kind = models.CharField(_("kind"), max_length=12, choices=NotificationKind.choices)
    information_session = models.ForeignKey(
        "pathways.InformationSession",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("information session"),
    )
    coaching_session = models.ForeignKey(
        "coaching.CoachingSession",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("coaching session"),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=NotificationStatus.choices, default=NotificationStatus.PENDING
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(information_session__isnull=False, coaching_session__isnull=True)
                | models.Q(information_session__isnull=True, coaching_session__isnull=False),
                name="notification_about_one_session",
            ),
            models.UniqueConstraint(
                fields=["jobseeker", "information_session"],
                condition=models.Q(kind="reminder"),
                name="one_reminder_per_information_session",
            ),
            models.UniqueConstraint(
                fields=["jobseeker", "coaching_session"],
                condition=models.Q(kind="reminder"),
                name="one_reminder_per_coaching_session",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} #{self.pk}"

    @property
    def session(self) -> object:
        return self.information_session or self.coaching_session
