"""Collective sessions of a partner: series with recurrence, registrations from the caseload, the register, the roster,
and previous / next inside a filtered list."""

from __future__ import annotations

import datetime
import re
import uuid
from typing import Any
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.html import escape

from autocrea.accounts.models import AuditEvent, User
from autocrea.backbone.errors import PathwayError
from autocrea.backbone.steps import Step
from autocrea.coaching.models import CoachingSession, CollectiveSeries, SessionAttendance
from autocrea.coaching.services import collective_sessions
from autocrea.pathways.models import Trajectory
from tests.factories import make_trajectory

pytestmark = pytest.mark.django_db

BRUSSELS = ZoneInfo("Europe/Brussels")


def url(name: str, *args: Any, lang: str = "fr", query: str = "") -> str:
    with translation.override(lang):
        base = reverse(f"workspace:{name}", args=args)
    return f"{base}?{query}" if query else base


def page(response: Any) -> str:
    return response.content.decode()


def message(text: str, lang: str = "fr", **params: Any) -> str:
    """The translated message as the page shows it (HTML-escaped)."""
    from django.utils.translation import gettext

    with translation.override(lang):
        return escape(gettext(text) % params if params else gettext(text))


@pytest.fixture
def manager(cast: dict[str, User]) -> User:
    return cast["demo-partner-manager-credal"]


def accompanied(
    counsellor: User, coach: User, partner: Any, n: int, step: str = Step.ACCOMPANIMENT
) -> list[Trajectory]:
    return [make_trajectory(step=step, counsellor=counsellor, coach=coach, partner=partner) for _ in range(n)]


def make_session(partner: Any, *, days: float = 3, capacity: int = 10, by: User | None = None) -> CoachingSession:
    """A collective session of `partner`, `days` from now (negative: in the past)."""
    return CoachingSession.objects.create(
        partner=partner,
        kind="collective",
        topic="Prospecting",
        place="Rue de la Loi 1",
        starts_at=timezone.now() + datetime.timedelta(days=days),
        duration_minutes=120,
        capacity=capacity,
        by=by,
    )


def next_year_dst_sunday() -> datetime.date:
    """The last Sunday of March next year: Belgium moves to summer time that night."""
    year = timezone.localdate().year + 1
    day = datetime.date(year, 3, 31)
    return day - datetime.timedelta(days=(day.weekday() + 1) % 7)


def plan(by: User, **overrides: Any) -> CollectiveSeries:
    values: dict[str, Any] = {
        "topic": "Prospecting",
        "place": "Rue de la Loi 1",
        "mode": "in_person",
        "capacity": 12,
        "duration_minutes": 120,
        "first_day": timezone.localdate() + datetime.timedelta(days=7),
        "start_time": datetime.time(18, 0),
        "recurrence": "weekly",
        "count": 3,
    }
    values.update(overrides)
    return collective_sessions.plan_collective_series(by=by, **values)


# --- Recurrence ----------------------------------------------------------------------------------------------


def test_a_weekly_series_keeps_18_00_brussels_time_across_the_change_to_summer_time(coach):
    first = next_year_dst_sunday() - datetime.timedelta(days=10)
    series = plan(coach, first_day=first, recurrence="weekly", count=3)
    sessions = list(series.sessions.order_by("starts_at"))
    assert [timezone.localtime(s.starts_at, BRUSSELS).date() for s in sessions] == [
        first,
        first + datetime.timedelta(days=7),
        first + datetime.timedelta(days=14),
    ]
    assert {timezone.localtime(s.starts_at, BRUSSELS).time() for s in sessions} == {datetime.time(18, 0)}
    # Winter time is UTC+1, summer time UTC+2: the same wall-clock time is an hour earlier in UTC.
    utc_hours = [s.starts_at.astimezone(datetime.UTC).hour for s in sessions]
    assert utc_hours[0] == 17 and utc_hours[-1] == 16
    assert all(s.partner_id == coach.partner_id and s.kind == "collective" for s in sessions)
    assert AuditEvent.objects.filter(action="collective:series_planned", object_id=series.pk).exists()


