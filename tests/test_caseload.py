"""The caseload over HTTP: my files and my partner's, filters in the URL, keyset pages and bulk assignment."""

from __future__ import annotations

import datetime
import re
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.html import escape

from autocrea.accounts.models import AuditEvent, User
from autocrea.backbone.errors import PathwayError
from autocrea.backbone.roles import Role
from autocrea.backbone.steps import Step
from autocrea.coaching.models import Action, Goal
from autocrea.pathways.caseload import assign_coach
from autocrea.pathways.models import Trajectory
from autocrea.workspace.views import caseload as caseload_view
from tests.factories import make_trajectory

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


def url(lang: str = "fr", **params: Any) -> str:
    with translation.override(lang):
        base = reverse("workspace:caseload")
    query = "&".join(f"{k}={v}" for k, v in params.items())
    return f"{base}?{query}" if query else base


def listed_ids(html: str) -> list[int]:
    return [int(pk) for pk in re.findall(r'href="/\w\w/workspace/trajectories/(\d+)/(?:\?[^"]*)?"', html)]


def next_link(html: str) -> str:
    found = re.search(r'href="([^"]*)" rel="next"', html)
    return found.group(1).replace("&amp;", "&") if found else ""


def idle_since(trajectory: Trajectory, days: int) -> None:
    Trajectory.objects.filter(pk=trajectory.pk).update(last_activity_at=timezone.now() - datetime.timedelta(days=days))


def add_action(trajectory: Trajectory, due_on: datetime.date, status: str = "todo") -> Action:
    goal = Goal.objects.create(trajectory=trajectory, title="Business plan")
    return Action.objects.create(goal=goal, title="Call the bank", owner="coach", due_on=due_on, status=status)


@pytest.fixture
def manager(cast: dict[str, User]) -> User:
    return cast["demo-partner-manager-credal"]


@pytest.fixture
def second_coach(partners: dict[str, Any]) -> User:
    return User.objects.create_user(
        "coach-two", first_name="Noor", last_name="Peeters", role=Role.COACH, partner=partners["credal"]
    )


@pytest.fixture
def files(counsellor, coach, second_coach, other_coach, partners) -> dict[str, Trajectory]:
    """Crédal files of both Crédal coaches, a closed Crédal file and a microStart file."""

    def make(step: str, who: User, partner: str = "credal") -> Trajectory:
        return make_trajectory(step=step, counsellor=counsellor, coach=who, partner=partners[partner])

    return {
        "mine": make(Step.ACCOMPANIMENT, coach),
        "mine_diagnostic": make(Step.DIAGNOSTIC, coach),
        "colleague": make(Step.ACCOMPANIMENT, second_coach),
        "closed": make(Step.EXIT, coach),
        "foreign": make(Step.ACCOMPANIMENT, other_coach, "microstart"),
    }


def test_my_caseload_shows_only_my_open_files(client, coach, files):
    client.force_login(coach)
    response = client.get(url())
    assert response.status_code == 200
    assert set(listed_ids(response.content.decode())) == {files["mine"].pk, files["mine_diagnostic"].pk}


def test_the_partner_caseload_shows_every_open_file_of_my_partner_and_no_other(client, coach, files):
    client.force_login(coach)
    html = client.get(url(scope="partner")).content.decode()
    assert set(listed_ids(html)) == {files["mine"].pk, files["mine_diagnostic"].pk, files["colleague"].pk}
    assert files["foreign"].jobseeker.last_name not in html


def test_the_partner_caseload_filters_by_coach_and_step(client, manager, second_coach, files):
    client.force_login(manager)
    html = client.get(url(scope="partner", coach=second_coach.pk)).content.decode()
    assert listed_ids(html) == [files["colleague"].pk]
    html = client.get(url(scope="partner", step=Step.DIAGNOSTIC)).content.decode()
    assert listed_ids(html) == [files["mine_diagnostic"].pk]


def test_a_partner_manager_lands_on_the_partner_caseload(client, manager, files):
    """A manager follows no file themselves: an empty "my caseload" would greet them, so they land on the partner's."""
    client.force_login(manager)
    html = client.get(url()).content.decode()
    assert set(listed_ids(html)) == {files["mine"].pk, files["mine_diagnostic"].pk, files["colleague"].pk}
    assert 'name="scope" value="partner"' in html
    assert listed_ids(client.get(url(scope="mine")).content.decode()) == []


def test_a_coach_still_lands_on_their_own_caseload(client, coach, files):
    client.force_login(coach)
    html = client.get(url()).content.decode()
    assert 'name="scope" value="mine"' in html
    assert set(listed_ids(html)) == {files["mine"].pk, files["mine_diagnostic"].pk}


def test_the_number_of_weeks_alone_is_the_stalled_filter(client, coach, files):
    idle_since(files["mine"], 10 * 7 + 1)
    idle_since(files["mine_diagnostic"], 4 * 7 + 1)
    client.force_login(coach)
    html = client.get(url(weeks=4)).content.decode()
    assert listed_ids(html) == [files["mine"].pk, files["mine_diagnostic"].pk]
    assert 'name="weeks" id="id_weeks" value="4"' in html
    # An empty number of weeks: everyone, and the field stays empty.
    html = client.get(url(weeks="")).content.decode()
    assert set(listed_ids(html)) == {files["mine"].pk, files["mine_diagnostic"].pk}
    assert 'name="weeks" id="id_weeks" value=""' in html


