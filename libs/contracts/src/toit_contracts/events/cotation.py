"""Events of the cotation service (points-based scoring, primer §7)."""

from __future__ import annotations

from decimal import Decimal
from typing import ClassVar
from uuid import UUID

from pydantic import Field

from toit_contracts.events.base import ContractModel, EntityEvent
from toit_contracts.types import SirenEpci


class CritereCote(ContractModel):
    """Contribution d'un critère de la grille à la note."""

    code: str = Field(min_length=1, max_length=64, description="Code du critère dans la grille")
    libelle: str = Field(min_length=1, max_length=200, description="Libellé public du critère")
    points: Decimal = Field(decimal_places=2, description="Points obtenus (négatifs : pénalité)")


class CotationCalculee(EntityEvent):
    """La cotation d'une demande sur le territoire d'un EPCI a été (re)calculée."""

    event_type = "cotation.calculee"
    subject_field: ClassVar[str | None] = "demande_id"
    summary = "Note de cotation d'une demande pour un EPCI, avec le détail par critère."

    version: int = Field(
        ge=1,
        description="Version de cette cotation (demande × EPCI), croissante à chaque calcul",
    )
    demande_id: UUID = Field(description="Demande cotée (sujet de l'événement)")
    demande_version: int = Field(ge=1, description="Version de la demande ayant servi au calcul")
    epci: SirenEpci = Field(description="SIREN de l'EPCI dont la grille s'applique")
    grille_id: UUID = Field(description="Grille de cotation appliquée")
    grille_version: int = Field(ge=1, description="Version de la grille appliquée")
    points: Decimal = Field(decimal_places=2, description="Note totale")
    criteres: list[CritereCote] = Field(description="Détail de la note par critère")
    input_hash: str = Field(
        min_length=1,
        max_length=128,
        description="Empreinte des données d'entrée : même empreinte et même grille, même note",
    )


__all__ = ["CotationCalculee", "CritereCote"]
