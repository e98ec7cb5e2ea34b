"""Request and response bodies of the matching HTTP API (French field names)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from toit_matching.domain.designation import ExceptionDesignation
from toit_matching.domain.patrimoine import Contingent
from toit_matching.domain.recherche import Perimetre
from toit_matching.service_layer.vacances import MotifRetrait, TypeVacance


class Entree(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ErreurImport(BaseModel):
    ligne: int = Field(
        description="Numéro de ligne dans le fichier (CSV : l'en-tête est la ligne 1; "
        "JSON : position dans la liste)"
    )
    champ: str
    message: str


class RapportImportOut(BaseModel):
    id: UUID
    statut: str = Field(description="ACCEPTE (tout écrit) ou REFUSE (rien écrit)")
    lignes: int
    crees: int
    modifies: int
    inchanges: int
    erreurs_total: int
    erreurs: list[ErreurImport] = Field(description="Lignes rejetées (les 1 000 premières)")
    nom_fichier: str | None = None
    recu_le: datetime | None = None


class LogementOut(BaseModel):
    id: UUID
    rpls: str
    bailleur_id: str
    programme: str | None
    residence: str | None
    adresse: str
    code_postal: str | None
    commune: str
    commune_nom: str
    epci: str | None
    departement: str
    qpv: bool
    typologie: str
    surface_m2: Decimal
    etage: int
    ascenseur: bool
    accessibilite: str
    financement: str
    loyer: Decimal
    charges: Decimal
    chauffage: str
    eau: str
    contingent: str | None
    latitude: float | None
    longitude: float | None
    version: int


class PageLogements(BaseModel):
    elements: list[LogementOut]
    page: int
    par_page: int
    total: int


class LogementPousse(Entree):
    """Un logement poussé par le système de gestion locative (mêmes champs que l'import)."""

    model_config = ConfigDict(extra="allow")


class VacanceIn(Entree):
    rpls: str = Field(min_length=1, max_length=30)
    type: TypeVacance
    date_disponibilite: date


class OrientationIn(Entree):
    contingent: Contingent | None = None
    reservataire_id: str | None = Field(default=None, min_length=1, max_length=64)
    motif_hors_flux: str | None = Field(default=None, min_length=1, max_length=300)


class RetraitIn(Entree):
    motif: MotifRetrait = Field(
        description="PREAVIS_ANNULE, TRAVAUX, VENTE, DEMOLITION ou AUTRE (précision exigée)"
    )
    precision: str | None = Field(
        default=None, min_length=1, max_length=300, description="Sans donnée personnelle"
    )


class SuggestionOut(BaseModel):
    reservataire_id: str | None
    reservataire_nom: str
    contingent: str
    pourcent: Decimal
    dus: Decimal
    orientes: int


class VacanceOut(BaseModel):
    id: UUID
    rpls: str
    bailleur_id: str
    departement: str
    commune: str
    commune_nom: str
    epci: str | None
    adresse: str
    typologie: str
    financement: str
    loyer: Decimal
    charges: Decimal
    type: str
    date_disponibilite: date
    statut: str
    hors_flux: bool
    motif_hors_flux: str | None
    reservataire_id: str | None
    reservataire_nom: str | None
    contingent: str | None
    version: int
    motif_retrait: str | None = None
    retiree_le: datetime | None = None
    suggestion: SuggestionOut | None = None


class ConventionIn(Entree):
    bailleur_id: str | None = Field(
        default=None, max_length=64, description="Gestionnaire seulement"
    )
    reservataire_id: str = Field(min_length=1, max_length=64)
    reservataire_nom: str = Field(min_length=1, max_length=200)
    departement: str = Field(pattern=r"^[0-9]{2}[0-9AB]?$")
    commune: str | None = Field(default=None, pattern=r"^[0-9][0-9AB][0-9]{3}$")
    annee: int = Field(ge=2020, le=2100)
    parts: dict[Contingent, Decimal] = Field(
        description="Pourcentage du flux annuel par contingent"
    )


class ConventionOut(BaseModel):
    id: UUID
    bailleur_id: str
    reservataire_id: str
    reservataire_nom: str
    departement: str
    commune: str | None
    annee: int
    parts: dict[str, Decimal]


class LigneFluxOut(BaseModel):
    convention_id: UUID | None
    reservataire_id: str | None
    reservataire_nom: str
    contingent: str
    pourcent: Decimal
    dus: Decimal
    orientes: int
    attribues: int
    retard: Decimal


class GrandLivreOut(BaseModel):
    bailleur_id: str
    departement: str
    annee: int
    base: int = Field(description="Vacances de l'année dans le flux")
    lignes: list[LigneFluxOut]
    suggestion: LigneFluxOut | None


class ExclusionOut(BaseModel):
    code: str
    motif: str
    souple: bool


class BudgetOut(BaseModel):
    unites_consommation: Decimal
    forfaits_individuels: Decimal
    apl_estimee: Decimal = Field(description="Estimation indicative, non opposable")
    depense_nette: Decimal
    taux_effort: Decimal | None = Field(description="En pourcentage")
    reste_a_vivre: Decimal | None = Field(description="€ par jour et par unité de consommation")


class CandidatOut(BaseModel):
    rang: int | None
    demande_id: UUID
    numero_unique: str | None
    taille_menage: int
    categorie_menage: int | None
    score: Decimal | None
    dalo: bool
    priorites: list[dict[str, str]]
    date_depot: date
    budget: BudgetOut | None
    exclusions: list[ExclusionOut]


class CompteExclusion(BaseModel):
    code: str
    motif: str
    nombre: int


class PageCandidats(BaseModel):
    vacance_id: UUID
    commune: str
    commune_nom: str
    actives_departement: int
    avertissements: list[str] = Field(default_factory=list)
    hors_souhait: int = Field(
        description="Demandes actives du département qui ne souhaitent pas la commune (ou l'EPCI)"
    )
    candidats_total: int
    exclues_total: int
    exclues_listees: int = Field(
        default=0,
        description="Exclues listées une à une avec leurs raisons (toutes sauf « hors souhait »)",
    )
    comptes_exclusions: list[CompteExclusion]
    page: int
    par_page: int
    candidats: list[CandidatOut]
    exclues: list[CandidatOut] = Field(description="Page des demandes exclues, avec leurs raisons")


class ColonneOut(BaseModel):
    demande_id: UUID
    numero_unique: str | None
    composition: dict[str, Any]
    ressources_mensuelles: Decimal | None
    revenu_fiscal_reference: Decimal | None
    budget: BudgetOut
    score: Decimal | None
    criteres: list[dict[str, Any]]
    dalo: bool
    priorites: list[dict[str, str]]
    date_depot: date
    anciennete_mois: int
    delai_anormalement_long_mois: int | None
    dal_atteint: bool | None
    dal_provisoire: bool = Field(description="Délai indicatif : arrêté préfectoral à confirmer")
    logement_actuel: dict[str, Any]
    communes_souhaitees: list[dict[str, str]]
    position: list[float] | None
    distance_km: float | None
    exclusions: list[ExclusionOut]


class ComparaisonOut(BaseModel):
    vacance_id: UUID
    logement: dict[str, Any]
    position_logement: list[float] | None
    avertissement_apl: str
    colonnes: list[ColonneOut]


class EcartIn(Entree):
    demande_id: UUID
    motif: str = Field(min_length=1, max_length=500)


class DesignationIn(Entree):
    candidats: list[UUID] = Field(min_length=1, max_length=10, description="Par rang")
    ecarts: list[EcartIn] = Field(default_factory=list, max_length=200)
    exception: ExceptionDesignation | None = None
    perimetre: Perimetre = Field(
        default=Perimetre.COMMUNE, description="Classement de référence : commune ou EPCI"
    )
    filtres_souples: bool = Field(
        default=True, description="Classement avec (true) ou sans les critères souples"
    )


class DesignationOut(BaseModel):
    id: UUID
    vacance_id: UUID
    organisation_id: str
    designee_le: datetime
    exception: str | None
    candidats: list[dict[str, Any]]
    ecarts: list[dict[str, Any]]
    eligibles: int
