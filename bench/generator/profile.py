"""Shape of the generated population: weights and amounts, in one place to tune.

Orders of magnitude follow the public profile of social-housing applicants (many people
living alone and single parents, low incomes, private tenants and hosted people); they are
plausible, not statistics of the territory. Weights are relative, not percentages.
"""

from __future__ import annotations

from toit_contracts.enums import BesoinAccessibilite as Besoin
from toit_contracts.enums import MotifDemande as M
from toit_contracts.enums import SituationFamiliale as SF
from toit_contracts.enums import SituationProfessionnelle as SP
from toit_contracts.enums import TypeLogementActuel as L
from toit_contracts.enums import TypeLogementRecherche as TR
from toit_contracts.enums import Typologie as T

Weights = dict[str, float]

# Home communes are drawn with weight population ** URBAN_SKEW: demand concentrates in towns.
URBAN_SKEW = 1.15
# Share of households whose demande targets another commune than their home (moving).
MOVING_SHARE = 0.12

COMPOSITIONS: Weights = {
    "SEUL": 44,
    "MONOPARENTAL": 26,
    "COUPLE": 10,
    "COUPLE_ENFANTS": 17,
    "AVEC_PROCHE": 3,  # an adult with an ascendant or a brother/sister
}
NOMBRE_ENFANTS: dict[int, float] = {1: 45, 2: 33, 3: 14, 4: 6, 5: 2}
# Age bands of the demandeur per composition: (min, max) -> weight.
AGES: dict[str, dict[tuple[int, int], float]] = {
    "SEUL": {(18, 29): 25, (30, 49): 35, (50, 64): 22, (65, 92): 18},
    "MONOPARENTAL": {(19, 29): 20, (30, 44): 55, (45, 60): 25},
    "COUPLE": {(19, 29): 40, (30, 59): 35, (60, 88): 25},
    "COUPLE_ENFANTS": {(20, 29): 20, (30, 44): 60, (45, 58): 20},
    "AVEC_PROCHE": {(20, 39): 40, (40, 64): 60},
}
PART_FEMMES = {"MONOPARENTAL": 0.85}
PART_FEMMES_DEFAUT = 0.55
ECART_AGE_COUPLE = (-4, 6)  # codemandeur age minus demandeur age, uniform

SITUATION_FAMILIALE_SEUL: dict[str, Weights] = {
    "jeune": {SF.CELIBATAIRE: 85, SF.SEPARE: 10, SF.DIVORCE: 5},
    "adulte": {SF.CELIBATAIRE: 45, SF.DIVORCE: 30, SF.SEPARE: 20, SF.VEUF: 5},
    "senior": {SF.VEUF: 40, SF.DIVORCE: 30, SF.CELIBATAIRE: 25, SF.SEPARE: 5},
}
SITUATION_FAMILIALE_COUPLE: Weights = {SF.MARIE: 35, SF.PACSE: 20, SF.CONCUBIN: 45}
PART_NOM_USAGE_MARIEE = 0.6
PART_GARDE_ALTERNEE = 0.08
PART_GROSSESSE = 0.03

SITUATION_PRO: dict[str, Weights] = {
    "jeune": {
        SP.SALARIE_CDD_INTERIM: 28,
        SP.SALARIE_CDI: 20,
        SP.DEMANDEUR_EMPLOI: 18,
        SP.ETUDIANT: 16,
        SP.APPRENTI: 8,
        SP.AUTRE: 10,
    },
    "adulte": {
        SP.SALARIE_CDI: 34,
        SP.SALARIE_CDD_INTERIM: 18,
        SP.DEMANDEUR_EMPLOI: 17,
        SP.AUTRE: 16,
        SP.AGENT_FONCTION_PUBLIQUE: 6,
        SP.AGENT_ETAT: 3,
        SP.INDEPENDANT: 6,
    },
    "senior": {SP.RETRAITE: 85, SP.AUTRE: 10, SP.SALARIE_CDI: 5},
}
NATIONALITES: Weights = {"FRANCAISE": 85, "UNION_EUROPEENNE": 5, "HORS_UNION_EUROPEENNE": 10}