def test_a_wrong_number_of_weeks_says_so_in_the_field(client, coach, files):
    idle_since(files["mine"], 10 * 7 + 1)
    client.force_login(coach)
    with translation.override("en"):
        html = client.get(url("en", weeks="abc")).content.decode()
    assert "Enter a number of weeks between 1 and 52." in html
    assert 'id="id_weeks-error"' in html and 'value="abc"' in html
    # The wrong value filters nothing out.
    assert set(listed_ids(html)) == {files["mine"].pk, files["mine_diagnostic"].pk}


def test_the_stalled_filter_uses_the_number_of_weeks_from_the_url(client, coach, files):
    idle_since(files["mine"], 10 * 7 + 1)
    idle_since(files["mine_diagnostic"], 4 * 7 + 1)
    client.force_login(coach)
    default = client.get(url(stalled="on")).content.decode()
    assert listed_ids(default) == [files["mine"].pk]
    four = client.get(url(stalled="on", weeks=4)).content.decode()
    # Oldest activity first.
    assert listed_ids(four) == [files["mine"].pk, files["mine_diagnostic"].pk]
    eleven = client.get(url(stalled="on", weeks=11)).content.decode()
    assert listed_ids(eleven) == []


def test_an_out_of_range_number_of_weeks_falls_back_to_six(client, coach, files):
    idle_since(files["mine"], 10 * 7 + 1)
    idle_since(files["mine_diagnostic"], 4 * 7 + 1)
    client.force_login(coach)
    for weeks in ("0", "53", "abc"):
        html = client.get(url(stalled="on", weeks=weeks)).content.decode()
        assert listed_ids(html) == [files["mine"].pk], weeks


def test_a_stalled_file_carries_a_tag_with_its_weeks(client, coach, files):
    idle_since(files["mine"], 10 * 7 + 1)
    client.force_login(coach)
    with translation.override("fr"):
        html = client.get(url()).content.decode()
    assert html.count("govuk-tag--red") == 1
    assert re.search(r"govuk-tag--red\">[^<]*10[^<]*</strong>", html)


def test_the_actions_due_filter_keeps_files_with_an_action_to_do_within_a_week(client, coach, files):
    add_action(files["mine"], TODAY + datetime.timedelta(days=7))
    add_action(files["mine"], TODAY + datetime.timedelta(days=30))
    add_action(files["mine_diagnostic"], TODAY + datetime.timedelta(days=8))
    add_action(files["mine_diagnostic"], TODAY - datetime.timedelta(days=1), status="done")
    client.force_login(coach)
    html = client.get(url(due="on")).content.decode()
    assert listed_ids(html) == [files["mine"].pk]
    # The column shows the earliest action still to do.
    assert (TODAY + datetime.timedelta(days=7)).strftime("%d/%m/%Y") in html


@pytest.fixture
def thirty(counsellor, coach, partners) -> list[Trajectory]:
    rows = [
        make_trajectory(step=Step.DIAGNOSTIC, counsellor=counsellor, coach=coach, partner=partners["credal"])
        for _ in range(30)
    ]
    for n, trajectory in enumerate(rows):
        idle_since(trajectory, 50 + n % 7)  # ties on purpose: the id breaks them
        add_action(trajectory, TODAY + datetime.timedelta(days=n % 3))
    return rows


@pytest.mark.parametrize("params", [{}, {"sort": "activity"}, {"stalled": "on", "weeks": "2"}, {"due": "on"}])
def test_keyset_pages_list_every_row_once_and_keep_the_filters(client, coach, thirty, params):
    client.force_login(coach)
    seen: list[int] = []
    link = url(**params)
    pages = 0
    while link:
        html = client.get(link).content.decode()
        seen += listed_ids(html)
        nxt = next_link(html)
        if nxt:
            query = parse_qs(urlsplit(nxt).query)
            for name, value in params.items():
                assert query[name] == [value], (name, nxt)
            assert "offset" not in nxt and "page=" not in nxt
            link = url() + nxt
        else:
            link = ""
        pages += 1
    assert pages == 2
    assert sorted(seen) == sorted(t.pk for t in thirty)
    assert len(seen) == len(set(seen))


def test_a_page_of_thirty_rows_takes_a_bounded_number_of_queries(client, coach, thirty, django_assert_max_num_queries):
    client.force_login(coach)
    # 11: one more for the collective sessions offered by the "register to a session" bulk action.
    with django_assert_max_num_queries(11):
        response = client.get(url(scope="partner", stalled="on", due="on", sort="activity"))
    assert len(listed_ids(response.content.decode())) == caseload_view.PAGE_SIZE
    with django_assert_max_num_queries(11):
        client.get(url(scope="partner", after=thirty[0].pk))


