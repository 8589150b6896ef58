"""Book one person on an information session from their trajectory page (one click, one submit)."""

from __future__ import annotations

import datetime
import html
from typing import Any

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext, ngettext

from autocrea.accounts.models import AuditEvent, User
from autocrea.backbone.errors import PathwayError
from autocrea.backbone.steps import Step
from autocrea.notifications.models import Notification
from autocrea.pathways import sessions as session_services
from autocrea.pathways.models import InformationAttendance, InformationSession
from tests.factories import make_jobseeker, make_trajectory

pytestmark = pytest.mark.django_db


def make_session(*, days: float = 3, capacity: int = 10, language: str = "fr", place: str = "Actiris") -> Any:
    return InformationSession.objects.create(
        starts_at=timezone.now() + datetime.timedelta(days=days), place=place, language=language, capacity=capacity
    )


def page_url(trajectory: Any, lang: str = "fr") -> str:
    with translation.override(lang):
        return reverse("workspace:trajectory", args=[trajectory.pk])


def book_url(trajectory: Any, lang: str = "fr") -> str:
    with translation.override(lang):
        return reverse("workspace:book_session", args=[trajectory.pk])


def text(response: Any) -> str:
    return html.unescape(response.content.decode())


def when(session: InformationSession) -> str:
    return formats.date_format(timezone.localtime(session.starts_at), "d/m/Y H:i")


def fill(session: InformationSession, counsellor: Any) -> None:
    for _ in range(session.capacity):
        InformationAttendance.objects.create(
            trajectory=make_trajectory(step=Step.INTEREST, counsellor=counsellor), session=session
        )


@pytest.mark.parametrize("lang", ["fr", "nl"])
def test_a_counsellor_sees_the_next_sessions_with_places_contact_language_first(client, counsellor, lang):
    person = make_trajectory(step=Step.INTEREST, counsellor=counsellor, jobseeker=make_jobseeker(contact_language="nl"))
    fr_soon = make_session(days=1, language="fr", place="Salle Soon")
    nl_later = make_session(days=6, language="nl", place="Zaal Later")
    full = make_session(days=2, language="nl", capacity=2, place="Zaal Vol")
    fill(full, counsellor)
    past = make_session(days=-1, language="nl", place="Zaal Voorbij")
    client.force_login(counsellor)
    body = text(client.get(page_url(person, lang)))
    with translation.override(lang):
        assert gettext("Book an information session") in body
        assert gettext("Book this session") in body
        assert ngettext("%(free)s place left", "%(free)s places left", 10) % {"free": 10} in body
        assert f'lang="{lang}"' in body
    section = body[body.index('id="information-booking"') :]
    section = section[: section.index("</section>")]
    # The person's language first, then the others; a full session and a past one are not offered.
    assert section.index("Zaal Later") < section.index("Salle Soon")
    assert "Zaal Vol" not in section and "Zaal Voorbij" not in section
    assert f'name="session" value="{nl_later.pk}"' in section and f'name="session" value="{fr_soon.pk}"' in section
    assert f'name="session" value="{full.pk}"' not in section and f'name="session" value="{past.pk}"' not in section
    assert f'name="version" value="{nl_later.version}"' in section


def test_at_most_five_sessions_then_a_link_to_all_of_them(client, counsellor):
    person = make_trajectory(step=Step.INTEREST, counsellor=counsellor)
    for day in range(1, 8):
        make_session(days=day)
    client.force_login(counsellor)
    body = text(client.get(page_url(person)))
    assert body.count('name="session"') == 5
    assert f'href="{book_url(person)}"' in body
    full_page = text(client.get(book_url(person)))
    assert full_page.count('name="session"') == 7


@pytest.mark.parametrize("step", [Step.INFORMATION, Step.DECISION, Step.ACCOMPANIMENT, Step.STOPPED])
def test_no_section_after_the_interest_step(client, counsellor, coach, partners, step):
    person = make_trajectory(step=step, counsellor=counsellor, coach=coach, partner=partners["credal"])
    make_session()
    client.force_login(counsellor)
    body = text(client.get(page_url(person)))
    assert 'id="information-booking"' not in body
    assert 'name="session"' not in body


