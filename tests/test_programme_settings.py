"""Programme settings: the period, targets and per-partner quotas in the database, the page that edits
them (programme managers only, per-field errors, stale versions refused, every change audited), and
every figure reading them (dashboards, kpis --json, the API, the PDF report, the forecast)."""

from __future__ import annotations

import datetime
import io
import json
import re
from decimal import Decimal
from typing import Any

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import translation

from autocrea.accounts.models import AuditEvent
from autocrea.accounts.tokens import issue_token
from autocrea.backbone.steps import Step
from autocrea.partners import programme
from autocrea.partners.models import Partner, Programme
from autocrea.reporting import disclosure, kpis, summaries
from autocrea.reporting.formatting import fmt
from tests.factories import make_trajectory
from tests.test_html_validity import _check, vnu  # noqa: F401 - the Nu Html Checker fixture


def _url(name: str, lang: str = "en") -> str:
    with translation.override(lang):
        return reverse(name)


def _text(response: Any) -> str:
    return re.sub(r"[ \t\r\n]+", " ", response.content.decode())


@pytest.fixture
def world(cast: dict[str, Any], partners: dict[str, Any]) -> dict[str, Any]:
    """Crédal: 7 people guided (6 exits); microStart: 3 guided and exited."""
    counsellor = cast["demo-counsellor"]
    credal, microstart = partners["credal"], partners["microstart"]
    coach_c, coach_m = cast["demo-coach-credal"], cast["demo-coach-microstart"]
    for kind in ["salaried_job"] * 4 + ["dropped_out"] * 2:
        make_trajectory(step=Step.EXIT, counsellor=counsellor, coach=coach_c, partner=credal, exit_kind=kind)
    make_trajectory(step=Step.ACCOMPANIMENT, counsellor=counsellor, coach=coach_c, partner=credal)
    for _ in range(3):
        make_trajectory(step=Step.EXIT, counsellor=counsellor, coach=coach_m, partner=microstart)
    return {"credal": credal, "microstart": microstart, "partners": partners}


def _post_data(form_partners: list[Partner] | None = None, **overrides: Any) -> dict[str, Any]:
    """The settings form as the page shows it now, with `overrides` typed in (quota_<slug> for quotas)."""
    saved = programme.current()
    data: dict[str, Any] = {
        "version": saved.version,
        "start": saved.start.strftime("%d/%m/%Y"),
        "end": saved.end.strftime("%d/%m/%Y"),
        "target_guided": str(saved.target_guided),
        "target_positive_rate": "" if saved.target_positive_rate is None else str(saved.target_positive_rate),
        "target_job_creation_rate": ""
        if saved.target_job_creation_rate is None
        else str(saved.target_job_creation_rate),
    }
    for partner in form_partners if form_partners is not None else programme.quota_partners():
        data[f"quota_{partner.pk}"] = "" if partner.quota_guided is None else str(partner.quota_guided)
    for key, value in overrides.items():
        if key.startswith("quota_") and not key[6:].isdigit():
            key = f"quota_{Partner.objects.get(slug=key[6:]).pk}"
        data[key] = value
    return data


def _audited() -> list[str]:
    return list(
        AuditEvent.objects.filter(action__startswith="programme:").order_by("pk").values_list("action", flat=True)
    )


def _recorded() -> list[tuple[str, str, str]]:
    """Every value changed, oldest first, with its old and new value: from the history (django-simple-history)."""
    with translation.override("en"):
        return [(c.what, c.old, c.new) for c in reversed(programme.history(limit=100))]


# ---------------------------------------------------------------- the stored configuration


def test_the_migration_seeds_the_settings_values_so_nothing_changes(db):
    saved = Programme.objects.get()
    assert saved.start == datetime.date.fromisoformat(settings.PROGRAMME["start"]) == datetime.date(2024, 1, 1)
    assert saved.end == datetime.date.fromisoformat(settings.PROGRAMME["end"]) == datetime.date(2027, 12, 31)
    assert saved.target_guided == settings.PROGRAMME["target_guided"] == 4000
    assert (saved.target_positive_rate, saved.target_job_creation_rate) == (Decimal("50.0"), Decimal("12.0"))
    assert saved.version == 1
    assert not Partner.objects.filter(quota_guided__isnull=False).exists()


