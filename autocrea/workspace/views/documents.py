"""Staff screens (documents slice): print a person's attestations, in the person's contact language.

Scope first (accounts.access.get_trajectory_for: a foreign trajectory is a 404 whatever the role),
then the role (case staff only, 403 otherwise), then the document (404 when it cannot be produced).
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse

from autocrea.accounts.access import get_trajectory_for, may_print_attestations
from autocrea.lib.pdf import pdf_response
from autocrea.pathways import attestations


@login_required
def attestation(request: HttpRequest, pk: int) -> HttpResponse:
    """Return one attestation of the trajectory as a PDF (?kind=participation or follow-up)."""
    trajectory = get_trajectory_for(request.user, pk)
    if not may_print_attestations(request.user):
        raise PermissionDenied
    kind = request.GET.get("kind", attestations.PARTICIPATION)
    try:
        content, filename = attestations.generate(trajectory, kind, by=request.user)
    except attestations.NotAvailable as exc:
        raise Http404 from exc
    return pdf_response(content, filename)
