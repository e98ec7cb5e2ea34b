"""Request bodies of the CALEOL, vote, decision, offer and attribution API (bounded)."""

from __future__ import annotations

from datetime import date
from typing import Literal
from uuid import UUID

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from toit_contracts.types import Departement


class _Corps(BaseModel):
    model_config = ConfigDict(extra="forbid")


class CommissionIn(_Corps):
    nom: str = Field(min_length=2, max_length=200)
    departement: Departement
    territoire: str | None = Field(default=None, max_length=200)
    epci_preponderant: bool = Field(
        default=False,
        description="L'EPCI a une CIL et un PPGDID : la voix prépondérante passe au président "
        "de l'EPCI (détail non vérifié, réglage de la commission)",
    )
    bailleur_id: str | None = Field(default=None, max_length=64)


class MembreIn(_Corps):
    compte_id: str = Field(min_length=1, max_length=64)
    nom: str = Field(min_length=2, max_length=200)
    qualite: Literal[
        "ADMINISTRATEUR",
        "REPRESENTANT_LOCATAIRES",
        "MAIRE",
        "PREFET",
        "PRESIDENT_EPCI",
        "ASSOCIATION_INSERTION",
        "RESERVATAIRE",
    ]
    president: bool = False
    commune: str | None = Field(default=None, pattern=r"^[0-9][0-9AB][0-9]{3}$")
    epci: str | None = Field(default=None, pattern=r"^[0-9]{9}$")
    reservataire_id: str | None = Field(default=None, max_length=64)


class SeanceIn(_Corps):
    reference: str = Field(min_length=2, max_length=64, pattern=r"^[A-Za-z0-9._/-]+$")
    date_seance: AwareDatetime
    mode: Literal["PRESENTIELLE", "NUMERIQUE"]


class DossierIn(_Corps):
    vacance_id: UUID


class OuvertureIn(_Corps):
    date_limite: AwareDatetime


class BulletinIn(_Corps):
    choix: Literal["ATTRIBUER", "NE_PAS_ATTRIBUER", "REJETER", "REPORTER"]
    rangs: list[UUID] = Field(default_factory=list, max_length=10)
    commentaire: str | None = Field(default=None, max_length=1000)


class MessageIn(_Corps):
    texte: str = Field(min_length=1, max_length=2000)


class DecisionIn(_Corps):
    demande_id: UUID
    sens: Literal[
        "ATTRIBUTION",
        "ATTRIBUTION_RANG",
        "ATTRIBUTION_SOUS_CONDITION",
        "NON_ATTRIBUTION",
        "IRRECEVABILITE",
    ]
    rang: int | None = Field(default=None, ge=1, le=10)
    motifs: str | None = Field(default=None, max_length=2000)
    fondement: Literal["PLAFOND_RESSOURCES", "SEJOUR_IRREGULIER"] | None = None
    piece: str | None = Field(default=None, max_length=200)
    date_limite_piece: date | None = None


class DecisionsIn(_Corps):
    decisions: list[DecisionIn] = Field(min_length=1, max_length=10)


class ReponseIn(_Corps):
    accepte: bool
    motif: str | None = Field(default=None, max_length=32)
    precision: str | None = Field(default=None, max_length=500)
    date_reponse: date


class BailIn(_Corps):
    date_signature: date
    mutation_interne: bool = False
    accord_collectif: bool = False
    bailleur_siren: str | None = Field(default=None, pattern=r"^[0-9]{9}$")
