"""Shapes of the HTTP answers (the request shapes are the domain's `DemandeSaisie`)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field
from toit_referentiel import MENTION_PLAFOND_PROVISOIRE

from toit_contracts.enums import (
    MotifIrrecevabilite,
    MotifRadiation,
    OrigineDecision,
    PublicPrioritaire,
    StatutDemande,
    Typologie,
)
from toit_contracts.types import CodeGuichet, DatePassee
from toit_demandes.adapters.repository import Resume
from toit_demandes.domain.demande import Demande, Evenement
from toit_demandes.domain.derives import ValeursDerivees
from toit_demandes.domain.pieces import StatutPiece
from toit_demandes.domain.saisie import DemandeSaisie, Handicap
from toit_demandes.service_layer.doublons import Doublon


class EligibiliteOut(BaseModel):
    financement: str = Field(description="PLAI, PLUS ou PLS")
    annee: int = Field(description="Année des plafonds appliqués")
    plafond: Decimal | None = Field(description="Plafond de ressources (absent : non publié)")
    revenu: Decimal | None = Field(description="Revenu fiscal de référence retenu")
    annee_revenu: int | None
    eligible: bool | None = Field(description="Absent quand le revenu ou le plafond manque")
    plafond_provisoire: bool = Field(
        default=False,
        description="Plafond provisoire, à vérifier : barème non lu dans l'arrêté (dérivé ou de "
        "source secondaire, PLAI et PLS) ; l'éligibilité qui en découle l'est aussi",
    )
    mention: str | None = Field(
        default=None, description="« plafond provisoire, à vérifier » quand c'est le cas"
    )


class PublicPrioritaireOut(BaseModel):
    categorie: PublicPrioritaire
    libelle: str
    raisons: list[str]


class DerivesOut(BaseModel):
    """Valeurs calculées, jamais saisies."""

    taille_menage: int
    personnes_a_charge: int
    categorie_menage: int = Field(description="Catégorie de ménage (1 à 6)")
    personnes_supplementaires: int = Field(description="Personnes au-delà de la catégorie 6")
    unites_consommation: Decimal
    ressources_mensuelles_totales: Decimal
    anciennete_mois: int
    typologies_attendues: list[Typologie]
    eligibilites: list[EligibiliteOut]
    publics_prioritaires: list[PublicPrioritaireOut] = Field(
        description="Catégories L441-1 que les données laissent présumer, avec leurs raisons"
    )
    dalo: bool


class DoublonOut(BaseModel):
    demande_id: UUID
    numero_unique: str | None
    statut: StatutDemande
    raison: str
    message: str


class PreavisRadiationOut(BaseModel):
    motif: MotifRadiation
    sous_motif: MotifIrrecevabilite | None
    notifie_le: date
    effet_le: date


class DemandeOut(DemandeSaisie):
    """La demande : les données saisies, son état et les valeurs dérivées."""

    complement_handicap: list[Handicap] | None = Field(  # type: ignore[assignment]
        default=None, description="Donnée sensible : absente sans l'habilitation requise"
    )
    id: UUID
    statut: StatutDemande
    version: int
    numero_unique: str | None
    guichet: str | None
    date_depot_initial: date
    date_enregistrement: date | None
    date_dernier_renouvellement: date | None
    date_expiration: date | None
    date_radiation: date | None
    motif_radiation: MotifRadiation | None
    sous_motif_radiation: MotifIrrecevabilite | None
    preavis_radiation: PreavisRadiationOut | None
    fusionnee_dans: UUID | None
    derives: DerivesOut
    doublons: list[DoublonOut] = Field(
        default_factory=list,
        description="Doublons potentiels signalés à la création et à l'enregistrement",
    )


class DemandeResume(BaseModel):
    id: UUID
    numero_unique: str | None
    statut: StatutDemande
    departement: str
    nom: str
    prenoms: str
    date_naissance: date
    date_depot_initial: date
    communes: list[str]
    typologies: list[Typologie]


class PageDemandes(BaseModel):
    elements: list[DemandeResume]
    page: int
    par_page: int
    total: int = Field(description="Nombre de demandes trouvées (au plus 10 000, voir total_exact)")
    total_exact: bool = Field(
        default=True,
        description="Faux quand la recherche trouve plus de 10 000 demandes : total vaut alors "
        "10 000 et signifie « au moins » ; précisez les critères",
    )


class ChangementOut(BaseModel):
    champ: str
    avant: Any
    apres: Any


class IntervenantOut(BaseModel):
    type: str = Field(description="AGENT, PORTAIL ou TRAITEMENT_AUTOMATIQUE")
    utilisateur: str | None
    organisation: str | None
    libelle: str = Field(
        description="« utilisateur (organisation) », « portail » ou « traitement automatique »"
    )


class EvenementOut(BaseModel):
    date: datetime
    intervenant: IntervenantOut
    type: str
    description: str
    changements: list[ChangementOut]


class AttributionSneOut(BaseModel):
    """The SNE data of the attribution that radiated the demande (R441-2-9 CCH), as matching
    sent them in `attribution.prononcee`."""

    attribution_id: UUID
    date_signature_bail: date
    donnees: dict[str, Any] = Field(
        description="Logement (RPLS, financement, loyer, QPV), contingent, réservataire, "
        "dates, catégorie et taille du ménage, premier quartile, délai d'attente"
    )
    recu_le: datetime


class Enregistrement(BaseModel):
    guichet: CodeGuichet | None = Field(
        default=None, description="Code du guichet enregistreur (par défaut : celui du compte)"
    )


class DecisionIrrecevabiliteIn(BaseModel):
    """The decision an irrecevabilité rests on (R441-2-8 CCH)."""

    origine: OrigineDecision = Field(
        description="GESTIONNAIRE : décision du gestionnaire du fichier (rôle gestionnaire) ; "
        "CALEOL : décision de la commission d'un bailleur (droit caleol.gerer), avec sa "
        "référence"
    )
    fondement: str = Field(
        min_length=10,
        max_length=500,
        description="Fondement juridique et faits retenus, imprimés sur la lettre recommandée",
    )
    date_decision: date = Field(description="Date de la décision")
    reference: str | None = Field(
        default=None, max_length=64, description="Référence de la séance CALEOL (obligatoire)"
    )


class Rejet(BaseModel):
    motif: str = Field(
        min_length=5,
        max_length=500,
        description="Motif du rejet, communiqué au demandeur (pièce d'identité illisible...)",
    )


class ReponseAuPreavis(BaseModel):
    reponse: str = Field(
        min_length=5,
        max_length=500,
        description="Réponse du ménage au préavis de radiation (reçue au guichet, par courrier "
        "ou en ligne), reportée dans l'historique et dans l'avis de levée",
    )


class Radiation(BaseModel):
    motif: MotifRadiation
    sous_motif: MotifIrrecevabilite | None = Field(
        default=None, description="Obligatoire pour une irrecevabilité"
    )
    decision: DecisionIrrecevabiliteIn | None = Field(
        default=None,
        description="Obligatoire pour une irrecevabilité : décision CALEOL ou du gestionnaire",
    )


class CorrectionDateDepot(BaseModel):
    model_config = ConfigDict(extra="forbid")

    date_depot: DatePassee = Field(description="Date du premier dépôt, corrigée")
    motif: str = Field(
        min_length=5, max_length=500, description="Motif de la correction, gardé dans l'historique"
    )


class PieceOut(BaseModel):
    id: UUID
    type: str
    personne: str | None
    nom_fichier: str
    media_type: str
    taille: int
    sha256: str
    statut: StatutPiece
    motif_refus: str | None
    depose_le: datetime


class DecisionPiece(BaseModel):
    statut: StatutPiece = Field(description="VALIDEE ou REFUSEE")
    motif: str | None = Field(default=None, max_length=500, description="Motif du refus")


class TypePieceOut(BaseModel):
    code: str
    libelle: str
    phase: str
    par_personne: bool
    identite: bool


def doublon_out(d: Doublon) -> DoublonOut:
    reference = d.numero_unique or f"en brouillon {d.demande_id}"
    return DoublonOut(
        demande_id=d.demande_id,
        numero_unique=d.numero_unique,
        statut=d.statut,
        raison=d.raison,
        message=f"Doublon potentiel : demande {reference} ({d.raison})",
    )


def derives_out(v: ValeursDerivees) -> DerivesOut:
    return DerivesOut(
        taille_menage=v.taille_menage,
        personnes_a_charge=v.personnes_a_charge,
        categorie_menage=v.categorie_menage.categorie,
        personnes_supplementaires=v.categorie_menage.personnes_supplementaires,
        unites_consommation=v.unites_consommation,
        ressources_mensuelles_totales=v.ressources_mensuelles_totales,
        anciennete_mois=v.anciennete_mois,
        typologies_attendues=v.typologies_attendues,
        eligibilites=[
            EligibiliteOut(
                **e.__dict__, mention=MENTION_PLAFOND_PROVISOIRE if e.plafond_provisoire else None
            )
            for e in v.eligibilites
        ],
        publics_prioritaires=[
            PublicPrioritaireOut(
                categorie=p.categorie, libelle=p.categorie.label, raisons=p.raisons
            )
            for p in v.publics_prioritaires
        ],
        dalo=v.dalo,
    )


def demande_out(
    demande: Demande,
    derives: ValeursDerivees,
    *,
    voit_handicap: bool,
    doublons: list[Doublon] | None = None,
) -> DemandeOut:
    document = dict(demande.document())
    if not voit_handicap:
        document["complement_handicap"] = None
    preavis = demande.preavis_radiation
    return DemandeOut.model_validate(
        {
            **document,
            "id": demande.id,
            "statut": demande.statut,
            "version": demande.version,
            "numero_unique": demande.numero_unique,
            "guichet": demande.guichet,
            "date_depot_initial": demande.date_depot_initial,
            "date_enregistrement": demande.date_enregistrement,
            "date_dernier_renouvellement": demande.date_dernier_renouvellement,
            "date_expiration": demande.date_expiration,
            "date_radiation": demande.date_radiation,
            "motif_radiation": demande.motif_radiation,
            "sous_motif_radiation": demande.sous_motif_radiation,
            "preavis_radiation": preavis.__dict__ if preavis else None,
            "fusionnee_dans": demande.fusionnee_dans,
            "derives": derives_out(derives),
            "doublons": [doublon_out(d) for d in doublons or []],
        }
    )


def resume(ligne: Resume) -> DemandeResume:
    return DemandeResume.model_validate(ligne, from_attributes=True)


def evenement_out(e: Evenement, *, voit_handicap: bool) -> EvenementOut:
    return EvenementOut(
        date=e.date,
        intervenant=IntervenantOut(
            type=e.intervenant.type.value,
            utilisateur=e.intervenant.utilisateur,
            organisation=e.intervenant.organisation,
            libelle=e.intervenant.libelle,
        ),
        type=e.type.value,
        description=e.description,
        changements=[
            ChangementOut(champ=c.champ, avant=c.avant, apres=c.apres)
            for c in e.changements
            if voit_handicap or not c.champ.startswith("complement_handicap")
        ],
    )