def test_without_a_row_the_settings_are_the_fallback(db):
    Programme.objects.all().delete()
    fallback = programme.current()
    assert fallback.pk is None and fallback.version == 0
    assert kpis.programme_window() == (datetime.date(2024, 1, 1), datetime.date(2027, 12, 31))
    assert fallback.target_guided == 4000


def test_the_database_refuses_an_end_before_the_start_and_rates_above_100(db):
    saved = Programme.objects.get()
    with pytest.raises(ValidationError) as error:
        Programme(start=saved.end, end=saved.start, target_guided=10).full_clean()
    assert "programme_ends_after_start" in str(error.value) or "end" in str(error.value).lower()
    with transaction.atomic(), pytest.raises(IntegrityError):
        Programme.objects.filter(pk=saved.pk).update(end=saved.start)
    with transaction.atomic(), pytest.raises(IntegrityError):
        Programme.objects.filter(pk=saved.pk).update(target_positive_rate=Decimal("100.5"))
    with transaction.atomic(), pytest.raises(IntegrityError):
        Programme.objects.filter(pk=saved.pk).update(target_guided=0)


# ---------------------------------------------------------------- who may open the page


@pytest.mark.parametrize(("lang", "heading"), [("fr", 'lang="fr"'), ("nl", 'lang="nl"'), ("en", 'lang="en"')])
def test_the_programme_manager_sees_the_settings_in_each_language(client, cast, world, lang, heading):
    client.force_login(cast["demo-programme-manager"])
    response = client.get(_url("reporting:programme_settings", lang))
    assert response.status_code == 200
    html = _text(response)
    assert heading in html
    assert 'name="start" value="01/01/2024"' in html and 'name="end" value="31/12/2027"' in html
    assert 'name="target_guided" value="4000"' in html
    for partner in Partner.objects.filter(active=True):
        assert f'name="quota_{partner.pk}"' in html and partner.name_in(lang) in html
    with translation.override(lang):
        assert str(programme.field_labels()["target_guided"]) in html


@pytest.mark.parametrize(
    "username",
    ["demo-partner-manager-credal", "demo-coach-credal", "demo-counsellor", "demo-jobseeker", "demo-admin", "nobody"],
)
def test_everyone_else_is_refused_and_writes_nothing(client, cast, world, username):
    client.force_login(cast[username])
    url = _url("reporting:programme_settings")
    assert client.get(url).status_code == 403
    assert client.post(url, _post_data(target_guided="10")).status_code == 403
    assert Programme.objects.get().target_guided == 4000 and not _audited()


def test_anonymous_visitors_are_sent_to_sign_in(client, db):
    response = client.get(_url("reporting:programme_settings"))
    assert response.status_code == 302 and "login" in response["Location"]


def test_the_programme_dashboard_links_to_the_settings_and_the_partner_one_does_not(client, cast, world):
    client.force_login(cast["demo-programme-manager"])
    assert _url("reporting:programme_settings") in client.get(_url("reporting:programme")).content.decode()
    client.force_login(cast["demo-partner-manager-credal"])
    assert _url("reporting:programme_settings") not in client.get(_url("reporting:partner")).content.decode()


# ---------------------------------------------------------------- saving, and every change in the audit


