"""Enumerations shared by the services (codes of the demande, identity roles).

Each member is a stable UPPER_SNAKE_CASE code (what is stored and sent) with a
French label (what is shown). Codes follow Cerfa 14069*05 and the SNE lists
(primer §3, §5, §6.3, §8.1); the lists are partly unverified and configurable
nationally, so they are versioned: bump ENUMS_VERSION when a code is added,
renamed or removed. A removed code is never reused.
"""

from __future__ import annotations

from enum import IntEnum, StrEnum
from typing import Self

from pydantic import GetJsonSchemaHandler
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import CoreSchema

ENUMS_VERSION = "2025.1"


def _with_labels(
    labels: dict[str, str], core_schema: CoreSchema, handler: GetJsonSchemaHandler
) -> JsonSchemaValue:
    schema = handler.resolve_ref_schema(handler(core_schema))
    schema["x-enum-labels"] = labels
    return schema


class LabelledEnum(StrEnum):
    """A string code with a French label: `M = "M", "Monsieur"`."""

    _label: str

    def __new__(cls, code: str, label: str = "") -> Self:
        member = str.__new__(cls, code)
        member._value_ = code
        member._label = label
        return member

    @property
    def label(self) -> str:
        return self._label

    @classmethod
    def labels(cls) -> dict[str, str]:
        return {member.value: member.label for member in cls}

    @classmethod
    def __get_pydantic_json_schema__(
        cls, core_schema: CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        return _with_labels(cls.labels(), core_schema, handler)


class LabelledIntEnum(IntEnum):
    """An integer code with a French label: `UN = 1, "Une personne seule"`."""

    _label: str

    def __new__(cls, code: int, label: str = "") -> Self:
        member = int.__new__(cls, code)
        member._value_ = code
        member._label = label
        return member

    @property
    def label(self) -> str:
        return self._label

    @classmethod
    def labels(cls) -> dict[str, str]:
        return {str(member.value): member.label for member in cls}

    @classmethod
    def __get_pydantic_json_schema__(
        cls, core_schema: CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        return _with_labels(cls.labels(), core_schema, handler)


# --- Demande: identity and household (primer §3.2, §3.3) -------------------------------------


class Civilite(LabelledEnum):
    """Civilité."""

    M = "M", "Monsieur"
    MME = "MME", "Madame"


class Nationalite(LabelledEnum):
    """Classe de nationalité (décret 2017-917 art. 3 a)."""

    FRANCAISE = "FRANCAISE", "Française"
    UNION_EUROPEENNE = "UNION_EUROPEENNE", "Union européenne, EEE ou Suisse"
    HORS_UNION_EUROPEENNE = "HORS_UNION_EUROPEENNE", "Hors Union européenne"


class SituationFamiliale(LabelledEnum):
    """Situation familiale du demandeur."""

    CELIBATAIRE = "CELIBATAIRE", "Célibataire"
    MARIE = "MARIE", "Marié(e)"
    PACSE = "PACSE", "Pacsé(e)"
    CONCUBIN = "CONCUBIN", "Concubin(e), union libre"
    DIVORCE = "DIVORCE", "Divorcé(e)"
    SEPARE = "SEPARE", "Séparé(e)"
    VEUF = "VEUF", "Veuf(ve)"


class RolePersonne(LabelledEnum):
    """Place d'une personne dans le ménage de la demande."""

    DEMANDEUR = "DEMANDEUR", "Demandeur"
    CODEMANDEUR = "CODEMANDEUR", "Codemandeur (conjoint ou parent, futur cotitulaire du bail)"
    COLOCATAIRE = "COLOCATAIRE", "Colocataire (adulte qui signera le bail en colocation)"
    OCCUPANT = "OCCUPANT", "Autre personne qui vivra dans le logement"


class LienParente(LabelledEnum):
    """Lien avec le demandeur."""

    CONJOINT = "CONJOINT", "Conjoint, partenaire ou concubin"
    ENFANT = "ENFANT", "Enfant (y compris enfant du conjoint)"
    PETIT_ENFANT = "PETIT_ENFANT", "Petit-enfant"
    ASCENDANT = "ASCENDANT", "Ascendant (père, mère, grand-parent)"
    COLLATERAL = "COLLATERAL", "Frère, sœur (collatéral)"
    AUTRE_PARENT = "AUTRE_PARENT", "Autre parent"
    SANS_LIEN = "SANS_LIEN", "Sans lien de parenté"


# --- Demande: professional situation and resources (primer §3.4, §3.5) -----------------------


class SituationProfessionnelle(LabelledEnum):
    """Situation professionnelle du demandeur, d'un codemandeur ou d'un colocataire."""

    SALARIE_CDI = "SALARIE_CDI", "Salarié en CDI"
    SALARIE_CDD_INTERIM = "SALARIE_CDD_INTERIM", "Salarié en CDD, intérim, stage ou contrat aidé"
    APPRENTI = "APPRENTI", "Apprenti"
    AGENT_ETAT = "AGENT_ETAT", "Agent de l'État (civil ou militaire)"
    AGENT_FONCTION_PUBLIQUE = (
        "AGENT_FONCTION_PUBLIQUE",
        "Agent d'une autre fonction publique (territoriale, hospitalière)",
    )
    INDEPENDANT = "INDEPENDANT", "Artisan, commerçant, profession libérale, indépendant"
    ETUDIANT = "ETUDIANT", "Étudiant"
    DEMANDEUR_EMPLOI = "DEMANDEUR_EMPLOI", "Demandeur d'emploi"
    RETRAITE = "RETRAITE", "Retraité"
    AUTRE = "AUTRE", "Autre situation, sans activité"


class TypeRessource(LabelledEnum):
    """Type de ressource mensuelle (hors aide au logement, qui n'est pas un revenu)."""

    SALAIRE = "SALAIRE", "Salaires, revenus d'activité"
    REVENU_NON_SALARIE = "REVENU_NON_SALARIE", "Revenus d'activité non salariée"
    ALLOCATION_CHOMAGE = "ALLOCATION_CHOMAGE", "Indemnités chômage (ARE, ASS)"
    INDEMNITES_JOURNALIERES = "INDEMNITES_JOURNALIERES", "Indemnités journalières"
    PENSION_RETRAITE = "PENSION_RETRAITE", "Pension de retraite"
    PENSION_INVALIDITE = "PENSION_INVALIDITE", "Pension d'invalidité, rente"
    AAH = "AAH", "Allocation aux adultes handicapés (AAH)"
    RSA = "RSA", "Revenu de solidarité active (RSA)"
    PRIME_ACTIVITE = "PRIME_ACTIVITE", "Prime d'activité"
    PRESTATIONS_FAMILIALES = "PRESTATIONS_FAMILIALES", "Allocations et prestations familiales"
    PENSION_ALIMENTAIRE_RECUE = "PENSION_ALIMENTAIRE_RECUE", "Pension alimentaire reçue"
    BOURSE = "BOURSE", "Bourse d'études"
    AUTRE = "AUTRE", "Autres ressources"


# --- Demande: current and wanted housing, motifs (primer §3.6 - §3.9) -------------------------


class TypeLogementActuel(LabelledEnum):
    """Logement actuel."""

    LOCATAIRE_HLM = "LOCATAIRE_HLM", "Locataire HLM"
    LOCATAIRE_PARC_PRIVE = "LOCATAIRE_PARC_PRIVE", "Locataire du parc privé"
    PROPRIETAIRE = "PROPRIETAIRE", "Propriétaire occupant"
    LOGEMENT_DE_FONCTION = "LOGEMENT_DE_FONCTION", "Logement de fonction"
    RESIDENCE_ETUDIANTE = "RESIDENCE_ETUDIANTE", "Résidence étudiante ou universitaire"
    HEBERGE_CHEZ_PARENTS = "HEBERGE_CHEZ_PARENTS", "Hébergé chez ses parents ou enfants"
    HEBERGE_CHEZ_TIERS = "HEBERGE_CHEZ_TIERS", "Hébergé chez un particulier"
    SANS_ABRI = "SANS_ABRI", "Sans abri, habitat de fortune"
    SOUS_LOCATAIRE = "SOUS_LOCATAIRE", "Sous-locataire ou logé à titre temporaire"
    STRUCTURE_HEBERGEMENT = "STRUCTURE_HEBERGEMENT", "Structure d'hébergement (CHRS, CHU, CADA…)"
    RESIDENCE_SOCIALE_FOYER = (
        "RESIDENCE_SOCIALE_FOYER",
        "Résidence sociale, foyer, pension de famille",
    )
    RHVS = "RHVS", "Résidence hôtelière à vocation sociale"
    HOTEL = "HOTEL", "Hôtel"
    CAMPING_CARAVANE = "CAMPING_CARAVANE", "Camping, caravane"
    CENTRE_ENFANCE_FAMILLE = "CENTRE_ENFANCE_FAMILLE", "Centre enfance-famille"
    SQUAT = "SQUAT", "Squat"
    LOGE_A_TITRE_GRATUIT = "LOGE_A_TITRE_GRATUIT", "Logé à titre gratuit"


class TypeLogementRecherche(LabelledEnum):
    """Type de logement recherché."""

    APPARTEMENT = "APPARTEMENT", "Appartement"
    MAISON = "MAISON", "Maison"
    INDIFFERENT = "INDIFFERENT", "Indifférent"


class Typologie(LabelledEnum):
    """Typologie de logement (nombre de pièces)."""

    CHAMBRE = "CHAMBRE", "Chambre"
    T1 = "T1", "T1, studio"
    T2 = "T2", "T2"
    T3 = "T3", "T3"
    T4 = "T4", "T4"
    T5 = "T5", "T5"
    T6 = "T6", "T6 et plus"


class BesoinAccessibilite(LabelledEnum):
    """Besoin d'accessibilité ou d'adaptation du logement recherché."""

    REZ_DE_CHAUSSEE = "REZ_DE_CHAUSSEE", "Rez-de-chaussée"
    ASCENSEUR = "ASCENSEUR", "Ascenseur obligatoire"
    LOGEMENT_ACCESSIBLE = "LOGEMENT_ACCESSIBLE", "Logement accessible"
    LOGEMENT_ADAPTE_FAUTEUIL = "LOGEMENT_ADAPTE_FAUTEUIL", "Logement adapté au fauteuil roulant"
    DOUCHE_PLAIN_PIED = "DOUCHE_PLAIN_PIED", "Douche de plain-pied"
    STATIONNEMENT_ADAPTE = "STATIONNEMENT_ADAPTE", "Stationnement adapté"


class MotifDemande(LabelledEnum):
    """Motif de la demande (liste de type SNE)."""

    SANS_LOGEMENT = "SANS_LOGEMENT", "Sans logement propre"
    HEBERGE = "HEBERGE", "Hébergé (famille, tiers, structure)"
    LOGEMENT_TEMPORAIRE = "LOGEMENT_TEMPORAIRE", "Logement temporaire"
    LOGEMENT_NON_DECENT = "LOGEMENT_NON_DECENT", "Logement non décent, insalubre ou dangereux"
    LOCAL_IMPROPRE = "LOCAL_IMPROPRE", "Local impropre à l'habitation"
    DEMOLITION = "DEMOLITION", "Démolition"
    LOGEMENT_REPRIS = "LOGEMENT_REPRIS", "Logement repris ou mis en vente par le propriétaire"
    PROCEDURE_EXPULSION = "PROCEDURE_EXPULSION", "Procédure d'expulsion"
    LOGEMENT_TROP_PETIT = "LOGEMENT_TROP_PETIT", "Logement trop petit"
    LOGEMENT_TROP_GRAND = "LOGEMENT_TROP_GRAND", "Logement trop grand"
    LOGEMENT_TROP_CHER = "LOGEMENT_TROP_CHER", "Logement trop cher"
    DIVORCE_SEPARATION = "DIVORCE_SEPARATION", "Divorce, séparation"
    DECOHABITATION = "DECOHABITATION", "Décohabitation"
    FUTUR_COUPLE = "FUTUR_COUPLE", "Futur couple"
    REGROUPEMENT_FAMILIAL = "REGROUPEMENT_FAMILIAL", "Regroupement familial"
    RAPPROCHEMENT_FAMILIAL = "RAPPROCHEMENT_FAMILIAL", "Rapprochement familial"
    VIOLENCES_FAMILIALES = "VIOLENCES_FAMILIALES", "Violences familiales ou au sein du couple"
    HANDICAP = "HANDICAP", "Handicap"
    RAISONS_DE_SANTE = "RAISONS_DE_SANTE", "Raisons de santé"
    LOGEMENT_INADAPTE = "LOGEMENT_INADAPTE", "Logement inadapté (handicap, vieillissement)"
    RAPPROCHEMENT_TRAVAIL = "RAPPROCHEMENT_TRAVAIL", "Rapprochement du lieu de travail"
    MUTATION_PROFESSIONNELLE = "MUTATION_PROFESSIONNELLE", "Mutation professionnelle"
    ASSISTANT_MATERNEL = "ASSISTANT_MATERNEL", "Assistant(e) maternel(le) ou familial(e)"
    ENVIRONNEMENT_VOISINAGE = "ENVIRONNEMENT_VOISINAGE", "Problèmes d'environnement ou de voisinage"
    RAPPROCHEMENT_EQUIPEMENTS = (
        "RAPPROCHEMENT_EQUIPEMENTS",
        "Rapprochement des équipements et services",
    )
    PROPRIETAIRE_EN_DIFFICULTE = "PROPRIETAIRE_EN_DIFFICULTE", "Propriétaire en difficulté"
    AUTRE = "AUTRE", "Autre motif particulier"


# --- Demande: priorities (primer §5.6, §8.1) --------------------------------------------------


class PublicPrioritaire(LabelledEnum):
    """Catégorie de public prioritaire (article L441-1 CCH, lettres partiellement à vérifier)."""

    A = "A", "Personne en situation de handicap ou ménage avec une personne handicapée à charge"
    A_BIS = "A_BIS", "Sortie d'appartement de coordination thérapeutique"
    B = "B", "Personne mal logée ou défavorisée, difficultés financières ou d'insertion"
    C = "C", "Personne hébergée ou logée temporairement (établissement, logement de transition)"
    D = "D", "Reprise d'activité après un chômage de longue durée"
    D_BIS = "D_BIS", "Personne exposée à l'habitat indigne"
    E = "E", "Violences au sein du couple ou menace de mariage forcé"
    E_BIS = "E_BIS", "Victime de viol ou d'agression sexuelle à son domicile ou à ses abords"
    F = "F", "Personne engagée dans un parcours de sortie de la prostitution"
    G = "G", "Victime de traite des êtres humains ou de proxénétisme"
    H = "H", "Mineur à charge dans un local sur-occupé ou non décent"
    I = "I", "Personne dépourvue de logement, y compris hébergée chez des tiers"  # noqa: E741
    J = "J", "Personne menacée d'expulsion sans relogement"
    K = "K", "Jeune de moins de 21 ans anciennement pris en charge par l'aide sociale à l'enfance"


class StatutJustification(LabelledEnum):
    """Avancement de la preuve d'une situation déclarée (priorité, critère de cotation)."""

    DECLAREE = "DECLAREE", "Déclarée, sans justificatif"
    JUSTIFIEE = "JUSTIFIEE", "Justificatif déposé"
    VALIDEE = "VALIDEE", "Validée (labellisée) par un instructeur ou un service habilité"
    REJETEE = "REJETEE", "Justificatif refusé"


class TypeDecisionDalo(LabelledEnum):
    """Objet d'une décision favorable de la commission de médiation DALO."""

    LOGEMENT = "LOGEMENT", "Prioritaire et urgent pour un logement"
    HEBERGEMENT = "HEBERGEMENT", "Prioritaire pour un hébergement"


# --- Demande: lifecycle (primer §4.1, §5) -----------------------------------------------------


class CanalDepot(LabelledEnum):
    """Canal par lequel la demande a été déposée."""

    EN_LIGNE = "EN_LIGNE", "En ligne, par le demandeur"
    GUICHET = "GUICHET", "Auprès d'un guichet enregistreur"


class StatutDemande(LabelledEnum):
    """Statut d'une demande; « à renouveler » n'est pas un statut mais une date."""

    BROUILLON = "BROUILLON", "Brouillon"
    A_VALIDER = "A_VALIDER", "Déposée en ligne, pièce d'identité à vérifier"
    ACTIVE = "ACTIVE", "Active"
    EXPIREE_GRACE = "EXPIREE_GRACE", "Expirée, renouvellement encore possible"
    RADIEE = "RADIEE", "Radiée"
    PURGEE = "PURGEE", "Purgée (données personnelles supprimées)"


class MotifRadiation(LabelledEnum):
    """Motif de radiation (article R441-2-8 CCH)."""

    ATTRIBUTION = "ATTRIBUTION", "Attribution d'un logement"
    RENONCIATION = "RENONCIATION", "Renonciation écrite du demandeur"
    IRRECEVABILITE = "IRRECEVABILITE", "Irrecevabilité prononcée par une CALEOL"
    ABSENCE_DE_REPONSE = "ABSENCE_DE_REPONSE", "Absence de réponse à un courrier"
    NON_RENOUVELLEMENT = "NON_RENOUVELLEMENT", "Non-renouvellement"


class MotifIrrecevabilite(LabelledEnum):
    """Sous-motif obligatoire d'une radiation pour irrecevabilité."""

    PLAFOND_RESSOURCES = "PLAFOND_RESSOURCES", "Ressources supérieures aux plafonds"
    SEJOUR_IRREGULIER = "SEJOUR_IRREGULIER", "Séjour irrégulier d'un majeur du ménage"


class OrigineDecision(LabelledEnum):
    """Qui a décidé une radiation pour irrecevabilité (R441-2-8 CCH) : la CALEOL d'un
    bailleur, ou le gestionnaire du fichier sur un fondement juridique écrit."""

    CALEOL = "CALEOL", "Commission d'attribution (CALEOL) d'un bailleur"
    GESTIONNAIRE = "GESTIONNAIRE", "Gestionnaire du fichier partagé"


class CategorieMenage(LabelledIntEnum):
    """Catégorie de ménage pour les plafonds de ressources."""

    UN = 1, "Une personne seule"
    DEUX = 2, "Deux personnes sans personne à charge (hors jeune ménage), ou personne handicapée"
    TROIS = 3, "Trois personnes, une personne et une personne à charge, ou jeune ménage"
    QUATRE = 4, "Quatre personnes, ou une personne et deux personnes à charge"
    CINQ = 5, "Cinq personnes, ou une personne et trois personnes à charge"
    SIX = 6, "Six personnes, ou une personne et quatre personnes à charge"


# --- Identity and organisations (primer §1, §12) ----------------------------------------------


class Role(LabelledEnum):
    """Rôle d'un compte."""

    GESTIONNAIRE_FICHIER = "GESTIONNAIRE_FICHIER", "Gestionnaire du fichier partagé"
    ADMINISTRATEUR_ORGANISATION = "ADMINISTRATEUR_ORGANISATION", "Administrateur d'organisation"
    AGENT_ENREGISTREUR = "AGENT_ENREGISTREUR", "Agent enregistreur"
    INSTRUCTEUR = "INSTRUCTEUR", "Instructeur"
    MEMBRE_CALEOL = "MEMBRE_CALEOL", "Membre de CALEOL"
    RESERVATAIRE = "RESERVATAIRE", "Réservataire"
    OBSERVATEUR = "OBSERVATEUR", "Observateur (statistiques)"
    DEMANDEUR = "DEMANDEUR", "Demandeur"


class TypeOrganisation(LabelledEnum):
    """Type d'organisation partenaire du fichier."""

    BAILLEUR = "BAILLEUR", "Bailleur social"
    COMMUNE = "COMMUNE", "Commune"
    EPCI = "EPCI", "EPCI"
    DEPARTEMENT = "DEPARTEMENT", "Conseil départemental"
    SERVICE_ETAT = "SERVICE_ETAT", "Service de l'État"
    ACTION_LOGEMENT = "ACTION_LOGEMENT", "Action Logement"
    SIAO = "SIAO", "SIAO"
    ASSOCIATION = "ASSOCIATION", "Association"
    GESTIONNAIRE_FICHIER = "GESTIONNAIRE_FICHIER", "Gestionnaire du fichier partagé"


class MotifDesactivation(LabelledEnum):
    """Motif de désactivation d'un compte."""

    REVUE_NON_CONFIRMEE = "REVUE_NON_CONFIRMEE", "Habilitation non confirmée lors de la revue"
    INACTIVITE = "INACTIVITE", "Inactivité prolongée"
    DEMANDE_ADMINISTRATEUR = "DEMANDE_ADMINISTRATEUR", "À la demande d'un administrateur"
    DEPART_ORGANISATION = "DEPART_ORGANISATION", "Départ de l'organisation"
