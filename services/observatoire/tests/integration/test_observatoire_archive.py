"""Items 1 and 2: the event archive (stream with RabbitMQ, table embedded) and read
models fed only by it, rebuilt from it equal to the live ones, a rebuild
interrupted by a crash resuming from its last committed position."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from toit_observatoire.adapters import tables
from toit_observatoire.adapters.archive import ArchiveFlux
from toit_observatoire.bootstrap import dependances
from toit_observatoire.service import service
from toit_observatoire.service_layer import modeles

from servicekit.messaging.transport import Delivery, OutcomeKind
from servicekit.testing import RuntimeFactory
from toit_contracts import CloudEvent

from .observatoire_harness import arreter_suivi, attendre_modeles, photo, publier

pytestmark = pytest.mark.integration


class Crash(Exception):
    pass


async def test_embedded_archive_and_rebuild_equal_to_live(
    memory_runtime_factory: RuntimeFactory,
) -> None:
    runtime = await memory_runtime_factory(service)
    total = await publier(runtime, 60)
    await attendre_modeles(runtime, total)
    live = await photo(runtime)
    assert len(live["rm_demande"]) == 60
    assert len(live["rm_cotation"]) == 60
    assert live["rm_attribution"], "some radiations were attributions"
    assert live["rm_logement_vacant"] and live["rm_proposition"], "fed by matching's events"
    async with runtime.db.engine.connect() as conn:
        archived = (
            await conn.execute(sa.select(sa.func.count()).select_from(tables.archive_evenement))
        ).scalar()
    assert archived == total

    # A copy of an event delivered twice (a relay retry) is archived once.
    deps = dependances(runtime)
    assert deps.archive_table is not None
    async with runtime.db.engine.connect() as conn:
        first = (await conn.execute(sa.select(tables.archive_evenement).limit(1))).one()
    copy = Delivery(first.event_id, first.type, first.corps, {})
    assert [o.kind for o in await deps.archive_table.archiver([copy])] == [OutcomeKind.ACK]
    assert await deps.archive.fin() == total
    await arreter_suivi(runtime)
    applied = await modeles.reconstruire(deps.db, deps.archive, deps.territoire, limite=37)
    assert applied == total
    assert await photo(runtime) == live


async def test_rebuild_interrupted_resumes_from_last_committed_position(
    memory_runtime_factory: RuntimeFactory,
) -> None:
    runtime = await memory_runtime_factory(service)
    total = await publier(runtime, 40, seed=11)
    await attendre_modeles(runtime, total)
    live = await photo(runtime)
    await arreter_suivi(runtime)
    deps = dependances(runtime)

    seen: list[modeles.Progression] = []

    def crash_after_two_batches(p: modeles.Progression) -> None:
        seen.append(p)
        if len(seen) == 2:
            raise Crash

    with pytest.raises(Crash):
        await modeles.reconstruire(
            deps.db, deps.archive, deps.territoire, limite=20, progression=crash_after_two_batches
        )
    interrupted = await modeles.etat(deps.db)
    assert interrupted is not None
    assert interrupted.statut == modeles.RECONSTRUCTION
    assert interrupted.evenements == 40
    assert 0 < interrupted.position < await deps.archive.fin()

    resumed: list[modeles.Progression] = []
    applied = await modeles.reconstruire(
        deps.db, deps.archive, deps.territoire, limite=20, progression=resumed.append
    )
    assert applied == total - 40, "resumed where it stopped, nothing applied twice"
    assert resumed[-1].position == resumed[-1].fin
    final = await modeles.etat(deps.db)
    assert final is not None and final.statut == modeles.A_JOUR and final.evenements == total
    assert await photo(runtime) == live


async def test_rabbitmq_stream_archive_read_from_an_offset_and_rebuild(
    runtime_factory: RuntimeFactory,
) -> None:
    runtime = await runtime_factory(service)
    total = await publier(runtime, 30, seed=3)
    await attendre_modeles(runtime, total)
    live = await photo(runtime)
    deps = dependances(runtime)
    assert isinstance(deps.archive, ArchiveFlux)
    assert await deps.archive.fin() == total

    # Any position can be read again, in order.
    reader = ArchiveFlux(deps.settings.amqp_url)
    try:
        lot = await reader.lire(10, 5, attente=5)
        assert [e.position for e in lot] == [10, 11, 12, 13, 14]
        assert all(CloudEvent.from_json_bytes(e.corps).type for e in lot)
    finally:
        await reader.fermer()

    await arreter_suivi(runtime)
    applied = await modeles.reconstruire(deps.db, deps.archive, deps.territoire, limite=25)
    assert applied == total
    assert await photo(runtime) == live
    # On PostgreSQL too, an attribution counts once: matching's row replaced the radiation's.
    sources = [row[2] for row in live["rm_attribution"]]
    assert sources and set(sources) == {"matching"}
