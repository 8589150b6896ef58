"""Information sessions at the counter over HTTP: registrations, the one-page register, the no-show list.

Messages are checked in French and in Dutch: the expected text is what gettext gives in that language,
so the checks hold before and after the catalogues are filled.
"""

from __future__ import annotations

import datetime
import html
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext, ngettext

from autocrea.accounts.models import User
from autocrea.backbone.errors import PathwayError
from autocrea.backbone.steps import Step
from autocrea.pathways import sessions as session_services
from autocrea.pathways.models import InformationAttendance, InformationSession, StepLog, Trajectory
from tests.factories import make_jobseeker, make_trajectory

pytestmark = pytest.mark.django_db


def url(name: str, session: InformationSession | None = None, lang: str = "fr", query: str = "") -> str:
    with translation.override(lang):
        path = reverse(f"workspace:{name}", args=[session.pk] if session else [])
    return f"{path}?{query}" if query else path


def page(response: Any) -> str:
    return html.unescape(response.content.decode())


def assert_shows(response: Any, message: str, lang: str, **params: Any) -> None:
    with translation.override(lang):
        expected = gettext(message) % params if params else gettext(message)
    text = page(response)
    assert f'lang="{lang}"' in text
    assert expected in text, expected


def make_session(*, days: int = -1, capacity: int = 20, language: str = "fr") -> InformationSession:
    """A session `days` from now (negative: it has taken place)."""
    return InformationSession.objects.create(
        starts_at=timezone.now() + datetime.timedelta(days=days),
        place="Actiris, Bd Anspach 65",
        language=language,
        capacity=capacity,
    )


def people(counsellor: User, n: int) -> list[Trajectory]:
    return [make_trajectory(step=Step.INTEREST, counsellor=counsellor) for _ in range(n)]


def register(session: InformationSession, trajectories: list[Trajectory], by: User) -> list[InformationAttendance]:
    session_services.register_to_session(session=session, trajectories=trajectories, by=by)
    return list(session.attendances.order_by("pk"))


def version(session: InformationSession) -> int:
    session.refresh_from_db()
    return session.version


# --- The register: one page, one submit ------------------------------------------------------------


def test_twenty_people_are_recorded_with_one_post(client, counsellor, django_assert_max_num_queries):
    session = make_session(days=-1, capacity=20)
    everyone = people(counsellor, 20)
    client.force_login(counsellor)
    response = client.post(
        url("session_registrations", session), {"version": version(session), "trajectories": [t.pk for t in everyone]}
    )
    assert response.status_code == 302
    attendances = list(session.attendances.order_by("pk"))
    assert len(attendances) == 20

    text = page(client.get(url("session_register", session)))
    assert text.count("<fieldset") == 20
    assert text.count('class="govuk-radios govuk-radios--small govuk-radios--inline"') == 20
    for t in everyone:
        assert f">{t.jobseeker}</legend>" in text

    chosen = ["present"] * 14 + ["absent"] * 4 + ["excused"] * 2
    data: dict[str, Any] = {"version": version(session)}
    data.update({f"status_{a.pk}": status for a, status in zip(attendances, chosen, strict=True)})
    # At most eighteen queries per person (lock, attendance, trajectory, step log, audit, savepoints,
    # the summary counts' snapshot and upsert) plus a fixed part: bounded, and all in one request.
    with django_assert_max_num_queries(20 * 18 + 40):
        response = client.post(url("session_register", session), data)
    assert response.status_code == 302
    for attendance, status in zip(attendances, chosen, strict=True):
        attendance.refresh_from_db()
        trajectory = Trajectory.objects.get(pk=attendance.trajectory_id)
        assert attendance.status == status
        if status == "present":
            assert trajectory.current_step == Step.INFORMATION
            assert trajectory.information_on == timezone.localdate(session.starts_at)
            assert StepLog.objects.filter(trajectory=trajectory, to_step=Step.INFORMATION, channel="counter").exists()
        else:
            assert trajectory.current_step == Step.INTEREST
    assert_shows(client.get(url("session_register", session)), "The register is saved.", "fr")


