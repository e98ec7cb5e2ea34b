"""Use cases of the suivi (follow-up) page: record what events tell about a demande,
read one demande of the logged-in account with its avancement, positions, pièces and
historique."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession

from toit_contracts.events import DemandePieceDeposee, IntegrationEvent
from toit_portail.adapters import repository
from toit_portail.domain.espace import CotationVue, DemandeVue
from toit_portail.domain.suivi import Etape, LigneHistorique, Position, avancement, lignes


async def noter(
    session: AsyncSession, event: IntegrationEvent, event_id: str, quand: datetime
) -> None:
    """The historique lines of an event (idempotent: one per event and demande)."""
    for ligne in lignes(event):
        await repository.noter_historique(session, f"{event_id}:{ligne.demande_id}", quand, ligne)
    if isinstance(event, DemandePieceDeposee):
        await repository.noter_piece(
            session, event.piece_id, event.demande_id, event.type_piece, event.depot_en_ligne, quand
        )


@dataclass(frozen=True)
class Suivi:
    demande: DemandeVue
    cotations: list[tuple[CotationVue, Position | None]]
    avancement: list[Etape]
    historique: list[LigneHistorique]
    pieces: list[dict[str, Any]]


async def suivi(session: AsyncSession, demande_id: UUID, compte_id: str) -> Suivi | None:
    """The demande if it is this account's (None otherwise: the page answers 404)."""
    demande = await repository.demande_du_compte(session, demande_id, compte_id)
    if demande is None:
        return None
    active = demande.statut in ("ACTIVE", "EXPIREE_GRACE")
    cotations = []
    for cotation in await repository.cotations_de(session, demande_id):
        position = None
        if active:
            devant, sur = await repository.position(
                session, cotation.epci, demande.typologie, cotation.points
            )
            position = Position(cotation.epci, demande.typologie, devant + 1, sur)
        cotations.append((cotation, position))
    historique = await repository.historique_de(session, demande_id)
    return Suivi(
        demande=demande,
        cotations=cotations,
        avancement=avancement({h.type for h in historique}, demande.numero_unique),
        historique=historique,
        pieces=await repository.pieces_de(session, demande_id),
    )
