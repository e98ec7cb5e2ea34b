"""Use cases of the suivi (follow-up) page: record what events tell about a demande,
read one demande of the logged-in account with its avancement, positions, pièces and
historique."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from uuid import UUID

import toit_referentiel as referentiel
from sqlalchemy.ext.asyncio import AsyncSession
from toit_referentiel.delai_attente import FENETRE_JOURS, delai_attente

from toit_contracts.events import (
    AttributionPrononcee,
    DemandePieceDeposee,
    DemandePieceStatuee,
    IntegrationEvent,
)
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
    if isinstance(event, DemandePieceStatuee):
        await repository.statuer_piece(
            session,
            event.piece_id,
            event.demande_id,
            event.type_piece,
            event.decision,
            event.motif_refus,
            quand,
        )
    if isinstance(event, AttributionPrononcee):
        await noter_attribution(session, event)


async def noter_attribution(session: AsyncSession, event: AttributionPrononcee) -> None:
    """Keep the lease anonymously for the average waiting time of similar demandes (only
    EPCI, typologie, date and days waited); attributions older than the window go."""
    if event.logement.epci is None or event.delai_attente_jours is None:
        return
    await repository.noter_attribution(
        session,
        event.attribution_id,
        event.logement.epci,
        str(event.logement.typologie),
        event.date_signature_bail,
        event.delai_attente_jours,
    )
    await repository.oublier_attributions(
        session, event.date_signature_bail - timedelta(days=2 * FENETRE_JOURS)
    )


@dataclass(frozen=True)
class Territoire:
    """One EPCI of the demande: its score, the position and the average waiting time of
    similar demandes (`toit_referentiel.delai_attente`: `disponible`, `libelle`…)."""

    cotation: CotationVue
    position: Position | None
    delai: dict[str, Any]


@dataclass(frozen=True)
class Suivi:
    demande: DemandeVue
    cotations: list[Territoire]
    avancement: list[Etape]
    historique: list[LigneHistorique]
    pieces: list[dict[str, Any]]


async def delai(
    session: AsyncSession, epci: str, typologie: str | None, aujourd_hui: date
) -> dict[str, Any]:
    """The average waiting time of the attributions of the last twelve months in this EPCI
    for this typologie (the same rule as cotation's)."""
    if typologie is None:
        return {
            "disponible": False,
            "motif": "Délai d'attente non disponible : la demande ne précise pas de typologie",
        }
    depuis = aujourd_hui - timedelta(days=FENETRE_JOURS)
    fiche = referentiel.epci(epci)
    return delai_attente(
        await repository.delais(session, epci, typologie, depuis),
        fiche.nom if fiche else None,
        typologie,
    )


async def suivi(
    session: AsyncSession, demande_id: UUID, compte_id: str, aujourd_hui: date | None = None
) -> Suivi | None:
    """The demande if it is this account's (None otherwise: the page answers 404)."""
    aujourd_hui = aujourd_hui or date.today()
    demande = await repository.demande_du_compte(session, demande_id, compte_id)
    if demande is None:
        return None
    active = demande.statut in repository.STATUTS_COMPARES
    cotations = []
    for cotation, (devant, sur) in await repository.cotations_et_positions(
        session, demande_id, demande.typologie
    ):
        position = Position(cotation.epci, demande.typologie, devant + 1, sur) if active else None
        cotations.append(
            Territoire(
                cotation,
                position,
                await delai(session, cotation.epci, demande.typologie, aujourd_hui),
            )
        )
    historique = await repository.historique_de(session, demande_id)
    return Suivi(
        demande=demande,
        cotations=cotations,
        avancement=avancement({h.type for h in historique}, demande.numero_unique),
        historique=historique,
        pieces=await repository.pieces_de(session, demande_id),
    )
