"""The portail's consumer: demandes' and cotation's events feed the espace personnel.

servicekit's per-entity version check is off: cotation versions count per demande × EPCI
(not per demande), so the read model checks versions itself (domain/espace.py)."""

from __future__ import annotations

from servicekit.messaging.consumer import EventConsumer, HandlerContext
from toit_contracts.events import (
    AttributionPrononcee,
    CaleolDecisionPrise,
    ChiffresClesPublies,
    CompteSupprime,
    CotationCalculee,
    DemandeCodeRattachement,
    DemandeCreee,
    DemandeDelaiAnormalementLongAtteint,
    DemandeEnregistree,
    DemandeModifiee,
    DemandePieceDeposee,
    DemandePieceStatuee,
    DemandePurgee,
    DemandeRadiationPreavisee,
    DemandeRadiee,
    DemandeReactivee,
    DemandeRejetee,
    DemandeRenouvelee,
    DemandeRenouvellementAEcheance,
    DesignationEffectuee,
    IntegrationEvent,
    OffreAcceptee,
    OffreEmise,
    OffreRefusee,
)
from toit_portail.service_layer import chiffres_cles, espace, rattachement, suivi

consumer = EventConsumer("espace", drop_stale=False)


@consumer.on(
    DemandeCreee,
    DemandeDelaiAnormalementLongAtteint,
    DemandeEnregistree,
    DemandeModifiee,
    DemandeRenouvelee,
    DemandeRadiee,
    DemandeReactivee,
    DemandeRenouvellementAEcheance,
    DemandeRadiationPreavisee,
    DemandeRejetee,
    DemandePieceDeposee,
    DemandePieceStatuee,
)
async def demande(ctx: HandlerContext, event: IntegrationEvent) -> None:
    await espace.appliquer_demande(ctx.session, event)
    await suivi.noter(ctx.session, event, ctx.envelope.id, ctx.envelope.time)


@consumer.on(
    DesignationEffectuee,
    CaleolDecisionPrise,
    OffreEmise,
    OffreAcceptee,
    OffreRefusee,
    AttributionPrononcee,
)
async def attribution(ctx: HandlerContext, event: IntegrationEvent) -> None:
    """The designation, the commission's decision and the offers, in the historique."""
    await suivi.noter(ctx.session, event, ctx.envelope.id, ctx.envelope.time)


@consumer.on(CotationCalculee)
async def cotation(ctx: HandlerContext, event: CotationCalculee) -> None:
    await espace.appliquer_cotation(ctx.session, event, ctx.envelope.time)


@consumer.on(DemandePurgee)
async def purgee(ctx: HandlerContext, event: DemandePurgee) -> None:
    await espace.purger(ctx.session, event.demande_id)


@consumer.on(CompteSupprime)
async def compte_supprime(ctx: HandlerContext, event: CompteSupprime) -> None:
    await espace.oublier_compte(ctx.session, event.compte_id)


@consumer.on(ChiffresClesPublies)
async def chiffres_publies(ctx: HandlerContext, event: ChiffresClesPublies) -> None:
    await chiffres_cles.appliquer(ctx.session, event)


@consumer.on(DemandeCodeRattachement)
async def code_rattachement(ctx: HandlerContext, event: DemandeCodeRattachement) -> None:
    # Only the demande's id is kept: neither the code nor the contact.
    await rattachement.code_envoye(ctx.uow, event)
