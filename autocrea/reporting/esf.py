"""ESF+ common participant indicators (Regulation (EU) 2021/1057, Annex I), by gender.

Computed in the database with aggregates over the trajectory table (rules: docs/kpis.md, section
"ESF+ participant indicators"). `esf_indicators` returns the exact counts (for the programme's own
checks); `export_rows` returns the published table, with cells under 5 people and any cell that
would let someone work one out emptied (docs/trust.md). No row ever carries a person's identifier.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass
from typing import IO, Any

from django.db.models import Case as DbCase
from django.db.models import CharField, Count, OuterRef, Q, QuerySet, Subquery, Value, When
from django.db.models.lookups import GreaterThanOrEqual, LessThan
from django.utils.functional import Promise
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from autocrea.jobseekers.models import Gender, IncomeSource
from autocrea.lib import exports
from autocrea.partners.models import Partner
from autocrea.pathways.models import FollowUp, FollowUpSituation, FollowUpStatus, Trajectory
from autocrea.reference.models import EducationLevel
from autocrea.reporting import disclosure
from autocrea.reporting.kpis import base_queryset, exited_in, yyyymmdd

GENDERS: tuple[str, ...] = (Gender.FEMALE, Gender.MALE, Gender.NON_BINARY)
COLUMNS: tuple[str, ...] = (*GENDERS, "total")

# Income sources that say the person is out of work (besides a recorded unemployment date).
UNEMPLOYED_INCOME = (IncomeSource.BENEFITS, IncomeSource.CPAS, IncomeSource.NONE)

# Situation upon leaving, from the exit kind (reference.ExitKind codes). A kind that counts as a job
# creation is always employment. A code missing here (a kind added later) is "unknown": never guessed.
EMPLOYMENT = "employment"
TRAINING = "training"
JOB_SEARCHING = "job_searching"
UNKNOWN = "unknown"
EXIT_SITUATION: dict[str, str] = {
    "self_employed": EMPLOYMENT,
    "company": EMPLOYMENT,
    "salaried_job": EMPLOYMENT,
    "training": TRAINING,
    "reoriented": JOB_SEARCHING,
    "not_viable": JOB_SEARCHING,
    "dropped_out": UNKNOWN,
    "other": UNKNOWN,
}
EMPLOYED_SITUATIONS = (FollowUpSituation.SELF_EMPLOYED, FollowUpSituation.EMPLOYED)


@dataclass(frozen=True)
class Indicator:
    key: str
    section: str  # output, result, longer_term
    label: str | Promise


INDICATORS: tuple[Indicator, ...] = (
    Indicator("participants", "output", _("Total number of participants")),
    Indicator("unemployed", "output", _("Unemployed, including long-term unemployed")),
    Indicator("long_term_unemployed", "output", _("Long-term unemployed")),
    Indicator("age_under_18", "output", _("Below 18 years of age")),
    Indicator("age_18_29", "output", _("18 to 29 years of age")),
    Indicator("age_55_plus", "output", _("55 years of age and above")),
    Indicator("isced_0_2", "output", _("Lower secondary education or less (ISCED 0–2)")),
    Indicator("isced_3_4", "output", _("Upper secondary or post-secondary education (ISCED 3–4)")),
    Indicator("isced_5_8", "output", _("Tertiary education (ISCED 5–8)")),
    Indicator("leavers", "result", _("Participants who left")),
    Indicator("job_searching", "result", _("Engaged in job searching upon leaving")),
    Indicator("in_education_or_training", "result", _("In education or training upon leaving")),
    Indicator("in_employment", "result", _("In employment, including self-employment, upon leaving")),
    Indicator("situation_unknown", "result", _("Situation upon leaving unknown")),
    Indicator("followed_leavers", "longer_term", _("Participants who left (six-month follow-up)")),
    Indicator("answered", "longer_term", _("Follow-up answered")),
    Indicator("follow_up_unknown", "longer_term", _("Follow-up unknown (no response or not yet due)")),
    Indicator(
        "in_employment_6m", "longer_term", _("In employment, including self-employment, six months after leaving")
    ),
    Indicator("improved_6m", "longer_term", _("With an improved labour market situation six months after leaving")),
)
SECTION_LABELS: dict[str, Promise] = {
    "output": _("Output indicators, at entry"),
    "result": _("Result indicators, upon leaving"),
    "longer_term": _("Longer-term result indicators, six months after leaving"),
}
# Groups of rows that add up to a published row (the last one): columns are lines for suppression.
ADDITIVE_BLOCKS: tuple[tuple[str, ...], ...] = (
    ("isced_0_2", "isced_3_4", "isced_5_8", "participants"),
    ("job_searching", "in_education_or_training", "in_employment", "situation_unknown", "leavers"),
    ("answered", "follow_up_unknown", "followed_leavers"),
)


def _by_gender(qs: QuerySet[Any], gender_field: str, aggregates: dict[str, Count]) -> dict[str, dict[str, int]]:
    """Run the aggregates grouped by gender; return {indicator: {female, male, non_binary, total}}."""
    out = {key: dict.fromkeys(COLUMNS, 0) for key in aggregates}
    for row in qs.values(gender_field).annotate(**aggregates).order_by(gender_field):
        gender = row[gender_field]
        for key in aggregates:
            if gender in GENDERS:
                out[key][gender] = int(row[key])
            out[key]["total"] += int(row[key])
    return out


def _output(qs: QuerySet[Trajectory], start: datetime.date, end: datetime.date) -> dict[str, dict[str, int]]:
    entrants = qs.filter(guided_on__gte=start, guided_on__lte=end)
    age = yyyymmdd("guided_on") - yyyymmdd("jobseeker__birth_date")  # // 10000 = whole years
    seniority = yyyymmdd("guided_on") - yyyymmdd("jobseeker__unemployed_since")
    unemployed = Q(jobseeker__unemployed_since__isnull=False) | Q(jobseeker__income_source__in=UNEMPLOYED_INCOME)
    level = "jobseeker__education_level"
    return _by_gender(
        entrants,
        "jobseeker__gender",
        {
            "participants": Count("pk"),
            "unemployed": Count("pk", filter=unemployed),
            "long_term_unemployed": Count(
                "pk",
                filter=Q(jobseeker__unemployed_since__isnull=False)
                & Q(GreaterThanOrEqual(seniority, 1_0000)),  # 12 months or more at entry
            ),
            "age_under_18": Count("pk", filter=Q(LessThan(age, 18_0000))),
            "age_18_29": Count("pk", filter=Q(GreaterThanOrEqual(age, 18_0000)) & Q(LessThan(age, 30_0000))),
            "age_55_plus": Count("pk", filter=Q(GreaterThanOrEqual(age, 55_0000))),
            "isced_0_2": Count(
                "pk", filter=Q(**{f"{level}__in": [EducationLevel.NONE, EducationLevel.LOWER_SECONDARY]})
            ),
            "isced_3_4": Count(
                "pk", filter=Q(**{f"{level}__in": [EducationLevel.UPPER_SECONDARY, EducationLevel.POST_SECONDARY]})
            ),
            "isced_5_8": Count("pk", filter=Q(**{f"{level}__in": [EducationLevel.BACHELOR, EducationLevel.MASTER]})),
        },
    )


def _situation_upon_leaving() -> DbCase:
    employment = [c for c, s in EXIT_SITUATION.items() if s == EMPLOYMENT]
    return DbCase(
        When(Q(exit_kind__is_job_creation=True) | Q(exit_kind_id__in=employment), then=Value(EMPLOYMENT)),
        *[
            When(exit_kind_id__in=[c for c, s in EXIT_SITUATION.items() if s == situation], then=Value(situation))
            for situation in (TRAINING, JOB_SEARCHING)
        ],
        default=Value(UNKNOWN),
        output_field=CharField(),
    )


def _results(qs: QuerySet[Trajectory], start: datetime.date, end: datetime.date) -> dict[str, dict[str, int]]:
    leavers = qs.filter(exited_in(start, end)).annotate(situation=_situation_upon_leaving())
    live_follow_up = FollowUp.objects.filter(trajectory=OuterRef("pk"), exit__voided_on__isnull=True)
    leavers = leavers.annotate(
        fu_status=Subquery(live_follow_up.values("status")[:1]),
        fu_situation=Subquery(live_follow_up.values("situation")[:1]),
        fu_improved=Subquery(live_follow_up.values("improved")[:1]),
    )
    answered = Q(fu_status=FollowUpStatus.ANSWERED)
    return _by_gender(
        leavers,
        "jobseeker__gender",
        {
            "leavers": Count("pk"),
            "job_searching": Count("pk", filter=Q(situation=JOB_SEARCHING)),
            "in_education_or_training": Count("pk", filter=Q(situation=TRAINING)),
            "in_employment": Count("pk", filter=Q(situation=EMPLOYMENT)),
            "situation_unknown": Count("pk", filter=Q(situation=UNKNOWN)),
            "followed_leavers": Count("pk"),
            "answered": Count("pk", filter=answered),
            # No response, still due, or no follow-up row at all: unknown, never guessed.
            "follow_up_unknown": Count("pk", filter=~answered | Q(fu_status__isnull=True)),
            "in_employment_6m": Count("pk", filter=answered & Q(fu_situation__in=EMPLOYED_SITUATIONS)),
            "improved_6m": Count("pk", filter=answered & Q(fu_improved=True)),
        },
    )


def esf_indicators(
    *,
    start: datetime.date,
    end: datetime.date,
    partner_id: int | None = None,
    queryset: QuerySet[Trajectory] | None = None,
) -> dict[str, Any]:
    """Return the exact ESF+ counts for the period: {indicator: {female, male, non_binary, total}}."""
    if start > end:
        raise ValueError("The period starts after it ends.")
    qs = base_queryset(queryset=queryset, partner_id=partner_id)
    partner = Partner.objects.filter(pk=partner_id).values_list("slug", flat=True).first() if partner_id else None
    return {
        "period": {"start": start.isoformat(), "end": end.isoformat()},
        "partner": partner,
        "indicators": {**_output(qs, start, end), **_results(qs, start, end)},
    }


# ---------------------------------------------------------------- the published table


def suppression_mask(indicators: dict[str, dict[str, int]]) -> dict[str, dict[str, bool]]:
    """Return which cells to hide: 1–4 people, then complementary cells along every line with a known sum.

    Lines: each indicator's [women, men, non-binary, total]; and, in each gender column, every
    additive block (ISCED bands → participants; situations upon leaving → leavers; answered +
    unknown → leavers followed up). Zeros are not hidden (docs/kpis.md, small-cell suppression).
    """
    hidden = {k: {c: disclosure.is_sensitive(v[c]) for c in COLUMNS} for k, v in indicators.items()}
    lines: list[list[tuple[str, str]]] = [[(k, c) for c in COLUMNS] for k in indicators]
    for block in ADDITIVE_BLOCKS:
        lines += [[(k, c) for k in block] for c in COLUMNS]
    changed = True
    while changed:
        changed = False
        for line in lines:
            if sum(hidden[k][c] for k, c in line) != 1:
                continue
            visible = [(k, c) for k, c in line if not hidden[k][c]]
            if not visible:
                continue
            k, c = min(visible, key=lambda kc: (indicators[kc[0]][kc[1]] == 0, indicators[kc[0]][kc[1]]))
            hidden[k][c] = True
            changed = True
    return hidden


HEADER_KEYS = ("indicator", "section", "label", *COLUMNS, "note")


def header() -> list[str]:
    """Return the translated column headings of the published table."""
    return [
        gettext("Code"),
        gettext("Section"),
        gettext("Indicator"),
        str(Gender.FEMALE.label),
        str(Gender.MALE.label),
        str(Gender.NON_BINARY.label),
        gettext("Total"),
        gettext("Note"),
    ]


def export_rows(data: dict[str, Any]) -> list[list[Any]]:
    """Return the published rows: counts with suppressed cells empty (None) and a note saying so."""
    indicators = data["indicators"]
    mask = suppression_mask(indicators)
    rows: list[list[Any]] = []
    for indicator in INDICATORS:
        values = indicators[indicator.key]
        cells = [None if mask[indicator.key][c] else values[c] for c in COLUMNS]
        note = gettext("Hidden to protect small groups (fewer than 5 people).") if None in cells else ""
        rows.append([indicator.key, str(SECTION_LABELS[indicator.section]), str(indicator.label), *cells, note])
    return rows


def export_json(data: dict[str, Any]) -> dict[str, Any]:
    """Return the published table as JSON (suppressed cells are null)."""
    rows = export_rows(data)
    return {
        "period": data["period"],
        "partner": data["partner"],
        "threshold": disclosure.THRESHOLD,
        "indicators": [dict(zip(HEADER_KEYS, row, strict=True)) for row in rows],
    }


def write(data: dict[str, Any], fmt: str, file: IO[Any]) -> None:
    """Write the published table in `fmt` (csv: text file opened with newline=""; xlsx: binary file)."""
    rows: Sequence[Sequence[Any]] = export_rows(data)
    if fmt == "csv":
        exports.write_csv(header(), rows, file)
    elif fmt == "xlsx":
        exports.write_xlsx(header(), rows, file, sheet_title="ESF+")
    else:
        raise ValueError(f"Unknown format {fmt!r}.")