# Monthly income per professional situation: (resource type, mean, standard deviation,
# floor) alternatives with weights. Amounts in euros.
RESSOURCES_PRO: dict[str, list[tuple[float, str | None, float, float, float]]] = {
    SP.SALARIE_CDI: [(1, "SALAIRE", 1750, 450, 900)],
    SP.SALARIE_CDD_INTERIM: [(1, "SALAIRE", 1350, 350, 500)],
    SP.APPRENTI: [(1, "SALAIRE", 950, 200, 500)],
    SP.AGENT_ETAT: [(1, "SALAIRE", 1900, 400, 1300)],
    SP.AGENT_FONCTION_PUBLIQUE: [(1, "SALAIRE", 1750, 350, 1200)],
    SP.INDEPENDANT: [(1, "REVENU_NON_SALARIE", 1300, 700, 150)],
    SP.ETUDIANT: [
        (45, "BOURSE", 450, 150, 100),
        (30, "SALAIRE", 550, 200, 150),
        (25, None, 0, 0, 0),
    ],
    SP.DEMANDEUR_EMPLOI: [(60, "ALLOCATION_CHOMAGE", 1050, 300, 400), (40, "RSA", 607, 0, 607)],
    SP.RETRAITE: [(1, "PENSION_RETRAITE", 1300, 450, 700)],
    SP.AUTRE: [
        (35, "AAH", 1016, 0, 1016),
        (35, "RSA", 607, 0, 607),
        (15, "PENSION_INVALIDITE", 900, 250, 300),
        (10, "INDEMNITES_JOURNALIERES", 1100, 300, 400),
        (5, None, 0, 0, 0),
    ],
}
# Taxable types count in the revenu fiscal de référence (with a 10 % deduction).
IMPOSABLES = frozenset(
    {
        "SALAIRE",
        "REVENU_NON_SALARIE",
        "ALLOCATION_CHOMAGE",
        "INDEMNITES_JOURNALIERES",
        "PENSION_RETRAITE",
        "PENSION_INVALIDITE",
    }
)
RFR_VARIATION = 0.15  # N-2 income differs from today's: relative standard deviation
PART_SANS_RFR = 0.05  # recently arrived, no French tax notice yet
PRESTATIONS_PAR_ENFANT = (0, 0, 150, 340, 530, 720)  # family benefits by number of children
ALLOCATION_SOUTIEN_FAMILIAL = 195  # per child, for part of the single parents
PART_PRIME_ACTIVITE = 0.35  # of households with a salary under 1600 €
PART_PENSION_ALIMENTAIRE = 0.3  # of single parents, 170 € per child
PENSION_ALIMENTAIRE_PAR_ENFANT = 170

LOGEMENT_ACTUEL: dict[str, Weights] = {
    "jeune": {
        L.HEBERGE_CHEZ_PARENTS: 40,
        L.LOCATAIRE_PARC_PRIVE: 25,
        L.HEBERGE_CHEZ_TIERS: 8,
        L.RESIDENCE_ETUDIANTE: 6,
        L.LOCATAIRE_HLM: 6,
        L.RESIDENCE_SOCIALE_FOYER: 4,
        L.STRUCTURE_HEBERGEMENT: 3,
        L.SOUS_LOCATAIRE: 3,
        L.LOGE_A_TITRE_GRATUIT: 2,
        L.SANS_ABRI: 1,
        L.CENTRE_ENFANCE_FAMILLE: 0.5,
        L.SQUAT: 0.3,
        L.HOTEL: 0.5,
        L.CAMPING_CARAVANE: 0.4,
        L.RHVS: 0.2,
    },
    "adulte": {
        L.LOCATAIRE_PARC_PRIVE: 38,
        L.LOCATAIRE_HLM: 28,
        L.HEBERGE_CHEZ_TIERS: 8,
        L.HEBERGE_CHEZ_PARENTS: 6,
        L.PROPRIETAIRE: 4,
        L.STRUCTURE_HEBERGEMENT: 4,
        L.RESIDENCE_SOCIALE_FOYER: 2,
        L.SOUS_LOCATAIRE: 2,
        L.LOGE_A_TITRE_GRATUIT: 2,
        L.LOGEMENT_DE_FONCTION: 1,
        L.SANS_ABRI: 1.5,
        L.HOTEL: 0.8,
        L.CAMPING_CARAVANE: 0.8,
        L.SQUAT: 0.3,
        L.RHVS: 0.2,
    },
    "senior": {
        L.LOCATAIRE_PARC_PRIVE: 38,
        L.LOCATAIRE_HLM: 35,
        L.PROPRIETAIRE: 12,
        L.HEBERGE_CHEZ_PARENTS: 4,
        L.HEBERGE_CHEZ_TIERS: 4,
        L.RESIDENCE_SOCIALE_FOYER: 3,
        L.LOGE_A_TITRE_GRATUIT: 2,
        L.LOGEMENT_DE_FONCTION: 1,
        L.CAMPING_CARAVANE: 1,
    },
}
LOCATAIRES: frozenset[str] = frozenset({L.LOCATAIRE_PARC_PRIVE, L.LOCATAIRE_HLM, L.SOUS_LOCATAIRE})
# Monthly rent: base + per room, euros.
LOYERS: dict[str, tuple[int, int]] = {
    L.LOCATAIRE_PARC_PRIVE: (330, 110),
    L.LOCATAIRE_HLM: (250, 75),
    L.SOUS_LOCATAIRE: (300, 80),
}

