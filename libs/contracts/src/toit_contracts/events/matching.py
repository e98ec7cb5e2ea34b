"""Events of the matching service (vacancies, designation; primer §9)."""

from __future__ import annotations

from datetime import date
from typing import ClassVar, Literal
from uuid import UUID

from pydantic import AwareDatetime, Field

from toit_contracts.enums import Typologie
from toit_contracts.events.base import ContractModel, EntityEvent
from toit_contracts.types import CodeInsee, Departement, Montant, SirenEpci


class CandidatDesigne(ContractModel):
    """Un candidat désigné, à son rang."""

    demande_id: UUID = Field(description="Demande désignée")
    rang: int = Field(ge=1, le=10, description="Rang de désignation (1 : premier)")


class CandidatEcarte(ContractModel):
    """Un candidat mieux classé écarté, avec son motif (statistiques d'équité)."""

    demande_id: UUID = Field(description="Demande écartée")
    rang_classement: int = Field(ge=1, description="Rang de la demande dans le classement")
    motif: str = Field(min_length=1, max_length=500, description="Motif de l'écart")


class DesignationEffectuee(EntityEvent):
    """Des candidats ont été désignés pour un logement vacant (avant la CALEOL)."""

    event_type = "designation.effectuee"
    subject_field: ClassVar[str | None] = "vacance_id"
    summary = "Candidats désignés pour une vacance, par rang, avec les motifs d'écart."

    vacance_id: UUID = Field(description="Vacance (sujet de l'événement)")
    logement_rpls: str = Field(min_length=1, max_length=30, description="Identifiant RPLS")
    bailleur_id: str = Field(min_length=1, max_length=64, description="Organisation du bailleur")
    reservataire_id: str | None = Field(
        default=None,
        max_length=64,
        description="Organisation du réservataire; absent sur le contingent du bailleur",
    )
    contingent: str = Field(min_length=1, max_length=32, description="Contingent du flux")
    departement: Departement = Field(description="Département du logement")
    commune: CodeInsee = Field(description="Commune du logement")
    typologie: Typologie = Field(description="Typologie du logement")
    date_disponibilite: date = Field(description="Date de disponibilité du logement")
    candidats: list[CandidatDesigne] = Field(
        min_length=1, max_length=10, description="Candidats désignés, par rang"
    )
    ecarts: list[CandidatEcarte] = Field(
        default_factory=list, description="Candidats mieux classés écartés, avec leur motif"
    )
    exception: Literal["PAS_ASSEZ_DE_CANDIDATS", "DALO_DESIGNE_SEUL"] | None = Field(
        default=None, description="Exception justifiant moins de candidats que prévu"
    )
    designe_par: str = Field(min_length=1, max_length=64, description="Organisation qui a désigné")


# --- Vacances (observatoire: logements vacants, gestion en flux) -------------------------------


class VacanceDeclaree(EntityEvent):
    """Un bailleur a déclaré un logement vacant (préavis du locataire ou mise en service)."""

    event_type = "vacance.declaree"
    subject_field: ClassVar[str | None] = "vacance_id"
    summary = "Logement déclaré vacant par son bailleur, avec sa date de disponibilité."

    vacance_id: UUID = Field(description="Vacance (sujet de l'événement)")
    logement_rpls: str = Field(min_length=1, max_length=30, description="Identifiant RPLS")
    bailleur_id: str = Field(min_length=1, max_length=64, description="Organisation du bailleur")
    departement: Departement = Field(description="Département du logement")
    commune: CodeInsee = Field(description="Commune du logement")
    epci: SirenEpci | None = Field(default=None, description="EPCI de la commune, si connu")
    qpv: bool = Field(description="Logement situé en quartier prioritaire de la ville")
    typologie: Typologie = Field(description="Typologie du logement")
    financement: Literal["PLAI", "PLUS", "PLS", "PLI"] = Field(
        description="Financement du logement (détermine le plafond de ressources)"
    )
    loyer: Montant = Field(description="Loyer mensuel hors charges, en euros")
    charges: Montant = Field(description="Charges mensuelles, en euros")
    type: Literal["PREAVIS", "MISE_EN_SERVICE"] = Field(
        description="Origine : préavis du locataire sortant ou mise en service"
    )
    date_disponibilite: date = Field(description="Date de disponibilité du logement")
    annee_flux: int = Field(ge=2000, le=2100, description="Année du flux qu'elle compte")
    declaree_le: AwareDatetime = Field(description="Date et heure de la déclaration")


