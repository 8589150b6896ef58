"""The fixed cast shared by the demo data and the tests: six partners and one account per role."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction

from autocrea.accounts.models import User
from autocrea.backbone.roles import Role
from autocrea.partners.models import Partner
from autocrea.reference.models import BusinessSector


@dataclass(frozen=True)
class PartnerSpec:
    slug: str
    name: str
    speciality_fr: str
    speciality_nl: str
    speciality_en: str
    sectors: tuple[str, ...]
    languages: tuple[str, ...]
    commune: str
    capacity: int
    focus_women: bool = False


PARTNERS: tuple[PartnerSpec, ...] = (
    PartnerSpec(
        "refresh",
        "Refresh Brussels",
        "Agriculture urbaine et alimentation durable ; test de viabilité du projet sur place.",
        "Stadslandbouw en duurzame voeding; leefbaarheidstest van het project ter plaatse.",
        "Urban agriculture and sustainable food; on-site test of the project's viability.",
        ("A", "I", "G"),
        ("fr", "nl", "en"),
        "21001",
        120,
    ),
    PartnerSpec(
        "faisletoimeme",
        "Fais-le toi-même",
        "Entrepreneuriat créatif et artisanat.",
        "Creatief ondernemerschap en ambacht.",
        "Creative entrepreneurship and crafts.",
        ("C", "R", "S"),
        ("fr",),
        "21013",
        100,
    ),
    PartnerSpec(
        "credal",
        "Crédal",
        "Accompagnement centré sur les femmes ; microcrédit.",
        "Begeleiding gericht op vrouwen; microkrediet.",
        "Accompaniment focused on women; microcredit.",
        ("G", "S", "I", "M"),
        ("fr", "nl"),
        "21009",
        150,
        True,
    ),
    PartnerSpec(
        "jobyourself",
        "JobYourself",
        "Coopérative d'activités et d'emploi : tester son activité en facturant sous le numéro d'entreprise "
        "de la coopérative, en gardant ses allocations.",
        "Activiteiten- en werkcoöperatie: je activiteit testen door te factureren onder het "
        "ondernemingsnummer van de coöperatie, met behoud van je uitkering.",
        "Business and employment cooperative: test an activity by invoicing under the cooperative's "
        "company number while keeping your benefits.",
        ("M", "N", "J", "S"),
        ("fr", "nl", "en"),
        "21004",
        250,
    ),
    PartnerSpec(
        "illes",
        "Illes",
        "Accompagnement à la création d'activité dans tous les secteurs, ancré dans l'économie locale.",
        "Begeleiding bij het opstarten van een activiteit in alle sectoren, verankerd in de lokale economie.",
        "Support to start an activity in any sector, rooted in the local economy.",
        ("G", "F", "N", "S"),
        ("fr", "nl"),
        "21015",
        150,
    ),
    PartnerSpec(
        "microstart",
        "microStart",
        "Microcrédit et coaching pour lancer ou développer une petite activité.",
        "Microkrediet en coaching om een kleine activiteit op te starten of uit te breiden.",
        "Microcredit and coaching to start or grow a small business.",
        ("G", "I", "H", "F", "S"),
        ("fr", "nl", "en", "ar"),
        "21012",
        230,
    ),
)


@transaction.atomic
def ensure_partners() -> dict[str, Partner]:
    """Create or update the six partners; return them by slug."""
    result: dict[str, Partner] = {}
    for spec in PARTNERS:
        partner, _ = Partner.objects.update_or_create(
            slug=spec.slug,
            defaults={
                "name_fr": spec.name,
                "name_nl": spec.name,
                "name_en": spec.name,
                "speciality_fr": spec.speciality_fr,
                "speciality_nl": spec.speciality_nl,
                "speciality_en": spec.speciality_en,
                "languages": list(spec.languages),
                "commune_id": spec.commune,
                "yearly_capacity": spec.capacity,
                "focus_women": spec.focus_women,
                "active": True,
            },
        )
        partner.sectors.set(BusinessSector.objects.filter(code__in=spec.sectors))
        result[spec.slug] = partner
    return result


def demo_usernames() -> list[tuple[str, str, str | None]]:
    """Return (username, role, partner slug) for every demo account."""
    rows: list[tuple[str, str, str | None]] = [("demo-counsellor", Role.COUNSELLOR, None)]
    for spec in PARTNERS:
        rows.append((f"demo-coach-{spec.slug}", Role.COACH, spec.slug))
        rows.append((f"demo-partner-manager-{spec.slug}", Role.PARTNER_MANAGER, spec.slug))
    rows += [
        ("demo-programme-manager", Role.PROGRAMME_MANAGER, None),
        ("demo-admin", Role.ADMIN, None),
        ("demo-jobseeker", Role.JOBSEEKER, None),
    ]
    return rows


@transaction.atomic
def ensure_accounts(password: str) -> dict[str, User]:
    """Create or update one account per role (and per partner for partner staff)."""
    partners = ensure_partners()
    users: dict[str, User] = {}
    for username, role, slug in demo_usernames():
        user, _ = User.objects.get_or_create(username=username)
        user.role = role
        user.partner = partners[slug] if slug else None
        user.first_name = username.split("-")[1].capitalize()
        user.last_name = "Demo"
        user.email = f"{username}@example.org"
        user.is_staff = role == Role.ADMIN
        user.is_superuser = role == Role.ADMIN
        user.set_password(password)
        user.save()
        users[username] = user
    return users
