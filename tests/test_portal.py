"""The job-seeker portal and the public pages, driven through the Django test client."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from autocrea.accounts.models import User
from autocrea.backbone.roles import Role
from autocrea.backbone.steps import Channel, Step
from autocrea.coaching.models import Action, ActionOwner, ActionStatus, Goal
from autocrea.jobseekers.models import Jobseeker
from autocrea.pathways import services as pathways
from autocrea.pathways.models import InformationAttendance, InformationSession, Orientation, StepLog, Trajectory
from autocrea.portal.models import AccessibilityReport
from tests.factories import make_jobseeker

GOOD_PASSWORD = "my green bicycle sings"

ANSWERS: list[tuple[str, dict[str, str]]] = [
    ("name", {"first_name": "Fatima", "last_name": "El Amrani"}),
    ("birth_date", {"day": "27", "month": "3", "year": "1985"}),
    ("gender", {"gender": "female"}),
    ("language", {"contact_language": "fr"}),
    ("contact", {"email": "Fatima@Example.org", "phone": "0470 12 34 56"}),
    ("commune", {"commune": "21009"}),
    ("education", {"education_level": "lower_secondary"}),
    ("project", {"project_summary": "Un food truck de plats marocains", "sector": "I"}),
    ("password", {"password1": GOOD_PASSWORD, "password2": GOOD_PASSWORD}),
]


def url(name: str, lang: str, *args: Any) -> str:
    with translation.override(lang):
        return reverse(name, args=args)


def answer_all(client: Any, lang: str, **changes: dict[str, str]) -> None:
    """Answer every question page in `lang`, each POST redirecting to the next page."""
    for slug, data in ANSWERS:
        response = client.post(url(f"portal:interest_{slug}", lang), {**data, **changes.get(slug, {})})
        assert response.status_code == 302, (slug, response.content.decode()[:2000])


def counts() -> tuple[int, int, int]:
    return User.objects.count(), Jobseeker.objects.count(), Trajectory.objects.count()


@pytest.mark.parametrize("lang", ["fr", "nl"])
def test_the_interest_flow_creates_one_account_one_person_and_one_web_trajectory(client, cast, lang):
    before = counts()
    contact_language = {"contact_language": lang}
    answer_all(client, lang, language=contact_language)
    # Nothing is written before the final submit.
    assert counts() == before
    check = client.get(url("portal:interest_check", lang))
    assert check.status_code == 200
    assert "El Amrani" in check.content.decode()
    response = client.post(url("portal:interest_check", lang))
    assert response.status_code == 302
    assert response["Location"] == url("portal:interest_done", lang)
    # A second click on "Send" creates nothing more.
    again = client.post(url("portal:interest_check", lang))
    assert again.status_code == 302
    assert counts() == (before[0] + 1, before[1] + 1, before[2] + 1)

    user = User.objects.get(username="fatima@example.org")
    assert user.role == Role.JOBSEEKER
    assert user.check_password(GOOD_PASSWORD)
    person = Jobseeker.objects.get(user=user)
    assert person.contact_language == lang
    assert person.phone == "+32470123456"
    assert person.birth_date == datetime.date(1985, 3, 27)
    assert (person.gender, person.education_level, person.commune_id) == ("female", "lower_secondary", "21009")
    trajectory = Trajectory.objects.get(jobseeker=person)
    assert trajectory.current_step == Step.INTEREST
    assert trajectory.intake_channel == Channel.WEB
    assert trajectory.sector_id == "I"
    log = StepLog.objects.get(trajectory=trajectory)
    assert (log.channel, log.by_id, log.to_step) == (Channel.WEB, user.pk, Step.INTEREST)
    # The person is signed in and sees the confirmation and their pathway.
    assert client.get(url("portal:interest_done", lang)).status_code == 200
    assert client.get(url("portal:pathway", lang)).status_code == 200


def test_the_password_is_never_kept_in_the_session(client, cast):
    answer_all(client, "fr")
    stored = str(dict(client.session.items()))
    assert GOOD_PASSWORD not in stored


@pytest.mark.parametrize(
    ("lang", "message"),
    [("fr", "Saisissez une adresse de courriel valide."), ("nl", "Voer een geldig e-mailadres in.")],
)
def test_a_bad_email_shows_the_translated_error_and_writes_nothing(client, cast, lang, message):
    answer_all(client, lang)
    before = counts()
    response = client.post(url("portal:interest_contact", lang), {"email": "not-an-email", "phone": ""})
    assert response.status_code == 200
    html = response.content.decode()
    assert message in html
    assert 'class="govuk-error-summary"' in html
    assert 'href="#id_email"' in html
    assert counts() == before


@pytest.mark.parametrize("lang", ["fr", "nl"])
def test_an_empty_page_shows_our_message_in_the_language_of_the_page(client, cast, lang):
    response = client.post(url("portal:interest_name", lang), {"first_name": "", "last_name": ""})
    assert response.status_code == 200
    with translation.override(lang):
        expected = translation.gettext("Enter your first name")
    assert expected in response.content.decode()
    assert '<html lang="' + lang in response.content.decode()


def test_radio_errors_link_to_the_first_option(client, cast):
    answer_all(client, "fr")
    response = client.post(url("portal:interest_gender", "fr"), {})
    assert 'href="#id_gender_0"' in response.content.decode()
    assert 'id="id_gender_0"' in response.content.decode()


def test_contact_needs_an_email_or_a_phone(client, cast):
    answer_all(client, "fr")
    response = client.post(url("portal:interest_contact", "fr"), {"email": "", "phone": ""})
    with translation.override("fr"):
        assert translation.gettext("Enter an e-mail address or a phone number, or both") in response.content.decode()
    bad_phone = client.post(url("portal:interest_contact", "fr"), {"email": "", "phone": "12"})
    assert bad_phone.status_code == 200


def test_a_date_of_birth_in_the_future_is_refused(client, cast):
    answer_all(client, "fr")
    year = str(timezone.localdate().year + 1)
    response = client.post(url("portal:interest_birth_date", "fr"), {"day": "1", "month": "1", "year": year})
    assert response.status_code == 200
    assert 'href="#id_day"' in response.content.decode()


def test_a_weak_password_is_refused_with_djangos_validators(client, cast):
    answer_all(client, "fr")
    response = client.post(url("portal:interest_password", "fr"), {"password1": "short", "password2": "short"})
    assert response.status_code == 200
    assert "govuk-error-summary" in response.content.decode()


def test_a_person_without_email_gets_a_generated_sign_in_name(client, cast):
    answer_all(client, "nl", contact={"email": "", "phone": "0470 12 34 56"})
    client.post(url("portal:interest_check", "nl"))
    person = Jobseeker.objects.get(phone="+32470123456")
    assert person.user.username.startswith("js-")
    assert person.user.username in client.get(url("portal:interest_done", "nl")).content.decode()
    client.logout()
    response = client.post(
        url("portal:login", "nl"), {"login": person.user.username, "password": GOOD_PASSWORD}, follow=True
    )
    assert response.redirect_chain[-1][0] == url("portal:pathway", "nl")


def test_an_email_already_used_is_refused_without_writing(client, cast):
    User.objects.create_user("fatima@example.org", password="x" * 20, role=Role.JOBSEEKER)
    answer_all(client, "fr")
    before = counts()
    response = client.post(url("portal:interest_check", "fr"))
    assert response.status_code == 200
    assert "govuk-error-summary" in response.content.decode()
    assert counts() == before


def test_a_question_page_cannot_be_skipped(client, cast):
    response = client.get(url("portal:interest_password", "fr"))
    assert response.status_code == 302
    assert response["Location"] == url("portal:interest_name", "fr")


# --- signed-in job seekers -------------------------------------------------------------------------


def jobseeker_with_trajectory(user: User, counsellor: User, step: str = Step.INTEREST, **kwargs: Any) -> Trajectory:
    person = make_jobseeker(user=user, **kwargs)
    trajectory = pathways.express_interest(jobseeker=person, by=user, channel=Channel.WEB)
    if step in {Step.DECISION, Step.ORIENTATION}:
        today = timezone.localdate()
        pathways.record_information(trajectory=trajectory, by=counsellor, channel=Channel.COUNTER, on=today)
        trajectory = pathways.record_decision(
            trajectory=trajectory, by=counsellor, channel=Channel.COUNTER, on=today, go_ahead=True, reason="go"
        )
    return trajectory


def future_session(language: str = "fr", capacity: int = 20) -> InformationSession:
    return InformationSession.objects.create(
        starts_at=timezone.now() + datetime.timedelta(days=7),
        place="Actiris, Bd Anspach 65",
        language=language,
        capacity=capacity,
    )


def test_other_roles_are_refused_and_anonymous_visitors_sent_to_sign_in(client, cast):
    pages = ["portal:pathway", "portal:sessions", "portal:partners_choose", "portal:interest_done"]
    for name in pages:
        response = client.get(url(name, "fr"))
        assert response.status_code == 302
        assert response["Location"].startswith(url("portal:login", "fr"))
    for username in ["demo-counsellor", "demo-coach-credal", "demo-programme-manager", "demo-admin", "nobody"]:
        client.force_login(cast[username])
        for name in pages:
            assert client.get(url(name, "fr")).status_code == 403, (username, name)


def test_the_root_sends_each_visitor_to_their_front_door(client, cast):
    assert client.get("/fr/")["Location"] == url("public:home", "fr")
    client.force_login(cast["demo-jobseeker"])
    assert client.get("/fr/")["Location"] == url("portal:pathway", "fr")
    client.force_login(cast["demo-counsellor"])
    assert client.get("/nl/")["Location"] == url("workspace:home", "nl")


@pytest.mark.parametrize("lang", ["fr", "nl", "en"])
def test_public_pages_answer_anonymous_visitors(client, partners, lang):
    for name in ["public:home", "public:how_it_works", "public:partners", "public:accessibility", "public:privacy"]:
        response = client.get(url(name, lang))
        assert response.status_code == 200, name
        assert f'<html lang="{lang}"' in response.content.decode()
    commune_name = {"fr": "Ixelles", "nl": "Elsene", "en": "Ixelles"}[lang]
    assert commune_name in client.get(url("public:partners", lang)).content.decode()


def test_an_accessibility_report_is_stored(client, db):
    response = client.post(
        url("public:accessibility", "fr"), {"description": "Le bouton est trop petit", "page": "/fr/", "email": ""}
    )
    assert response.status_code == 302
    report = AccessibilityReport.objects.get()
    assert (report.description, report.language) == ("Le bouton est trop petit", "fr")
    empty = client.post(url("public:accessibility", "fr"), {"description": ""})
    assert empty.status_code == 200
    assert AccessibilityReport.objects.count() == 1


def test_my_pathway_shows_the_backbone_as_a_task_list(client, cast, counsellor):
    user = cast["demo-jobseeker"]
    jobseeker_with_trajectory(user, counsellor, step=Step.DECISION)
    client.force_login(user)
    html = client.get(url("portal:pathway", "fr")).content.decode()
    assert html.count("govuk-task-list__item") == 8
    assert url("portal:partners_choose", "fr") in html


def test_a_person_gets_404_on_another_persons_action_and_booking(client, cast, counsellor, coach, partners):
    a, b = cast["demo-jobseeker"], cast["jobseeker-b"]
    jobseeker_with_trajectory(a, counsellor)
    trajectory_b = jobseeker_with_trajectory(b, counsellor)
    goal = Goal.objects.create(trajectory=trajectory_b, title="Plan")
    action_b = Action.objects.create(goal=goal, title="Open a bank account", due_on=timezone.localdate())
    booking_b = InformationAttendance.objects.create(trajectory=trajectory_b, session=future_session())
    client.force_login(a)
    assert client.post(url("portal:action_done", "fr", action_b.pk)).status_code == 404
    assert client.post(url("portal:session_cancel", "fr", booking_b.pk)).status_code == 404
    action_b.refresh_from_db()
    assert action_b.status == ActionStatus.TODO
    assert InformationAttendance.objects.filter(pk=booking_b.pk).exists()
    # B's name never shows on A's pages.
    for name in ["portal:pathway", "portal:sessions", "portal:partners_choose"]:
        assert trajectory_b.jobseeker.last_name not in client.get(url(name, "fr")).content.decode()


def test_a_person_marks_their_own_action_done(client, cast, counsellor):
    user = cast["demo-jobseeker"]
    trajectory = jobseeker_with_trajectory(user, counsellor)
    goal = Goal.objects.create(trajectory=trajectory, title="Plan")
    mine = Action.objects.create(goal=goal, title="Call the bank", due_on=timezone.localdate())
    coach_action = Action.objects.create(
        goal=goal, title="Check the plan", due_on=timezone.localdate(), owner=ActionOwner.COACH
    )
    client.force_login(user)
    assert "Call the bank" in client.get(url("portal:pathway", "fr")).content.decode()
    assert client.post(url("portal:action_done", "fr", mine.pk)).status_code == 302
    assert client.post(url("portal:action_done", "fr", coach_action.pk)).status_code == 404
    mine.refresh_from_db()
    coach_action.refresh_from_db()
    assert (mine.status, coach_action.status) == (ActionStatus.DONE, ActionStatus.TODO)


def test_booking_shows_free_seats_and_refuses_beyond_capacity(client, cast, counsellor):
    user = cast["demo-jobseeker"]
    jobseeker_with_trajectory(user, counsellor)
    other = jobseeker_with_trajectory(cast["jobseeker-b"], counsellor)
    full = future_session(capacity=1)
    InformationAttendance.objects.create(trajectory=other, session=full)
    nl_session = future_session(language="nl")
    client.force_login(user)
    html = client.get(url("portal:sessions", "fr")).content.decode()
    assert url("portal:session_book", "fr", full.pk) not in html
    assert url("portal:session_book", "fr", nl_session.pk) not in html  # not in my contact language
    response = client.post(url("portal:session_book", "fr", full.pk), follow=True)
    with translation.override("fr"):
        assert translation.gettext("This session is full. Choose another date.") in response.content.decode()
    assert full.attendances.count() == 1


def test_booking_and_cancelling_do_not_move_the_step(client, cast, counsellor):
    user = cast["demo-jobseeker"]
    trajectory = jobseeker_with_trajectory(user, counsellor)
    session = future_session()
    client.force_login(user)
    client.post(url("portal:session_book", "fr", session.pk))
    booking = InformationAttendance.objects.get(trajectory=trajectory)
    assert booking.status == "registered"
    # One booking at a time.
    second = future_session()
    client.post(url("portal:session_book", "fr", second.pk))
    assert InformationAttendance.objects.filter(trajectory=trajectory).count() == 1
    trajectory.refresh_from_db()
    assert trajectory.current_step == Step.INTEREST
    client.post(url("portal:session_cancel", "fr", booking.pk))
    assert not InformationAttendance.objects.filter(trajectory=trajectory).exists()


def test_choosing_a_partner_records_the_persons_own_choice(client, cast, counsellor, partners):
    user = cast["demo-jobseeker"]
    trajectory = jobseeker_with_trajectory(user, counsellor, step=Step.DECISION)
    client.force_login(user)
    page = client.get(url("portal:partners_choose", "nl")).content.decode()
    assert "Elsene" in page  # Crédal's commune, in the reader's language
    response = client.post(
        url("portal:partners_choose", "nl"), {"partner": partners["credal"].pk, "version": trajectory.version}
    )
    assert response.status_code == 302
    orientation = Orientation.objects.get(trajectory=trajectory)
    assert orientation.chosen_by_person is True
    assert orientation.partner == partners["credal"]
    log = StepLog.objects.filter(trajectory=trajectory).latest("id")
    assert (log.to_step, log.channel, log.by_id) == (Step.ORIENTATION, Channel.WEB, user.pk)
    # Choosing again while the partner has not answered is not offered.
    again = client.post(url("portal:partners_choose", "nl"), {"partner": partners["illes"].pk})
    assert again.status_code == 200
    assert Orientation.objects.filter(trajectory=trajectory).count() == 1


def test_a_waitlisted_person_sees_it(client, cast, counsellor, coach, partners):
    user = cast["demo-jobseeker"]
    trajectory = jobseeker_with_trajectory(user, counsellor, step=Step.DECISION)
    today = timezone.localdate()
    trajectory = pathways.orient(
        trajectory=trajectory, partner=partners["credal"], by=user, channel=Channel.WEB, on=today
    )
    pathways.answer_orientation(trajectory=trajectory, by=coach, answer="waitlisted", on=today)
    client.force_login(user)
    html = client.get(url("portal:partners_choose", "fr")).content.decode()
    assert 'id="orientation-status"' in html
    assert "Crédal" in html


def test_the_partner_choice_is_refused_before_the_decision(client, cast, counsellor, partners):
    user = cast["demo-jobseeker"]
    trajectory = jobseeker_with_trajectory(user, counsellor)
    client.force_login(user)
    client.post(url("portal:partners_choose", "fr"), {"partner": partners["credal"].pk})
    assert not Orientation.objects.filter(trajectory=trajectory).exists()


@pytest.mark.parametrize(
    ("step", "current"),
    [(Step.INTEREST, "information"), (Step.DECISION, "orientation"), (Step.STOPPED, None)],
)
def test_the_task_list_shows_what_is_done_and_what_comes_now(cast, counsellor, step, current):
    from autocrea.portal.views.pathway import task_list

    trajectory = jobseeker_with_trajectory(cast["demo-jobseeker"], counsellor, step=step)
    if step == Step.STOPPED:
        trajectory = pathways.stop(
            trajectory=trajectory, by=counsellor, channel=Channel.PHONE, on=timezone.localdate(), reason="Moved"
        )
    statuses = {row["slug"]: row["status"] for row in task_list(trajectory)}
    assert statuses["interest"] == "done"
    if current:
        assert [slug for slug, status in statuses.items() if status == "current"] == [current]
    else:
        assert "current" not in statuses.values()
        assert statuses["information"] == "not_applicable"


def test_question_pages_are_never_stored_by_the_browser(client, cast):
    answer_all(client, "fr")
    for name in ["portal:interest_name", "portal:interest_check"]:
        assert "no-store" in client.get(url(name, "fr"))["Cache-Control"]
