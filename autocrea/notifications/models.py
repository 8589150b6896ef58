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
    FAILED = "failed", _("Not delivered")


class Notification(models.Model):
    """One message about one session to one person.

    The row is written in the same transaction as the booking it is about (a rolled-back booking
    leaves no row and sends nothing); the background task sends it and marks it sent, or, when the
    mail server refuses it, tries again later a bounded number of times before marking it failed
    ("not delivered", shown to staff on the person's file). A reminder is
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
    # Delivery: every failed attempt to hand the e-mail to the mail server is counted, with its error
    # and the time of the next try (mail.deliver retries with a growing delay, then marks it failed).
    attempts = models.PositiveSmallIntegerField(_("delivery attempts"), default=0)
    last_error = models.CharField(_("last delivery error"), max_length=300, blank=True)
    next_attempt_at = models.DateTimeField(_("next attempt at"), null=True, blank=True)

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
