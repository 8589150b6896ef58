"""Expressing interest online: one question per page, answers kept in the session, one final submit."""

from __future__ import annotations

import datetime
import uuid
from dataclasses import dataclass
from typing import Any

from django.contrib.auth import login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from autocrea.accounts.verification import send_verification_email
from autocrea.backbone.errors import PathwayError
from autocrea.jobseekers.models import ContactLanguage, Gender
from autocrea.portal import forms as portal_forms
from autocrea.portal.services import AccountExists, InterestAnswers, jobseeker_register_and_express_interest
from autocrea.portal.views.base import jobseeker_required, my_trajectory
from autocrea.reference.models import BusinessSector, Commune, EducationLevel

SESSION_KEY = "portal_interest"
DONE_KEY = "portal_interest_username"
VERIFICATION_KEY = "portal_interest_verification_sent_to"


@dataclass(frozen=True)
class Question:
    slug: str
    form_class: type[portal_forms.PortalForm]
    title: Any
    template: str = "portal/question.html"
    intro: Any = ""


QUESTIONS: tuple[Question, ...] = (
    Question("name", portal_forms.NameForm, _("What is your name?")),
    Question("birth_date", portal_forms.BirthDateForm, _("What is your date of birth?"), "portal/question_date.html"),
    Question("gender", portal_forms.GenderForm, _("Are you a woman or a man?")),
    Question("language", portal_forms.ContactLanguageForm, _("In which language do you want us to write to you?")),
    Question(
        "contact",
        portal_forms.ContactForm,
        _("How can we reach you?"),
        intro=_("Give an e-mail address, a phone number, or both."),
    ),
    Question("commune", portal_forms.CommuneForm, _("In which commune do you live?")),
    Question(
        "education", portal_forms.EducationForm, _("What is the highest level of school or studies you finished?")
    ),
    Question(
        "project",
        portal_forms.ProjectForm,
        _("What job do you want to create?"),
        intro=_("It does not matter if your idea is not finished. The partners are there to help you with it."),
    ),
    Question(
        "password",
        portal_forms.PasswordForm,
        _("Choose a password"),
        intro=_("With your password you can come back later to follow your pathway and book a session."),
    ),
)
BY_SLUG = {q.slug: q for q in QUESTIONS}


def _flow(request: HttpRequest) -> dict[str, Any]:
    data = request.session.get(SESSION_KEY)
    if not isinstance(data, dict) or "answers" not in data:
        data = {"flow": uuid.uuid4().hex, "answers": {}}
        request.session[SESSION_KEY] = data
    return data


def _first_missing(answers: dict[str, Any], before: str | None = None) -> str | None:
    for question in QUESTIONS:
        if question.slug == before:
            return None
        if question.slug not in answers:
            return question.slug
    return None


def _url(slug: str) -> str:
    return reverse(f"portal:interest_{slug}")


def _redirect_signed_in(request: HttpRequest) -> HttpResponse | None:
    if request.user.is_authenticated:
        return redirect("root")
    return None


@require_http_methods(["GET"])
def start(request: HttpRequest) -> HttpResponse:
    if response := _redirect_signed_in(request):
        return response
    return render(request, "portal/interest_start.html", {"first_url": _url(QUESTIONS[0].slug)})


# Answers are personal data even before the account exists: never stored by a browser or proxy.
@never_cache
@require_http_methods(["GET", "POST"])
def question(request: HttpRequest, slug: str) -> HttpResponse:
    if response := _redirect_signed_in(request):
        return response
    q = BY_SLUG[slug]
    flow = _flow(request)
    answers: dict[str, Any] = flow["answers"]
    missing = _first_missing(answers, before=slug)
    if missing:
        return redirect(_url(missing))
    changing = request.GET.get("change") == "1"
    kwargs: dict[str, Any] = {}
    if q.form_class is portal_forms.PasswordForm:
        kwargs["person"] = {**answers.get("name", {}), **answers.get("contact", {})}
    if request.method == "POST":
        form = q.form_class(request.POST, **kwargs)
        if form.is_valid():
            answers[slug] = form.dump()
            request.session.modified = True
            following = _first_missing(answers)
            if changing or following is None:
                return redirect("portal:interest_check")
            return redirect(_url(following))
    else:
        form = q.form_class(initial=q.form_class.load(answers.get(slug, {})), **kwargs)
    index = [x.slug for x in QUESTIONS].index(slug)
    if changing:
        back = reverse("portal:interest_check")
    elif index:
        back = _url(QUESTIONS[index - 1].slug)
    else:
        back = reverse("portal:interest_start")
    return render(
        request,
        q.template,
        {
            "form": form,
            "question": q,
            "back_url": back,
            "step_number": index + 1,
            "step_count": len(QUESTIONS),
            "single_field": len(form.visible_fields()) == 1,
        },
    )


