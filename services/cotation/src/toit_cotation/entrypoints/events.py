"""Consumers: the demande events (live re-scores).

servicekit applies a delivered batch in one unit of work and calls the handler once per
event. Re-scoring each event on its own costs a few queries per event; instead the
handlers queue the demandes' states on the unit of work and the whole batch is applied
with a few queries when that unit of work commits (`UnitOfWork.before_commit`): same
transaction as the inbox rows and the events published, so the guarantees are unchanged
(a batch that fails is retried event by event, each in its own unit of work). A commit
that would bypass the unit of work's fails rather than lose the queued states.
"""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from servicekit.messaging.consumer import EventConsumer, HandlerContext
from servicekit.uow import UnitOfWork
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
from toit_cotation.entrypoints.priorite import traitement_direct
from toit_cotation.service_layer import EtatDemande, suivre_demandes

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

_LOT = "toit_cotation.etats"


class EtatsNonAppliques(RuntimeError):
    """The unit of work was committed without applying the queued demande states."""


@sa.event.listens_for(Session, "before_commit")
def _verifier(session: Session) -> None:
    # Safety net: a commit that bypassed `uow.commit` must not lose the states (the
    # inbox rows would say the events were applied): fail it instead. One listener for
    # every session: a dictionary lookup for those that queued nothing.
    lot = session.info.get(_LOT)
    if lot:
        raise EtatsNonAppliques(f"{len(lot)} état(s) de demande non appliqué(s)")


def _mettre_en_lot(uow: UnitOfWork, etat: EtatDemande) -> None:
    """Queue a demande state on the unit of work; applied when it commits."""
    info = uow.session.sync_session.info
    lot: list[EtatDemande] | None = info.get(_LOT)
    if lot is None:
        lot = info[_LOT] = []

        async def appliquer() -> None:
            with traitement_direct():
                etats = list(lot)
                lot.clear()
                await suivre_demandes(uow, etats, datetime.now(UTC))

        uow.before_commit(appliquer)
    lot.append(etat)


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
    _mettre_en_lot(
        ctx.uow,
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
    _mettre_en_lot(
        ctx.uow,
        EtatDemande(event.demande_id, event.version, event.departement, StatutDemande.PURGEE, None),
    )
