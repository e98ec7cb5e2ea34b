"""The portail's consumer of demandes' answers to its commands (`demande.commande_traitee`)
and of the snapshots' changeable part (what the household may modify online)."""

from __future__ import annotations

from datetime import UTC, datetime

from servicekit.messaging.consumer import EventConsumer, HandlerContext
from toit_contracts.events import (
    DemandeCommandeTraitee,
    DemandeCreee,
    DemandeEnregistree,
    DemandeModifiee,
    DemandePurgee,
    DemandeRadiee,
    DemandeReactivee,
    DemandeRenouvelee,
)
from toit_portail.adapters import repository_candidatures
from toit_portail.service_layer import candidature

consumer = EventConsumer("commandes", drop_stale=False)

AvecSnapshot = (
    DemandeCreee
    | DemandeEnregistree
    | DemandeModifiee
    | DemandeRenouvelee
    | DemandeReactivee
    | DemandeRadiee
)


@consumer.on(DemandeCommandeTraitee)
async def reponse(ctx: HandlerContext, event: DemandeCommandeTraitee) -> None:
    await candidature.appliquer_reponse(ctx.session, event, ctx.envelope.time or datetime.now(UTC))


@consumer.on(
    DemandeCreee,
    DemandeEnregistree,
    DemandeModifiee,
    DemandeRenouvelee,
    DemandeReactivee,
    DemandeRadiee,
)
async def snapshot(ctx: HandlerContext, event: AvecSnapshot) -> None:
    if event.compte_demandeur is not None:  # only demandes an applicant's account owns
        await candidature.garder_modifiable(ctx.session, event)


@consumer.on(DemandePurgee)
async def purgee(ctx: HandlerContext, event: DemandePurgee) -> None:
    await repository_candidatures.oublier(ctx.session, event.demande_id)
