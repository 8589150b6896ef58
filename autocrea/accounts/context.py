"""`may`: the authorization decisions templates ask, e.g. `{% if may.view_programme_figures %}`.

Lazy: nothing is computed until a template asks, each answer once per request, from the user row
already loaded (no query). The names are accounts.access.TEMPLATE_DECISIONS; an unknown name is an
error, never a silent "no".
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from autocrea.accounts.access import TEMPLATE_DECISIONS


class Decisions:
    """The current user's answers to TEMPLATE_DECISIONS, computed on first use."""

    def __init__(self, user: Any) -> None:
        self._user = user
        self._answers: dict[str, bool] = {}

    def __getitem__(self, name: str) -> bool:
        if name not in self._answers:
            try:
                decide = TEMPLATE_DECISIONS[name]
            except KeyError:
                # Not a KeyError: the template engine would swallow it and answer "no" to a typo.
                raise LookupError(
                    f"No authorization decision named {name!r} (accounts.access.TEMPLATE_DECISIONS)."
                ) from None
            self._answers[name] = bool(decide(self._user))
        return self._answers[name]


def decisions(request: HttpRequest) -> dict[str, Any]:
    """Give templates `may`, the current user's authorization decisions."""
    return {"may": Decisions(getattr(request, "user", None))}