def test_a_fortnightly_series_and_a_series_on_listed_dates():
    first = datetime.date(2030, 10, 14)
    assert collective_sessions.recurrence_dates(first=first, recurrence="fortnightly", count=4) == [
        first + datetime.timedelta(days=14 * n) for n in range(4)
    ]
    listed = [datetime.date(2030, 11, 2), datetime.date(2030, 10, 20), datetime.date(2030, 11, 2)]
    assert collective_sessions.recurrence_dates(first=first, recurrence="dates", dates=listed) == [
        first,
        datetime.date(2030, 10, 20),
        datetime.date(2030, 11, 2),
    ]


def test_the_series_form_plans_the_sessions_and_a_double_submit_plans_them_once(client, coach):
    client.force_login(coach)
    first = timezone.localdate() + datetime.timedelta(days=3)
    data = {
        "form_token": str(uuid.uuid4()),
        "topic": "Marketing workshop",
        "mode": "in_person",
        "place": "Rue Haute 10",
        "first_day": first.strftime("%d/%m/%Y"),
        "time": "09:30",
        "duration": "90",
        "capacity": "15",
        "recurrence": "dates",
        "count": "",
        "dates": f"{(first + datetime.timedelta(days=5)):%d/%m/%Y}, {(first + datetime.timedelta(days=9)):%d/%m/%Y}",
    }
    first_response = client.post(url("collective_series_add"), data)
    second_response = client.post(url("collective_series_add"), data)
    assert first_response.status_code == second_response.status_code == 302
    assert CollectiveSeries.objects.count() == 1
    sessions = CoachingSession.objects.filter(kind="collective").order_by("starts_at")
    assert sessions.count() == 3
    assert {s.capacity for s in sessions} == {15}
    assert timezone.localtime(sessions[0].starts_at).strftime("%d/%m/%Y %H:%M") == f"{first:%d/%m/%Y} 09:30"


@pytest.mark.parametrize("lang", ["fr", "nl"])
@pytest.mark.parametrize(
    ("change", "field_error"),
    [
        ({"first_day": "01/01/2020"}, "Plan sessions to come: the first session is in the past."),
        ({"recurrence": "dates", "dates": "31/02/2031, tomorrow"}, None),
        ({"capacity": "0"}, "Give a number of places between 1 and 200."),
        ({"place": ""}, "Enter the place of the sessions."),
        ({"count": "53"}, "Give a number of sessions between 1 and 52."),
    ],
)
def test_bad_series_input_gets_a_clear_message_and_plans_nothing(client, coach, lang, change, field_error):
    client.force_login(coach)
    data = {
        "form_token": str(uuid.uuid4()),
        "topic": "Marketing",
        "mode": "in_person",
        "place": "Rue Haute 10",
        "first_day": (timezone.localdate() + datetime.timedelta(days=3)).strftime("%d/%m/%Y"),
        "time": "09:30",
        "duration": "90",
        "capacity": "15",
        "recurrence": "weekly",
        "count": "4",
        **change,
    }
    response = client.post(url("collective_series_add", lang=lang), data)
    assert response.status_code == 200
    assert "govuk-error-summary" in page(response)
    if field_error:
        assert message(field_error, lang) in page(response)
    else:
        assert "31/02/2031" in page(response) and "tomorrow" in page(response)
    assert not CoachingSession.objects.exists() and not CollectiveSeries.objects.exists()


# --- Registrations -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("lang", ["fr", "nl"])
def test_the_caseload_registers_the_ticked_people_in_one_action(client, counsellor, coach, partners, lang):
    people = accompanied(counsellor, coach, partners["credal"], 3)
    session = make_session(partners["credal"], capacity=5)
    client.force_login(coach)
    caseload = client.get(url("caseload", lang=lang))
    assert f'value="{session.pk}"' in page(caseload)  # the session is offered in the bulk action
    response = client.post(
        url("caseload", lang=lang),
        {"selected": [t.pk for t in people], "register_to": session.pk, "bulk": "register"},
        follow=True,
    )
    assert set(session.attendances.values_list("trajectory_id", flat=True)) == {t.pk for t in people}
    assert {a.status for a in session.attendances.all()} == {"registered"}
    with translation.override(lang):
        from django.utils.translation import ngettext

        expected = ngettext(
            "%(count)d person is registered to the collective session of %(date)s.",
            "%(count)d people are registered to the collective session of %(date)s.",
            3,
        ) % {"count": 3, "date": timezone.localtime(session.starts_at).strftime("%d/%m/%Y %H:%M")}
    assert escape(expected) in page(response)