@pytest.mark.parametrize("lang", ["fr", "nl"])
def test_a_finalised_register_is_read_only(client, counsellor, lang):
    session = make_session()
    a, b = register(session, people(counsellor, 2), counsellor)
    client.force_login(counsellor)
    data = {"version": version(session), f"status_{a.pk}": "present", f"status_{b.pk}": "absent", "finalise": "on"}
    response = client.post(url("session_register", session, lang), data)
    assert response.status_code == 302
    session.refresh_from_db()
    assert session.finalised_at is not None and session.finalised_by == counsellor
    response = client.get(url("session_register", session, lang))
    assert_shows(response, "The register is saved and finalised.", lang)
    assert 'type="radio"' not in page(response)

    again = {"version": version(session), f"status_{a.pk}": "absent", f"status_{b.pk}": "present"}
    response = client.post(url("session_register", session, lang), again)
    assert response.status_code == 200
    assert_shows(response, "The register of this session is closed: it can no longer be changed.", lang)
    b.refresh_from_db()
    assert b.status == "absent"
    assert Trajectory.objects.get(pk=b.trajectory_id).current_step == Step.INTEREST


def test_finalising_needs_an_attendance_for_everyone(client, counsellor):
    session = make_session()
    a, _b = register(session, people(counsellor, 2), counsellor)
    client.force_login(counsellor)
    data = {"version": version(session), f"status_{a.pk}": "present", "finalise": "on"}
    response = client.post(url("session_register", session, "nl"), data)
    assert response.status_code == 200
    assert_shows(response, "Mark every person present, absent or excused before finalising the register.", "nl")
    a.refresh_from_db()
    session.refresh_from_db()
    assert a.status == "registered" and session.finalised_at is None
    assert Trajectory.objects.get(pk=a.trajectory_id).current_step == Step.INTEREST


@pytest.mark.parametrize("lang", ["fr", "nl"])
def test_a_stale_register_is_refused_and_writes_nothing(client, counsellor, lang):
    session = make_session()
    a, b = register(session, people(counsellor, 2), counsellor)
    shown_version = version(session)
    # Someone else saves the register meanwhile.
    session_services.record_register(session=session, statuses={a.pk: "absent"}, by=counsellor, version=shown_version)
    client.force_login(counsellor)
    data = {"version": shown_version, f"status_{a.pk}": "present", f"status_{b.pk}": "present"}
    response = client.post(url("session_register", session, lang), data)
    assert response.status_code == 200
    assert_shows(
        response,
        "Someone else changed this session while you were working on it. Reload the page and try again.",
        lang,
    )
    a.refresh_from_db()
    b.refresh_from_db()
    assert (a.status, b.status) == ("absent", "registered")
    assert not Trajectory.objects.filter(pk__in=[a.trajectory_id, b.trajectory_id], current_step=Step.INFORMATION)


@pytest.mark.parametrize("lang", ["fr", "nl"])
def test_a_future_session_register_does_not_record_presence(client, counsellor, lang):
    session = make_session(days=3)
    (a,) = register(session, people(counsellor, 1), counsellor)
    client.force_login(counsellor)
    response = client.get(url("session_register", session, lang))
    assert_shows(response, "The register opens when the session starts.", lang)
    assert 'type="radio"' not in page(response)
    response = client.post(
        url("session_register", session, lang), {"version": version(session), f"status_{a.pk}": "present"}
    )
    assert response.status_code == 200
    assert_shows(response, "This session has not taken place yet: its register opens when it starts.", lang)
    a.refresh_from_db()
    assert a.status == "registered"
    assert Trajectory.objects.get(pk=a.trajectory_id).current_step == Step.INTEREST


def test_a_session_that_did_not_take_place_closes_its_register(client, counsellor):
    session = make_session()
    a, _b = register(session, people(counsellor, 2), counsellor)
    client.force_login(counsellor)
    refused = {"version": version(session), f"status_{a.pk}": "present", "did_not_take_place": "on"}
    response = client.post(url("session_register", session), refused)
    assert response.status_code == 200
    assert_shows(
        response,
        "People are marked present: untick “The session did not take place” or change their attendance.",
        "fr",
    )
    response = client.post(url("session_register", session), {"version": version(session), "did_not_take_place": "on"})
    assert response.status_code == 302
    session.refresh_from_db()
    assert session.cancelled and session.finalised_at is not None
    assert set(session.attendances.values_list("status", flat=True)) == {"registered"}
    assert_shows(
        client.get(url("session_register", session)), "This session did not take place. Its register is closed.", "fr"
    )


def test_presence_that_moved_a_person_on_is_not_undone_by_the_register(counsellor):
    session = make_session()
    (a,) = register(session, people(counsellor, 1), counsellor)
    session_services.record_register(session=session, statuses={a.pk: "present"}, by=counsellor)
    with pytest.raises(PathwayError):
        session_services.record_register(session=session, statuses={a.pk: "absent"}, by=counsellor)
    a.refresh_from_db()
    assert a.status == "present"


