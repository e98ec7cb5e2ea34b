"""Consumers: the demande events (live single re-scores)."""

from __future__ import annotations

from datetime import UTC, datetime

from servicekit.messaging.consumer import EventConsumer, HandlerContext
from toit_contracts.enums import StatutDemande
from toit_contracts.events import (
    DemandeCreee,
    DemandeEnregistree,
    DemandeModifiee,
    DemandePurgee,
    DemandeRadiee,
    DemandeReactivee,
    DemandeRenouvelee,
)
from toit_cotation.service_layer import EtatDemande, suivre_demande

demandes_consumer = EventConsumer("demandes")

Avecsnapshot = (
    DemandeCreee
    | DemandeEnregistree
    | DemandeModifiee
    | DemandeRenouvelee
    | DemandeRadiee
    | DemandeReactivee
)


@demandes_consumer.on(
    DemandeCreee,
    DemandeEnregistree,
    DemandeModifiee,
    DemandeRenouvelee,
    DemandeRadiee,
    DemandeReactivee,
)
async def on_demande(ctx: HandlerContext, event: Avecsnapshot) -> None:
    await suivre_demande(
        ctx.uow,
        EtatDemande(
            event.demande_id,
            event.version,
            event.departement,
            event.statut,
            event.snapshot,
            event.compte_demandeur,
        ),
        datetime.now(UTC),
    )


@demandes_consumer.on(DemandePurgee)
async def on_demande_purgee(ctx: HandlerContext, event: DemandePurgee) -> None:
    await suivre_demande(
        ctx.uow,
        EtatDemande(event.demande_id, event.version, event.departement, StatutDemande.PURGEE, None),
        datetime.now(UTC),
    )
