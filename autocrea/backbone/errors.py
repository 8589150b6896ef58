"""The domain errors every app raises and catches (a leaf module: no autocrea import).

`DomainError` (caught everywhere as `PathwayError`) is the base of every refused operation: its
`message` is translated and safe to show. A stale `version` is its own subclass, StaleVersionError,
so that callers (the API's 409) never have to guess.
"""

from __future__ import annotations


class DomainError(Exception):
    """A refused operation; `message` is translated and safe to show to the user. Nothing was written."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


# The name every app catches (it began with the pathway services): the same class, not a subclass.
PathwayError = DomainError


class TransitionError(PathwayError):
    """An action the backbone does not allow: from this step, for this role, or without a reason."""


class StaleVersionError(PathwayError):
    """The row changed since the form or the client read it (optimistic locking): nothing was written."""
