"""Public pages about the programme: no sign-in, no personal data."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from autocrea.backbone.roles import Role
from autocrea.partners.models import Partner
from autocrea.portal import services
from autocrea.portal.forms import AccessibilityReportForm


def root(request: HttpRequest) -> HttpResponse:
    """Send each visitor to their own front door: public home, my pathway, or the staff workspace."""
    user = request.user
    if not user.is_authenticated:
        return redirect("public:home")
    if getattr(user, "role", "") == Role.JOBSEEKER:
        return redirect("portal:pathway")
    return redirect("workspace:home")


def home(request: HttpRequest) -> HttpResponse:
    return render(request, "public/home.html")


def how_it_works(request: HttpRequest) -> HttpResponse:
    return render(request, "public/how_it_works.html")


def partners(request: HttpRequest) -> HttpResponse:
    rows = Partner.objects.filter(active=True).select_related("commune").order_by("name_fr")
    return render(request, "public/partners.html", {"partners": rows})


def accessibility(request: HttpRequest) -> HttpResponse:
    form = AccessibilityReportForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.accessibility_report_create(
            page=form.cleaned_data["page"],
            description=form.cleaned_data["description"],
            email=form.cleaned_data["email"],
            language=(get_language() or "")[:5],
        )
        messages.success(request, _("Thank you. We have received your report and will look at it."))
        return redirect("public:accessibility")
    return render(request, "public/accessibility.html", {"form": form})


def privacy(request: HttpRequest) -> HttpResponse:
    return render(request, "public/privacy.html")
