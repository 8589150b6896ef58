"""My data: what the programme holds about me, to download (JSON, PDF), and a correction to ask for.

The person only ever reaches their own record (accounts.access.jobseekers_for through my_jobseeker);
there is no id in these URLs, so there is nobody else's data to ask for.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from autocrea.datarights import subject_access
from autocrea.datarights.corrections import CorrectionError, correction_request_create
from autocrea.lib.downloads import json_response
from autocrea.lib.pdf import pdf_response
from autocrea.portal.forms_corrections import CorrectionRequestForm
from autocrea.portal.views.base import jobseeker_required, my_jobseeker


@never_cache
@require_http_methods(["GET"])
@jobseeker_required
def my_data(request: HttpRequest) -> HttpResponse:
    """Show everything held about me, grouped in plain words, with my correction requests."""
    person = my_jobseeker(request)
    context: dict[str, object] = {"person": person, "retention_years": subject_access.retention_years()}
    if person is not None:
        context["data"] = subject_access.collect(person)
    return render(request, "portal/my_data.html", context)


@require_http_methods(["GET"])
@jobseeker_required
def my_data_json(request: HttpRequest) -> HttpResponse:
    person = my_jobseeker(request)
    if person is None:
        return redirect("portal:my_data")
    content, filename = subject_access.export_json(person, by=request.user)
    return json_response(content, filename)


@require_http_methods(["GET"])
@jobseeker_required
def my_data_pdf(request: HttpRequest) -> HttpResponse:
    person = my_jobseeker(request)
    if person is None:
        return redirect("portal:my_data")
    content, filename = subject_access.export_pdf(person, by=request.user)
    return pdf_response(content, filename)


@never_cache
@require_http_methods(["GET", "POST"])
@jobseeker_required
def correction(request: HttpRequest) -> HttpResponse:
    """Ask for a correction: what is wrong, what it should be. It reaches staff as a task."""
    person = my_jobseeker(request)
    if person is None:
        return redirect("portal:my_data")
    form = CorrectionRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            correction_request, created = correction_request_create(
                jobseeker=person,
                what_is_wrong=form.cleaned_data["what_is_wrong"],
                what_it_should_be=form.cleaned_data["what_it_should_be"],
                form_token=form.cleaned_data["form_token"],
                by=request.user,
            )
        except CorrectionError as exc:
            form.add_error(None, exc.message)
        else:
            if created:
                messages.success(
                    request,
                    _("We have received your request %(reference)s. We answer within one month.")
                    % {"reference": correction_request.reference},
                )
            return redirect(f"{reverse('portal:my_data')}#corrections")
    return render(request, "portal/correction.html", {"form": form})
