"""The dashboard's tables: each figure of docs/kpis.md laid out once as raw values, one builder per table family.

The page formats them in the reader's language (formatting.fmt), the PDF report prints them, and the
exports write them after small-cell suppression (disclosure.py, docs/trust.md).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from autocrea.backbone.steps import Step
from autocrea.jobseekers.models import ContactLanguage, Gender
from autocrea.partners.models import Partner
from autocrea.reference.models import BarrierCode, Commune, EducationLevel
from autocrea.reporting import disclosure
from autocrea.reporting.filters import Filters
from autocrea.reporting.formatting import fmt

DIMENSION_LABELS: dict[str, Promise] = {
    "gender": gettext_lazy("Gender"),
    "age_band": gettext_lazy("Age band"),
    "education_level": gettext_lazy("Education level"),
    "contact_language": gettext_lazy("Contact language"),
    "commune": gettext_lazy("Commune"),
    "unemployment_band": gettext_lazy("Length of unemployment"),
    "barrier": gettext_lazy("Barrier"),
}


# ---------------------------------------------------------------- tables


@dataclass
class Column:
    key: str
    label: str
    kind: str = "int"  # text, int, rate, days, year
    short: str = ""  # a shorter header on screen, under a column group; exports keep the label

    @property
    def numeric(self) -> bool:
        return self.kind != "text"


@dataclass
class Table:
    """One table of figures: raw rows (dicts), the page shows them formatted and exports them suppressed."""

    key: str
    caption: str
    columns: list[Column]
    rows: list[dict[str, Any]]
    definition: str
    suppress: Callable[[list[dict[str, Any]]], list[dict[str, Any]]] | None = None
    note: str = ""
    chart: dict[str, Any] | None = None
    # Column groups on screen: (label, number of columns), left to right, covering every column.
    groups: list[tuple[str, int]] = field(default_factory=list)
    cells: list[list[dict[str, Any]]] = field(default_factory=list)
    export_links: list[dict[str, str]] = field(default_factory=list)

    def export_rows(self) -> list[dict[str, Any]]:
        """Return the rows as published everywhere (page, PDF, exports): counts under 5 and what would give
        them away emptied (None), listed in each row's `suppressed`."""
        if self.suppress:
            return self.suppress(self.rows)
        return [{**r, "suppressed": [], "note": ""} for r in self.rows]

    def published_cells(self) -> list[list[dict[str, Any]]]:
        """Return the published rows as formatted cells: a hidden value shows disclosure.HIDDEN."""
        return [
            [
                {
                    "text": disclosure.HIDDEN if c.key in row["suppressed"] else fmt(row.get(c.key), c.kind),
                    "numeric": c.numeric,
                    "header": i == 0,
                }
                for i, c in enumerate(self.columns)
            ]
            for row in self.export_rows()
        ]

    @property
    def has_hidden(self) -> bool:
        return any(row["suppressed"] for row in self.export_rows())


# ---------------------------------------------------------------- labels


def partner_names_by_id() -> dict[str | None, str]:
    names: dict[str | None, str] = {p.slug: p.name for p in Partner.objects.all()}
    names[None] = _("No partner yet")
    return names


STEP_LABELS = {
    "interest": Step.INTEREST.label,
    "information": Step.INFORMATION.label,
    "decision": Step.DECISION.label,
    "orientation": Step.ORIENTATION.label,
    "guided": gettext_lazy("Accepted by a partner (guided)"),
    "accompaniment": Step.ACCOMPANIMENT.label,
    "exit": Step.EXIT.label,
    "follow_up": Step.FOLLOW_UP.label,
}


