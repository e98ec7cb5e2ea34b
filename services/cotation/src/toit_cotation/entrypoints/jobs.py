"""Bulk re-scoring loop and the daily job that queues the monthly ancienneté run.

The loop runs beside the live consumer in every replica: each iteration locks the
oldest running job (other replicas skip it), re-scores one batch and commits the
scores, the events and the cursor together. Live re-scores come first:
- the loop starts no batch while a live batch is in progress in this process
  (`priorite`), and a batch yields to the event loop as it goes;
- a batch locks only its own demandes, and is short (`cotation_recalcul_taille_lot`,
  and `cotation_recalcul_taille_lot_direct` while live batches keep coming; settings.py);
- no batch starts while the outbox holds `cotation_recalcul_outbox_max` unpublished events
  (any, while live batches keep coming): the relay is first in, first out, so a live
  `cotation.calculee` waits behind at most that many bulk events, never behind a whole
  territory's. Twice a batch otherwise: the next batch is computed while the relay
  publishes the previous one.
"""

from __future__ import annotations

import asyncio
import contextlib
from datetime import UTC, date, datetime

import structlog

from servicekit.runtime import ServiceRuntime
from toit_cotation.bootstrap import dependances
from toit_cotation.entrypoints.priorite import direct_recent, laisser_passer_le_direct
from toit_cotation.service_layer.recalcul import (
    Freinage,
    avancer_recalcul,
    planifier_recalcul_mensuel,
)

log = structlog.get_logger(__name__)


async def boucle_recalcul(runtime: ServiceRuntime) -> None:
    reglages = dependances(runtime).settings
    taille_lot = reglages.cotation_recalcul_taille_lot
    taille_direct = reglages.cotation_recalcul_taille_lot_direct
    attente = reglages.cotation_recalcul_attente_secondes
    outbox_max = reglages.cotation_recalcul_outbox_max or 2 * taille_lot
    while True:
        try:
            await laisser_passer_le_direct()
            # While live batches keep coming, a bulk batch starts only once the outbox is
            # empty: a live event then waits behind one small bulk batch at most.
            lot, plafond = (taille_direct, 1) if direct_recent() else (taille_lot, outbox_max)
            async with runtime.unit_of_work() as uow:
                avancement = await avancer_recalcul(
                    uow, lot, datetime.now(UTC), evenements_max=plafond
                )
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            # Deadlock with a live re-score, lost connection…: the batch rolled back, retry.
            log.warning("cotation.recalcul_lot_echoue", error=type(exc).__name__, exc_info=True)
            await asyncio.sleep(attente)
            continue
        if avancement is None:
            await asyncio.sleep(attente)
            continue
        if isinstance(avancement, Freinage):
            await asyncio.sleep(0.02)  # back-pressure: let the relay drain
            continue
        log.info(
            "cotation.recalcul_lot",
            job_id=str(avancement.job_id),
            motif=avancement.motif,
            traitees=avancement.traitees,
            total=avancement.total,
            modifiees=avancement.modifiees,
            lot=avancement.lot,
            debit_par_seconde=round(avancement.debit_par_seconde, 1),
        )
        if avancement.termine:
            log.info(
                "cotation.recalcul_termine",
                job_id=str(avancement.job_id),
                motif=avancement.motif,
                traitees=avancement.traitees,
                modifiees=avancement.modifiees,
            )
        await asyncio.sleep(0)


async def demarrer_recalculs(runtime: ServiceRuntime) -> None:
    dependances(runtime).tache_recalcul = asyncio.create_task(
        boucle_recalcul(runtime), name="cotation-recalcul"
    )


async def arreter_recalculs(runtime: ServiceRuntime) -> None:
    deps = dependances(runtime)
    tache, deps.tache_recalcul = deps.tache_recalcul, None
    if tache is not None:
        tache.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await tache


async def recalcul_mensuel(runtime: ServiceRuntime, jour: date) -> None:
    """Daily job: on the 1st of the month, queue the re-scoring of every demande."""
    async with runtime.unit_of_work() as uow:
        if await planifier_recalcul_mensuel(uow, jour, datetime.now(UTC)):
            log.info("cotation.recalcul_mensuel_planifie", jour=jour.isoformat())