def test_a_save_writes_bumps_the_version_and_audits_each_change_old_to_new(client, cast, world):
    manager = cast["demo-programme-manager"]
    client.force_login(manager)
    data = _post_data(
        start="01/02/2024",
        end="30/06/2028",
        target_guided="4.500",  # Belgian thousands separator
        target_positive_rate="55",
        target_job_creation_rate="12,5",
        quota_credal="800",
        quota_microstart="1 000",
    )
    response = client.post(_url("reporting:programme_settings"), data)
    assert response.status_code == 302
    saved = Programme.objects.get()
    assert (saved.start, saved.end, saved.target_guided) == (
        datetime.date(2024, 2, 1),
        datetime.date(2028, 6, 30),
        4500,
    )
    assert (saved.target_positive_rate, saved.target_job_creation_rate) == (Decimal("55.0"), Decimal("12.5"))
    assert saved.version == 2 and saved.updated_by == manager
    assert Partner.objects.get(slug="credal").quota_guided == 800
    assert Partner.objects.get(slug="microstart").quota_guided == 1000
    # The audit trail says what changed; the old and new values are in the history, not in the action.
    assert _audited() == [
        "programme:start",
        "programme:end",
        "programme:target_guided",
        "programme:target_positive_rate",
        "programme:target_job_creation_rate",
        "programme:quota",
        "programme:quota",
    ]
    assert _recorded() == [
        ("Start of the programme", "01/01/2024", "01/02/2024"),
        ("End of the programme", "31/12/2027", "30/06/2028"),
        ("Target of people guided", "4000", "4500"),
        ("Target positive-exit rate", "50\u00a0%", "55\u00a0%"),
        ("Target job-creation rate", "12\u00a0%", "12.5\u00a0%"),
        (f"Quota of {world['credal'].name_in('en')}", "–", "800"),
        (f"Quota of {world['microstart'].name_in('en')}", "–", "1000"),
    ]
    assert Programme.history.filter(history_type="~").get().history_user == manager
    events = AuditEvent.objects.filter(action__startswith="programme:quota")
    assert {e.object_type for e in events} == {"partner"}
    assert {e.object_id for e in events} == {world["credal"].pk, world["microstart"].pk}
    assert {e.user_id_ref for e in AuditEvent.objects.filter(action__startswith="programme:")} == {manager.pk}
    # The page lists the changes, newest first, with who made them and the values before and after.
    with translation.override("en"):
        page = _text(client.get(_url("reporting:programme_settings")))
        assert "The programme settings are saved." in page
        credal_quota = programme.history()[1]
    assert credal_quota.what == f"Quota of {world['credal'].name_in('en')}"
    assert (credal_quota.old, credal_quota.new) == ("–", "800")
    assert "30/06/2028" in page and "31/12/2027" in page
    assert (manager.get_full_name() or manager.get_username()) in page


def test_saving_unchanged_values_writes_nothing(client, cast, world):
    client.force_login(cast["demo-programme-manager"])
    response = client.post(_url("reporting:programme_settings"), _post_data(), follow=True)
    assert response.status_code == 200
    assert Programme.objects.get().version == 1 and not _audited()
    with translation.override("en"):
        assert "Nothing was changed." in _text(response)


def test_clearing_a_quota_and_a_rate_target_is_audited(client, cast, world):
    Partner.objects.filter(slug="credal").update(quota_guided=700)
    client.force_login(cast["demo-programme-manager"])
    data = _post_data(quota_credal="", target_job_creation_rate="")
    assert client.post(_url("reporting:programme_settings"), data).status_code == 302
    assert Partner.objects.get(slug="credal").quota_guided is None
    assert Programme.objects.get().target_job_creation_rate is None
    assert _audited() == ["programme:target_job_creation_rate", "programme:quota"]
    # The quota was set outside the settings page (a queryset update): its old value is still the real one.
    assert _recorded() == [
        ("Target job-creation rate", "12\u00a0%", "–"),
        (f"Quota of {world['credal'].name_in('en')}", "700", "–"),
    ]


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"end": "31/12/2023"}, "end", "The end of the programme must be after its start."),
        ({"end": "01/01/2024"}, "end", "The end of the programme must be after its start."),
        ({"start": "2024-01-01"}, "start", "Enter the date as day/month/year, for example 31/12/2027."),
        ({"start": ""}, "start", "Enter the date as day/month/year, for example 31/12/2027."),
        ({"end": "31/12/2199"}, "end", "Enter a date between 2000 and 2099."),
        ({"target_guided": "-5"}, "target_guided", "Enter a number of people from 1 to 1,000,000."),
        ({"target_guided": "0"}, "target_guided", "Enter a number of people from 1 to 1,000,000."),
        ({"target_guided": "40000000"}, "target_guided", "Enter a number of people from 1 to 1,000,000."),
        ({"target_guided": "4000,5"}, "target_guided", "Enter a whole number of people, for example 4000."),
        ({"target_guided": "lots"}, "target_guided", "Enter a whole number of people, for example 4000."),
        ({"target_guided": ""}, "target_guided", "Enter the target of people guided, for example 4000."),
        (
            {"target_positive_rate": "150"},
            "target_positive_rate",
            "Enter a percentage from 0 to 100, for example 12,5.",
        ),
        ({"target_positive_rate": "-1"}, "target_positive_rate", "Enter a percentage from 0 to 100, for example 12,5."),
        (
            {"target_positive_rate": "NaN"},
            "target_positive_rate",
            "Enter a percentage from 0 to 100, for example 12,5.",
        ),
        (
            {"target_job_creation_rate": "12,25"},
            "target_job_creation_rate",
            "Enter the percentage with at most one decimal, for example 12,5.",
        ),
        ({"quota_credal": "-3"}, "quota_credal", "Enter a number of people from 0 to 1,000,000."),
        ({"quota_credal": "5000"}, "quota_credal", "cannot be more than the programme target (4,000)."),
    ],
)
def test_bad_input_gets_a_message_on_its_field_and_writes_nothing(client, cast, world, overrides, field, message):
    client.force_login(cast["demo-programme-manager"])
    with translation.override("en"):
        response = client.post(_url("reporting:programme_settings"), _post_data(**overrides))
    assert response.status_code == 200
    html = _text(response)
    field_id = "id_" + (f"quota_{world['credal'].pk}" if field == "quota_credal" else field)
    assert f'href="#{field_id}"' in html  # the error summary links to the field
    assert f'id="{field_id}-error"' in html and 'aria-invalid="true"' in html
    assert message in html.replace("&#x27;", "'")
    assert "<title>Error:" in html
    assert "People guided so far: 7" in html  # Crédal's count beside its quota, kept on a page with errors
    assert Programme.objects.get().version == 1 and not _audited()
    assert not Partner.objects.filter(quota_guided__isnull=False).exists()


