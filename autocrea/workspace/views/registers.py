"""The attendance register page shared by information sessions and collective sessions.

Everyone registered on one page, saved with one submit: "did not take place", save, or save and
finalise. The view of each kind of session finds the session and the people its user may see, and
gives the two service calls; the rules stay in the services (pathways/registers.py underneath).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from autocrea.accounts import audit
from autocrea.backbone.errors import PathwayError
from autocrea.pathways import registers
from autocrea.workspace.forms_sessions import RegisterForm


@dataclass(frozen=True)
class RegisterActions:
    """What a kind of session does from its register page.

    `cancel(session=, by=, version=)` records that the session did not take place;
    `record(session=, statuses=, by=, version=, finalise=)` saves the register; `read_action` is audited
    when the page is shown.
    """

    cancel: Callable[..., Any]
    record: Callable[..., Any]
    read_action: str


def register_page(
    request: HttpRequest, session: Any, attendances: list[Any], actions: RegisterActions
) -> tuple[HttpResponse | None, dict[str, Any]]:
    """Handle the register form; return the redirect to the same page after a save, or None and the page's context."""
    form = RegisterForm(request.POST or None, attendances=attendances, version=session.version)
    started = registers.has_started(session)
    locked = registers.is_locked(session)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            if data["did_not_take_place"]:
                actions.cancel(session=session, by=request.user, version=data["version"])
                success = _("The session is recorded as not having taken place. Its register is closed.")
            else:
                actions.record(
                    session=session,
                    statuses=form.statuses(),
                    by=request.user,
                    version=data["version"],
                    finalise=data["finalise"],
                )
                success = _("The register is saved and finalised.") if data["finalise"] else _("The register is saved.")
        except PathwayError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, success)
            return redirect(request.path), {}
    audit.record(user=request.user, action=actions.read_action, obj=session)
    context = {
        "session": session,
        "form": form,
        "attendances": attendances,
        "started": started,
        "locked": locked,
        "editable": started and not locked,
    }
    return None, context