@pytest.mark.parametrize("lang", ["fr", "nl"])
def test_registering_beyond_capacity_is_refused_with_a_message_and_writes_nothing(
    client, counsellor, coach, partners, lang
):
    people = accompanied(counsellor, coach, partners["credal"], 3)
    session = make_session(partners["credal"], capacity=2)
    version = session.version
    client.force_login(coach)
    response = client.post(
        url("caseload", lang=lang),
        {"selected": [t.pk for t in people], "register_to": session.pk, "bulk": "register"},
        follow=True,
    )
    with translation.override(lang):
        from django.utils.translation import ngettext

        expected = ngettext(
            "This session has %(free)d free places left: you selected %(count)d person. Nobody was registered.",
            "This session has %(free)d free places left: you selected %(count)d people. Nobody was registered.",
            3,
        ) % {"free": 2, "count": 3}
    assert escape(expected) in page(response)
    assert not SessionAttendance.objects.exists()
    session.refresh_from_db()
    assert session.version == version


def test_an_excused_person_frees_a_place(counsellor, coach, partners):
    people = accompanied(counsellor, coach, partners["credal"], 2)
    session = make_session(partners["credal"], capacity=1)
    collective_sessions.register_to_collective_session(session=session, trajectories=people[:1], by=coach)
    with pytest.raises(PathwayError):
        collective_sessions.register_to_collective_session(session=session, trajectories=people[1:], by=coach)
    SessionAttendance.objects.filter(session=session).update(status="excused")
    collective_sessions.register_to_collective_session(session=session, trajectories=people[1:], by=coach)
    assert session.attendances.count() == 2


@pytest.mark.parametrize("intruder", ["foreign", "closed", "not_yet_accepted"])
def test_one_person_who_cannot_be_registered_refuses_the_whole_batch(
    client, counsellor, coach, other_coach, partners, intruder
):
    people = accompanied(counsellor, coach, partners["credal"], 2)
    odd = {
        "foreign": lambda: make_trajectory(
            step=Step.ACCOMPANIMENT, counsellor=counsellor, coach=other_coach, partner=partners["microstart"]
        ),
        "closed": lambda: make_trajectory(
            step=Step.EXIT, counsellor=counsellor, coach=coach, partner=partners["credal"]
        ),
        "not_yet_accepted": lambda: make_trajectory(
            step=Step.ORIENTATION, counsellor=counsellor, coach=coach, partner=partners["credal"]
        ),
    }[intruder]()
    session = make_session(partners["credal"], capacity=10)
    with pytest.raises(PathwayError):
        collective_sessions.register_to_collective_session(session=session, trajectories=[*people, odd], by=coach)
    client.force_login(coach)
    client.post(
        url("caseload"), {"selected": [*(t.pk for t in people), odd.pk], "register_to": session.pk, "bulk": "register"}
    )
    assert not SessionAttendance.objects.exists()


def test_a_double_submit_registers_each_person_once(client, counsellor, coach, partners):
    people = accompanied(counsellor, coach, partners["credal"], 2)
    session = make_session(partners["credal"], capacity=10)
    client.force_login(coach)
    data = {"selected": [t.pk for t in people], "register_to": session.pk, "bulk": "register"}
    client.post(url("caseload"), data)
    second = client.post(url("caseload"), data, follow=True)
    assert session.attendances.count() == 2
    assert "govuk-notification-banner" in page(second)
    assert SessionAttendance.objects.filter(session=session, trajectory=people[0]).count() == 1


