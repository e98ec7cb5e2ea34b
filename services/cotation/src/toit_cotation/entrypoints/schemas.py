"""Response models of the cotation API (the OpenAPI document and schemathesis read them)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field


class ChampOut(BaseModel):
    chemin: str
    type: str
    description: str
    valeurs: list[str] | None
    valide: bool


class GrilleOut(BaseModel):
    id: str
    epci: str
    epci_nom: str | None
    population: str
    version: int
    etat: str
    revision: int
    exemple: bool
    creee_le: datetime | None
    publiee_le: datetime | None
    archivee_le: datetime | None
    definition: dict[str, Any] = Field(description="La définition : voir GET /api/cotation/champs")


class ErreurOut(BaseModel):
    champ: str
    message: str
    code: str


class ValidationOut(BaseModel):
    publiable: bool
    erreurs: list[ErreurOut]


POINTS = "Points en nombre décimal écrit en chaîne (« 42.50 »), jamais en nombre flottant"


class DistributionOut(BaseModel):
    """Absent fields when no demande is scored (``{"nombre": 0}``)."""

    nombre: int
    minimum: str | None = Field(default=None, description=POINTS)
    maximum: str | None = Field(default=None, description=POINTS)
    moyenne: str | None = Field(default=None, description=POINTS)
    mediane: str | None = Field(default=None, description=POINTS)
    quartiles: list[str] | None = Field(default=None, description=POINTS)
    tranches_de_10_points: dict[str, int] | None = None


class MouvementOut(BaseModel):
    demande_id: str
    typologie: str | None
    points_actuels: str | None
    points_simules: str
    rang_actuel: int | None
    rang_simule: int
    deplacement: int | None


class SimulationOut(BaseModel):
    grille_id: str
    epci: str
    population: str
    demandes: int
    distribution_actuelle: DistributionOut
    distribution_simulee: DistributionOut
    plus_grands_mouvements: list[MouvementOut]


class RecalculOut(BaseModel):
    id: str
    motif: str
    epci: str | None
    grille_id: str | None
    etat: str
    total: int
    traitees: int
    modifiees: int
    cree_le: datetime | None
    demarre_le: datetime | None
    mis_a_jour_le: datetime | None
    termine_le: datetime | None
    progression_pct: int
