"""Events of the matching service (vacancies, designation; primer §9)."""

from __future__ import annotations

from datetime import date
from typing import ClassVar, Literal
from uuid import UUID

from pydantic import Field

from toit_contracts.enums import Typologie
from toit_contracts.events.base import ContractModel, EntityEvent
from toit_contracts.types import CodeInsee, Departement


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


__all__ = ["CandidatDesigne", "CandidatEcarte", "DesignationEffectuee"]
