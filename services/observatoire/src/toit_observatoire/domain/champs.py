"""The documented fields of each domain: the allow-list of the listes paramétrables.

A list can only name a field listed here, and only with an operator its type
allows; the SQL compiler (adapters.requetes_sql) takes the column name from this
table, never from the request.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from toit_contracts.enums import (
    CanalDepot,
    MotifDemande,
    MotifRadiation,
    SituationFamiliale,
    StatutDemande,
    TypeLogementActuel,
    Typologie,
)
from toit_contracts.events.attributions import MotifRefusOffre, SensDecision


class TypeChamp(StrEnum):
    CODE = "code"
    ENTIER = "entier"
    DECIMAL = "decimal"
    DATE = "date"
    MOIS = "mois"
    BOOLEEN = "booleen"


class Operateur(StrEnum):
    EGAL = "egal"
    DIFFERENT = "different"
    PARMI = "parmi"
    INFERIEUR = "inferieur"
    INFERIEUR_OU_EGAL = "inferieur_ou_egal"
    SUPERIEUR = "superieur"
    SUPERIEUR_OU_EGAL = "superieur_ou_egal"
    ENTRE = "entre"
    RENSEIGNE = "renseigne"
    NON_RENSEIGNE = "non_renseigne"


_COMPARAISONS = (
    Operateur.EGAL,
    Operateur.DIFFERENT,
    Operateur.PARMI,
    Operateur.INFERIEUR,
    Operateur.INFERIEUR_OU_EGAL,
    Operateur.SUPERIEUR,
    Operateur.SUPERIEUR_OU_EGAL,
    Operateur.ENTRE,
    Operateur.RENSEIGNE,
    Operateur.NON_RENSEIGNE,
)
OPERATEURS: dict[TypeChamp, tuple[Operateur, ...]] = {
    TypeChamp.CODE: (
        Operateur.EGAL,
        Operateur.DIFFERENT,
        Operateur.PARMI,
        Operateur.RENSEIGNE,
        Operateur.NON_RENSEIGNE,
    ),
    TypeChamp.ENTIER: _COMPARAISONS,
    TypeChamp.DECIMAL: tuple(o for o in _COMPARAISONS if o is not Operateur.PARMI),
    TypeChamp.DATE: _COMPARAISONS,
    TypeChamp.MOIS: _COMPARAISONS,
    TypeChamp.BOOLEEN: (Operateur.EGAL, Operateur.RENSEIGNE, Operateur.NON_RENSEIGNE),
}
LIBELLES_OPERATEURS = {
    Operateur.EGAL: "est égal à",
    Operateur.DIFFERENT: "est différent de",
    Operateur.PARMI: "fait partie de",
    Operateur.INFERIEUR: "est inférieur à",
    Operateur.INFERIEUR_OU_EGAL: "est inférieur ou égal à",
    Operateur.SUPERIEUR: "est supérieur à",
    Operateur.SUPERIEUR_OU_EGAL: "est supérieur ou égal à",
    Operateur.ENTRE: "est entre",
    Operateur.RENSEIGNE: "est renseigné",
    Operateur.NON_RENSEIGNE: "n'est pas renseigné",
}


@dataclass(frozen=True)
class Champ:
    nom: str
    libelle: str
    type: TypeChamp
    nominatif: bool = False
    valeurs: tuple[str, ...] | None = None
    # Sum, mean and median make sense on it.
    mesurable: bool = False
    groupable: bool = True


@dataclass(frozen=True)
class Domaine:
    nom: str
    libelle: str
    table: str
    champs: tuple[Champ, ...]
    # Restriction of the table that defines the domain: (field, allowed values).
    base: tuple[str, tuple[str, ...]] | None = None
    # The field holding the commune, the EPCI and the département (perimeter).
    territoire: tuple[str | None, str | None, str | None] = ("commune", "epci", "departement")
    # Fed by events that exist today (False: table ready, events to come).
    alimente: bool = True

    def champ(self, nom: str) -> Champ | None:
        return next((c for c in self.champs if c.nom == nom), None)

    @property
    def nominatif(self) -> bool:
        return any(c.nominatif for c in self.champs)


def _valeurs(enum: type[StrEnum]) -> tuple[str, ...]:
    return tuple(m.value for m in enum)


_BOOL = TypeChamp.BOOLEEN
_FINANCEMENTS = ("PLAI", "PLUS", "PLS", "PLI")
_TERRITOIRE = (
    Champ("departement", "Département", TypeChamp.CODE),
    Champ("epci", "EPCI (SIREN)", TypeChamp.CODE),
    Champ("commune", "Commune (code INSEE)", TypeChamp.CODE),
)
_DEMANDE = (
    Champ("numero_unique", "Numéro unique", TypeChamp.CODE, nominatif=True, groupable=False),
    *_TERRITOIRE,
    Champ("statut", "Statut", TypeChamp.CODE, valeurs=_valeurs(StatutDemande)),
    Champ(
        "typologie",
        "Typologie demandée (la plus petite)",
        TypeChamp.CODE,
        valeurs=_valeurs(Typologie),
    ),
    Champ("taille_menage", "Nombre de personnes", TypeChamp.ENTIER, mesurable=True),
    Champ("categorie_menage", "Catégorie de ménage", TypeChamp.ENTIER),
    Champ(
        "ressources_mensuelles",
        "Ressources mensuelles (€)",
        TypeChamp.DECIMAL,
        mesurable=True,
        groupable=False,
    ),
    Champ(
        "revenu_annuel_uc",
        "Revenu annuel par UC (€)",
        TypeChamp.DECIMAL,
        mesurable=True,
        groupable=False,
    ),
    Champ("age_demandeur", "Âge du demandeur", TypeChamp.ENTIER, mesurable=True),
    Champ(
        "situation_familiale",
        "Situation familiale",
        TypeChamp.CODE,
        valeurs=_valeurs(SituationFamiliale),
    ),
    Champ(
        "type_logement_actuel",
        "Logement actuel",
        TypeChamp.CODE,
        valeurs=_valeurs(TypeLogementActuel),
    ),
    Champ("motif_principal", "Motif principal", TypeChamp.CODE, valeurs=_valeurs(MotifDemande)),
    Champ("canal_depot", "Canal de dépôt", TypeChamp.CODE, valeurs=_valeurs(CanalDepot)),
    Champ("guichet", "Guichet enregistreur", TypeChamp.CODE),
    Champ("mutation", "Demande de mutation (locataire HLM)", _BOOL),
    Champ("dalo", "Reconnu DALO", _BOOL),
    Champ("prioritaire", "Public prioritaire (validé) ou DALO", _BOOL),
    Champ("date_depot", "Date de dépôt initial", TypeChamp.DATE, groupable=False),
    Champ("mois_depot", "Mois de dépôt", TypeChamp.MOIS),
    Champ("date_enregistrement", "Date d'enregistrement", TypeChamp.DATE, groupable=False),
    Champ("date_expiration", "Date d'expiration", TypeChamp.DATE, groupable=False),
    Champ(
        "anciennete_mois",
        "Ancienneté (mois, au dernier événement)",
        TypeChamp.ENTIER,
        mesurable=True,
    ),
)
_RADIATION = (
    Champ("date_radiation", "Date de radiation", TypeChamp.DATE, groupable=False),
    Champ("mois_radiation", "Mois de radiation", TypeChamp.MOIS),
    Champ(
        "motif_radiation", "Motif de radiation", TypeChamp.CODE, valeurs=_valeurs(MotifRadiation)
    ),
)

DOMAINES: dict[str, Domaine] = {
    d.nom: d
    for d in (
        Domaine(
            "demandes_en_cours",
            "Demandes en cours",
            "rm_demande",
            _DEMANDE,
            base=("statut", ("ACTIVE", "EXPIREE_GRACE")),
        ),
        Domaine(
            "demandes_radiees",
            "Demandes radiées",
            "rm_demande",
            _DEMANDE + _RADIATION,
            base=("statut", ("RADIEE", "PURGEE")),
        ),
        Domaine(
            "attributions",
            "Attributions",
            "rm_attribution",
            (
                *_TERRITOIRE,
                Champ(
                    "date_attribution", "Date d'attribution (bail)", TypeChamp.DATE, groupable=False
                ),
                Champ("mois", "Mois d'attribution", TypeChamp.MOIS),
                Champ("annee", "Année d'attribution", TypeChamp.ENTIER),
                Champ(
                    "typologie_demandee",
                    "Typologie demandée",
                    TypeChamp.CODE,
                    valeurs=_valeurs(Typologie),
                ),
                Champ(
                    "typologie_attribuee",
                    "Typologie attribuée",
                    TypeChamp.CODE,
                    valeurs=_valeurs(Typologie),
                ),
                Champ("bailleur", "Bailleur (SIREN)", TypeChamp.CODE),
                Champ("reservataire", "Réservataire", TypeChamp.CODE),
                Champ("qpv", "Logement en QPV", _BOOL),
                Champ("premier_quartile", "Demandeur du premier quartile", _BOOL),
                Champ("dalo", "Reconnu DALO", _BOOL),
                Champ("prioritaire", "Public prioritaire ou DALO", _BOOL),
                Champ("mutation", "Mutation", _BOOL),
                Champ(
                    "revenu_annuel_uc",
                    "Revenu annuel par UC (€)",
                    TypeChamp.DECIMAL,
                    mesurable=True,
                    groupable=False,
                ),
                Champ(
                    "delai_jours",
                    "Délai d'attente (jours)",
                    TypeChamp.ENTIER,
                    mesurable=True,
                    groupable=False,
                ),
                Champ("source", "Source (radiation ou matching)", TypeChamp.CODE),
            ),
        ),
        Domaine(
            "propositions",
            "Propositions et refus",
            "rm_proposition",
            (
                *_TERRITOIRE,
                Champ("bailleur", "Bailleur (organisation)", TypeChamp.CODE),
                Champ("typologie", "Typologie", TypeChamp.CODE, valeurs=_valeurs(Typologie)),
                Champ("date_proposition", "Date de proposition", TypeChamp.DATE, groupable=False),
                Champ("mois", "Mois de proposition", TypeChamp.MOIS),
                Champ(
                    "decision_caleol",
                    "Décision de la CALEOL",
                    TypeChamp.CODE,
                    valeurs=_valeurs(SensDecision),
                ),
                Champ("rang", "Rang d'attribution", TypeChamp.ENTIER),
                Champ(
                    "decision",
                    "Suite (sans offre, à proposer, proposée, acceptée, refusée)",
                    TypeChamp.CODE,
                    valeurs=("SANS_OFFRE", "A_PROPOSER", "PROPOSEE", "ACCEPTEE", "REFUSEE"),
                ),
                Champ(
                    "motif_refus",
                    "Motif de refus",
                    TypeChamp.CODE,
                    valeurs=_valeurs(MotifRefusOffre),
                ),
            ),
        ),
        Domaine(
            "logements_vacants",
            "Logements vacants",
            "rm_logement_vacant",
            (
                *_TERRITOIRE,
                Champ("bailleur", "Bailleur (organisation)", TypeChamp.CODE),
                Champ("reservataire", "Réservataire ou contingent", TypeChamp.CODE),
                Champ("typologie", "Typologie", TypeChamp.CODE, valeurs=_valeurs(Typologie)),
                Champ("qpv", "En QPV", _BOOL),
                Champ("financement", "Financement", TypeChamp.CODE, valeurs=_FINANCEMENTS),
                Champ("loyer", "Loyer (€)", TypeChamp.DECIMAL, mesurable=True, groupable=False),
                Champ("date_vacance", "Date de disponibilité", TypeChamp.DATE, groupable=False),
                Champ("mois", "Mois de disponibilité", TypeChamp.MOIS),
                Champ(
                    "statut",
                    "Statut (déclarée, orientée, désignée, attribuée, retirée)",
                    TypeChamp.CODE,
                    valeurs=("DECLAREE", "ORIENTEE", "DESIGNEE", "ATTRIBUEE", "RETIREE"),
                ),
            ),
        ),
        Domaine(
            "cotations",
            "Cotations",
            "rm_cotation",
            (
                Champ("departement", "Département", TypeChamp.CODE),
                Champ("epci", "EPCI (SIREN)", TypeChamp.CODE),
                Champ("points", "Points", TypeChamp.DECIMAL, mesurable=True, groupable=False),
                Champ("grille_version", "Version de la grille", TypeChamp.ENTIER),
            ),
            territoire=(None, "epci", "departement"),
        ),
    )
}
