"""Issue an API bearer token for a user and print it once (only its digest is stored)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from autocrea.accounts.access import may_hold_api_token
from autocrea.accounts.models import User
from autocrea.accounts.tokens import issue_token


class Command(BaseCommand):
    help = "Issue an API token for a user and print it once: it cannot be shown again."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--user", required=True, help="username of the token's owner")
        parser.add_argument("--label", default="", help="what the token is for (shown in the admin)")

    def handle(self, *args: Any, **options: Any) -> None:
        user = User.objects.filter(username=options["user"]).first()
        if user is None:
            raise CommandError(f"No user named {options['user']!r}.")
        if not user.is_active:
            raise CommandError(f"The user {user.username!r} is inactive: an inactive user's token is refused.")
        if not may_hold_api_token(user):
            raise CommandError(f"The user {user.username!r} has no role: the API would show them nothing.")
        token = issue_token(user=user, label=options["label"][:100])
        # The token goes alone on stdout so that scripts can capture it; the warning goes to stderr.
        self.stderr.write("Store this token now: it is not kept and cannot be shown again.")
        self.stdout.write(token)