def test_a_coach_cannot_register_to_another_partners_session(counsellor, coach, other_coach, partners):
    people = accompanied(counsellor, coach, partners["credal"], 1)
    session = make_session(partners["microstart"], by=other_coach)
    with pytest.raises(PathwayError):
        collective_sessions.register_to_collective_session(session=session, trajectories=people, by=coach)
    with pytest.raises(PathwayError):
        collective_sessions.register_to_collective_session(session=session, trajectories=people, by=counsellor)
    assert not SessionAttendance.objects.exists()


def test_one_person_is_registered_from_their_trajectory_page(client, counsellor, coach, partners):
    (person,) = accompanied(counsellor, coach, partners["credal"], 1)
    session = make_session(partners["credal"])
    full = make_session(partners["credal"], capacity=0)
    client.force_login(coach)
    detail = page(client.get(url("trajectory", person.pk)))
    assert url("collective_enrol", person.pk) in detail
    form = page(client.get(url("collective_enrol", person.pk)))
    assert f'value="{session.pk}"' in form
    response = client.post(url("collective_enrol", person.pk), {"session": session.pk, "version": person.version})
    assert response.status_code == 302
    assert session.attendances.filter(trajectory=person).exists()
    # Already registered: the session is no longer offered; a replayed submit is refused, no duplicate.
    assert f'value="{session.pk}"' not in page(client.get(url("collective_enrol", person.pk)))
    client.post(url("collective_enrol", person.pk), {"session": session.pk, "version": person.version})
    assert session.attendances.filter(trajectory=person).count() == 1
    refused = client.post(url("collective_enrol", person.pk), {"session": full.pk, "version": person.version})
    assert refused.status_code == 200 and not full.attendances.exists()
    # The panel of the trajectory page lists the registration.
    assert "Prospecting" in page(client.get(url("trajectory", person.pk)))


# --- The attendance register ---------------------------------------------------------------------------------


def registered(session: CoachingSession, people: list[Trajectory], by: User) -> list[SessionAttendance]:
    collective_sessions.register_to_collective_session(session=session, trajectories=people, by=by)
    return list(session.attendances.order_by("pk"))


def test_a_register_of_twenty_people_is_one_page_and_one_post(
    client, counsellor, coach, partners, django_assert_max_num_queries
):
    people = accompanied(counsellor, coach, partners["credal"], 20)
    session = make_session(partners["credal"], days=1, capacity=20)
    attendances = registered(session, people, coach)
    CoachingSession.objects.filter(pk=session.pk).update(starts_at=timezone.now() - datetime.timedelta(hours=1))
    session.refresh_from_db()
    client.force_login(coach)
    with django_assert_max_num_queries(20):
        form = client.get(url("collective_register", session.pk))
    assert page(form).count('type="radio"') == 60
    statuses = ["present"] * 15 + ["absent"] * 3 + ["excused"] * 2
    data = {f"status_{a.pk}": s for a, s in zip(attendances, statuses, strict=True)}
    data.update({"version": session.version, "finalise": "on"})
    with django_assert_max_num_queries(25):
        response = client.post(url("collective_register", session.pk), data)
    assert response.status_code == 302
    got = dict(session.attendances.values_list("pk", "status"))
    assert [got[a.pk] for a in attendances] == statuses
    session.refresh_from_db()
    assert session.finalised_at is not None and session.finalised_by == coach


@pytest.mark.parametrize("lang", ["fr", "nl"])
def test_a_finalised_register_is_locked(client, counsellor, coach, partners, lang):
    people = accompanied(counsellor, coach, partners["credal"], 2)
    session = make_session(partners["credal"], days=1)
    attendances = registered(session, people, coach)
    CoachingSession.objects.filter(pk=session.pk).update(starts_at=timezone.now() - datetime.timedelta(hours=1))
    session.refresh_from_db()
    collective_sessions.record_collective_register(
        session=session, statuses={a.pk: "present" for a in attendances}, by=coach, finalise=True
    )
    session.refresh_from_db()
    client.force_login(coach)
    shown = page(client.get(url("collective_register", session.pk, lang=lang)))
    assert 'type="radio"' not in shown
    response = client.post(
        url("collective_register", session.pk, lang=lang),
        {f"status_{attendances[0].pk}": "absent", "version": session.version},
    )
    assert message("The register of this session is closed: it can no longer be changed.", lang) in page(response)
    assert set(session.attendances.values_list("status", flat=True)) == {"present"}
    with pytest.raises(PathwayError):
        collective_sessions.register_to_collective_session(
            session=session, trajectories=accompanied(counsellor, coach, partners["credal"], 1), by=coach
        )


