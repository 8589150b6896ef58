"""The counsellor's justification for a person outside the programme's eligibility rules."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from autocrea.accounts.access import can, get_trajectory_for
from autocrea.backbone.errors import PathwayError
from autocrea.jobseekers.eligibility import evaluate
from autocrea.jobseekers.services import justify_eligibility
from autocrea.lib.forms import GovukForm
from autocrea.workspace.views.funnel import require_case_staff


class JustificationForm(GovukForm):
    justification = forms.CharField(
        label=gettext_lazy("Why is this person in the programme although no rule applies?"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": gettext_lazy("Give the justification.")},
    )


@login_required
@require_http_methods(["GET", "POST"])
def justify(request: HttpRequest, pk: int) -> HttpResponse:
    """Record (or change) why a person outside the eligibility rules is followed anyway."""
    trajectory = get_trajectory_for(request.user, pk)
    require_case_staff(request.user)
    if not can(request.user, "justify_eligibility"):
        raise PermissionDenied
    person = trajectory.jobseeker
    initial: dict[str, Any] = {"justification": person.eligibility_justification}
    form = JustificationForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            justify_eligibility(
                jobseeker=person,
                by=request.user,
                justification=form.cleaned_data["justification"],
                on=trajectory.interest_on,
            )
        except PathwayError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("The justification is recorded."))
            return redirect("workspace:trajectory", trajectory.pk)
    context = {
        "trajectory": trajectory,
        "person": person,
        "eligibility": evaluate(person, on=trajectory.interest_on),
        "form": form,
    }
    return render(request, "workspace/eligibility_justify.html", context)
