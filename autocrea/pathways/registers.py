"""The attendance register shared by information sessions (pathways) and collective sessions (coaching).

It lives in pathways (not lib/) because it raises PathwayError and audits: domain, which lib/ must not hold;
coaching already depends on pathways.

Both kinds of session have the same register: a capacity, registrations that hold a seat, a
register that opens when the session starts, "did not take place", a lock once finalised, and an
optimistic-lock `version` bumped by every write. The business rules that differ (who may act, who
may be registered, what presence does to a trajectory) stay in pathways/sessions.py and
coaching/services/collective_sessions.py; the mechanism is here, once.

A session here is any model with `starts_at`, `capacity`, `cancelled`, `finalised_at`,
`finalised_by`, `version` and an `attendances` relation whose rows have a `status`.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Mapping
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from autocrea.accounts import audit
from autocrea.backbone.errors import PathwayError, StaleVersionError

REGISTERED = "registered"
PRESENT = "present"
# Registrations that hold a seat: an excused person frees theirs.
SEAT_STATUSES = [REGISTERED, PRESENT, "absent"]
# What a register may record for each person.
REGISTER_STATUSES = [PRESENT, "absent", "excused"]


def stale_session() -> StaleVersionError:
    return StaleVersionError(
        _("Someone else changed this session while you were working on it. Reload the page and try again.")
    )


def lock(session: Any, version: int | None, check: Callable[[Any], None] | None = None) -> Any:
    """Re-read `session` under a row lock, run `check` on it, and refuse a stale version."""
    fresh = type(session).objects.select_for_update().get(pk=session.pk)
    if check is not None:
        check(fresh)
    if version is not None and fresh.version != version:
        raise stale_session()
    return fresh


def bump(session: Any, *extra: str) -> None:
    """Save the session's `version` + 1, with the `extra` fields changed."""
    session.version += 1
    session.save(update_fields=["version", *extra])


def seats_taken(session: Any) -> int:
    return session.attendances.filter(status__in=SEAT_STATUSES).count()


def has_started(session: Any) -> bool:
    return session.starts_at <= timezone.now()


def is_locked(session: Any) -> bool:
    """A finalised register, or a session that did not take place, can no longer be changed."""
    return session.finalised_at is not None or session.cancelled


def ensure_open_for_registration(session: Any) -> None:
    if is_locked(session):
        raise PathwayError(_("The register of this session is closed: nobody can be added any more."))


def ensure_places(session: Any, count: int) -> None:
    """Refuse `count` new registrations beyond the places left; nobody is registered then."""
    free = session.capacity - seats_taken(session)
    if count > free:
        raise PathwayError(
            ngettext(
                "This session has %(free)d free places left: you selected %(count)d person. Nobody was registered.",
                "This session has %(free)d free places left: you selected %(count)d people. Nobody was registered.",
                count,
            )
            % {"free": max(free, 0), "count": count}
        )


def ensure_register_open(session: Any) -> None:
    """Refuse a register that is closed, or that has not opened yet (the session has not started)."""
    if is_locked(session):
        raise PathwayError(_("The register of this session is closed: it can no longer be changed."))
    if not has_started(session):
        raise PathwayError(_("This session has not taken place yet: its register opens when it starts."))


def mark_not_held(session: Any, *, by: Any, action: str) -> Any:
    """Record that a (locked) session that should have started did not take place; its register closes."""
    if is_locked(session):
        raise PathwayError(_("The register of this session is closed: it can no longer be changed."))
    if not has_started(session):
        raise PathwayError(_("This session has not taken place yet."))
    if session.attendances.filter(status=PRESENT).exists():
        raise PathwayError(_("Some people are already recorded as present: a session with people present took place."))
    session.cancelled = True
    session.finalised_at = timezone.now()
    session.finalised_by = by
    bump(session, "cancelled", "finalised_at", "finalised_by")
    audit.record(user=by, action=action, obj=session)
    return session


def check_statuses(statuses: Mapping[int, str], known: Any) -> None:
    """Refuse a register that names an attendance not in `known`, or a status a register cannot record."""
    if set(statuses) - set(known) or any(s not in REGISTER_STATUSES for s in statuses.values()):
        raise PathwayError(_("The register does not match this session any more. Reload the page and try again."))


def changes(current: Mapping[int, str], statuses: Mapping[int, str]) -> dict[str, list[int]]:
    """Return status → attendance ids whose status `statuses` changes."""
    result: dict[str, list[int]] = defaultdict(list)
    for pk, status in statuses.items():
        if current[pk] != status:
            result[status].append(pk)
    return result


def close(
    session: Any, *, by: Any, current: Mapping[int, str], statuses: Mapping[int, str], finalise: bool, action: str
) -> Any:
    """Bump the session after a register was recorded, finalising it when asked; audit as `action`.

    Finalising needs every person present, absent or excused (`current` overridden by `statuses`).
    """
    fields: list[str] = []
    if finalise:
        final = {pk: statuses.get(pk, status) for pk, status in current.items()}
        if any(s not in REGISTER_STATUSES for s in final.values()):
            raise PathwayError(_("Mark every person present, absent or excused before finalising the register."))
        session.finalised_at = timezone.now()
        session.finalised_by = by
        fields = ["finalised_at", "finalised_by"]
    bump(session, *fields)
    audit.record(user=by, action=f"{action}_finalised" if finalise else action, obj=session)
    return session