def test_quotas_above_the_target_need_a_confirmation(client, cast, world):
    client.force_login(cast["demo-programme-manager"])
    data = _post_data(target_guided="1000", quota_credal="600", quota_microstart="500")
    with translation.override("en"):
        refused = _text(client.post(_url("reporting:programme_settings"), data))
    assert "The quotas add up to 1,100 people, 100 more than the target of 1,000." in refused
    assert 'id="id_confirm_over_target"' in refused
    assert Programme.objects.get().version == 1 and not _audited()
    data["confirm_over_target"] = "on"
    assert client.post(_url("reporting:programme_settings"), data).status_code == 302
    assert Programme.objects.get().target_guided == 1000
    assert sorted(Partner.objects.exclude(quota_guided=None).values_list("quota_guided", flat=True)) == [500, 600]
    with translation.override("en"):
        page = _text(client.get(_url("reporting:programme_settings")))
    assert "The quotas saved add up to 1,100 people, for a target of 1,000. That is more than the target." in page


# ---------------------------------------------------------------- two managers at once


def test_a_stale_form_is_refused_and_shows_what_the_other_manager_saved(client, cast, world):
    first, second = cast["demo-programme-manager"], cast["demo-programme-manager"]
    client.force_login(first)
    stale = _post_data(target_guided="5000")  # built from version 1, like the second manager's open page
    assert client.post(_url("reporting:programme_settings"), _post_data(target_guided="4200")).status_code == 302
    assert Programme.objects.get().version == 2
    client.force_login(second)
    with translation.override("en"):
        response = client.post(_url("reporting:programme_settings"), stale)
    assert response.status_code == 200
    html = _text(response)
    assert "saved the programme settings while you were editing them. Nothing of yours was saved." in html
    assert "4,200" in html  # what the other manager saved is listed
    assert 'name="target_guided" value="5000"' in html  # the user's own entry is kept
    assert 'name="version" value="2"' in html  # and the next save is based on what they have now seen
    assert Programme.objects.get().target_guided == 4200
    assert _audited() == ["programme:target_guided"]
    assert _recorded() == [("Target of people guided", "4000", "4200")]
    # Saving again, knowingly, goes through.
    assert client.post(_url("reporting:programme_settings"), {**stale, "version": "2"}).status_code == 302
    assert Programme.objects.get().target_guided == 5000 and Programme.objects.get().version == 3


def test_the_service_refuses_a_stale_version_and_non_managers(cast, world):
    values = programme.Values(
        start=datetime.date(2024, 1, 1),
        end=datetime.date(2027, 12, 31),
        target_guided=3000,
        target_positive_rate=None,
        target_job_creation_rate=None,
        quotas={},
    )
    with pytest.raises(programme.ProgrammeConflict) as conflict:
        programme.save_programme(values=values, version=7, by=cast["demo-programme-manager"])
    assert conflict.value.current.version == 1
    with pytest.raises(programme.NotAllowed):
        programme.save_programme(values=values, version=1, by=cast["demo-partner-manager-credal"])
    assert Programme.objects.get().target_guided == 4000 and not _audited()
    programme.save_programme(values=values, version=1, by=cast["demo-programme-manager"])
    assert Programme.objects.get().target_guided == 3000