def _summary_rows(answers: dict[str, Any]) -> list[dict[str, Any]]:
    """Return the check-your-answers rows, each with its Change link."""
    contact = answers["contact"]
    born = datetime.date.fromisoformat(answers["birth_date"]["birth_date"])
    commune = Commune.objects.filter(pk=answers["commune"]["commune"]).first()
    sector_code = answers["project"].get("sector")
    sector = BusinessSector.objects.filter(pk=sector_code).first() if sector_code else None
    languages = {ContactLanguage.FR.value: "Français", ContactLanguage.NL.value: "Nederlands"}
    return [
        {
            "slug": "name",
            "label": _("Name"),
            "value": f"{answers['name']['first_name']} {answers['name']['last_name']}",
        },
        {"slug": "birth_date", "label": _("Date of birth"), "value": born.strftime("%d/%m/%Y")},
        {"slug": "gender", "label": _("Woman or man"), "value": Gender(answers["gender"]["gender"]).label},
        {
            "slug": "language",
            "label": _("Language of our messages"),
            "value": languages[answers["language"]["contact_language"]],
            "lang": answers["language"]["contact_language"],
        },
        {"slug": "contact", "label": _("E-mail address"), "value": contact.get("email") or _("Not given")},
        {"slug": "contact", "label": _("Phone number"), "value": contact.get("phone") or _("Not given")},
        {"slug": "commune", "label": _("Commune"), "value": commune.name if commune else ""},
        {
            "slug": "education",
            "label": _("School or studies"),
            "value": EducationLevel(answers["education"]["education_level"]).label,
        },
        {"slug": "project", "label": _("Your project"), "value": answers["project"]["project_summary"]},
        {"slug": "project", "label": _("Sector"), "value": sector.name if sector else _("I do not know yet")},
        {"slug": "password", "label": _("Password"), "value": _("Chosen (hidden)")},
    ]


def _answers_for_service(flow: dict[str, Any]) -> InterestAnswers:
    answers = flow["answers"]
    email = answers["contact"].get("email", "")
    sector_code = answers["project"].get("sector")
    return InterestAnswers(
        # The flow id makes the generated name stable: a second submit of the same answers collides.
        username=email or f"js-{flow['flow'][:10]}",
        password_hash=answers["password"]["password_hash"],
        first_name=answers["name"]["first_name"],
        last_name=answers["name"]["last_name"],
        birth_date=datetime.date.fromisoformat(answers["birth_date"]["birth_date"]),
        gender=answers["gender"]["gender"],
        contact_language=answers["language"]["contact_language"],
        email=email,
        phone=answers["contact"].get("phone", ""),
        commune=Commune.objects.get(pk=answers["commune"]["commune"]),
        education_level=answers["education"]["education_level"],
        project_summary=answers["project"]["project_summary"],
        sector=BusinessSector.objects.filter(pk=sector_code).first() if sector_code else None,
        screen_language=(get_language() or "fr")[:2],
    )


@never_cache
@require_http_methods(["GET", "POST"])
def check(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        # A second click on "Send" after the account was made lands here: show the confirmation.
        return redirect("portal:interest_done" if request.session.get(DONE_KEY) else "root")
    flow = _flow(request)
    missing = _first_missing(flow["answers"])
    if missing:
        return redirect(_url(missing))
    error = ""
    if request.method == "POST":
        try:
            trajectory = jobseeker_register_and_express_interest(answers=_answers_for_service(flow))
        except AccountExists as exc:
            error = exc.message
        except PathwayError as exc:
            error = exc.message
        else:
            user = trajectory.jobseeker.user
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            request.session.pop(SESSION_KEY, None)
            request.session[DONE_KEY] = user.username
            request.session[VERIFICATION_KEY] = send_verification_email(request, user)
            return redirect("portal:interest_done")
    return render(
        request,
        "portal/interest_check.html",
        {"rows": _summary_rows(flow["answers"]), "error": error, "back_url": _url(QUESTIONS[-1].slug)},
    )


@jobseeker_required
def done(request: HttpRequest) -> HttpResponse:
    trajectory = my_trajectory(request)
    username = request.session.get(DONE_KEY, request.user.get_username())
    return render(
        request,
        "portal/interest_done.html",
        {
            "trajectory": trajectory,
            "username": username,
            "generated_name": "@" not in username,
            "verification_sent_to": request.session.get(VERIFICATION_KEY, ""),
        },
    )
