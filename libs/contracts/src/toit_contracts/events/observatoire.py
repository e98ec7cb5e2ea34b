"""Events of the observatoire service (statistics, primer §10)."""

from __future__ import annotations

from datetime import date
from typing import ClassVar
from uuid import UUID

from pydantic import AwareDatetime, Field

from toit_contracts.enums import Typologie
from toit_contracts.events.base import ContractModel, IntegrationEvent
from toit_contracts.types import CodeInsee, Departement


class ChiffreCle(ContractModel):
    """Chiffres clés d'une commune, toutes typologies ou pour une typologie.

    Un effectif de moins de 5 ménages est masqué (absent), ainsi que celui qui
    permettrait de le retrouver par différence (secret statistique)."""

    commune: CodeInsee = Field(description="Commune (code INSEE)")
    typologie: Typologie | None = Field(
        default=None, description="Typologie demandée; absente : toutes typologies"
    )
    demandes_en_cours: int | None = Field(
        default=None, ge=0, description="Demandes en cours (actives) à la date de publication"
    )
    attributions_annee_precedente: int | None = Field(
        default=None, ge=0, description="Attributions (baux signés) de l'année précédente"
    )
    delai_median_mois: float | None = Field(
        default=None,
        ge=0,
        description="Délai médian d'attente des demandes satisfaites l'année précédente, en mois",
    )


class ChiffresClesPublies(IntegrationEvent):
    """L'observatoire a publié les chiffres clés d'un département (portail public)."""

    event_type = "observatoire.chiffres_cles_publies"
    subject_field: ClassVar[str | None] = "publication_id"
    summary = "Chiffres clés publics par commune et typologie, secret statistique appliqué."

    publication_id: UUID = Field(description="Identifiant de la publication (sujet)")
    departement: Departement = Field(description="Département des communes publiées")
    publie_le: AwareDatetime = Field(description="Date et heure de publication")
    date_reference: date = Field(description="Date des demandes en cours comptées")
    annee_attributions: int = Field(ge=2000, le=2100, description="Année des attributions comptées")
    seuil_secret: int = Field(ge=1, description="Effectif en dessous duquel un chiffre est masqué")
    chiffres: list[ChiffreCle] = Field(
        max_length=20_000, description="Chiffres par commune, toutes typologies puis par typologie"
    )


__all__ = ["ChiffreCle", "ChiffresClesPublies"]