class VacanceOrientee(EntityEvent):
    """Une vacance a été orientée : vers le flux d'un réservataire (convention de
    réservation), gardée sur le contingent du bailleur, ou mise hors flux avec un motif."""

    event_type = "vacance.orientee"
    subject_field: ClassVar[str | None] = "vacance_id"
    summary = "Vacance orientée vers un contingent (gestion en flux) ou mise hors flux."

    vacance_id: UUID = Field(description="Vacance (sujet de l'événement)")
    logement_rpls: str = Field(min_length=1, max_length=30, description="Identifiant RPLS")
    bailleur_id: str = Field(min_length=1, max_length=64, description="Organisation du bailleur")
    departement: Departement = Field(description="Département du logement")
    commune: CodeInsee = Field(description="Commune du logement")
    annee_flux: int = Field(ge=2000, le=2100, description="Année du flux qu'elle compte")
    contingent: Literal[
        "ETAT_PRIORITAIRES", "ETAT_FONCTIONNAIRES", "ACTION_LOGEMENT", "COLLECTIVITES", "BAILLEUR"
    ] = Field(description="Contingent auquel la vacance est imputée")
    reservataire_id: str | None = Field(
        default=None,
        max_length=64,
        description="Organisation du réservataire; absent sur le contingent du bailleur",
    )
    convention_id: UUID | None = Field(
        default=None, description="Convention de réservation appliquée, le cas échéant"
    )
    hors_flux: bool = Field(description="Vacance sortie du flux (mutation interne, relogement…)")
    motif_hors_flux: str | None = Field(
        default=None, max_length=300, description="Motif de la sortie du flux"
    )
    orientee_le: AwareDatetime = Field(description="Date et heure de l'orientation")


class VacanceRetiree(EntityEvent):
    """Une vacance a été retirée avant attribution (préavis annulé par le locataire,
    logement retiré de la location pour travaux ou vente…) : le logement n'est plus à
    pourvoir et la vacance sort du flux de l'année."""

    event_type = "vacance.retiree"
    subject_field: ClassVar[str | None] = "vacance_id"
    summary = "Vacance retirée par le bailleur avant attribution, avec son motif."

    vacance_id: UUID = Field(description="Vacance (sujet de l'événement)")
    logement_rpls: str = Field(min_length=1, max_length=30, description="Identifiant RPLS")
    bailleur_id: str = Field(min_length=1, max_length=64, description="Organisation du bailleur")
    departement: Departement = Field(description="Département du logement")
    commune: CodeInsee = Field(description="Commune du logement")
    statut_precedent: Literal["DECLAREE", "ORIENTEE", "DESIGNEE"] = Field(
        description="Étape atteinte par la vacance au moment du retrait"
    )
    motif: Literal["PREAVIS_ANNULE", "TRAVAUX", "VENTE", "DEMOLITION", "AUTRE"] = Field(
        description="Motif du retrait"
    )
    precision: str | None = Field(
        default=None,
        max_length=300,
        description="Précision libre sur le motif (sans donnée personnelle)",
    )
    retiree_le: AwareDatetime = Field(description="Date et heure du retrait")


__all__ = [
    "CandidatDesigne",
    "CandidatEcarte",
    "DesignationEffectuee",
    "VacanceDeclaree",
    "VacanceOrientee",
    "VacanceRetiree",
]
