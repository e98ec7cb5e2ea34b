"""Bulk re-scoring: a crash in the middle of a run resumes after the last committed
batch, finishes, and scores each demande once for the grid version."""

from __future__ import annotations

import asyncio
import json
import time
from collections import Counter
from datetime import UTC, datetime

import sqlalchemy as sa
from toit_cotation import service_layer as services
from toit_cotation.adapters.tables import recalculs
from toit_cotation.bootstrap import dependances
from toit_cotation.service import service
from toit_cotation.service_layer.calcul import EtatDemande

from servicekit import testing as kit
from servicekit.messaging.tables import outbox
from servicekit.runtime import ServiceRuntime
from servicekit.testing import RuntimeFactory
from toit_contracts.enums import StatutDemande

from .cotation_harness import nouvel_id, publier_grille_nantes, snapshot

DEMANDES = 600


async def _job(runtime: ServiceRuntime) -> sa.Row:
    async with runtime.unit_of_work() as uow:
        return (await uow.session.execute(sa.select(recalculs))).one()


async def test_crash_during_bulk_rescoring_resumes_once_per_demande(
    runtime_factory: RuntimeFactory, postgres_url: str, amqp_url: str
) -> None:
    premier = await runtime_factory(service, start=False)
    dependances(premier).settings.cotation_recalcul_taille_lot = 40
    dependances(premier).settings.cotation_recalcul_attente_secondes = 0.05
    await premier.migrate()
    # The demandes are known before the grid exists (no score yet).
    maintenant = datetime.now(UTC)
    async with premier.unit_of_work() as uow:
        for _ in range(DEMANDES):
            await services.calcul.suivre_demande(
                uow, EtatDemande(nouvel_id(), 1, "44", StatutDemande.ACTIVE, snapshot()), maintenant
            )
        await uow.commit()
    await premier.start(migrate=False, seed=False)
    grille_id = await publier_grille_nantes(premier)

    # Crash once a few batches are committed: the batch in flight rolls back.
    limite = time.monotonic() + 30
    while (await _job(premier)).traitees < 160 and time.monotonic() < limite:
        await asyncio.sleep(0.01)
    await premier.stop()

    # A new replica on the same database and vhost takes over.
    second = ServiceRuntime(
        service, kit.settings_for_tests(bus="amqp", amqp_url=amqp_url), database_url=postgres_url
    )
    interrompu = await _job(second)
    assert interrompu.etat == "EN_COURS" and 160 <= interrompu.traitees < DEMANDES
    dependances(second).settings.cotation_recalcul_taille_lot = 40
    dependances(second).settings.cotation_recalcul_attente_secondes = 0.05
    await second.start(seed=False)
    try:
        limite = time.monotonic() + 60
        while (await _job(second)).etat != "TERMINE" and time.monotonic() < limite:
            await asyncio.sleep(0.05)
        job = await _job(second)
        assert (job.etat, job.traitees, job.modifiees) == ("TERMINE", DEMANDES, DEMANDES)
        async with second.unit_of_work() as uow:
            envelopes = (
                (
                    await uow.session.execute(
                        sa.select(outbox.c.envelope).where(
                            outbox.c.event_type == "cotation.calculee"
                        )
                    )
                )
                .scalars()
                .all()
            )
        par_demande = Counter(
            data["demande_id"]
            for data in (json.loads(e)["data"] for e in envelopes)
            if data["grille_id"] == str(grille_id)
        )
        assert len(par_demande) == DEMANDES
        assert set(par_demande.values()) == {1}
    finally:
        await second.stop()
