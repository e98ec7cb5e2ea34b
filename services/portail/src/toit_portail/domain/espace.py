"""The espace personnel's read model, as pure rules (no framework).

The portail keeps, from events, what the applicant's pages show: their demande (state,
numéro unique, dates) and its cotation per EPCI with the breakdown. A copy older than
what is kept is ignored (events may arrive twice or out of order); a demande is shown
only to the account it names (`compte_demandeur` of demandes' events).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

from toit_contracts.enums import MotifRadiation, StatutDemande
from toit_contracts.events import CotationCalculee, IntegrationEvent


def plus_recente(connue: int | None, recue: int) -> bool:
    """True when a copy of version `recue` must replace the kept one (`connue`).

    An equal version replaces it too: the same state told again (redelivery) changes
    nothing, and a notice carrying the same version as the last change must not be lost."""
    return connue is None or recue >= connue


@dataclass(frozen=True)
class DemandeVue:
    demande_id: UUID
    version: int
    departement: str
    statut: str
    compte_demandeur: str | None
    numero_unique: str | None = None
    date_depot_initial: date | None = None
    date_enregistrement: date | None = None
    date_dernier_renouvellement: date | None = None
    date_expiration: date | None = None
    date_radiation: date | None = None
    motif_radiation: str | None = None
    typologie: str | None = None  # first typologie wished

    @property
    def libelle_statut(self) -> str:
        return StatutDemande(self.statut).label

    @property
    def libelle_motif_radiation(self) -> str | None:
        return MotifRadiation(self.motif_radiation).label if self.motif_radiation else None


@dataclass(frozen=True)
class CotationVue:
    demande_id: UUID
    epci: str
    version: int
    points: Decimal
    criteres: list[dict[str, Any]] = field(default_factory=list)
    grille_version: int = 1
    calculee_le: datetime | None = None


def vue_demande(event: IntegrationEvent, precedente: DemandeVue | None) -> DemandeVue:
    """The demande as the applicant sees it after `event` (any `demande.*` with a state).

    Events without a snapshot (notices) keep the dates already known."""
    data: dict[str, Any] = event.model_dump(mode="python")
    snapshot = data.get("snapshot") or {}

    def date_de(nom: str) -> date | None:
        if nom in snapshot:
            valeur: date | None = snapshot[nom]
            return valeur
        return getattr(precedente, nom) if precedente else None

    radiee = event.event_type == "demande.radiee"
    return DemandeVue(
        demande_id=data["demande_id"],
        version=data["version"],
        departement=data["departement"],
        statut=StatutDemande(data["statut"]).value,
        # Once known, the account stays: a notice without it does not unlink the demande.
        compte_demandeur=data.get("compte_demandeur")
        or (precedente.compte_demandeur if precedente else None),
        numero_unique=data.get("numero_unique")
        or (precedente.numero_unique if precedente else None),
        date_depot_initial=date_de("date_depot_initial"),
        date_enregistrement=date_de("date_enregistrement"),
        date_dernier_renouvellement=date_de("date_dernier_renouvellement"),
        date_expiration=date_de("date_expiration"),
        date_radiation=data.get("date_radiation") if radiee else None,
        motif_radiation=MotifRadiation(data["motif"]).value if radiee else None,
        typologie=getattr(t := snapshot["logement_recherche"]["typologies"][0], "value", t)
        if snapshot
        else (precedente.typologie if precedente else None),
    )


def vue_cotation(event: CotationCalculee, calculee_le: datetime | None) -> CotationVue:
    return CotationVue(
        demande_id=event.demande_id,
        epci=event.epci,
        version=event.version,
        points=event.points,
        criteres=[
            {"code": c.code, "libelle": c.libelle, "points": str(c.points)} for c in event.criteres
        ],
        grille_version=event.grille_version,
        calculee_le=calculee_le,
    )
