"""Three replicas of cotation, each in its own process as in production, competing
consumers of one quorum queue on one database: 20,000 demande events
(TOIT_COTATION_REPLICAS_DEMANDES demandes × 4 versions, 5000 by default), no duplicate
effect, no lost score."""

from __future__ import annotations

import asyncio
import json
import os
import sys
import time
from collections import defaultdict
from pathlib import Path

import sqlalchemy as sa
import structlog
from toit_cotation.adapters.tables import demandes, scores
from toit_cotation.service import service

from servicekit.messaging.tables import inbox, outbox
from servicekit.testing import RuntimeFactory
from toit_contracts.enums import TypeLogementActuel

from .cotation_harness import creee, emetteur, modifiee, nouvel_id, publier, publier_grille_nantes
from .cotation_harness import snapshot as snap

REPLIQUE = Path(__file__).with_name("replique.py")
DEMANDES = int(os.environ.get("TOIT_COTATION_REPLICAS_DEMANDES", "5000"))  # 4 events each
log = structlog.get_logger(__name__)


async def _replique(postgres_url: str, amqp_url: str) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        sys.executable,
        str(REPLIQUE),
        postgres_url,
        amqp_url,
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
    )


async def _demarrer(process: asyncio.subprocess.Process) -> None:
    assert process.stdin is not None and process.stdout is not None
    process.stdin.write(b"demarre\n")
    await process.stdin.drain()
    if (await process.stdout.readline()).strip() != b"pret":
        raise RuntimeError("la réplique n'a pas démarré")


async def _arreter(process: asyncio.subprocess.Process) -> None:
    assert process.stdin is not None
    process.stdin.close()
    try:
        await asyncio.wait_for(process.wait(), 30)
    except TimeoutError:
        process.kill()
        await process.wait()


async def test_three_replicas_twenty_thousand_events(
    runtime_factory: RuntimeFactory, postgres_url: str, amqp_url: str
) -> None:
    # This process only prepares the database, emits the events and checks the result.
    replicas = [await _replique(postgres_url, amqp_url) for _ in range(3)]
    try:
        cotation = await runtime_factory(service, start=False)
        await cotation.migrate()
        await publier_grille_nantes(cotation)
        await asyncio.gather(*(_demarrer(replica) for replica in replicas))
        source = await runtime_factory(emetteur)
        heberge, sans_abri = TypeLogementActuel.HEBERGE_CHEZ_TIERS, TypeLogementActuel.SANS_ABRI
        v1, v2 = snap(logement=heberge), snap(logement=sans_abri)
        v3, v4 = snap(logement=sans_abri, loyer_max="720.00"), snap(logement=heberge)
        ids = [nouvel_id() for _ in range(DEMANDES)]
        debut = time.monotonic()
        for start in range(0, DEMANDES, 250):
            lot = ids[start : start + 250]
            # Each demande's four versions, published in order; replicas may apply
            # them out of order, dropping the stale ones.
            await publier(
                source,
                *[creee(i, v1) for i in lot],
                *[modifiee(i, 2, v2) for i in lot],
                *[modifiee(i, 3, v3) for i in lot],
                *[modifiee(i, 4, v4) for i in lot],
            )

        async def a_jour() -> int:
            async with cotation.unit_of_work() as uow:
                return int(
                    (
                        await uow.session.execute(
                            sa.select(sa.func.count())
                            .select_from(demandes)
                            .where(demandes.c.version == 4)
                        )
                    ).scalar_one()
                )

        limite = time.monotonic() + 240
        while await a_jour() < DEMANDES and time.monotonic() < limite:
            await asyncio.sleep(0.25)
        duree = time.monotonic() - debut
        log.info("cotation.test_replicas", evenements=4 * DEMANDES, secondes=round(duree, 1))
        print(f"\n{4 * DEMANDES} événements, 3 répliques : {duree:.1f} s")
        assert await a_jour() == DEMANDES

        async with cotation.unit_of_work() as uow:
            session = uow.session
            appliques = (
                await session.execute(
                    sa.select(sa.func.count())
                    .select_from(inbox)
                    .where(inbox.c.consumer == "toit.cotation.demandes")
                )
            ).scalar_one()
            finales = (
                await session.execute(
                    sa.select(
                        scores.c.demande_id,
                        scores.c.points,
                        scores.c.demande_version,
                        scores.c.version,
                    )
                )
            ).all()
            envelopes = (
                (
                    await session.execute(
                        sa.select(outbox.c.envelope).where(
                            outbox.c.event_type == "cotation.calculee"
                        )
                    )
                )
                .scalars()
                .all()
            )
        # Every event applied once (stale copies are recorded too, without effect).
        assert appliques == 4 * DEMANDES
        # No lost score: every demande scored from its last version.
        assert len(finales) == DEMANDES
        points_v4 = {row.points for row in finales}
        assert len(points_v4) == 1 and {row.demande_version for row in finales} == {4}
        # No duplicate effect: each cotation version of a demande published once, the
        # last one being the stored score's.
        versions: dict[str, list[int]] = defaultdict(list)
        for envelope in envelopes:
            data = json.loads(envelope)["data"]
            versions[data["demande_id"]].append(data["version"])
        assert len(versions) == DEMANDES
        for row in finales:
            publiees = versions[str(row.demande_id)]
            assert sorted(publiees) == list(range(1, len(publiees) + 1))
            assert max(publiees) == row.version
    finally:
        await asyncio.gather(*(_arreter(replica) for replica in replicas))