def test_a_refusal_for_one_person_rolls_back_the_whole_register(counsellor):
    """A session earlier than one person's interest: nobody is moved, no status is written."""
    session = make_session(days=-30)
    early = make_trajectory(step=Step.INTEREST, counsellor=counsellor)
    late = make_trajectory(
        step=Step.INTEREST, counsellor=counsellor, start=timezone.localdate() - datetime.timedelta(days=2)
    )
    a, b = register(session, [early, late], counsellor)
    before = (StepLog.objects.count(), version(session))
    with pytest.raises(PathwayError) as refused:
        session_services.record_register(session=session, statuses={a.pk: "present", b.pk: "present"}, by=counsellor)
    assert str(late.jobseeker) in refused.value.message
    assert (StepLog.objects.count(), version(session)) == before
    assert set(session.attendances.values_list("status", flat=True)) == {"registered"}


# --- Registrations -------------------------------------------------------------------------------


@pytest.mark.parametrize("lang", ["fr", "nl"])
def test_registering_beyond_capacity_is_refused_and_writes_nothing(client, counsellor, lang):
    session = make_session(days=5, capacity=3)
    register(session, people(counsellor, 2), counsellor)
    newcomers = people(counsellor, 2)
    client.force_login(counsellor)
    response = client.post(
        url("session_registrations", session, lang),
        {"version": version(session), "trajectories": [t.pk for t in newcomers]},
    )
    assert response.status_code == 200
    with translation.override(lang):
        expected = ngettext(
            "This session has %(free)d free places left: you selected %(count)d person. Nobody was registered.",
            "This session has %(free)d free places left: you selected %(count)d people. Nobody was registered.",
            2,
        ) % {"free": 1, "count": 2}
    assert expected in page(response) and f'lang="{lang}"' in page(response)
    assert session.attendances.count() == 2
    # The ticked people stay ticked so the counsellor can untick one.
    for t in newcomers:
        assert f'value="{t.pk}" checked' in page(response)


def test_registrations_search_by_name_prefix_and_register_in_one_post(client, counsellor):
    session = make_session(days=5)
    wanted = [
        make_trajectory(step=Step.INTEREST, counsellor=counsellor, jobseeker=make_jobseeker(last_name=f"Peeters{i}"))
        for i in range(3)
    ]
    other = make_trajectory(step=Step.INTEREST, counsellor=counsellor, jobseeker=make_jobseeker(last_name="Janssens"))
    informed = make_trajectory(
        step=Step.INFORMATION, counsellor=counsellor, jobseeker=make_jobseeker(last_name="Peeters-informed")
    )
    client.force_login(counsellor)
    text = page(client.get(url("session_registrations", session, query="q=peet")))
    for t in wanted:
        assert f'value="{t.pk}"' in text
    assert f'value="{other.pk}"' not in text
    assert f'value="{informed.pk}"' not in text  # only people at the interest step
    response = client.post(
        url("session_registrations", session, query="q=peet"),
        {"version": version(session), "trajectories": [t.pk for t in wanted]},
    )
    assert response.status_code == 302
    assert set(session.attendances.values_list("trajectory_id", flat=True)) == {t.pk for t in wanted}
    with translation.override("fr"):
        done = ngettext(
            "%(count)d person is registered to this session.", "%(count)d people are registered to this session.", 3
        ) % {"count": 3}
    assert done in page(client.get(response["Location"]))
    # Registered people are no longer offered: no double registration.
    text = page(client.get(url("session_registrations", session, query="q=peet")))
    assert 'name="trajectories"' not in text


def test_no_double_registration_and_all_or_nothing(counsellor):
    session = make_session(days=5)
    first, second = people(counsellor, 2)
    register(session, [first], counsellor)
    with pytest.raises(PathwayError):
        session_services.register_to_session(session=session, trajectories=[first, second], by=counsellor)
    assert list(session.attendances.values_list("trajectory_id", flat=True)) == [first.pk]


def test_a_stale_registration_is_refused(client, counsellor):
    session = make_session(days=5)
    first, second = people(counsellor, 2)
    shown = version(session)
    register(session, [first], counsellor)
    client.force_login(counsellor)
    response = client.post(url("session_registrations", session), {"version": shown, "trajectories": [second.pk]})
    assert response.status_code == 200
    assert_shows(
        response, "Someone else changed this session while you were working on it. Reload the page and try again.", "fr"
    )
    assert session.attendances.count() == 1


# --- No-shows ------------------------------------------------------------------------------------