# ---------------------------------------------------------------- the figures use the configured values


def _configure(*, target: int = 20, end: datetime.date | None = None, credal: int | None = 8) -> None:
    saved = Programme.objects.get()
    Programme.objects.filter(pk=saved.pk).update(target_guided=target, end=end or saved.end)
    Partner.objects.filter(slug="credal").update(quota_guided=credal)


def test_the_figures_read_the_configured_target_and_quotas(world):
    _configure(target=20, credal=8)
    for source in ("summary", "full"):
        figures = kpis.compute_kpis(start=None, end=None, partner_id=None, source=source)
        target = figures["target"]
        assert (target["target"], target["guided"], target["remaining"]) == (20, 10, 10)
        assert target["share_of_target"] == 0.5
        assert (target["positive_rate_target"], target["job_creation_rate_target"]) == (0.5, 0.12)
        quotas = {row["partner"]: row for row in target["quotas"]}
        assert quotas["credal"] == {
            "partner": "credal",
            "quota": 8,
            "guided": 7,
            "share_of_quota": 7 / 8,
            "remaining": 1,
        }
        assert quotas["microstart"] == {
            "partner": "microstart",
            "quota": None,
            "guided": 3,
            "share_of_quota": None,
            "remaining": None,
        }
        assert set(quotas) == set(Partner.objects.filter(active=True).values_list("slug", flat=True))
        assert target["quota_total"] == 8
        assert figures["forecast"]["target"] == 20
    assert kpis.compute_kpis(start=None, end=None, partner_id=None, source="summary") == kpis.compute_kpis(
        start=None, end=None, partner_id=None, source="full"
    )


def test_one_partners_figures_carry_only_its_quota_and_a_forecast_against_it(world):
    _configure(credal=8)
    credal = world["credal"]
    figures = kpis.compute_kpis(start=None, end=None, partner_id=credal.pk)
    assert [row["partner"] for row in figures["target"]["quotas"]] == ["credal"]
    forecast = figures["forecast"]
    assert forecast["quota"] == 8
    # Nobody is left in Crédal's pipeline: the forecast is the 7 already guided, short of a quota of 8.
    assert forecast["expected_guided_at_end"] == 7 and forecast["probability_quota_met"] == 0.0
    assert kpis.compute_kpis(start=None, end=None, partner_id=credal.pk, source="full") == figures


def test_the_period_and_the_forecast_follow_the_configured_dates(world):
    today = datetime.date.today()
    new_end = today + datetime.timedelta(days=100)
    Programme.objects.update(start=datetime.date(2025, 1, 1), end=new_end)
    start, end, _today = kpis.resolve_period(start=None, end=None)
    assert (start, end) == (datetime.date(2025, 1, 1), new_end)
    figures = kpis.compute_kpis(start=None, end=None, partner_id=None)
    assert figures["period"]["end"] == figures["target"]["programme_end"] == new_end.isoformat()
    assert figures["forecast"]["programme_end"] == new_end.isoformat()
    # An end before today: nothing is left to forecast beyond the people already guided.
    Programme.objects.update(end=today - datetime.timedelta(days=1))
    past = kpis.compute_kpis(start=None, end=None, partner_id=None)["forecast"]
    assert past["expected_guided_at_end"] == past["guided_so_far"] and past["inflow"]["included"] is False


def test_the_command_and_the_api_give_the_same_quota_figures(client, cast, world):
    _configure(target=20, credal=8)
    out = io.StringIO()
    call_command("kpis", "--json", stdout=out)
    command = json.loads(out.getvalue())
    auth = {"HTTP_AUTHORIZATION": f"Bearer {issue_token(user=cast['demo-programme-manager'])}"}
    api = client.get("/api/kpis", **auth).json()
    engine = json.loads(json.dumps(kpis.compute_kpis(start=None, end=None, partner_id=None)))
    engine["as_of"] = summaries.as_of_iso()  # when the summaries were built (API and command say it)
    assert command["target"] == engine["target"]
    # The API publishes the engine's figures under the one disclosure rule (docs/kpis.md, "Small numbers").
    published = json.loads(json.dumps(disclosure.disclose_kpis(engine)))
    assert {k: v for k, v in command.items() if k not in {"survival", "equity"}} == engine
    assert api == published
    credal = next(row for row in engine["target"]["quotas"] if row["partner"] == "credal")
    assert (credal["quota"], credal["guided"], credal["share_of_quota"]) == (8, 7, 0.875)
    credal = next(row for row in api["target"]["quotas"] if row["partner"] == "credal")
    assert (credal["quota"], credal["guided"], credal["share_of_quota"]) == (8, None, None)
    # Partner staff get their own quota only.
    coach = {"HTTP_AUTHORIZATION": f"Bearer {issue_token(user=cast['demo-coach-credal'])}"}
    own = client.get("/api/kpis", **coach).json()
    assert [row["partner"] for row in own["target"]["quotas"]] == ["credal"]
    assert own["forecast"]["quota"] == 8


