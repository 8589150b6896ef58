"""Issue and check API bearer tokens (stored as SHA-256 digests, shown once)."""

from __future__ import annotations

import hashlib
import secrets
from typing import Any

from autocrea.accounts.models import ApiToken, User


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_token(*, user: User, label: str = "") -> str:
    """Create a token for `user` and return it in clear (the only time it is visible)."""
    token = secrets.token_urlsafe(32)
    ApiToken.objects.create(user=user, digest=_digest(token), label=label)
    return token


def user_for_token(token: str) -> Any:
    """Return the active user owning `token`, or None."""
    row = ApiToken.objects.select_related("user").filter(digest=_digest(token)).first()
    if row is None or not row.user.is_active:
        return None
    return row.user