def _group_labels(dimension: str) -> dict[str, str]:
    if dimension == "gender":
        return {k: str(v) for k, v in Gender.choices}
    if dimension == "education_level":
        return {k: str(v) for k, v in EducationLevel.choices}
    if dimension == "contact_language":
        return {k: str(v) for k, v in ContactLanguage.choices}
    if dimension == "commune":
        return {c.nis_code: c.name for c in Commune.objects.all()} | {"unknown": _("Unknown")}
    if dimension == "barrier":
        return {b.code: b.name for b in BarrierCode.objects.all()}
    if dimension == "age_band":
        return {"under_30": _("Under 30"), "30_54": _("30 to 54"), "55_plus": _("55 and over")}
    if dimension == "unemployment_band":
        return {
            "under_1y": _("Less than 1 year"),
            "1_2y": _("1 to 2 years"),
            "2y_plus": _("2 years or more"),
            "unknown": _("Unknown"),
        }
    return {}


# ---------------------------------------------------------------- building the dashboard


def _exit_columns(first: Column) -> list[Column]:
    return [
        first,
        Column("exits", _("Exits")),
        Column("positive", _("Positive exits")),
        Column("positive_rate", _("Positive-exit rate"), "rate"),
        Column("job_creation", _("Job creations")),
        Column("job_creation_rate", _("Job-creation rate"), "rate"),
    ]


EXIT_DEFINITION = gettext_lazy(
    "Positive-exit rate = positive exits ÷ all exits in the period; job-creation rate = exits into job creation "
    "÷ all exits. Only people a partner accepted can exit: not going ahead is a funnel outcome."
)


def _rate_chart(table: Table, label_key: str, title: str) -> dict[str, Any]:
    return {
        "title": title,
        "series": [(_("Positive exits"), "positive_rate"), (_("Job creation"), "job_creation_rate")],
        "bars": [
            {"label": r[label_key], "values": [r["positive_rate"], r["job_creation_rate"]]} for r in table.export_rows()
        ],
        "kind": "rate",
    }


def _guided_by_partner(target: dict[str, Any], names: dict[str | None, str], *, one_partner: bool) -> Table:
    """People guided since the programme started per partner, beside each partner's quota (if set)."""
    rows = [{**row, "partner": names.get(row["partner"], row["partner"])} for row in disclosure.guided_rows(target)]
    note = ""
    if target.get("quota_total") is not None and not one_partner:
        note = _("The quotas set add up to %(total)s people, for a programme target of %(target)s.") % {
            "total": fmt(target["quota_total"], "int"),
            "target": fmt(target["target"], "int"),
        }
    table = Table(
        "guided_by_partner",
        _("People guided since the programme started, per partner, against their quota"),
        [
            Column("partner", _("Partner"), "text"),
            Column("guided", _("People guided")),
            Column("quota", _("Quota")),
            Column("share_of_quota", _("Share of the quota reached"), "rate"),
            Column("remaining", _("Still to guide")),
        ],
        rows,
        _(
            "Guided: a partner accepted the person (start of guidance), counted once even after a re-orientation, "
            "for the partner holding the trajectory now, from the programme's start to its end. Quota: the people "
            "the programme expects each partner to guide over the whole period, set by the programme manager on "
            "the programme settings page; share reached = people guided ÷ quota. – : no quota set."
        ),
        suppress=disclosure.GUIDED_BY_PARTNER,
        note=note,
    )
    if any(row["quota"] is not None for row in rows):
        table.chart = {
            "title": _("Share of the quota reached per partner"),
            "series": [(_("Share of the quota reached"), "share_of_quota")],
            "bars": [
                {"label": r["partner"], "values": [r["share_of_quota"]]}
                for r in table.export_rows()
                if r["quota"] is not None
            ],
            "kind": "rate",
        }
    return table


def build_tables(kp: dict[str, Any], surv: dict[str, Any], eq: dict[str, Any]) -> list[Table]:
    """Return the dashboard's tables, in page order, from the KPI engine's figures."""
    names = partner_names_by_id()
    return [
        _guided_by_partner(kp["target"], names, one_partner=kp["period"]["partner"] is not None),
        *_exit_tables(kp["exits"], names),
        _funnel_table(kp["funnel"]),
        _time_in_step_table(kp["time_in_step"]),
        _capacity_table(kp["capacity"], names),
        _survival_table(surv),
        _equity_table(eq),
    ]