@pytest.mark.parametrize("user", ["demo-coach-credal", "demo-partner-manager-credal"])
def test_partner_staff_see_no_section(client, cast, counsellor, partners, user):
    person = make_trajectory(step=Step.INTEREST, counsellor=counsellor)
    person.partner = partners["credal"]  # in their scope, still at interest
    person.save(update_fields=["partner"])
    make_session()
    client.force_login(cast[user])
    response = client.get(page_url(person))
    assert response.status_code == 200
    assert 'id="information-booking"' not in text(response)
    assert client.post(book_url(person), {"session": 1, "version": 1}).status_code == 403
    assert not InformationAttendance.objects.filter(trajectory=person).exists()


@pytest.mark.parametrize("lang", ["fr", "nl"])
def test_booking_registers_the_person_invites_them_and_returns_to_their_page(
    client, counsellor, django_capture_on_commit_callbacks, lang
):
    person = make_trajectory(
        step=Step.INTEREST, counsellor=counsellor, jobseeker=make_jobseeker(email="amina@example.org")
    )
    session = make_session()
    client.force_login(counsellor)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(book_url(person, lang), {"session": session.pk, "version": session.version})
    assert response.status_code == 302
    assert response["Location"] == page_url(person, lang)
    attendance = InformationAttendance.objects.get(trajectory=person)
    assert attendance.session == session and attendance.status == "registered"
    assert Notification.objects.filter(
        jobseeker=person.jobseeker, information_session=session, kind="invitation"
    ).exists()
    session.refresh_from_db()
    assert session.version == 2
    person.refresh_from_db()
    assert person.current_step == Step.INTEREST
    body = text(client.get(response["Location"]))
    with translation.override(lang):
        assert (
            gettext("%(name)s is registered to the information session of %(date)s.")
            % {
                "name": person.jobseeker,
                "date": when(session),
            }
            in body
        )
        assert gettext("Registered to the information session of:") in body
    # Now booked: the current booking with a link to the session, no other session offered.
    with translation.override(lang):
        assert reverse("workspace:session_registrations", args=[session.pk]) in body
    assert 'name="session"' not in body


@pytest.mark.parametrize("lang", ["fr", "nl"])
def test_booking_a_session_that_became_full_writes_nothing(client, counsellor, lang):
    person = make_trajectory(
        step=Step.INTEREST, counsellor=counsellor, jobseeker=make_jobseeker(email="amina@example.org")
    )
    session = make_session(capacity=1)
    client.force_login(counsellor)
    page = text(client.get(page_url(person, lang)))
    assert f'name="session" value="{session.pk}"' in page
    InformationAttendance.objects.create(
        trajectory=make_trajectory(step=Step.INTEREST, counsellor=counsellor), session=session
    )
    # The same version as the page showed: only the capacity refuses it.
    response = client.post(book_url(person, lang), {"session": session.pk, "version": session.version})
    assert response.status_code == 200
    body = text(response)
    with translation.override(lang):
        expected = ngettext(
            "This session has %(free)d free places left: you selected %(count)d person. Nobody was registered.",
            "This session has %(free)d free places left: you selected %(count)d people. Nobody was registered.",
            1,
        ) % {"free": 0, "count": 1}
        assert expected in body
        assert gettext("There is a problem") in body
    assert f'lang="{lang}"' in body
    assert not InformationAttendance.objects.filter(trajectory=person).exists()
    assert not Notification.objects.filter(jobseeker=person.jobseeker).exists()
    assert f'name="session" value="{session.pk}"' not in body  # the full session is no longer offered


def test_a_second_submit_does_not_book_twice(client, counsellor):
    person = make_trajectory(step=Step.INTEREST, counsellor=counsellor)
    first, other = make_session(days=2), make_session(days=4)
    client.force_login(counsellor)
    assert client.post(book_url(person), {"session": first.pk, "version": 1}).status_code == 302
    again = client.post(book_url(person), {"session": first.pk, "version": 1})
    elsewhere = client.post(book_url(person), {"session": other.pk, "version": 1})
    with translation.override("fr"):
        message = gettext("%(name)s is already registered to the information session of %(date)s.") % {
            "name": person.jobseeker,
            "date": when(first),
        }
    assert message in text(again) and message in text(elsewhere)
    assert list(InformationAttendance.objects.filter(trajectory=person).values_list("session_id", flat=True)) == [
        first.pk
    ]


