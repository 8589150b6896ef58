"""Background tasks (django-tasks): run by `manage.py db_worker`, enqueued after commit."""

from __future__ import annotations

from django_tasks import task

from autocrea.notifications.services import mail


@task()
def send_notification(notification_id: int) -> str:
    """Send one invitation, cancellation or reminder e-mail."""
    return mail.deliver(notification_id)
