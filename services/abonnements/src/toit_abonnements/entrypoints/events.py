"""The consumer: every demande event a partner may subscribe to enters the logs it concerns;
identite's organisation events bound the partners' habilitations.

Stale copies are dropped (per-demande version), so each log holds a demande's events in
order; delivery to partners happens elsewhere (service_layer/livraison.py), so a slow
partner never holds this queue back.
"""

from __future__ import annotations

from servicekit.messaging.consumer import EventConsumer, HandlerContext
from toit_abonnements.service_layer import journal, partenaires
from toit_contracts.events import (
    IntegrationEvent,
    OrganisationEnregistree,
    OrganisationModifiee,
)
from toit_contracts.profils import EVENEMENTS_PARTENAIRES

consumer = EventConsumer("journal")


async def journaliser(ctx: HandlerContext, _event: IntegrationEvent) -> None:
    journal.recevoir(ctx.uow, ctx.envelope)


consumer.on(*EVENEMENTS_PARTENAIRES.values())(journaliser)


@consumer.on(OrganisationEnregistree, OrganisationModifiee)
async def suivre_organisation(
    ctx: HandlerContext, event: OrganisationEnregistree | OrganisationModifiee
) -> None:
    """identite's organisation bounds the partner's habilitation (narrowed, never widened)."""
    await partenaires.suivre_organisation(
        ctx.uow, str(event.organisation_id), event.nom, list(event.departements), event.version
    )
