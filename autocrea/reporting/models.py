"""Summary counts behind the programme figures (docs/kpis.md, "Summary tables").

One generic table of counts: each trajectory contributes a few *facts* (guided on a day, exited on a
day with a kind, reached the funnel's steps, spent N days in a step, …), and the table holds how many
trajectories contribute each fact, per partner holding them now. Dated facts are stored three times,
per day, per month and per year, so that a period is read as a few whole years and months plus its
edge days (a handful of rows instead of a scan of every trajectory).

Written only by `reporting.summaries.rebuild()` (never by the services: the worker rebuilds them on a
schedule, see reporting/tasks.py); read by `reporting.kpis`.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Grain(models.TextChoices):
    DAY = "d", _("day")
    MONTH = "m", _("month")
    YEAR = "y", _("year")
    NONE = "", _("undated")


class SummaryCount(models.Model):
    """How many trajectories contribute one fact, for the partner holding them now.

    Every part of the key is non-null so that it can be unique (one row per key, upserted): `partner_key`
    is the partner's id or 0 (no partner); `period` is 0001-01-01 for undated facts; `key2` is 0 when
    unused or unknown (a cohort year or a partner id that is null).
    """

    partner_key = models.IntegerField(default=0)
    fact = models.CharField(max_length=10)  # svl, qx:u … (reporting/summaries.py)
    grain = models.CharField(max_length=1, choices=Grain.choices, blank=True)
    # The day, the first day of the month or of the year; 0001-01-01 for undated facts.
    period = models.DateField()
    key1 = models.CharField(max_length=100, blank=True)
    key2 = models.IntegerField(default=0)
    n = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = _("summary count")
        verbose_name_plural = _("summary counts")
        constraints = [
            # Also the index of every read: a fact, a grain, a range of periods (then a partner).
            models.UniqueConstraint(
                fields=["fact", "grain", "period", "partner_key", "key1", "key2"], name="summary_key"
            ),
        ]
        indexes = [
            models.Index(fields=["partner_key", "fact", "grain", "period"], name="summary_partner_fact_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.fact}/{self.grain}/{self.period}/{self.partner_key}/{self.key1}/{self.key2}: {self.n}"


class SummaryState(models.Model):
    """One row (pk 1): when the summary counts were last built, the "figures as of" time."""

    built_at = models.DateTimeField()
    rows = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = _("summary state")
        verbose_name_plural = _("summary states")

    def __str__(self) -> str:
        return f"{self.rows} rows built at {self.built_at:%Y-%m-%d %H:%M:%S}"
