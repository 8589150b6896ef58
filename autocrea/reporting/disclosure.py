"""Small-number disclosure: the one rule every published figure goes through (docs/kpis.md, "Small numbers").

A breakdown's cells under 5 people are hidden on screen, in the PDF report, in CSV/XLSX and ESF+ exports
and in the API; the headline figures of the scope asked for are the margins and are published as they are.

Primary suppression hides every sensitive cell (1–4 people by default). Complementary (secondary)
suppression then protects them from subtraction: a "line" is a row or a column whose sum is known
(a published total, or a total that is itself a cell of the line); a line with exactly one hidden
cell would give that cell away, so the smallest other visible cell of the line is hidden too.
This repeats until no line has exactly one hidden cell. The rules are written in docs/kpis.md.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

THRESHOLD = 5


def is_sensitive(value: int | None, *, threshold: int = THRESHOLD, zeros_sensitive: bool = False) -> bool:
    """Return whether a count is too small to publish on its own."""
    if value is None:
        return False
    if value == 0:
        return zeros_sensitive
    return value < threshold


def suppress(
    table: Sequence[Sequence[int | None]],
    *,
    threshold: int = THRESHOLD,
    rows_are_lines: bool = True,
    columns_are_lines: bool = True,
    zeros_sensitive: bool = False,
) -> list[list[bool]]:
    """Return a mask of the cells to hide (True = hidden) with primary and complementary suppression.

    `None` marks a cell that is not published at all (never chosen, never counted as hidden).
    Set `rows_are_lines` / `columns_are_lines` to False when no total is published along that
    direction: a lone hidden cell there cannot be recomputed, so it needs no partner.
    """
    hidden = [[is_sensitive(v, threshold=threshold, zeros_sensitive=zeros_sensitive) for v in row] for row in table]
    lines: list[list[tuple[int, int]]] = []
    if rows_are_lines:
        lines += [[(r, c) for c in range(len(row))] for r, row in enumerate(table)]
    if columns_are_lines and table:
        width = max(len(row) for row in table)
        lines += [[(r, c) for r in range(len(table)) if c < len(table[r])] for c in range(width)]
    changed = True
    while changed:
        changed = False
        for line in lines:
            cells = [(r, c) for r, c in line if table[r][c] is not None]
            if sum(hidden[r][c] for r, c in cells) != 1:
                continue
            candidates = [(r, c) for r, c in cells if not hidden[r][c]]
            if not candidates:
                continue
            # Hide the smallest visible cell, preferring non-zero cells: a hidden zero next to a hidden
            # small cell may be guessed by someone who knows that zeros are never primary-suppressed.
            r, c = min(candidates, key=lambda rc: (table[rc[0]][rc[1]] == 0, table[rc[0]][rc[1]], rc))
            hidden[r][c] = True
            changed = True
    return hidden


def apply(table: Sequence[Sequence[int | None]], mask: Sequence[Sequence[bool]]) -> list[list[int | None]]:
    """Return the table with the hidden cells replaced by None."""
    return [
        [None if hide else value for value, hide in zip(row, mask_row, strict=True)]
        for row, mask_row in zip(table, mask, strict=True)
    ]


# ---------------------------------------------------------------- the one policy for every output
# docs/kpis.md, "Small numbers: one disclosure rule". The dashboards (tables and charts), the survival
# comparison, the equity monitor, the PDF steering report, the CSV/XLSX tables and GET /api/kpis all
# publish rows through the functions below, so the same figures hide the same cells everywhere.
# Exact small counts are not published by any of them (see the docs for who may still read them).

HIDDEN = "*"  # what a hidden cell shows on screen and in the PDF; exports leave it empty, JSON has null
_META = ("note", "suppressed")


def mark(row: dict[str, Any], original: Mapping[str, Any], counts: Sequence[str]) -> dict[str, Any]:
    """Record on `row` which values were hidden (`suppressed`) and say which counts in `note`."""
    row["suppressed"] = [
        key for key, value in original.items() if key not in _META and value is not None and row.get(key) is None
    ]
    hidden = [key for key in counts if key in row["suppressed"]]
    row["note"] = _("hidden to protect small groups: %(cells)s") % {"cells": ", ".join(hidden)} if hidden else ""
    return row


def hide_columns(
    rows: Sequence[Mapping[str, Any]],
    *,
    counts: Sequence[str],
    total_known: bool,
    derived: Mapping[str, Sequence[str]] | None = None,
) -> list[dict[str, Any]]:
    """Hide counts 1–4 column by column (with complements when the column's total is published), and
    every value derived from a hidden count (a rate, a median, a share: `derived` = value → its counts)."""
    out = [dict(r) for r in rows]
    for key in counts:
        mask = suppress([[r[key]] for r in rows], rows_are_lines=False, columns_are_lines=total_known)
        for row, (hide,) in zip(out, mask, strict=True):
            if hide:
                row[key] = None
    for row, original in zip(out, rows, strict=True):
        for key, sources in (derived or {}).items():
            if any(row.get(s) is None and original.get(s) is not None for s in sources):
                row[key] = None
        mark(row, original, counts)
    return out


EXIT_COUNTS = ("exits", "positive", "job_creation")


def hide_exit_rows(rows: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Hide an exits breakdown on its additive lines: each row [job creation, other positive, not positive,
    exits] and each column (adding up to the published overall figure); rates go with their counts."""
    cells: list[list[int | None]] = [
        [r["job_creation"], r["positive"] - r["job_creation"], r["exits"] - r["positive"], r["exits"]] for r in rows
    ]
    out = []
    for r, hidden in zip(rows, suppress(cells), strict=True):
        row = dict(r)
        job_shown, positive_shown, exits_shown = not hidden[0], not hidden[0] and not hidden[1], not hidden[3]
        row["exits"] = r["exits"] if exits_shown else None
        row["positive"] = r["positive"] if positive_shown else None
        row["job_creation"] = r["job_creation"] if job_shown else None
        row["positive_rate"] = r["positive_rate"] if positive_shown and exits_shown else None
        row["job_creation_rate"] = r["job_creation_rate"] if job_shown and exits_shown else None
        out.append(mark(row, r, EXIT_COUNTS))
    return out


def hide_equity_rows(rows: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Mark equity rows, already suppressed by kpis.equity on the same lines as hide_exit_rows."""
    out = []
    for r in rows:
        row = dict(r)
        hidden = list(r.get("suppressed", ()))
        hidden += [rate for rate, n in RATE_SOURCES.items() if row.get(rate) is None and ({n, "exits"} & set(hidden))]
        row["suppressed"] = hidden
        shown = [key for key in ("guided", *EXIT_COUNTS) if key in hidden]
        row["note"] = _("hidden to protect small groups: %(cells)s") % {"cells": ", ".join(shown)} if shown else ""
        out.append(row)
    return out


RATE_SOURCES = {"positive_rate": "positive", "job_creation_rate": "job_creation"}


@dataclass(frozen=True)
class Columns:
    """How one breakdown's columns are hidden (hide_columns); calling it hides a table's rows."""

    counts: tuple[str, ...]
    total_known: bool
    derived: Mapping[str, Sequence[str]] = field(default_factory=dict)

    def __call__(self, rows: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
        return hide_columns(rows, counts=self.counts, total_known=self.total_known, derived=self.derived)


# The breakdowns of compute_kpis and how each is hidden: the dashboards' tables and the API share them.
GUIDED_BY_PARTNER = Columns(("guided",), True, {"share_of_quota": ["guided"], "remaining": ["guided"]})
FUNNEL = Columns(("reached",), False, {"conversion_to_next": ["reached"]})
TIME_IN_STEP = Columns(("trajectories",), False, {"median_days": ["trajectories"]})
CAPACITY = Columns(
    ("accepted_this_year", "in_guidance_now", "pending", "waitlisted"),
    False,
    {"capacity_use": ["accepted_this_year"]},
)
SURVIVAL = Columns(("at_risk",), False)
GUIDED_IN_PERIOD = Columns(("guided",), True)  # adds up to the published guided count
# The open counts add up, through the published expected total, to something known: complements needed.
PIPELINE = Columns(
    ("open", "based_on_resolved"),
    True,
    {"expected_guided": ["open"], "conversion_to_guided": ["based_on_resolved"]},
)


def guided_rows(target: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Return people guided since the programme started per partner (slug) beside its quota, in table order:
    the partners that can have a quota, then any other partner holding guided people."""
    quotas = {row["partner"]: row for row in target.get("quotas", [])}
    guided = {row["partner"]: row["guided"] for row in target["by_partner"]}
    slugs = list(quotas) + [slug for slug in guided if slug not in quotas]
    return [
        {
            "partner": slug,
            "guided": guided.get(slug, 0),
            "quota": quotas.get(slug, {}).get("quota"),
            "share_of_quota": quotas.get(slug, {}).get("share_of_quota"),
            "remaining": quotas.get(slug, {}).get("remaining"),
        }
        for slug in slugs
    ]


HEADLINE_RATES = ("positive", "job_creation", "positive_rate", "job_creation_rate")


def headline_rates_shown(exits: int) -> bool:
    """Return whether the scope's outcome rates may be shown: never on fewer than 5 exits (the exits count
    itself is the scope's margin and is shown; the outcome of 1–4 people is not)."""
    return not is_sensitive(exits)


def disclose_kpis(kp: Mapping[str, Any]) -> dict[str, Any]:
    """Return compute_kpis' figures as published (GET /api/kpis): every breakdown hidden as on the dashboards.

    The headline counts of the scope (guided, exits, target, forecast) are the margins the breakdowns add
    up to and are published as they are; its outcome rates only on 5 exits or more, as on every output.
    """
    # Every breakdown is hidden from the figures as computed (`kp`, never modified): compute_kpis may share
    # one list between two sections (guided per partner), so hiding one must not feed the next.
    out = copy.deepcopy(dict(kp))
    exits = out["exits"]
    exits["suppressed"] = [] if headline_rates_shown(exits["exits"]) else list(HEADLINE_RATES)
    for key in exits["suppressed"]:
        exits[key] = None
    for key in ("by_partner", "by_year", "by_cohort"):
        exits[key] = _json(hide_exit_rows(kp["exits"][key]))
    shown = {r["partner"]: r for r in GUIDED_BY_PARTNER(guided_rows(kp["target"]))}
    target = out["target"]
    target["by_partner"] = [_hidden_from(row, shown[row["partner"]], ("guided",)) for row in kp["target"]["by_partner"]]
    target["quotas"] = [
        _hidden_from(row, shown[row["partner"]], ("guided", "share_of_quota", "remaining"))
        for row in kp["target"]["quotas"]
    ]
    out["guided"]["by_partner"] = _json(GUIDED_IN_PERIOD(kp["guided"]["by_partner"]))
    out["funnel"]["steps"] = _json(FUNNEL(kp["funnel"]["steps"]))
    out["time_in_step"] = _json(TIME_IN_STEP(kp["time_in_step"]))
    out["capacity"] = _json(CAPACITY(kp["capacity"]))
    out["forecast"]["pipeline"] = _json(PIPELINE(kp["forecast"]["pipeline"]))
    out["disclosure"] = {"threshold": THRESHOLD}  # hidden values are null, listed in their row's `suppressed`
    return out


def _json(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Drop the exports' note (a sentence in the reader's language): JSON lists `suppressed` instead."""
    return [{k: v for k, v in row.items() if k != "note"} for row in rows]


def _hidden_from(row: Mapping[str, Any], shown: Mapping[str, Any], keys: Sequence[str]) -> dict[str, Any]:
    out = {**row, **{key: None for key in keys if shown.get(key) is None}}
    out["suppressed"] = [key for key in keys if key in shown["suppressed"]]
    return out