def test_partner_staff_assign_ticked_files_to_a_coach_of_their_partner(client, manager, second_coach, files):
    client.force_login(manager)
    picked = [files["mine"], files["mine_diagnostic"]]
    versions = {t.pk: t.version for t in picked}
    back = url(scope="partner", step=Step.ACCOMPANIMENT)
    response = client.post(back, {"selected": [t.pk for t in picked], "assign_to": second_coach.pk})
    assert response.status_code == 302 and response["Location"] == back
    for trajectory in picked:
        trajectory.refresh_from_db()
        assert trajectory.coach == second_coach
        assert trajectory.version == versions[trajectory.pk] + 1
    assert AuditEvent.objects.filter(action="assign_coach", user_id_ref=manager.pk).count() == 2


def test_a_stalled_file_handed_to_another_coach_stays_on_the_stalled_list(client, manager, second_coach, files):
    client.force_login(manager)
    stalled = files["mine"]
    idle_since(stalled, 60)
    client.post(url(scope="partner"), {"selected": [stalled.pk], "assign_to": second_coach.pk})
    stalled.refresh_from_db()
    assert stalled.coach == second_coach
    html = client.get(url(scope="partner", stalled="on", weeks="4")).content.decode()
    assert stalled.pk in listed_ids(html)


def test_assigning_to_a_coach_of_another_partner_changes_nothing(client, manager, other_coach, files):
    client.force_login(manager)
    client.post(url(scope="partner"), {"selected": [files["mine"].pk], "assign_to": other_coach.pk})
    files["mine"].refresh_from_db()
    assert files["mine"].coach.username == "demo-coach-credal"
    assert not AuditEvent.objects.filter(action="assign_coach").exists()


@pytest.mark.parametrize("which", ["foreign", "closed"])
def test_one_file_outside_the_open_caseload_refuses_the_whole_batch(client, manager, second_coach, files, which):
    client.force_login(manager)
    before = {t.pk: (t.coach_id, t.version) for t in Trajectory.objects.all()}
    client.post(url(scope="partner"), {"selected": [files["mine"].pk, files[which].pk], "assign_to": second_coach.pk})
    assert {t.pk: (t.coach_id, t.version) for t in Trajectory.objects.all()} == before
    assert not AuditEvent.objects.filter(action="assign_coach").exists()


def test_the_service_refuses_a_foreign_file_or_coach_and_writes_nothing(manager, second_coach, other_coach, files):
    with pytest.raises(PathwayError):
        assign_coach(trajectories=[files["mine"], files["foreign"]], coach=second_coach, by=manager)
    with pytest.raises(PathwayError):
        assign_coach(trajectories=[files["mine"]], coach=other_coach, by=manager)
    files["mine"].refresh_from_db()
    assert files["mine"].coach.username == "demo-coach-credal"
    assert not AuditEvent.objects.filter(action="assign_coach").exists()


@pytest.mark.parametrize("username", ["demo-counsellor", "demo-jobseeker", "demo-programme-manager", "nobody"])
def test_people_outside_partner_staff_get_403(client, cast, files, username):
    client.force_login(cast[username])
    assert client.get(url(scope="partner")).status_code == 403
    assert client.post(url(), {"selected": [files["mine"].pk], "assign_to": 1}).status_code == 403


@pytest.mark.parametrize("lang", ["fr", "nl"])
def test_the_caseload_renders_in_french_and_dutch(client, coach, files, lang):
    idle_since(files["mine"], 10 * 7 + 1)
    client.force_login(coach)
    for scope in ("mine", "partner"):
        response = client.get(url(lang, scope=scope, stalled="on"))
        assert response.status_code == 200
        html = response.content.decode()
        assert f'lang="{lang}"' in html
        with translation.override(lang):
            assert escape(str(translation.gettext("My caseload"))) in html
        assert files["mine"].reference in html


@pytest.mark.parametrize(("who", "first"), [("demo-partner-manager-credal", "partner"), ("demo-coach-credal", "mine")])
def test_the_home_page_leads_each_role_to_the_caseload_they_work_from(client, cast, who, first):
    client.force_login(cast[who])
    with translation.override("fr"):
        html = client.get(reverse("workspace:home")).content.decode()
        base = reverse("workspace:caseload")
    scopes = re.findall(rf'href="{base}\?scope=(\w+)"', html)
    assert scopes[:2] == [first, "mine" if first == "partner" else "partner"]
    assert f'govuk-!-font-weight-bold" href="{base}?scope={first}"' in html


def test_an_action_past_its_due_date_is_tagged_overdue(client, coach, files):
    add_action(files["mine"], TODAY - datetime.timedelta(days=1))
    add_action(files["mine_diagnostic"], TODAY + datetime.timedelta(days=1))
    client.force_login(coach)
    with translation.override("nl"):
        html = client.get(url("nl")).content.decode()
        overdue = escape(translation.gettext("Overdue"))
    assert html.count(f'<strong class="govuk-tag govuk-tag--red">{overdue}</strong>') == 1
    row = html[html.index(files["mine"].reference) :]
    assert overdue in row[: row.index("</tr>")]
