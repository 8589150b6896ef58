"""The dashboards' filters: the period (from, to), the partner (programme manager only) and the equity dimension."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _

from autocrea.partners.models import Partner
from autocrea.reporting import kpis

DATE_FORMATS = ("%d/%m/%Y", "%Y-%m-%d")


@dataclass
class Filters:
    start: datetime.date | None = None
    end: datetime.date | None = None
    partner: Partner | None = None
    dimension: str = "gender"
    raw: dict[str, str] = field(default_factory=dict)
    errors: list[dict[str, str]] = field(default_factory=list)

    def query(self, **extra: str) -> str:
        params = {k: v for k, v in self.raw.items() if v}
        params.update(extra)
        return urlencode(params)


def _parse_date(value: str) -> datetime.date | None:
    for fmt_ in DATE_FORMATS:
        try:
            return datetime.datetime.strptime(value.strip(), fmt_).date()
        except ValueError:
            continue
    return None


def read_filters(request: HttpRequest, *, partner_choice: bool) -> Filters:
    f = Filters()
    for name, label in (("from", _("From")), ("to", _("To"))):
        value = request.GET.get(name, "").strip()[:20]
        f.raw[name] = value
        if not value:
            continue
        day = _parse_date(value)
        if day is None:
            f.errors.append(
                {"field": f"id_{name}", "text": _("%(label)s: write the date as dd/mm/yyyy.") % {"label": label}}
            )
        elif name == "from":
            f.start = day
        else:
            f.end = day
    if f.start and f.end and f.start > f.end:
        f.errors.append({"field": "id_from", "text": _("The period starts after it ends.")})
        f.start = f.end = None
    if partner_choice:
        slug = request.GET.get("partner", "").strip()[:50]
        if slug:
            f.partner = Partner.objects.filter(slug=slug).first()
            if f.partner is None:
                raise Http404
            f.raw["partner"] = slug
    dimension = request.GET.get("dimension", "gender")
    f.dimension = dimension if dimension in kpis.DIMENSIONS else "gender"
    f.raw["dimension"] = f.dimension if f.dimension != "gender" else ""
    return f