_SANS_LOGEMENT_PROPRE: Weights = {
    M.SANS_LOGEMENT: 45,
    M.LOGEMENT_TEMPORAIRE: 30,
    M.HEBERGE: 12,
    M.VIOLENCES_FAMILIALES: 8,
    M.RAISONS_DE_SANTE: 5,
}
MOTIFS: dict[str, Weights] = {
    L.LOCATAIRE_PARC_PRIVE: {
        M.LOGEMENT_TROP_CHER: 35,
        M.LOGEMENT_TROP_PETIT: 22,
        M.LOGEMENT_NON_DECENT: 6,
        M.LOGEMENT_REPRIS: 6,
        M.PROCEDURE_EXPULSION: 3,
        M.DIVORCE_SEPARATION: 6,
        M.RAPPROCHEMENT_TRAVAIL: 5,
        M.HANDICAP: 2,
        M.RAISONS_DE_SANTE: 3,
        M.ENVIRONNEMENT_VOISINAGE: 4,
        M.RAPPROCHEMENT_FAMILIAL: 3,
        M.LOGEMENT_INADAPTE: 3,
        M.MUTATION_PROFESSIONNELLE: 1,
        M.RAPPROCHEMENT_EQUIPEMENTS: 1,
    },
    L.LOCATAIRE_HLM: {
        M.LOGEMENT_TROP_PETIT: 30,
        M.LOGEMENT_TROP_GRAND: 8,
        M.LOGEMENT_TROP_CHER: 12,
        M.LOGEMENT_INADAPTE: 10,
        M.HANDICAP: 5,
        M.RAISONS_DE_SANTE: 6,
        M.ENVIRONNEMENT_VOISINAGE: 14,
        M.RAPPROCHEMENT_TRAVAIL: 5,
        M.DIVORCE_SEPARATION: 4,
        M.RAPPROCHEMENT_EQUIPEMENTS: 4,
        M.VIOLENCES_FAMILIALES: 2,
        M.DEMOLITION: 1,
    },
    L.HEBERGE_CHEZ_PARENTS: {
        M.DECOHABITATION: 60,
        M.FUTUR_COUPLE: 10,
        M.HEBERGE: 15,
        M.RAPPROCHEMENT_TRAVAIL: 8,
        M.SANS_LOGEMENT: 7,
    },
    L.HEBERGE_CHEZ_TIERS: {
        M.HEBERGE: 45,
        M.SANS_LOGEMENT: 35,
        M.DIVORCE_SEPARATION: 10,
        M.VIOLENCES_FAMILIALES: 5,
        M.REGROUPEMENT_FAMILIAL: 5,
    },
    L.LOGE_A_TITRE_GRATUIT: {M.HEBERGE: 40, M.SANS_LOGEMENT: 30, M.DECOHABITATION: 30},
    L.PROPRIETAIRE: {
        M.DIVORCE_SEPARATION: 40,
        M.PROPRIETAIRE_EN_DIFFICULTE: 25,
        M.LOGEMENT_INADAPTE: 20,
        M.RAISONS_DE_SANTE: 15,
    },
    L.LOGEMENT_DE_FONCTION: {
        M.LOGEMENT_REPRIS: 40,
        M.MUTATION_PROFESSIONNELLE: 30,
        M.RAPPROCHEMENT_FAMILIAL: 30,
    },
    L.RESIDENCE_ETUDIANTE: {
        M.LOGEMENT_TEMPORAIRE: 40,
        M.RAPPROCHEMENT_TRAVAIL: 30,
        M.FUTUR_COUPLE: 30,
    },
    L.SANS_ABRI: {M.SANS_LOGEMENT: 90, M.RAISONS_DE_SANTE: 10},
    L.SQUAT: {M.SANS_LOGEMENT: 80, M.LOCAL_IMPROPRE: 20},
    L.CAMPING_CARAVANE: {M.LOCAL_IMPROPRE: 50, M.SANS_LOGEMENT: 50},
    L.STRUCTURE_HEBERGEMENT: _SANS_LOGEMENT_PROPRE,
    L.RESIDENCE_SOCIALE_FOYER: _SANS_LOGEMENT_PROPRE,
    L.HOTEL: _SANS_LOGEMENT_PROPRE,
    L.RHVS: _SANS_LOGEMENT_PROPRE,
    L.SOUS_LOCATAIRE: _SANS_LOGEMENT_PROPRE,
    L.CENTRE_ENFANCE_FAMILLE: _SANS_LOGEMENT_PROPRE,
}
NOMBRE_MOTIFS_SECONDAIRES: dict[int, float] = {0: 50, 1: 35, 2: 15}
MOTIFS_HANDICAP: frozenset[str] = frozenset({M.HANDICAP, M.LOGEMENT_INADAPTE})
BESOINS_HANDICAP: Weights = {
    Besoin.ASCENSEUR: 30,
    Besoin.REZ_DE_CHAUSSEE: 25,
    Besoin.LOGEMENT_ACCESSIBLE: 25,
    Besoin.LOGEMENT_ADAPTE_FAUTEUIL: 10,
    Besoin.DOUCHE_PLAIN_PIED: 10,
}