def _exit_tables(exits: dict[str, Any], names: dict[str | None, str]) -> list[Table]:
    """Exits and their outcomes per partner (with its chart), per year of exit and per start cohort."""
    by_partner = Table(
        "exits_by_partner",
        _("Exits and their outcomes, per partner"),
        _exit_columns(Column("partner", _("Partner"), "text")),
        [{**r, "partner": names.get(r["partner"], r["partner"])} for r in exits["by_partner"]],
        str(EXIT_DEFINITION),
        suppress=disclosure.hide_exit_rows,
    )
    by_partner.chart = _rate_chart(by_partner, "partner", _("Positive-exit and job-creation rates per partner"))
    return [
        by_partner,
        Table(
            "exits_by_year",
            _("Exits and their outcomes, per year of exit"),
            _exit_columns(Column("year", _("Year of exit"), "year")),
            list(exits["by_year"]),
            str(EXIT_DEFINITION),
            suppress=disclosure.hide_exit_rows,
        ),
        Table(
            "exits_by_cohort",
            _("Exits and their outcomes, per start cohort"),
            _exit_columns(Column("cohort", _("Year guidance started"), "year")),
            list(exits["by_cohort"]),
            _("A cohort is everyone a partner accepted in the same year.") + " " + str(EXIT_DEFINITION),
            suppress=disclosure.hide_exit_rows,
        ),
    ]


def _funnel_table(funnel: dict[str, Any]) -> Table:
    """People who expressed interest in the period, and how far they went."""
    return Table(
        "funnel",
        _("Funnel: people who expressed interest in the period, and how far they went"),
        [
            Column("step", _("Step"), "text"),
            Column("reached", _("People who reached the step")),
            Column("conversion_to_next", _("Went on to the next step"), "rate"),
        ],
        [
            {
                "step": str(STEP_LABELS[s["step"]]),
                "reached": s["reached"],
                "conversion_to_next": s.get("conversion_to_next"),
            }
            for s in funnel["steps"]
        ],
        _(
            "Conversion = people who reached this step and the next ÷ people who reached this step. "
            "People still at a step have not converted yet: a recent period looks incomplete."
        ),
        suppress=disclosure.FUNNEL,
        note=_("%(n)s people did not go ahead or left before a partner accepted them.")
        % {"n": fmt(funnel["stopped"], "int")},
    )


def _time_in_step_table(time_in_step: list[dict[str, Any]]) -> Table:
    """The median days spent in each step."""
    return Table(
        "time_in_step",
        _("Median days spent in each step"),
        [
            Column("step", _("Step"), "text"),
            Column("median_days", _("Median days"), "days"),
            Column("trajectories", _("People counted")),
        ],
        [
            {
                "step": str(STEP_LABELS[r["step"]]),
                "median_days": r["median_days"],
                "trajectories": r["trajectories"],
            }
            for r in time_in_step
        ],
        _(
            "Whole days from entering a step to reaching the next one, for steps entered in the period and "
            "already left. Half the people took fewer days, half took more."
        ),
        suppress=disclosure.TIME_IN_STEP,
    )


