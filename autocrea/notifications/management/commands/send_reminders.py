"""Queue the reminder e-mails of the sessions starting soon. Run it every hour from cron.

Idempotent: each reminder is recorded once per person and session (a unique constraint), so running
it twice, or two at the same time, never sends a second reminder. The e-mails themselves are sent by
the worker (`manage.py db_worker`).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand

from autocrea.notifications.services.notify import queue_reminders


class Command(BaseCommand):
    help = "Queue a reminder e-mail for every booked session starting within REMINDER_HOURS_BEFORE hours."

    def handle(self, *args: Any, **options: Any) -> None:
        queued = queue_reminders()
        self.stdout.write(f"{queued} reminder(s) queued (window: {settings.REMINDER_HOURS_BEFORE} hours).")