# Wished typologies by household size (persons who will live in the unit); the last entry
# serves every larger household. TYPOLOGIES_POSSIBLES bounds them (checked by the tests).
TYPOLOGIES: list[dict[tuple[str, ...], float]] = [
    {(T.T1, T.T2): 40, (T.T2,): 30, (T.T1,): 15, (T.CHAMBRE, T.T1): 5, (T.T2, T.T3): 10},
    {(T.T2,): 30, (T.T2, T.T3): 45, (T.T3,): 20, (T.T1, T.T2): 5},
    {(T.T3,): 40, (T.T2, T.T3): 15, (T.T3, T.T4): 45},
    {(T.T3, T.T4): 30, (T.T4,): 45, (T.T4, T.T5): 25},
    {(T.T4, T.T5): 50, (T.T5,): 35, (T.T4,): 15},
    {(T.T5,): 35, (T.T5, T.T6): 50, (T.T4, T.T5): 15},
    {(T.T5, T.T6): 50, (T.T6,): 50},
]
TYPOLOGIES_POSSIBLES: list[tuple[str, str]] = [
    (T.CHAMBRE, T.T3),
    (T.T1, T.T3),
    (T.T2, T.T4),
    (T.T3, T.T5),
    (T.T4, T.T5),
    (T.T4, T.T6),
    (T.T5, T.T6),
]
TYPE_RECHERCHE: dict[bool, Weights] = {
    False: {TR.APPARTEMENT: 55, TR.INDIFFERENT: 35, TR.MAISON: 10},  # without children
    True: {TR.APPARTEMENT: 30, TR.INDIFFERENT: 45, TR.MAISON: 25},  # with children
}
NOMBRE_COMMUNES: dict[int, float] = {1: 30, 2: 25, 3: 20, 4: 12, 5: 13}
PART_PREMIERE_COMMUNE_PRINCIPALE = 0.3  # first wish = the EPCI's main commune, not home
PART_COMMUNE_HORS_EPCI = 0.15  # each further wish from the wider département
PART_LOYER_MAXIMUM = 0.4
TAUX_EFFORT_MAXIMUM = (0.25, 0.38)

CANAUX: Weights = {"GUICHET": 55, "EN_LIGNE": 45}
ANCIENNETE_MOYENNE_JOURS = 420  # exponential, capped
ANCIENNETE_MAXIMUM_JOURS = 6 * 365
PART_EMAIL = 0.85
PART_TELEPHONE = 0.9