def test_a_stale_version_or_bad_input_is_refused(client, counsellor):
    person = make_trajectory(step=Step.INTEREST, counsellor=counsellor)
    session = make_session()
    client.force_login(counsellor)
    stale = client.post(book_url(person), {"session": session.pk, "version": session.version + 1})
    with translation.override("fr"):
        assert gettext(
            "Someone else changed this session while you were working on it. Reload the page and try again."
        ) in text(stale)
        for data in ({}, {"session": "x", "version": "1"}, {"session": 999999, "version": 1}):
            response = client.post(book_url(person), data)
            assert response.status_code == 200
            assert gettext("Choose a session in the list.") in text(response)
    past = make_session(days=-1)
    response = client.post(book_url(person), {"session": past.pk, "version": past.version})
    with translation.override("fr"):
        assert gettext("This session has already started. Choose another date.") in text(response)
    assert not InformationAttendance.objects.filter(trajectory=person).exists()


def test_a_person_past_interest_cannot_be_booked(client, counsellor):
    person = make_trajectory(step=Step.INFORMATION, counsellor=counsellor)
    session = make_session()
    client.force_login(counsellor)
    response = client.post(book_url(person), {"session": session.pk, "version": session.version})
    with translation.override("fr"):
        assert gettext("This person no longer needs an information session.") in text(response)
        assert gettext("These people no longer need an information session: %(names)s.") % {
            "names": person.jobseeker
        } in text(response)
    assert not InformationAttendance.objects.filter(trajectory=person, session=session).exists()


def test_another_counsellors_scope_is_a_404(client, cast, counsellor):
    person = make_trajectory(step=Step.INTEREST, counsellor=counsellor)
    session = make_session()
    client.force_login(cast["demo-jobseeker"])
    assert client.post(book_url(person), {"session": session.pk, "version": 1}).status_code == 404
    assert not InformationAttendance.objects.filter(trajectory=person).exists()


@pytest.mark.parametrize("lang", ["fr", "nl"])
def test_when_every_session_is_full_the_section_says_so(client, counsellor, lang):
    person = make_trajectory(step=Step.INTEREST, counsellor=counsellor)
    full = make_session(capacity=1)
    fill(full, counsellor)
    client.force_login(counsellor)
    body = text(client.get(page_url(person, lang)))
    with translation.override(lang):
        assert (
            gettext(
                "No information session to come has free places. Plan a new session, or offer an individual interview."
            )
            in body
        )
    assert 'name="session"' not in body


# --- Cancel the person's booking on their behalf ("I can't come on Tuesday") -------------------------


def cancel_url(trajectory: Any, lang: str = "fr") -> str:
    with translation.override(lang):
        return reverse("workspace:cancel_booking", args=[trajectory.pk])


def booked(counsellor: Any, *, days: float = 3, contact_language: str = "fr") -> tuple[Any, Any, Any]:
    person = make_trajectory(
        step=Step.INTEREST,
        counsellor=counsellor,
        jobseeker=make_jobseeker(email="amina@example.org", contact_language=contact_language),
    )
    session = make_session(days=days, capacity=1)
    attendance = InformationAttendance.objects.create(trajectory=person, session=session)
    return person, session, attendance


@pytest.mark.parametrize("lang", ["fr", "nl"])
def test_a_counsellor_cancels_the_booking_and_the_sessions_are_offered_again(
    client, counsellor, django_capture_on_commit_callbacks, settings, lang
):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}  # send now
    person, session, attendance = booked(counsellor, contact_language="nl")
    client.force_login(counsellor)
    page = text(client.get(page_url(person, lang)))
    with translation.override(lang):
        assert gettext("Cancel this booking") in page
    assert f'action="{cancel_url(person, lang)}"' in page
    assert f'name="booking" value="{attendance.pk}"' in page
    assert f'name="version" value="{session.version}"' in page
    assert 'name="session"' not in page  # booked: no other session offered yet
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(cancel_url(person, lang), {"booking": attendance.pk, "version": session.version})
    assert response.status_code == 302
    assert response["Location"] == f"{page_url(person, lang)}#information-booking"
    # The booking is gone, the seat is free and the session's version went up.
    assert not InformationAttendance.objects.filter(trajectory=person).exists()
    session.refresh_from_db()
    assert session.version == 2
    person.refresh_from_db()
    assert person.current_step == Step.INTEREST
    # The person gets the same cancellation as when they cancel themselves, in their contact language (nl).
    assert Notification.objects.filter(
        jobseeker=person.jobseeker, information_session=session, kind="cancellation"
    ).exists()
    assert len(mail.outbox) == 1
    with translation.override("nl"):
        assert gettext("Your booking is cancelled") in mail.outbox[0].subject
    assert b"METHOD:CANCEL" in mail.outbox[0].attachments[0].get_payload(decode=True)
    # Audited as done by the counsellor on the person's behalf.
    assert AuditEvent.objects.filter(
        user_id_ref=counsellor.pk,
        action="information:cancelled_for_person",
        object_type="trajectory",
        object_id=person.pk,
    ).exists()
    assert not AuditEvent.objects.filter(action="information:cancelled").exists()
    # Back on the page: the message, then the sessions with free places (the freed seat included).
    body = text(client.get(response["Location"]))
    with translation.override(lang):
        assert (
            gettext("The booking of %(name)s for the information session of %(date)s is cancelled.")
            % {"name": person.jobseeker, "date": when(session)}
            in body
        )
        assert gettext("Book this session") in body
        assert gettext("Cancel this booking") not in body
    assert f'name="session" value="{session.pk}"' in body


