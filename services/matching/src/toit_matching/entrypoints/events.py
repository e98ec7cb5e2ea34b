"""Consumers: `demande.*` and `cotation.calculee` feed matching's read models.

servicekit applies a delivered batch in one unit of work (inbox row and version check
per event: a stale copy never reaches these handlers); the handlers queue the states on
the unit of work and the batch is written with a few statements when it commits."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from servicekit.messaging.consumer import EventConsumer, HandlerContext
from servicekit.messaging.flux import Archive, Rejeu, rejouer
from servicekit.uow import UnitOfWork
from toit_contracts.events import (
    CotationCalculee,
    DemandeCreee,
    DemandeEnregistree,
    DemandeModifiee,
    DemandePurgee,
    DemandeRadiee,
    DemandeReactivee,
    DemandeRenouvelee,
)
from toit_matching.bootstrap import Referentiel
from toit_matching.service_layer.copies_demandes import (
    EtatDemande,
    Score,
    suivre_demandes,
    suivre_scores,
    vider_modeles,
)

demandes_consumer = EventConsumer("demandes", batch_size=200)
cotations_consumer = EventConsumer("cotations", batch_size=200)
QUEUES = ["toit.matching.demandes", "toit.matching.cotations"]

_referentiel = Referentiel()

AvecSnapshot = (
    DemandeCreee
    | DemandeEnregistree
    | DemandeModifiee
    | DemandeRenouvelee
    | DemandeRadiee
    | DemandeReactivee
)


async def appliquer_etats(uow: UnitOfWork, etats: list[EtatDemande]) -> None:
    await suivre_demandes(uow, etats, _referentiel.epci_de)


async def appliquer_scores(uow: UnitOfWork, recus: list[Score]) -> None:
    await suivre_scores(uow, recus)


@demandes_consumer.on(
    DemandeCreee,
    DemandeEnregistree,
    DemandeModifiee,
    DemandeRenouvelee,
    DemandeRadiee,
    DemandeReactivee,
)
async def on_demande(ctx: HandlerContext, event: AvecSnapshot) -> None:
    # The snapshot's JSON form as received (validated into `event` by servicekit).
    donnees = ctx.envelope.data
    snapshot: Any = donnees.get("snapshot") if isinstance(donnees, dict) else None
    if not isinstance(snapshot, dict):
        snapshot = event.snapshot.model_dump(mode="json")
    ctx.uow.collect(
        appliquer_etats,
        EtatDemande(
            event.demande_id,
            event.version,
            event.departement,
            event.statut.value,
            event.numero_unique,
            snapshot,
        ),
    )


@demandes_consumer.on(DemandePurgee)
async def on_demande_purgee(ctx: HandlerContext, event: DemandePurgee) -> None:
    ctx.uow.collect(
        appliquer_etats,
        EtatDemande(event.demande_id, event.version, event.departement, "PURGEE", None, None),
    )


@cotations_consumer.on(CotationCalculee)
async def on_cotation(ctx: HandlerContext, event: CotationCalculee) -> None:
    ctx.uow.collect(
        appliquer_scores,
        Score(
            event.demande_id,
            event.epci,
            event.points,
            [c.model_dump(mode="json") for c in event.criteres],
            event.grille_version,
            event.version,
        ),
    )


async def rejouer_archive(
    unit_of_work: Callable[[], UnitOfWork], archive: Archive, *, lot: int = 2000
) -> Rejeu:
    """Rebuild the read models from scratch: empty them, then replay the event archive
    (the broker's stream of every event, from offset 0) through these same handlers."""
    await vider_modeles(unit_of_work)
    return await rejouer(archive, [demandes_consumer, cotations_consumer], unit_of_work, lot=lot)
