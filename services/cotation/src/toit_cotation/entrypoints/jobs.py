"""Bulk re-scoring loop and the daily job that queues the monthly ancienneté run.

The loop runs beside the live consumer in every replica: each iteration locks the
oldest running job (other replicas skip it), re-scores one batch and commits the
scores, the events and the cursor together. Live single re-scores are not starved:
a batch locks only its own demandes, the loop yields between batches, and it waits
while the outbox holds a batch of unpublished events — the relay is
first in, first out, so a live `cotation.calculee` never queues behind a whole
territory's bulk events.
"""

from __future__ import annotations

import asyncio
import contextlib
from datetime import UTC, date, datetime

import structlog

from servicekit.runtime import ServiceRuntime
from toit_cotation.adapters.repository import evenements_en_attente
from toit_cotation.service_layer import avancer_recalcul, planifier_recalcul_mensuel

log = structlog.get_logger(__name__)

TAILLE_LOT = "cotation.recalcul.taille_lot"
ATTENTE = "cotation.recalcul.attente_secondes"
OUTBOX_MAX = "cotation.recalcul.outbox_max"
_TACHE = "cotation.recalcul.tache"


async def boucle_recalcul(runtime: ServiceRuntime) -> None:
    taille_lot = int(runtime.state.get(TAILLE_LOT, 200))  # type: ignore[call-overload]
    attente = float(runtime.state.get(ATTENTE, 1.0))  # type: ignore[arg-type]
    outbox_max = int(runtime.state.get(OUTBOX_MAX, taille_lot))  # type: ignore[call-overload]
    while True:
        try:
            async with runtime.db.session() as session:
                if await evenements_en_attente(session, outbox_max) >= outbox_max:
                    await asyncio.sleep(0.02)  # back-pressure: let the relay drain
                    continue
            async with runtime.unit_of_work() as uow:
                avancement = await avancer_recalcul(uow, taille_lot, datetime.now(UTC))
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
    runtime.state[_TACHE] = asyncio.create_task(boucle_recalcul(runtime), name="cotation-recalcul")


async def arreter_recalculs(runtime: ServiceRuntime) -> None:
    tache = runtime.state.pop(_TACHE, None)
    if isinstance(tache, asyncio.Task):
        tache.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await tache


async def recalcul_mensuel(runtime: ServiceRuntime, jour: date) -> None:
    """Daily job: on the 1st of the month, queue the re-scoring of every demande."""
    async with runtime.unit_of_work() as uow:
        if await planifier_recalcul_mensuel(uow, jour, datetime.now(UTC)):
            log.info("cotation.recalcul_mensuel_planifie", jour=jour.isoformat())