def test_finalising_needs_everyone_and_a_stale_register_is_refused(client, counsellor, coach, partners):
    people = accompanied(counsellor, coach, partners["credal"], 2)
    session = make_session(partners["credal"], days=1)
    attendances = registered(session, people, coach)
    CoachingSession.objects.filter(pk=session.pk).update(starts_at=timezone.now() - datetime.timedelta(hours=1))
    session.refresh_from_db()
    client.force_login(coach)
    stale = session.version
    response = client.post(
        url("collective_register", session.pk),
        {f"status_{attendances[0].pk}": "present", "version": session.version, "finalise": "on"},
    )
    assert message("Mark every person present, absent or excused before finalising the register.") in page(response)
    assert set(session.attendances.values_list("status", flat=True)) == {"registered"}
    client.post(url("collective_register", session.pk), {f"status_{attendances[0].pk}": "present", "version": stale})
    again = client.post(
        url("collective_register", session.pk), {f"status_{attendances[1].pk}": "absent", "version": stale}
    )
    assert message(
        "Someone else changed this session while you were working on it. Reload the page and try again."
    ) in page(again)
    assert session.attendances.get(pk=attendances[1].pk).status == "registered"


def test_a_session_that_did_not_take_place_closes_its_register(client, counsellor, coach, partners):
    people = accompanied(counsellor, coach, partners["credal"], 1)
    session = make_session(partners["credal"], days=1)
    registered(session, people, coach)
    client.force_login(coach)
    session.refresh_from_db()
    early = client.post(
        url("collective_register", session.pk), {"version": session.version, "did_not_take_place": "on"}
    )
    assert early.status_code == 200  # the session has not started: refused
    CoachingSession.objects.filter(pk=session.pk).update(starts_at=timezone.now() - datetime.timedelta(hours=1))
    response = client.post(
        url("collective_register", session.pk), {"version": session.version, "did_not_take_place": "on"}
    )
    assert response.status_code == 302
    session.refresh_from_db()
    assert session.cancelled and session.finalised_at is not None


# --- Scope and the roster ------------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["demo-coach-microstart", "demo-counsellor", "demo-programme-manager", "nobody"])
def test_a_session_of_another_partner_is_a_404(client, cast, coach, counsellor, partners, who):
    people = accompanied(counsellor, coach, partners["credal"], 1)
    session = make_session(partners["credal"], days=-0.1)
    SessionAttendance.objects.create(session=session, trajectory=people[0])
    client.force_login(cast[who])
    for name in ("collective_register", "collective_roster"):
        response = client.get(url(name, session.pk))
        assert response.status_code == 404, name
        assert people[0].jobseeker.last_name not in page(response)
    before = session.version
    client.post(
        url("collective_register", session.pk), {f"status_{session.attendances.get().pk}": "present", "version": before}
    )
    assert session.attendances.get().status == "registered"


def test_the_list_shows_only_my_partners_sessions(client, coach, other_coach, partners):
    mine = make_session(partners["credal"], days=2)
    mine.topic = "Credal workshop"
    mine.save()
    theirs = make_session(partners["microstart"], days=2)
    theirs.topic = "Microstart workshop"
    theirs.save()
    past = make_session(partners["credal"], days=-2)
    client.force_login(coach)
    shown = page(client.get(url("collective_sessions")))
    assert "Credal workshop" in shown and "Microstart workshop" not in shown
    assert url("collective_register", past.pk) in shown
    assert url("collective_register", theirs.pk) not in shown


