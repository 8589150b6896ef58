"""Write the append-only audit trail (ids and actions only)."""

from __future__ import annotations

from typing import Any

from autocrea.accounts.models import AuditEvent


def record(*, user: Any, action: str, obj: Any, object_type: str | None = None) -> None:
    """Append who did `action` on `obj` (or on `object_type` when there is no object, e.g. a refused login)."""
    AuditEvent.objects.create(
        user_id_ref=getattr(user, "pk", None),
        action=action,
        object_type=object_type or type(obj).__name__.lower(),
        object_id=getattr(obj, "pk", None),
    )
