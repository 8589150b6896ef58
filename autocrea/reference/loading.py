"""Load the default reference data (used by the data migration and by tests)."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

from autocrea.reference import defaults

COMMUNES_CSV = Path(__file__).parent / "data" / "brussels-communes.csv"


def load_reference_data(apps: Any = None) -> None:
    """Create or update communes, exit kinds, barriers and sectors (idempotent)."""
    if apps is None:
        from django.apps import apps as global_apps

        apps = global_apps
    commune = apps.get_model("reference", "Commune")
    exit_kind = apps.get_model("reference", "ExitKind")
    barrier = apps.get_model("reference", "BarrierCode")
    sector = apps.get_model("reference", "BusinessSector")
    with COMMUNES_CSV.open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            commune.objects.update_or_create(
                nis_code=row["nis_code"],
                defaults={
                    "name_fr": row["name_fr"],
                    "name_nl": row["name_nl"],
                    "name_en": row["name_fr"],
                    "postcodes": row["postcodes"],
                },
            )
    for position, (code, fr, nl, en, positive, creation, hint) in enumerate(defaults.EXIT_KINDS):
        exit_kind.objects.get_or_create(
            code=code,
            defaults={
                "name_fr": fr,
                "name_nl": nl,
                "name_en": en,
                "is_positive": positive,
                "is_job_creation": creation,
                "evidence_hint": hint,
                "position": position,
            },
        )
    for position, (code, fr, nl, en, sensitive) in enumerate(defaults.BARRIERS):
        barrier.objects.get_or_create(
            code=code,
            defaults={"name_fr": fr, "name_nl": nl, "name_en": en, "sensitive": sensitive, "position": position},
        )
    for code, fr, nl, en in defaults.SECTORS:
        sector.objects.get_or_create(code=code, defaults={"name_fr": fr, "name_nl": nl, "name_en": en})
