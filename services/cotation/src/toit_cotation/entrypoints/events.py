"""Consumers: the demande events (live re-scores).

servicekit applies a delivered batch in one unit of work and calls the handler once per
event. Re-scoring each event on its own costs a few queries per event; instead the
handlers queue the demandes' states on the unit of work and the whole batch is applied
with a few queries when that unit of work commits (`UnitOfWork.collect`): same
transaction as the inbox rows and the events published, so the guarantees are unchanged
(a batch that fails is retried event by event, each in its own unit of work). A commit
that would bypass the unit of work's fails rather than lose the queued states.
"""

from __future__ import annotations

from datetime import UTC, datetime

from servicekit.messaging.consumer import EventConsumer, HandlerContext
from servicekit.uow import UnitOfWork
from toit_contracts.enums import StatutDemande
from toit_contracts.events import (
    AttributionPrononcee,
    DemandeCreee,
    DemandeEnregistree,
    DemandeModifiee,
    DemandePurgee,
    DemandeRadiee,
    DemandeReactivee,
    DemandeRenouvelee,
)
from toit_cotation.entrypoints.priorite import traitement_direct
from toit_cotation.service_layer.calcul import EtatDemande, suivre_demandes
from toit_cotation.service_layer.delai_attente import Attribution, suivre_attributions

# Batches of up to 200 events (the default prefetch) per transaction, not 100: the
# per-batch queries are few, so larger batches mean less work per event.
demandes_consumer = EventConsumer("demandes", batch_size=200)

Avecsnapshot = (
    DemandeCreee
    | DemandeEnregistree
    | DemandeModifiee
    | DemandeRenouvelee
    | DemandeRadiee
    | DemandeReactivee
)


async def appliquer_etats(uow: UnitOfWork, etats: list[EtatDemande]) -> None:
    """The demande states collected from a batch, applied with a few queries."""
    with traitement_direct():
        await suivre_demandes(uow, etats, datetime.now(UTC))


@demandes_consumer.on(
    DemandeCreee,
    DemandeEnregistree,
    DemandeModifiee,
    DemandeRenouvelee,
    DemandeRadiee,
    DemandeReactivee,
)
async def on_demande(ctx: HandlerContext, event: Avecsnapshot) -> None:
    # The snapshot's JSON form as received (validated into `event` by servicekit): the
    # same as dumping the model again, without the cost.
    donnees = ctx.envelope.data
    snapshot = donnees.get("snapshot") if isinstance(donnees, dict) else None
    ctx.uow.collect(
        appliquer_etats,
        EtatDemande(
            event.demande_id,
            event.version,
            event.departement,
            event.statut,
            snapshot if isinstance(snapshot, dict) else event.snapshot,
            event.compte_demandeur,
        ),
    )


@demandes_consumer.on(DemandePurgee)
async def on_demande_purgee(ctx: HandlerContext, event: DemandePurgee) -> None:
    ctx.uow.collect(
        appliquer_etats,
        EtatDemande(event.demande_id, event.version, event.departement, StatutDemande.PURGEE, None),
    )


# --- attributions (issue 17): the waiting time ----------------------------------------------

attributions_consumer = EventConsumer("attributions", batch_size=200)


@attributions_consumer.on(AttributionPrononcee)
async def on_attribution(ctx: HandlerContext, event: AttributionPrononcee) -> None:
    if event.logement.epci is None or event.delai_attente_jours is None:
        return  # outside any EPCI, or dépôt date unknown: nothing to average
    ctx.uow.collect(
        suivre_attributions,
        Attribution(
            event.attribution_id,
            event.logement.epci,
            event.logement.typologie.value,
            event.date_signature_bail,
            event.delai_attente_jours,
        ),
    )
