"""demandes' consumer of the portail's requests: attaching a guichet demande to a
portal account (service_layer/rattachement.py)."""

from __future__ import annotations

from datetime import UTC, datetime

from servicekit.messaging.consumer import EventConsumer, HandlerContext
from toit_contracts.events import DemandeRattachee, RattachementDemande
from toit_demandes.domain.demande import Intervenant, TypeIntervenant
from toit_demandes.service_layer import rattachement
from toit_demandes.service_layer.commun import Contexte

consumer = EventConsumer("portail")


def _contexte(compte: str | None = None) -> Contexte:
    return Contexte(Intervenant(TypeIntervenant.PORTAIL, compte), datetime.now(UTC))


@consumer.on(RattachementDemande)
async def verifier_rattachement(ctx: HandlerContext, event: RattachementDemande) -> None:
    await rattachement.verifier_rattachement(ctx.uow, event, _contexte())


@consumer.on(DemandeRattachee)
async def rattacher(ctx: HandlerContext, event: DemandeRattachee) -> None:
    await rattachement.rattacher(ctx.uow, event, _contexte(event.compte_id))