def test_the_no_show_list_shows_absent_people_still_at_interest(client, counsellor):
    past = make_session(days=-2)
    coming = make_session(days=6, language="fr")
    absent, excused, present = people(counsellor, 3)
    a, e, p = (register(past, [t], counsellor)[-1] for t in (absent, excused, present))
    session_services.record_register(
        session=past, statuses={a.pk: "absent", e.pk: "excused", p.pk: "present"}, by=counsellor
    )
    client.force_login(counsellor)
    response = client.get(url("no_shows", lang="nl"))
    assert response.status_code == 200
    text = page(response)
    assert str(absent.jobseeker) in text
    assert str(excused.jobseeker) not in text and str(present.jobseeker) not in text
    with translation.override("nl"):
        assert reverse("workspace:trajectory", args=[absent.pk]) in text
        again = f"{reverse('workspace:session_registrations', args=[coming.pk])}?trajectory={absent.pk}"
    assert again in text
    # The link pre-ticks the person on the next session's registrations.
    assert f'value="{absent.pk}" checked' in page(client.get(again))
    register(coming, [absent], counsellor)
    with translation.override("nl"):
        assert_shows(client.get(url("no_shows", lang="nl")), "Registered to a coming session", "nl")


# --- Who may do this -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "username",
    ["demo-coach-credal", "demo-partner-manager-credal", "demo-jobseeker", "demo-programme-manager", "nobody"],
)
def test_only_counsellors_may_use_the_session_pages(client, cast, counsellor, username):
    session = make_session()
    (a,) = register(session, people(counsellor, 1), counsellor)
    client.force_login(cast[username])
    for name, target in (("session_register", session), ("session_registrations", session), ("no_shows", None)):
        assert client.get(url(name, target)).status_code == 403, name
    response = client.post(url("session_register", session), {"version": version(session), f"status_{a.pk}": "present"})
    assert response.status_code == 403
    a.refresh_from_db()
    assert a.status == "registered"


def test_anonymous_visitors_are_sent_to_the_login_page(client, counsellor):
    session = make_session()
    for name, target in (("session_register", session), ("session_registrations", session), ("no_shows", None)):
        response = client.get(url(name, target))
        assert response.status_code == 302 and "login" in response["Location"], name


def test_an_unknown_session_is_a_404(client, counsellor):
    client.force_login(counsellor)
    assert client.get(reverse("workspace:session_register", args=[999999])).status_code == 404


# --- planning a session: through pathways.sessions.create_information_session -------------------------


def test_planning_a_session_goes_through_the_service_and_is_audited(client, counsellor):
    from autocrea.accounts.models import AuditEvent

    client.force_login(counsellor)
    when = timezone.localdate() + datetime.timedelta(days=9)
    response = client.post(
        url("info_sessions"),
        {"day": when.strftime("%d/%m/%Y"), "time": "14:00", "place": "Actiris", "language": "fr", "capacity": "12"},
    )
    assert response.status_code == 302
    session = InformationSession.objects.get()
    event = AuditEvent.objects.get(action="information:session_planned")
    assert (event.user_id_ref, event.object_type, event.object_id) == (counsellor.pk, "informationsession", session.pk)


def test_planning_a_session_is_refused_to_a_role_that_may_not(cast):
    starts = timezone.now() + datetime.timedelta(days=5)
    for username in ("demo-coach-credal", "demo-programme-manager", "demo-jobseeker"):
        with pytest.raises(PathwayError):
            session_services.create_information_session(
                by=cast[username], starts_at=starts, place="Actiris", language="fr", capacity=10
            )
    assert not InformationSession.objects.exists()


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"starts_at": timezone.now() - datetime.timedelta(hours=1)}, "A new session cannot be planned in the past."),
        ({"place": "  "}, "Enter the place of the session."),
        ({"language": "en"}, "Choose the language of the session."),
        ({"capacity": 0}, "A session needs at least one place."),
    ],
)
def test_bad_input_plans_nothing(counsellor, change, expected):
    from autocrea.accounts.models import AuditEvent

    values: dict[str, Any] = {
        "starts_at": timezone.now() + datetime.timedelta(days=5),
        "place": "Actiris",
        "language": "nl",
        "capacity": 10,
    }
    values.update(change)
    with translation.override("en"), pytest.raises(PathwayError) as refused:
        session_services.create_information_session(by=counsellor, **values)
    assert refused.value.message == expected
    assert not InformationSession.objects.exists()
    assert not AuditEvent.objects.filter(action="information:session_planned").exists()