def test_the_roster_lists_the_people_registered_with_a_box_each(client, counsellor, coach, partners):
    people = accompanied(counsellor, coach, partners["credal"], 3)
    session = make_session(partners["credal"])
    attendances = registered(session, people, coach)
    SessionAttendance.objects.filter(pk=attendances[2].pk).update(status="excused")
    client.force_login(coach)
    shown = page(client.get(url("collective_roster", session.pk)))
    for t in people[:2]:
        assert t.jobseeker.last_name.upper() in shown and t.reference in shown
    assert people[2].jobseeker.last_name.upper() not in shown
    assert shown.count('class="govuk-table__cell ac-roster__signature"') == 2 + 3  # two people, three blank rows
    assert "roster.css" in shown and "Prospecting" in shown and partners["credal"].name in shown


# --- Previous / next inside a filtered list ------------------------------------------------------------------


def nav_links(html: str) -> dict[str, str]:
    return {
        rel: href.replace("&amp;", "&")
        for href, rel in re.findall(r'href="([^"]*)" rel="(prev|next)" data-list-nav', html)
    }


def trajectory_id(href: str) -> int:
    return int(re.search(r"/trajectories/(\d+)/", href).group(1))


def test_previous_and_next_follow_the_filtered_caseload(client, counsellor, coach, partners):
    diagnostic = accompanied(counsellor, coach, partners["credal"], 3, step=Step.DIAGNOSTIC)
    accompanied(counsellor, coach, partners["credal"], 2)
    client.force_login(coach)
    listing = page(client.get(url("caseload", query="scope=mine&step=diagnostic&sort=name")))
    hrefs = [h.replace("&amp;", "&") for h in re.findall(r'href="(/fr/workspace/trajectories/\d+/\?[^"]*)"', listing)]
    order = [trajectory_id(h) for h in hrefs]
    assert sorted(order) == sorted(t.pk for t in diagnostic)
    middle = client.get(hrefs[1])
    links = nav_links(page(middle))
    assert trajectory_id(links["prev"]) == order[0] and trajectory_id(links["next"]) == order[2]
    # The filter travels with the links, so the next page still walks the same filtered list.
    filters = parse_qs(parse_qs(urlsplit(links["next"]).query)["filters"][0])
    assert filters["step"] == ["diagnostic"] and filters["scope"] == ["mine"]
    last = nav_links(page(client.get(links["next"])))
    assert "next" not in last and trajectory_id(last["prev"]) == order[1]
    assert 'href="/fr/workspace/caseload/?' in page(middle)  # the back link keeps the filters
    assert "listnav.js" in page(middle)


def test_previous_and_next_follow_the_trajectory_list_search(client, counsellor, coach, partners):
    from tests.factories import make_jobseeker

    named = [
        make_trajectory(
            step=Step.ACCOMPANIMENT,
            counsellor=counsellor,
            coach=coach,
            partner=partners["credal"],
            jobseeker=make_jobseeker(last_name=name),
        )
        for name in ("Zed", "Zimmer", "Zorro", "Adams")
    ]
    client.force_login(counsellor)
    middle = page(client.get(url("trajectory", named[1].pk, query="list=trajectories&filters=q%3DZ")))
    links = nav_links(middle)
    assert trajectory_id(links["prev"]) == named[0].pk and trajectory_id(links["next"]) == named[2].pk
    assert "next" not in nav_links(page(client.get(links["next"])))
    # Without a list, or with a file outside the filter, there are no links.
    assert nav_links(page(client.get(url("trajectory", named[1].pk)))) == {}
    assert nav_links(page(client.get(url("trajectory", named[3].pk, query="list=trajectories&filters=q%3DZ")))) == {}


def test_a_foreign_list_filter_never_reveals_a_neighbour_outside_scope(
    client, counsellor, coach, other_coach, partners
):
    mine = accompanied(counsellor, coach, partners["credal"], 1)
    accompanied(counsellor, other_coach, partners["microstart"], 2)
    client.force_login(coach)
    shown = page(client.get(url("trajectory", mine[0].pk, query="list=trajectories&filters=")))
    assert nav_links(shown) == {}
