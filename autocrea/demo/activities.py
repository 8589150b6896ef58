"""The six demo partners' own activities, each mapped onto a backbone step (partners.PartnerActivity).

Written from each partner's public method (product brief): Refresh Brussels tests projects on site,
Crédal runs workshops for women entrepreneurs and prepares microcredit files, JobYourself lets people
test an activity inside its cooperative, microStart reviews microcredit applications, and so on.
`ensure_activities` is idempotent: it creates what is missing and leaves managers' changes alone.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction

from autocrea.partners.models import Partner, PartnerActivity


@dataclass(frozen=True)
class ActivitySpec:
    code: str
    step: str
    kind: str
    name_fr: str
    name_nl: str
    name_en: str
    description: str = ""


def _diagnostic(fr: str, nl: str, en: str, description: str = "") -> ActivitySpec:
    return ActivitySpec("diagnostic", "diagnostic", "individual", fr, nl, en, description)


def _coaching(fr: str = "Coaching individuel du projet", description: str = "") -> ActivitySpec:
    return ActivitySpec(
        "coaching", "accompaniment", "individual", fr, "Individuele projectcoaching", "Individual project coaching",
        description,
    )  # fmt: skip


def _exit(fr: str, nl: str, en: str, description: str = "") -> ActivitySpec:
    return ActivitySpec("exit-preparation", "exit", "individual", fr, nl, en, description)


CATALOGUE: dict[str, tuple[ActivitySpec, ...]] = {
    "refresh": (
        _diagnostic(
            "Entretien diagnostic et visite du site",
            "Diagnosegesprek en bezoek aan de site",
            "Diagnostic interview and site visit",
            "Premier entretien sur le projet alimentaire ou agricole, avec visite des parcelles et de la cuisine.",
        ),
        _coaching(),
        ActivitySpec(
            "market-gardening-workshop",
            "accompaniment",
            "workshop",
            "Atelier maraîchage et circuits courts",
            "Workshop stadstuinbouw en korte keten",
            "Market gardening and short supply chain workshop",
            "Cycle de quatre demi-journées sur les parcelles de Refresh.",
        ),
        ActivitySpec(
            "on-site-test",
            "accompaniment",
            "test",
            "Test d'activité sur site (parcelle ou cuisine partagée)",
            "Activiteitstest ter plaatse (perceel of gedeelde keuken)",
            "On-site activity test (plot or shared kitchen)",
            "Produire et vendre à petite échelle pendant trois à six mois pour vérifier la viabilité.",
        ),
        _exit(
            "Préparation du lancement",
            "Voorbereiding van de start",
            "Launch preparation",
        ),
    ),
    "faisletoimeme": (
        _diagnostic(
            "Diagnostic du projet créatif",
            "Diagnose van het creatieve project",
            "Creative project diagnostic",
        ),
        _coaching(),
        ActivitySpec(
            "pricing-workshop",
            "accompaniment",
            "workshop",
            "Atelier collectif : fixer le prix d'une création",
            "Groepsworkshop: de prijs van een creatie bepalen",
            "Group workshop: pricing a creation",
        ),
        ActivitySpec(
            "pop-up-shop",
            "accompaniment",
            "test",
            "Vente test en boutique éphémère",
            "Testverkoop in een pop-upwinkel",
            "Test sale in a pop-up shop",
            "Exposer et vendre ses créations deux semaines dans la boutique partagée.",
        ),
        _exit("Bilan de sortie", "Eindbalans", "Exit review"),
    ),
    "credal": (
        _diagnostic(
            "Entretien d'accueil et diagnostic",
            "Onthaalgesprek en diagnose",
            "Welcome interview and diagnostic",
        ),
        ActivitySpec(
            "women-workshops",
            "accompaniment",
            "workshop",
            "Cycle d'ateliers pour femmes entrepreneures",
            "Workshopreeks voor vrouwelijke ondernemers",
            "Workshop series for women entrepreneurs",
            "Dix ateliers en groupe : plan d'affaires, prix, communication, confiance en soi.",
        ),
        _coaching(),
        ActivitySpec(
            "microcredit-file",
            "accompaniment",
            "individual",
            "Préparation du dossier de microcrédit",
            "Voorbereiding van het microkredietdossier",
            "Microcredit application preparation",
            "Plan financier, budget personnel et pièces du dossier présenté au comité de crédit.",
        ),
        ActivitySpec(
            "peer-group",
            "accompaniment",
            "collective",
            "Groupe d'entraide entre entrepreneures",
            "Intervisiegroep van ondernemers",
            "Peer support group of women entrepreneurs",
        ),
        _exit("Préparation du lancement", "Voorbereiding van de start", "Launch preparation"),
    ),
    "jobyourself": (
        _diagnostic(
            "Diagnostic d'entrée dans la coopérative",
            "Intakediagnose in de coöperatie",
            "Cooperative entry diagnostic",
        ),
        ActivitySpec(
            "cooperative-test",
            "accompaniment",
            "test",
            "Test d'activité en coopérative",
            "Activiteitstest in de coöperatie",
            "Activity test in the cooperative",
            "Facturer sous le numéro d'entreprise de la coopérative en gardant ses allocations, jusqu'à 18 mois.",
        ),
        _coaching("Coaching individuel de l'entrepreneur à l'essai"),
        ActivitySpec(
            "group-trainings",
            "accompaniment",
            "workshop",
            "Formations collectives (comptabilité, prospection, marketing)",
            "Groepsopleidingen (boekhouding, prospectie, marketing)",
            "Group trainings (accounting, prospecting, marketing)",
        ),
        _exit(
            "Préparation à la sortie de la coopérative",
            "Voorbereiding op het verlaten van de coöperatie",
            "Preparing to leave the cooperative",
        ),
    ),
    "illes": (
        _diagnostic("Diagnostic du projet", "Projectdiagnose", "Project diagnostic"),
        ActivitySpec(
            "business-plan-workshops",
            "accompaniment",
            "workshop",
            "Ateliers collectifs sur le plan d'affaires",
            "Groepsworkshops over het ondernemingsplan",
            "Group workshops on the business plan",
        ),
        _coaching(),
        ActivitySpec(
            "financial-plan",
            "accompaniment",
            "individual",
            "Accompagnement au plan financier",
            "Begeleiding bij het financieel plan",
            "Financial plan support",
        ),
        _exit("Bilan de fin d'accompagnement", "Eindbalans van de begeleiding", "End-of-accompaniment review"),
    ),
    "microstart": (
        _diagnostic("Entretien de diagnostic", "Diagnosegesprek", "Diagnostic interview"),
        ActivitySpec(
            "microcredit-review",
            "accompaniment",
            "individual",
            "Analyse de la demande de microcrédit",
            "Analyse van de microkredietaanvraag",
            "Microcredit application review",
        ),
        ActivitySpec(
            "management-training",
            "accompaniment",
            "workshop",
            "Formation collective à la gestion",
            "Groepsopleiding bedrijfsbeheer",
            "Group training in business management",
        ),
        _coaching(),
        _exit("Suivi du lancement", "Opvolging van de start", "Launch follow-up"),
    ),
}


@transaction.atomic
def ensure_activities(partners: dict[str, Partner]) -> dict[tuple[str, str], PartnerActivity]:
    """Create the missing catalogue entries of the demo partners; return them by (partner slug, code)."""
    result: dict[tuple[str, str], PartnerActivity] = {}
    for slug, specs in CATALOGUE.items():
        partner = partners.get(slug)
        if partner is None:
            continue
        for position, spec in enumerate(specs, start=1):
            activity, _created = PartnerActivity.objects.get_or_create(
                partner=partner,
                code=spec.code,
                defaults={
                    "step": spec.step,
                    "kind": spec.kind,
                    "name_fr": spec.name_fr,
                    "name_nl": spec.name_nl,
                    "name_en": spec.name_en,
                    "description": spec.description,
                    "position": position * 10,
                },
            )
            result[(slug, spec.code)] = activity
    return result
