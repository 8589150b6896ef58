"""Choosing a partner: compare them side by side, then the person's own choice is recorded."""

from __future__ import annotations

from django.contrib import messages
from django.db.models import Case, Value, When
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from autocrea.backbone.errors import PathwayError
from autocrea.backbone.steps import Channel
from autocrea.partners.models import Partner
from autocrea.partners.recommendation import recommend_partners
from autocrea.pathways import services as pathways
from autocrea.pathways.models import OrientationStatus
from autocrea.portal.forms import PartnerChoiceForm
from autocrea.portal.views.base import jobseeker_required, my_trajectory
from autocrea.portal.views.pathway import can_choose_partner


@require_http_methods(["GET", "POST"])
@jobseeker_required
def choose(request: HttpRequest) -> HttpResponse:
    trajectory = my_trajectory(request)
    orientation = None
    allowed = trajectory is not None and can_choose_partner(trajectory)
    if trajectory is not None:
        orientation = (
            trajectory.orientations.filter(status__in=[OrientationStatus.PENDING, OrientationStatus.WAITLISTED])
            .select_related("partner")
            .first()
        )
    declined = (
        trajectory is not None
        and allowed
        and trajectory.orientations.filter(status=OrientationStatus.DECLINED).exists()
    )
    form = PartnerChoiceForm(request.POST or None)
    # The recommendation explains which partners may suit the person's project; it preselects nothing.
    recommendations = recommend_partners(trajectory=trajectory) if trajectory is not None else []
    if recommendations:
        partners = [reco.partner for reco in recommendations]
        rank = {partner.pk: i for i, partner in enumerate(partners)}
        order = Case(*(When(pk=pk, then=Value(i)) for pk, i in rank.items()), default=Value(len(rank)))
        form.fields["partner"].queryset = form.fields["partner"].queryset.order_by(order, "name_fr")
    else:
        partners = list(Partner.objects.filter(active=True).select_related("commune").order_by("name_fr"))
    if request.method == "POST" and allowed and trajectory is not None and form.is_valid():
        try:
            pathways.orient(
                trajectory=trajectory,
                partner=form.cleaned_data["partner"],
                by=request.user,
                channel=Channel.WEB,
                on=timezone.localdate(),
                chosen_by_person=True,
                version=int(request.POST.get("version") or trajectory.version),
            )
        except PathwayError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(
                request,
                _("You chose %(partner)s. They will contact you to say whether they can take you.")
                % {"partner": form.cleaned_data["partner"].name},
            )
            return redirect("portal:pathway")
    contact_language = trajectory.jobseeker.contact_language if trajectory else ""
    return render(
        request,
        "portal/partners_choose.html",
        {
            "trajectory": trajectory,
            "partners": partners,
            "recommendations": recommendations,
            "form": form,
            "allowed": allowed,
            "orientation": orientation,
            "declined": declined,
            "contact_language": contact_language,
            "waitlisted": OrientationStatus.WAITLISTED,
        },
    )
