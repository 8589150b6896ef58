"""Download the pseudonymised trajectory export, scoped by `accounts.access.export_scope_for`."""

from __future__ import annotations

import tempfile

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponseBase, StreamingHttpResponse
from django.utils import timezone

from autocrea.accounts import audit
from autocrea.accounts.access import export_scope_for
from autocrea.lib.exports import CSV_CONTENT_TYPE, XLSX_CONTENT_TYPE
from autocrea.partners.models import Partner
from autocrea.reporting import export

FORMATS = {"csv", "xlsx"}


@login_required
def trajectories(request: HttpRequest, fmt: str) -> HttpResponseBase:
    """Send one row per trajectory in the user's export scope, optionally for one partner (?partner=slug)."""
    if fmt not in FORMATS:
        raise Http404
    queryset = export_scope_for(request.user)
    # An empty scope means the role has no export right at all (job seeker, administrator, no role).
    if queryset.query.is_empty():
        raise PermissionDenied
    slug = request.GET.get("partner", "").strip()
    if slug:
        user_partner_id = getattr(request.user, "partner_id", None)
        partner = Partner.objects.filter(slug=slug).first()
        # Another partner's slug answers exactly like an unknown one.
        if partner is None or (user_partner_id is not None and partner.pk != user_partner_id):
            raise Http404
        queryset = queryset.filter(partner_id=partner.pk)
        slug = partner.slug
    audit.record(user=request.user, action=f"export:trajectories.{fmt}", obj=request.user)
    filename = f"autocrea-trajectories{'-' + slug if slug else ''}-{timezone.localdate():%Y%m%d}.{fmt}"
    if fmt == "csv":
        response = StreamingHttpResponse(export.stream_csv(queryset), content_type=CSV_CONTENT_TYPE)
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response
    # A workbook is a zip archive, written whole before it can be sent: build it in a temporary file
    # (deleted when the response closes it), never in memory.
    file = tempfile.TemporaryFile(suffix=".xlsx")  # noqa: SIM115 - FileResponse closes it
    export.write_xlsx(queryset, file)
    file.seek(0)
    return FileResponse(file, as_attachment=True, filename=filename, content_type=XLSX_CONTENT_TYPE)
