"""The worklist's "All scheduled" view: every follow-up still to come, however far ahead, in the user's scope.

"Upcoming in 30 days" stays as it was: a follow-up due in five months is only under "All scheduled".
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from django.utils import translation

from autocrea.pathways import followups, services
from autocrea.pathways.followups import View
from autocrea.pathways.models import FollowUp
from autocrea.workspace.views import followups as followup_views
from tests.test_followups import TODAY, days, exited, listed, url

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    with translation.override("en"):
        yield


@pytest.fixture
def future(partners, counsellor, coach, other_coach):
    """Follow-ups of credal (coach) and microstart (other_coach), due from yesterday to in seven months."""
    return {
        "yesterday": exited(partners, counsellor, coach, due_in=-1),
        "today": exited(partners, counsellor, coach, due_in=0),
        "tomorrow": exited(partners, counsellor, coach, due_in=1),
        "in_30": exited(partners, counsellor, coach, due_in=30),
        "in_31": exited(partners, counsellor, coach, due_in=31),
        "in_5_months": exited(partners, counsellor, coach, due_in=150),
        "in_7_months": exited(partners, counsellor, coach, due_in=213),
        "foreign": exited(partners, counsellor, other_coach, slug="microstart", due_in=120),
    }


def _ids(future, *names: str) -> list[int]:
    return [future[name].pk for name in names]


def test_a_follow_up_due_in_five_months_is_scheduled_but_not_upcoming(client, coach, future):
    client.force_login(coach)
    scheduled = listed(client.get(url("follow_ups", query="show=scheduled")).content.decode())
    upcoming = listed(client.get(url("follow_ups", query="show=upcoming")).content.decode())
    assert future["in_5_months"].pk in scheduled
    assert future["in_5_months"].pk not in upcoming
    # Upcoming keeps its 30 days; scheduled starts tomorrow (today's follow-up is due, not scheduled).
    assert set(upcoming) == set(_ids(future, "tomorrow", "in_30"))
    assert set(scheduled) == set(_ids(future, "tomorrow", "in_30", "in_31", "in_5_months", "in_7_months"))


def test_the_scheduled_list_is_sorted_by_due_date_both_ways(client, coach, future):
    client.force_login(coach)
    earliest = listed(client.get(url("follow_ups", query="show=scheduled")).content.decode())
    assert earliest == _ids(future, "tomorrow", "in_30", "in_31", "in_5_months", "in_7_months")
    latest = listed(client.get(url("follow_ups", query="show=scheduled&sort=-due")).content.decode())
    assert latest == list(reversed(earliest))


def test_the_scheduled_list_pages_by_key_without_losing_a_row(client, coach, future, monkeypatch):
    monkeypatch.setattr(followup_views, "PAGE_SIZE", 2)
    client.force_login(coach)
    seen: list[int] = []
    next_url = url("follow_ups", query="show=scheduled")
    while next_url:
        html = client.get(next_url).content.decode()
        seen += listed(html)
        found = re.search(r'href="([^"]*)" rel="next"', html)
        next_url = url("follow_ups") + found.group(1).replace("&amp;", "&") if found else ""
        assert not found or "show=scheduled" in found.group(1)  # the view stays in the URL
    assert seen == _ids(future, "tomorrow", "in_30", "in_31", "in_5_months", "in_7_months")


def test_each_scheduled_row_shows_the_due_date_and_the_exit(client, coach, future):
    client.force_login(coach)
    html = client.get(url("follow_ups", query="show=scheduled")).content.decode()
    t = future["in_5_months"]
    follow_up = FollowUp.objects.select_related("exit__kind").get(trajectory=t)
    row = re.search(
        rf'<tr class="govuk-table__row">\s*<th scope="row"[^>]*>\s*<a[^>]*/trajectories/{t.pk}/".*?</tr>', html, re.S
    )
    assert row
    assert f'<time datetime="{days(150).isoformat()}">{days(150).strftime("%d/%m/%Y")}</time>' in row.group(0)
    assert follow_up.exit.exit_on.strftime("%d/%m/%Y") in row.group(0)
    assert str(follow_up.exit.kind) in row.group(0)


def test_scheduled_follows_the_worklist_scope(client, counsellor, coach, other_coach, future):
    """The same scope as every worklist view: a partner's staff their partner only, the counsellor all."""
    mine = _ids(future, "tomorrow", "in_30", "in_31", "in_5_months", "in_7_months")
    client.force_login(coach)
    html = client.get(url("follow_ups", query="show=scheduled")).content.decode()
    assert listed(html) == mine
    assert future["foreign"].jobseeker.last_name not in html
    client.force_login(other_coach)
    html = client.get(url("follow_ups", query="show=scheduled")).content.decode()
    assert listed(html) == [future["foreign"].pk]
    assert future["in_5_months"].jobseeker.last_name not in html
    client.force_login(counsellor)
    assert set(listed(client.get(url("follow_ups", query="show=scheduled")).content.decode())) == {
        *mine,
        future["foreign"].pk,
    }
    assert followups.view_counts(counsellor, today=TODAY)[View.SCHEDULED] == 6
    assert followups.view_counts(coach, today=TODAY)[View.SCHEDULED] == 5
    assert followups.view_counts(other_coach, today=TODAY)[View.SCHEDULED] == 1


