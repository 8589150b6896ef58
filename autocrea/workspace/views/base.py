"""The one pattern of a staff action page: access helper → form → one service call → message → redirect."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from autocrea.accounts.access import can, get_trajectory_for
from autocrea.backbone.errors import PathwayError
from autocrea.pathways.models import Trajectory


def trajectory_action(
    request: HttpRequest,
    pk: int,
    *,
    action: str,
    form_class: type[forms.Form],
    title: str,
    perform: Callable[[Trajectory, dict[str, Any]], Any],
    success: str,
    form_kwargs: dict[str, Any] | None = None,
    intro: str = "",
) -> HttpResponse:
    """Show `form_class` for one trajectory and, on a valid POST, run `perform` through the services.

    A trajectory outside the user's scope is a 404; an action the user's role may not perform is a
    403. A refusal from the services is shown at the top of the form and nothing is written.
    """
    trajectory = get_trajectory_for(request.user, pk)
    if not can(request.user, action, trajectory):
        raise PermissionDenied
    kwargs = {"trajectory": trajectory, **(form_kwargs or {})}
    form = form_class(request.POST or None, **kwargs) if request.method == "POST" else form_class(**kwargs)
    if request.method == "POST" and form.is_valid():
        try:
            perform(trajectory, form.cleaned_data)
        except PathwayError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, success)
            return redirect(reverse("workspace:trajectory", args=[trajectory.pk]))
    return render(
        request, "workspace/action.html", {"trajectory": trajectory, "form": form, "title": title, "intro": intro}
    )