def test_moving_a_booking_is_cancel_then_book(client, counsellor):
    person, tuesday, attendance = booked(counsellor, days=2)
    thursday = make_session(days=4)
    client.force_login(counsellor)
    assert client.post(cancel_url(person), {"booking": attendance.pk, "version": tuesday.version}).status_code == 302
    assert client.post(book_url(person), {"session": thursday.pk, "version": thursday.version}).status_code == 302
    assert list(InformationAttendance.objects.filter(trajectory=person).values_list("session_id", flat=True)) == [
        thursday.pk
    ]


@pytest.mark.parametrize("lang", ["fr", "nl"])
def test_a_session_that_has_started_cannot_be_cancelled_and_nothing_is_written(client, counsellor, lang):
    person, session, attendance = booked(counsellor, days=-1 / 24)
    client.force_login(counsellor)
    response = client.post(cancel_url(person, lang), {"booking": attendance.pk, "version": session.version})
    assert response.status_code == 200
    body = text(response)
    with translation.override(lang):
        assert gettext("This booking can no longer be cancelled.") in body
        assert gettext("There is a problem") in body
    assert f'lang="{lang}"' in body
    assert InformationAttendance.objects.filter(pk=attendance.pk, status="registered").exists()
    session.refresh_from_db()
    assert session.version == 1
    assert not Notification.objects.filter(jobseeker=person.jobseeker).exists()
    assert not AuditEvent.objects.filter(action__startswith="information:cancelled").exists()


def test_a_stale_version_or_bad_input_on_cancelling_is_refused(client, counsellor):
    person, session, attendance = booked(counsellor)
    other_person = make_trajectory(step=Step.INTEREST, counsellor=counsellor)
    elsewhere = InformationAttendance.objects.create(trajectory=other_person, session=make_session(days=5))
    client.force_login(counsellor)
    stale = client.post(cancel_url(person), {"booking": attendance.pk, "version": session.version + 1})
    assert stale.status_code == 200
    with translation.override("fr"):
        assert gettext(
            "Someone else changed this session while you were working on it. Reload the page and try again."
        ) in text(stale)
        # Missing or bad fields, and another person's booking through this person's page.
        for data in ({}, {"booking": "x", "version": "1"}, {"booking": elsewhere.pk, "version": 1}):
            response = client.post(cancel_url(person), data)
            assert response.status_code == 200
            assert gettext("This booking can no longer be cancelled.") in text(response)
    assert InformationAttendance.objects.filter(pk=attendance.pk).exists()
    assert InformationAttendance.objects.filter(pk=elsewhere.pk).exists()
    assert not Notification.objects.exists()
    assert not AuditEvent.objects.filter(action__startswith="information:cancelled").exists()


def test_a_second_submit_cancels_nothing_more(client, counsellor):
    person, _session, attendance = booked(counsellor)
    client.force_login(counsellor)
    assert client.post(cancel_url(person), {"booking": attendance.pk, "version": 1}).status_code == 302
    again = client.post(cancel_url(person), {"booking": attendance.pk, "version": 2})
    with translation.override("fr"):
        assert gettext("This booking can no longer be cancelled.") in text(again)
    assert Notification.objects.filter(kind="cancellation").count() == 1
    assert AuditEvent.objects.filter(action="information:cancelled_for_person").count() == 1


