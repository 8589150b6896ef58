"""The programme settings page: period, targets and per-partner quotas, for programme managers only.

One form, one submit, no JavaScript. The page shows the version it was built from; a save based on
an older version is refused with what the other manager saved (partners.programme.ProgrammeConflict),
and the user's own entries are kept so that they can check them and save again knowingly.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from autocrea.backbone.roles import Role
from autocrea.partners import programme
from autocrea.partners.models import Programme
from autocrea.reporting import kpis_summary
from autocrea.reporting.forms_programme import ProgrammeSettingsForm, quota_field_name


def _saved_values(saved: Programme, partners: list[Any]) -> list[dict[str, str]]:
    """Return what is saved now, as the page shows it (for the conflict message)."""
    labels = programme.field_labels()

    def rate(value: Any) -> str:
        return "–" if value is None else f"{formats.number_format(value, 1, use_l10n=True)}\u00a0%"

    rows = [
        {"label": labels["start"], "value": formats.date_format(saved.start, "SHORT_DATE_FORMAT")},
        {"label": labels["end"], "value": formats.date_format(saved.end, "SHORT_DATE_FORMAT")},
        {"label": labels["target_guided"], "value": formats.number_format(saved.target_guided, 0, force_grouping=True)},
        {"label": labels["target_positive_rate"], "value": rate(saved.target_positive_rate)},
        {"label": labels["target_job_creation_rate"], "value": rate(saved.target_job_creation_rate)},
    ]
    for partner in partners:
        quota = partner.quota_guided
        rows.append(
            {
                "label": _("Quota of %(partner)s") % {"partner": partner.name},
                "value": "–" if quota is None else formats.number_format(quota, 0, force_grouping=True),
            }
        )
    return rows


@login_required
@require_http_methods(["GET", "POST"])
def programme_settings(request: HttpRequest) -> HttpResponse:
    """Show and save the programme's period, target, outcome targets and quotas."""
    if not request.user.is_active or getattr(request.user, "role", "") != Role.PROGRAMME_MANAGER:
        raise PermissionDenied
    saved = programme.current()
    partners = sorted(programme.quota_partners(), key=lambda p: p.name.casefold())
    conflict: dict[str, Any] | None = None
    # People guided so far per partner, from the summary counts (a few rows, never a scan of trajectories).
    counts = kpis_summary.guided_figures(kpis_summary.Reader(None), start=saved.start, end=saved.end)
    guided = {row["partner"]: row["guided"] for row in counts["by_partner"]}
    if request.method == "POST":
        form = ProgrammeSettingsForm(request.POST, programme=saved, partners=partners, guided=guided)
        if form.is_valid():
            try:
                actions = programme.save_programme(
                    values=form.values(), version=form.cleaned_data["version"], by=request.user
                )
            except programme.ProgrammeConflict as exc:
                fresh = exc.current
                by = fresh.updated_by
                conflict = {
                    "by": (by.get_full_name() or by.get_username()) if by else _("another programme manager"),
                    "at": formats.date_format(timezone.localtime(fresh.updated_at), "SHORT_DATETIME_FORMAT")
                    if fresh.updated_at
                    else "",
                    "saved": _saved_values(fresh, sorted(programme.quota_partners(), key=lambda p: p.name.casefold())),
                }
                # Keep the user's entries; the next save is based on what they have now seen.
                data = request.POST.copy()
                data["version"] = str(fresh.version)
                data["confirm_over_target"] = ""
                form = ProgrammeSettingsForm(data, programme=fresh, partners=partners, guided=guided)
                form.is_valid()
                form.add_error(
                    None,
                    _(
                        "%(who)s saved the programme settings while you were editing them. Nothing of yours was "
                        "saved. Their values are listed below; check your entries and save again."
                    )
                    % {"who": conflict["by"]},
                )
            except programme.NotAllowed as exc:
                raise PermissionDenied from exc
            else:
                if actions:
                    messages.success(request, _("The programme settings are saved. Every figure now uses them."))
                else:
                    messages.info(request, _("Nothing was changed."))
                return redirect("reporting:programme_settings")
    else:
        form = ProgrammeSettingsForm(programme=saved, partners=partners, guided=guided)
    quotas = [p.quota_guided for p in partners if p.quota_guided is not None]
    total = sum(quotas) if quotas else None
    show_confirm = (
        form.over_target is not None
        or "confirm_over_target" in form.errors
        or (total is not None and total > saved.target_guided)
    )
    context = {
        "form": form,
        "saved": saved,
        "conflict": conflict,
        "show_confirm": show_confirm,
        "quota_total": formats.number_format(total, 0, force_grouping=True) if total is not None else None,
        "quota_over": total is not None and total > saved.target_guided,
        "quota_under": total is not None
        and total < saved.target_guided
        and all(p.quota_guided is not None for p in partners if p.active),
        "target": formats.number_format(saved.target_guided, 0, force_grouping=True),
        "quota_fields": [(form[quota_field_name(p)], p) for p in partners],
        "history": programme.history(),
    }
    return render(request, "reporting/programme_settings.html", context)
