"""The consumer: each triggering event records its notifications (see domain/declencheurs.py).

Stale-version dropping is off: a renewal notice and a DALO notice may carry the
same demande version, and each must still go out.
"""

from __future__ import annotations

from functools import cache

from servicekit.messaging.consumer import EventConsumer, HandlerContext
from toit_contracts.events import DemandePurgee, IntegrationEvent
from toit_notifications import service_layer
from toit_notifications.adapters.gabarits import Gabarits
from toit_notifications.domain.declencheurs import DECLENCHEURS
from toit_notifications.settings import NotificationsSettings

consumer = EventConsumer("notifications", drop_stale=False)


@cache
def gabarits() -> Gabarits:
    return Gabarits()


@cache
def domaine_message_id() -> str:
    return NotificationsSettings().smtp().from_domain


async def notifier(ctx: HandlerContext, event: IntegrationEvent) -> None:
    await service_layer.enregistrer_notifications(
        ctx.uow, ctx.envelope, event, gabarits(), domaine_message_id()
    )


consumer.on(*(d.evenement for d in DECLENCHEURS))(notifier)


@consumer.on(DemandePurgee)
async def purger(ctx: HandlerContext, event: DemandePurgee) -> None:
    await service_layer.purger_demande(ctx.uow, event.demande_id)