def _capacity_table(capacity_rows: list[dict[str, Any]], names: dict[str | None, str]) -> Table:
    """Capacity use and waiting lists this year per partner, with its chart."""
    capacity = Table(
        "capacity",
        _("Capacity use and waiting lists this year, per partner"),
        [
            Column("partner", _("Partner"), "text"),
            Column("yearly_capacity", _("Yearly capacity")),
            Column("accepted_this_year", _("Accepted this year")),
            Column("capacity_use", _("Capacity used"), "rate"),
            Column("in_guidance_now", _("In guidance now")),
            Column("pending", _("Awaiting an answer")),
            Column("waitlisted", _("On the waiting list")),
        ],
        [{**r, "partner": names.get(r["partner"], r["partner"])} for r in capacity_rows],
        _(
            "Capacity used = people a partner accepted this calendar year ÷ its yearly capacity. Waiting lists are the "
            "orientations the partner has not answered yet or has put on its waiting list."
        ),
        suppress=disclosure.CAPACITY,
    )
    capacity.chart = {
        "title": _("Capacity used this year per partner"),
        "series": [(_("Capacity used"), "capacity_use")],
        "bars": [{"label": r["partner"], "values": [r["capacity_use"]]} for r in capacity.export_rows()],
        "kind": "rate",
    }
    return capacity


def _survival_table(surv: dict[str, Any]) -> Table:
    """Time to exit, counting people still in the programme (survival.survival_summary's horizons)."""
    return Table(
        "survival",
        _("Time to exit, counting people still in the programme"),
        [
            Column("months", _("Months after being accepted"), "int"),
            Column("still_in_programme", _("Still in the programme"), "rate"),
            Column("positive", _("Positive exit by then"), "rate"),
            Column("job_creation", _("Job creation by then"), "rate"),
            Column("not_positive", _("Other exit by then"), "rate"),
            Column("at_risk", _("People followed that long")),
        ],
        [
            {
                "months": h["months"],
                "still_in_programme": h["still_in_programme"],
                "positive": h["cumulative_incidence"]["positive"],
                "job_creation": h["cumulative_incidence"]["job_creation"],
                "not_positive": h["cumulative_incidence"]["not_positive"],
                "at_risk": h["at_risk"],
            }
            for h in surv["horizons"]
        ],
        _(
            "Kaplan–Meier and cumulative incidence (Aalen–Johansen): everyone accepted in the period counts, "
            "people still in the programme up to the day they were last seen. Each exit kind competes with the "
            "others, so the shares and 'still in the programme' add up to 100 %."
        ),
        suppress=disclosure.SURVIVAL,
    )


def _equity_table(eq: dict[str, Any]) -> Table:
    """The exit outcomes per group of people along one dimension (kpis.equity), small groups hidden."""
    labels = _group_labels(eq["dimension"])
    equity_rows = []
    for g in eq["groups"]:
        equity_rows.append(
            {
                "group": labels.get(str(g["group"]), str(g["group"])),
                "guided": g["guided"],
                "exits": g["exits"],
                "positive": g["positive"],
                "positive_rate": g["positive_rate"],
                "job_creation": g["job_creation"],
                "job_creation_rate": g["job_creation_rate"],
                "suppressed": g["suppressed"],
            }
        )
    equity_note = _("Fewer than 5 people, or enough to work one out: the figure is hidden.")
    if eq["groups_overlap"]:
        equity_note += " " + _("A person with several barriers is in several groups: groups do not add up.")
    return Table(
        "equity",
        _("Outcomes by %(dimension)s") % {"dimension": str(DIMENSION_LABELS[eq["dimension"]]).lower()},
        [
            Column("group", str(DIMENSION_LABELS[eq["dimension"]]), "text"),
            Column("guided", _("People guided")),
            *_exit_columns(Column("group", "", "text"))[1:],
        ],
        equity_rows,
        _(
            "The same figures per group of people. Groups of fewer than 5 people are hidden, and so is any "
            "figure that would let someone work a hidden one out."
        ),
        suppress=disclosure.hide_equity_rows,  # counts already suppressed by kpis.equity
        note=equity_note,
    )


def lay_out(tables: list[Table], filters: Filters) -> None:
    """Format each table's cells for the page (active language) and give it its export links."""
    for table in tables:
        table.cells = table.published_cells()
        table.export_links = [
            {"format": fmt_, "url": "?" + filters.query(export=table.key, format=fmt_)} for fmt_ in ("xlsx", "csv")
        ]
