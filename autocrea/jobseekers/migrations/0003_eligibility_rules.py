"""Seed the programme's four eligibility rules (editable afterwards in the Django admin)."""

from django.db import migrations

RULES = [
    (
        "unemployed_12_months",
        "long_term_unemployed",
        {"months": 12},
        "Demandeur d'emploi depuis au moins 12 mois",
        "Werkzoekend sinds minstens 12 maanden",
        "Unemployed for at least 12 months",
    ),
    (
        "cpas_client",
        "social_income",
        {},
        "Bénéficiaire du CPAS (revenu d'intégration sociale)",
        "Cliënt van het OCMW (leefloon)",
        "CPAS client (social integration income)",
    ),
    (
        "low_skilled",
        "low_skilled",
        {},
        "Peu qualifié (sans diplôme du secondaire supérieur)",
        "Laaggeschoold (geen diploma hoger secundair onderwijs)",
        "Low-skilled (no upper-secondary diploma)",
    ),
    ("aged_50", "age_at_least", {"age": 50}, "Âgé de 50 ans ou plus", "50 jaar of ouder", "Aged 50 or over"),
]


def seed(apps, schema_editor):
    Rule = apps.get_model("jobseekers", "EligibilityRule")
    for order, (code, kind, params, fr, nl, en) in enumerate(RULES, start=1):
        Rule.objects.update_or_create(
            code=code,
            defaults={"kind": kind, "label_fr": fr, "label_nl": nl, "label_en": en, "order": order, **params},
        )


def unseed(apps, schema_editor):
    apps.get_model("jobseekers", "EligibilityRule").objects.filter(code__in=[r[0] for r in RULES]).delete()


class Migration(migrations.Migration):
    dependencies = [("jobseekers", "0002_eligibility")]
    operations = [migrations.RunPython(seed, unseed)]