@pytest.mark.parametrize(
    ("user", "status"),
    [
        ("demo-coach-credal", 403),
        ("demo-partner-manager-credal", 403),
        ("demo-programme-manager", 404),  # no person in their scope: 404 before 403
        ("demo-jobseeker", 404),
    ],
)
def test_other_roles_cannot_cancel(client, cast, counsellor, partners, user, status):
    person, session, attendance = booked(counsellor)
    person.partner = partners["credal"]  # in the partner staff's scope, still at interest
    person.save(update_fields=["partner"])
    client.force_login(cast[user])
    response = client.post(cancel_url(person), {"booking": attendance.pk, "version": session.version})
    assert response.status_code == status
    assert 'id="cancel-booking"' not in text(client.get(page_url(person)))
    assert InformationAttendance.objects.filter(pk=attendance.pk).exists()
    assert not Notification.objects.exists()


def test_the_person_cancelling_themselves_is_still_audited_as_their_own(client, counsellor):
    person, _session, attendance = booked(counsellor)
    user = User.objects.create_user("amina", role="jobseeker")
    person.jobseeker.user = user
    person.jobseeker.save(update_fields=["user"])
    session_services.cancel_booking(attendance=attendance, by=user)
    assert AuditEvent.objects.filter(user_id_ref=user.pk, action="information:cancelled").exists()
    assert not InformationAttendance.objects.filter(pk=attendance.pk).exists()


# --- One booking service: the portal's booking follows the staff's rules (pathways.sessions.book_one) ---


def person_with_account(counsellor: Any) -> tuple[Any, User]:
    user = User.objects.create_user("amina-portal", role="jobseeker")
    trajectory = make_trajectory(step=Step.INTEREST, counsellor=counsellor)
    trajectory.jobseeker.user = user
    trajectory.jobseeker.save(update_fields=["user"])
    return trajectory, user


def portal_book(client: Any, user: User, session: InformationSession) -> Any:
    client.force_login(user)
    with translation.override("fr"):
        return client.post(reverse("portal:session_book", args=[session.pk]), follow=True)


def test_a_portal_booking_bumps_the_session_version_like_the_staff_path(client, counsellor):
    person, user = person_with_account(counsellor)
    session = make_session()
    before = session.version
    portal_book(client, user, session)
    session.refresh_from_db()
    assert session.version == before + 1
    assert InformationAttendance.objects.filter(trajectory=person, session=session, status="registered").exists()
    assert AuditEvent.objects.filter(user_id_ref=user.pk, action="information:booked").exists()


def test_a_portal_booking_on_a_finalised_register_is_refused_and_writes_nothing(client, counsellor):
    _person, user = person_with_account(counsellor)
    session = make_session()
    InformationSession.objects.filter(pk=session.pk).update(finalised_at=timezone.now())
    before = session.version
    response = portal_book(client, user, session)
    with translation.override("fr"):
        assert gettext("The register of this session is closed: nobody can be added any more.") in text(response)
    assert not InformationAttendance.objects.filter(session=session).exists()
    assert not Notification.objects.exists()
    session.refresh_from_db()
    assert session.version == before


def test_a_person_cannot_book_someone_elses_trajectory_through_the_shared_service(counsellor):
    person, _user = person_with_account(counsellor)
    stranger = User.objects.create_user("someone-else", role="jobseeker")
    with pytest.raises(PathwayError):
        session_services.book_one(session=make_session(), trajectory=person, by=stranger)
    assert not InformationAttendance.objects.filter(trajectory=person).exists()


@pytest.mark.postgres
def test_a_portal_booking_locks_the_session_then_the_trajectory_row(client, counsellor):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    person, user = person_with_account(counsellor)
    session = make_session()
    client.force_login(user)
    with CaptureQueriesContext(connection) as queries, translation.override("fr"):
        client.post(reverse("portal:session_book", args=[session.pk]))
    locks = [q["sql"] for q in queries.captured_queries if "FOR UPDATE" in q["sql"]]
    tables = [
        "session" if '"pathways_informationsession"' in sql.split("FROM", 1)[1].split("WHERE")[0] else "trajectory"
        for sql in locks
        if '"pathways_informationsession"' in sql or '"pathways_trajectory"' in sql
    ]
    assert tables[:2] == ["session", "trajectory"], locks
    assert InformationAttendance.objects.filter(trajectory=person, session=session).exists()
