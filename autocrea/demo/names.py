"""Plausible Brussels names and distributions shared by seed_demo and generate_population (synthetic only)."""

from __future__ import annotations

import datetime
import random
from dataclasses import dataclass

from stdnum.be import ssn, vat


@dataclass(frozen=True)
class Origin:
    key: str
    weight: int
    women: tuple[str, ...]
    men: tuple[str, ...]
    # "Kowalski/Kowalska": the form after the slash is used for women.
    last_names: tuple[str, ...]
    languages: tuple[str, ...]  # languages often spoken besides French or Dutch (partners.Language codes)


ORIGINS: tuple[Origin, ...] = (
    Origin(
        "belgian_fr",
        16,
        ("Marie", "Sophie", "Julie", "Camille", "Nathalie", "Céline", "Aurélie", "Valérie", "Manon", "Chloé"),
        ("Thomas", "Nicolas", "Julien", "Maxime", "Olivier", "Benoît", "François", "Quentin", "Arnaud", "Cédric"),
        ("Dubois", "Lambert", "Dupont", "Martin", "Lejeune", "Renard", "Leclercq", "Francois", "Dumont", "Simon"),
        ("en",),
    ),
    Origin(
        "belgian_nl",
        9,
        ("Lotte", "Eline", "An", "Sarah", "Lien", "Annelies", "Els", "Hanne"),
        ("Pieter", "Jef", "Wouter", "Bram", "Koen", "Stijn", "Joris", "Tom"),
        ("Peeters", "Janssens", "Maes", "Claes", "Vermeulen", "De Smet", "Willems", "Goossens", "Wouters"),
        ("en",),
    ),
    Origin(
        "moroccan",
        18,
        ("Amina", "Fatima", "Khadija", "Salma", "Yasmina", "Nadia", "Imane", "Soukaina", "Hanane", "Meryem"),
        ("Mohamed", "Youssef", "Karim", "Hamza", "Rachid", "Anas", "Mehdi", "Bilal", "Said", "Ayoub"),
        ("El Amrani", "Benali", "Bouzid", "El Idrissi", "Azzouzi", "Chakir", "Ouali", "Tahiri", "El Khattabi"),
        ("ar",),
    ),
    Origin(
        "turkish",
        8,
        ("Elif", "Ayşe", "Zeynep", "Merve", "Emine", "Büşra"),
        ("Mehmet", "Emre", "Burak", "Murat", "Hakan", "Serkan"),
        ("Yılmaz", "Demir", "Kaya", "Şahin", "Öztürk", "Çelik", "Aydın"),
        ("tr",),
    ),
    Origin(
        "congolese",
        9,
        ("Grâce", "Divine", "Nadège", "Esther", "Merveille", "Christelle"),
        ("Patrick", "Jean-Pierre", "Christian", "Serge", "Fiston", "Héritier"),
        ("Mbuyi", "Kabongo", "Lukusa", "Tshibangu", "Mukendi", "Ilunga", "Kalonji", "Nsimba"),
        ("other", "en"),
    ),
    Origin(
        "romanian",
        7,
        ("Ioana", "Elena", "Andreea", "Maria", "Cristina"),
        ("Andrei", "Mihai", "Ionuț", "Florin", "Adrian"),
        ("Popescu", "Ionescu", "Dumitru", "Stan", "Munteanu", "Constantin"),
        ("ro", "en"),
    ),
    Origin(
        "polish",
        5,
        ("Agnieszka", "Katarzyna", "Magdalena", "Joanna"),
        ("Piotr", "Tomasz", "Krzysztof", "Paweł"),
        ("Kowalski/Kowalska", "Nowak", "Wiśniewski/Wiśniewska", "Lewandowski/Lewandowska", "Wójcik"),
        ("other", "en"),
    ),
    Origin(
        "syrian",
        5,
        ("Rasha", "Lina", "Hiba", "Nour", "Reem"),
        ("Omar", "Ahmad", "Khaled", "Samer", "Tarek"),
        ("Al-Hassan", "Haddad", "Khoury", "Al-Ahmad", "Sabbagh", "Darwish"),
        ("ar", "en"),
    ),
    Origin(
        "guinean",
        5,
        ("Aïssatou", "Mariama", "Fatoumata", "Kadiatou"),
        ("Mamadou", "Ibrahima", "Alpha", "Ousmane"),
        ("Diallo", "Barry", "Bah", "Sow", "Camara"),
        ("other",),
    ),
    Origin(
        "southern_european",
        6,
        ("Lucía", "Giulia", "Ana", "Francesca", "Inês"),
        ("Marco", "Javier", "João", "Luca", "Pablo"),
        ("García", "Rossi", "Silva", "Fernández", "Esposito", "Santos", "Romano"),
        ("es", "pt", "en"),
    ),
)
NON_BINARY_FIRST_NAMES = ("Charlie", "Alex", "Sam", "Noa", "Eden", "Kim")

# NIS code → relative weight (roughly the communes' share of Brussels job seekers).
COMMUNE_WEIGHTS = {
    "21004": 16,
    "21015": 14,
    "21001": 13,
    "21012": 11,
    "21013": 5,
    "21007": 5,
    "21009": 5,
    "21014": 4,
    "21010": 4,
    "21006": 4,
    "21016": 4,
    "21005": 3,
    "21011": 2,
    "21003": 2,
    "21008": 2,
    "21018": 2,
    "21002": 1,
    "21017": 1,
    "21019": 1,
}
EDUCATION_WEIGHTS = {
    "none": 15,
    "lower_secondary": 20,
    "upper_secondary": 30,
    "post_secondary": 8,
    "bachelor": 17,
    "master": 10,
}


def pick_name(rng: random.Random, gender: str) -> tuple[str, str, Origin]:
    """Return (first name, last name, origin) for a person of `gender`."""
    origin = rng.choices(ORIGINS, weights=[o.weight for o in ORIGINS])[0]
    if gender == "non_binary":
        first = rng.choice(NON_BINARY_FIRST_NAMES)
    else:
        first = rng.choice(origin.women if gender == "female" else origin.men)
    last = rng.choice(origin.last_names)
    if "/" in last:
        male_form, female_form = last.split("/")
        last = female_form if gender == "female" else male_form
    return first, last, origin


def national_number(rng: random.Random, birth_date: datetime.date, gender: str) -> str:
    """Return a valid national register number (mod-97 check) for this birth date and gender."""
    serial = rng.randrange(1, 998)
    if gender == "male" and serial % 2 == 0:
        serial = serial - 1 if serial > 1 else 1
    if gender == "female" and serial % 2 == 1:
        serial += 1
    body = f"{birth_date:%y%m%d}{serial:03d}"
    base = int(("2" + body) if birth_date.year >= 2000 else body)
    digits = f"{body}{97 - base % 97:02d}"
    if not ssn.is_valid(digits):  # pragma: no cover - a bug in the lines above, not bad luck
        raise AssertionError("generated an invalid national number")
    return digits


def enterprise_number(rng: random.Random) -> str:
    """Return a valid BCE/KBO enterprise number (10 digits starting with 0, mod-97 check)."""
    base = f"0{rng.randrange(2_000_000, 9_999_999):07d}"
    digits = f"{base}{97 - int(base) % 97:02d}"
    if not vat.is_valid(digits):  # pragma: no cover
        raise AssertionError("generated an invalid enterprise number")
    return digits
