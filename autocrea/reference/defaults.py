"""Default reference data, loaded by a data migration (editable afterwards in the admin)."""

from __future__ import annotations

# code, fr, nl, en, positive, job creation, evidence hint
EXIT_KINDS = [
    (
        "self_employed",
        "Emploi créé : indépendant",
        "Eigen job: zelfstandige",
        "Own job: self-employed",
        True,
        True,
        "enterprise_number",
    ),
    (
        "company",
        "Emploi créé : société",
        "Eigen job: vennootschap",
        "Own job: company",
        True,
        True,
        "enterprise_number",
    ),
    ("salaried_job", "Emploi salarié", "Job in loondienst", "Salaried job", True, False, ""),
    ("training", "Formation", "Opleiding", "Training", True, False, ""),
    (
        "reoriented",
        "Réorienté vers un autre service",
        "Doorverwezen naar een andere dienst",
        "Reoriented to another service",
        False,
        False,
        "",
    ),
    ("dropped_out", "Abandon", "Afgehaakt", "Dropped out", False, False, ""),
    ("not_viable", "Projet non viable", "Project niet leefbaar", "Project not viable", False, False, ""),
    ("other", "Autre", "Andere", "Other", False, False, ""),
]

# code, fr, nl, en, sensitive
BARRIERS = [
    ("qualifications", "Manque de qualifications", "Gebrek aan kwalificaties", "Lack of qualifications", False),
    ("language", "Connaissance de la langue", "Taalkennis", "Language skills", False),
    ("digital", "Compétences numériques", "Digitale vaardigheden", "Digital skills", False),
    ("confidence", "Confiance en soi", "Zelfvertrouwen", "Self-confidence", False),
    ("no_diploma", "Pas de diplôme", "Geen diploma", "No diploma", False),
    ("diploma_not_recognised", "Diplôme non reconnu", "Diploma niet erkend", "Diploma not recognised", False),
    ("discrimination", "Discrimination vécue", "Ervaren discriminatie", "Experienced discrimination", True),
    ("financial", "Situation financière", "Financiële situatie", "Financial situation", False),
    ("childcare", "Garde d'enfants", "Kinderopvang", "Childcare", False),
    ("health", "Santé", "Gezondheid", "Health", True),
    ("housing", "Logement", "Huisvesting", "Housing", False),
    ("mobility", "Mobilité", "Mobiliteit", "Mobility", False),
]

# NACE Rev. 2 sections
SECTORS = [
    ("A", "Agriculture, sylviculture et pêche", "Landbouw, bosbouw en visserij", "Agriculture, forestry and fishing"),
    ("B", "Industries extractives", "Winning van delfstoffen", "Mining and quarrying"),
    ("C", "Industrie manufacturière", "Industrie", "Manufacturing"),
    ("D", "Énergie", "Energievoorziening", "Electricity, gas, steam and air conditioning"),
    ("E", "Eau, déchets et dépollution", "Water, afval en sanering", "Water supply, sewerage, waste management"),
    ("F", "Construction", "Bouwnijverheid", "Construction"),
    ("G", "Commerce", "Handel", "Wholesale and retail trade"),
    ("H", "Transports et entreposage", "Vervoer en opslag", "Transportation and storage"),
    ("I", "Hébergement et restauration", "Logies en horeca", "Accommodation and food service"),
    ("J", "Information et communication", "Informatie en communicatie", "Information and communication"),
    (
        "K",
        "Activités financières et d'assurance",
        "Financiële activiteiten en verzekeringen",
        "Financial and insurance activities",
    ),
    ("L", "Activités immobilières", "Exploitatie van en handel in onroerend goed", "Real estate activities"),
    (
        "M",
        "Activités spécialisées, scientifiques et techniques",
        "Vrije beroepen en wetenschappelijke activiteiten",
        "Professional, scientific and technical activities",
    ),
    (
        "N",
        "Services administratifs et de soutien",
        "Administratieve en ondersteunende diensten",
        "Administrative and support services",
    ),
    ("O", "Administration publique", "Openbaar bestuur", "Public administration"),
    ("P", "Enseignement", "Onderwijs", "Education"),
    (
        "Q",
        "Santé humaine et action sociale",
        "Menselijke gezondheidszorg en maatschappelijke dienstverlening",
        "Human health and social work",
    ),
    (
        "R",
        "Arts, spectacles et activités récréatives",
        "Kunst, amusement en recreatie",
        "Arts, entertainment and recreation",
    ),
    ("S", "Autres activités de services", "Overige diensten", "Other service activities"),
    ("T", "Activités des ménages", "Huishoudens als werkgever", "Households as employers"),
    ("U", "Organisations extraterritoriales", "Extraterritoriale organisaties", "Extraterritorial organisations"),
]