def test_closed_or_voided_follow_ups_are_not_scheduled(client, counsellor, coach, future):
    services.record_follow_up(
        trajectory=future["tomorrow"], by=coach, on=TODAY, responded=True, situation="employed", source="phone"
    )
    services.reopen(trajectory=future["in_5_months"], by=counsellor, channel="phone", on=TODAY, reason="Came back")
    client.force_login(coach)
    assert listed(client.get(url("follow_ups", query="show=scheduled")).content.decode()) == _ids(
        future, "in_30", "in_31", "in_7_months"
    )


def test_the_scheduled_tab_shows_its_count_and_keeps_the_sort(client, coach, future):
    client.force_login(coach)
    html = client.get(url("follow_ups", query="sort=-due")).content.decode()
    tab = re.search(
        r'<a class="govuk-link" href="([^"]*show=scheduled[^"]*)">All scheduled<span[^>]*>(\d+)</span>', html
    )
    assert tab
    assert tab.group(2) == "5"
    assert "sort=-due" in tab.group(1)
    current = client.get(url("follow_ups", query="show=scheduled")).content.decode()
    assert 'aria-current="page">All scheduled<' in current
    assert "<title>Follow-ups at six months – All scheduled" in current


@pytest.mark.parametrize("lang", ["fr", "nl"])
def test_the_scheduled_view_is_labelled_in_french_and_dutch(client, coach, future, lang):
    client.force_login(coach)
    html = client.get(url("follow_ups", lang=lang, query="show=scheduled")).content.decode()
    with translation.override(lang):
        label = str(translation.gettext("All scheduled"))
        upcoming = str(translation.gettext("Upcoming in 30 days"))
        intro = translation.gettext(
            "Every follow-up still to come, however far ahead, with the exit it follows: use this list to plan "
            "your work."
        )
    assert f'aria-current="page">{label}<' in html
    assert f'<h2 class="govuk-heading-m" id="list-heading">{label}</h2>' in html
    assert upcoming in html  # the 30-day view stays next to it
    assert intro in html.replace("&#x27;", "'")


def test_the_trajectory_page_shows_the_follow_up_due_date_after_an_exit(client, coach, future):
    t = future["in_5_months"]
    client.force_login(coach)
    html = client.get(url("trajectory", t.pk)).content.decode()
    assert "Follow-up six months after the exit" in html
    assert f"due on {days(150).strftime('%d/%m/%Y')}" in html


def test_the_trajectory_page_does_not_show_a_due_date_for_a_voided_exit(client, counsellor, coach, future):
    t = future["in_5_months"]
    services.reopen(trajectory=t, by=counsellor, channel="phone", on=TODAY, reason="Came back")
    client.force_login(coach)
    html = client.get(url("trajectory", t.pk)).content.decode()
    assert "Follow-up six months after the exit" in html
    assert f"due on {days(150).strftime('%d/%m/%Y')}" not in html
    assert "Cancelled: the exit was voided" in html
