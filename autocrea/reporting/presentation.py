"""The dashboard's words and charts beyond its tables: the headline figures, the forecast said in plain words
and the chart of people guided against the target. Shared by the dashboards and the PDF report.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.utils import formats
from django.utils.translation import gettext as _

from autocrea.reporting import disclosure
from autocrea.reporting.formatting import fmt


def headline(kp: dict[str, Any]) -> dict[str, str]:
    """Return the scope's headline figures as shown on the dashboards and in the PDF report.

    Counts are the margins every breakdown adds up to, published as they are; the outcome rates need 5 exits
    (docs/kpis.md, "Small numbers").
    """
    exits = kp["exits"]
    shown = disclosure.headline_rates_shown(exits["exits"])
    return {
        "guided": fmt(kp["guided"]["count"], "int"),
        "exits": fmt(exits["exits"], "int"),
        **{k: fmt(exits[k], "rate") if shown else disclosure.HIDDEN for k in ("positive_rate", "job_creation_rate")},
    }


def forecast_words(kp: dict[str, Any], *, partner_name: str | None = None) -> dict[str, Any]:
    """Say the forecast in plain words; for one partner, without the programme's target (it is not theirs)."""
    f = kp["forecast"]
    if partner_name:
        end = datetime.date.fromisoformat(f["programme_end"])
        return {
            "sentence": _(
                "On current trends, about %(n)s people will have been guided by %(partner)s by %(end)s "
                "(80 %% range: %(low)s–%(high)s)."
            )
            % {
                "n": fmt(round(f["expected_guided_at_end"]), "int"),
                "partner": partner_name,
                "end": formats.date_format(end, "SHORT_DATE_FORMAT"),
                "low": fmt(round(f["band_80"][0]), "int"),
                "high": fmt(round(f["band_80"][1]), "int"),
            },
            "verdict": _quota_verdict(f),
            "quota": fmt(f["quota"], "int") if f.get("quota") is not None else None,
            "probability": fmt(f["probability_quota_met"], "rate") if f.get("quota") is not None else None,
            "inflow_included": f["inflow"]["included"],
        }
    probability = f["probability_target_met"]
    if probability >= 0.8:
        verdict = _("The target is likely to be met.")
    elif probability <= 0.2:
        verdict = _("The target is unlikely to be met at the current pace.")
    else:
        verdict = _("Whether the target will be met is uncertain.")
    end = datetime.date.fromisoformat(f["programme_end"])
    return {
        "sentence": _(
            "On current trends, about %(n)s people will have been guided by %(end)s (80 %% range: %(low)s–%(high)s). "
            "Target: %(target)s."
        )
        % {
            "n": fmt(round(f["expected_guided_at_end"]), "int"),
            "end": formats.date_format(end, "SHORT_DATE_FORMAT"),
            "low": fmt(round(f["band_80"][0]), "int"),
            "high": fmt(round(f["band_80"][1]), "int"),
            "target": fmt(f["target"], "int"),
        },
        "verdict": verdict,
        "probability": fmt(probability, "rate"),
        "inflow_included": f["inflow"]["included"],
        "guided_so_far": fmt(f["guided_so_far"], "int"),
        "expected": round(f["expected_guided_at_end"]),
    }


def _quota_verdict(f: dict[str, Any]) -> str:
    """Say whether one partner's forecast reaches its quota ("" when it has none)."""
    if f.get("quota") is None:
        return ""
    probability = f["probability_quota_met"]
    if probability >= 0.8:
        verdict = _("The quota of %(quota)s people is likely to be reached.")
    elif probability <= 0.2:
        verdict = _("The quota of %(quota)s people is unlikely to be reached at the current pace.")
    else:
        verdict = _("Whether the quota of %(quota)s people will be reached is uncertain.")
    return verdict % {"quota": fmt(f["quota"], "int")}


def target_chart(kp: dict[str, Any], *, with_target: bool) -> dict[str, Any]:
    f = kp["forecast"]
    chart: dict[str, Any] = {
        "title": _("People guided so far, forecast at the end and target"),
        "series": [(_("People"), "n")],
        "bars": [
            {"label": _("Guided so far"), "values": [f["guided_so_far"]]},
            {"label": _("Forecast at the end"), "values": [f["expected_guided_at_end"]], "band": f["band_80"]},
            {"label": _("Target"), "values": [f["target"]]},
        ],
        "kind": "int",
    }
    if not with_target:
        chart["title"] = _("People guided so far and forecast at the end")
        chart["bars"] = chart["bars"][:2]
        if f.get("quota") is not None:
            chart["title"] = _("People guided so far, forecast at the end and quota")
            chart["bars"].append({"label": _("Quota"), "values": [f["quota"]]})
    return chart