@pytest.mark.parametrize("lang", ["fr", "nl"])
def test_the_programme_dashboard_shows_each_partner_against_its_quota(client, cast, world, lang):
    _configure(target=20, credal=8)
    client.force_login(cast["demo-programme-manager"])
    html = _text(client.get(_url("reporting:programme", lang)))
    table = html[html.index('id="table-guided_by_partner"') :]
    table = table[: table.index("</table>")]
    credal_row = re.search(rf"{re.escape(world['credal'].name_in(lang))}</th>(.*?)</tr>", table)
    assert credal_row
    cells = re.findall(r'numeric">([^<]*)<', credal_row.group(1))
    # One disclosure rule (docs/kpis.md, "Small numbers"): the page hides what the PDF report and the exports
    # hide — microStart's 3 and what would give them away (Crédal's 7, its share and what is left).
    assert cells == ["*", "8", "*", "*"]
    with translation.override(lang):
        assert fmt(0.5, "rate") in html  # positive-exit rate target beside the rate
    assert 'id="figure-positive-rate-target"' in html


def test_the_partner_dashboard_shows_its_own_quota_only(client, cast, world):
    _configure(target=20, credal=8)
    Partner.objects.filter(slug="microstart").update(quota_guided=9)
    client.force_login(cast["demo-partner-manager-credal"])
    html = _text(client.get(_url("reporting:partner", "en")))
    table = html[html.index('id="table-guided_by_partner"') :]
    table = table[: table.index("</table>")]
    assert world["credal"].name_in("en") in table and world["microstart"].name_in("en") not in table
    with translation.override("en"):
        assert "The quota of 8 people is unlikely to be reached at the current pace." in html
    assert 'id="figure-quota-verdict"' in html
    assert "The quotas set add up to" not in html  # the programme's total is not the partner's business


def test_the_pdf_report_prints_the_quota_table(client, cast, world):
    import pypdf

    _configure(target=20, credal=8)
    client.force_login(cast["demo-programme-manager"])
    response = client.get(_url("reporting:report_pdf", "en"), {"lang": "fr"})
    assert response.status_code == 200
    text = "\n".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(response.content)).pages)
    flat = re.sub(r"\s+", " ", text)
    # The quota is printed; the counts under 5 (microStart's 3) and what would give them away (Crédal's 7,
    # its share and what is left) are hidden as on every export.
    assert f"{world['credal'].name_in('fr')} * 8 * *" in flat
    assert f"{world['microstart'].name_in('fr')} * – – –" in flat
    assert "Quota" in flat


def test_the_settings_page_is_valid_html_with_and_without_errors(client, cast, world, vnu, tmp_path):  # noqa: F811
    client.force_login(cast["demo-programme-manager"])
    Partner.objects.filter(slug="credal").update(quota_guided=3000)
    pages = {}
    for lang in ("fr", "nl"):
        url = _url("reporting:programme_settings", lang)
        pages[f"settings-{lang}"] = client.get(url).content.decode()
        bad = _post_data(end="01/01/2020", target_guided="1000", quota_credal="900", quota_microstart="900")
        pages[f"settings-errors-{lang}"] = client.post(url, bad).content.decode()
        pages[f"dashboard-{lang}"] = client.get(_url("reporting:programme", lang)).content.decode()
    errors = _check(vnu, pages, tmp_path)
    assert errors == []


def test_a_tampered_version_is_said_at_the_top_and_writes_nothing(client, cast, world):
    client.force_login(cast["demo-programme-manager"])
    with translation.override("en"):
        response = client.post(_url("reporting:programme_settings"), _post_data(version="abc", target_guided="10"))
    assert response.status_code == 200
    assert "This page is out of date. Reload it and try again." in _text(response)
    assert Programme.objects.get().target_guided == 4000 and not _audited()
