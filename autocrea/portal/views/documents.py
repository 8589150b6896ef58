"""My documents: the person's own attestations, to download as PDF in their contact language."""

from __future__ import annotations

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse

from autocrea.accounts.access import get_trajectory_for, trajectories_for
from autocrea.backbone.roles import Role
from autocrea.lib.pdf import pdf_response
from autocrea.pathways import attestations
from autocrea.portal.views.base import jobseeker_required, my_jobseeker


@jobseeker_required
def documents(request: HttpRequest) -> HttpResponse:
    """List the attestations of each of the person's trajectories, newest first."""
    trajectories = trajectories_for(request.user).with_person().order_by("-id")
    files = []
    for trajectory in trajectories:
        base = reverse("portal:attestation", args=[trajectory.pk])
        files.append(
            {
                "trajectory": trajectory,
                "documents": [
                    {"url": f"{base}?kind={d.kind}", "title": d.title, "description": d.description, "kind": d.kind}
                    for d in attestations.available(trajectory)
                ],
            }
        )
    return render(request, "portal/documents.html", {"files": files, "person": my_jobseeker(request)})


def attestation(request: HttpRequest, pk: int) -> HttpResponse:
    """Return one of the person's own attestations (?kind=participation or follow-up).

    Scope first: somebody else's trajectory answers 404 for everyone, exactly like one that does not
    exist; then the role: staff print from the workspace, not from the person's portal (403).
    """
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path(), reverse("portal:login"))
    trajectory = get_trajectory_for(request.user, pk)
    if getattr(request.user, "role", "") != Role.JOBSEEKER:
        raise PermissionDenied
    kind = request.GET.get("kind", attestations.PARTICIPATION)
    try:
        content, filename = attestations.generate(trajectory, kind, by=request.user)
    except attestations.NotAvailable as exc:
        raise Http404 from exc
    return pdf_response(content, filename)
