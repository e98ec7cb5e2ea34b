"""The observatoire's event intake: the archive and the read models' follower.

With RabbitMQ, the broker appends every integration event to the archive stream
(bound to `toit.events` with `#`): nothing of ours runs to archive. In the
embedded mode, an in-process consumer bound to `#` writes the archive table.
In both, one follower task applies the archive to the read models."""

from __future__ import annotations

import asyncio
import contextlib

import structlog

from servicekit.messaging.transport import QueueSpec
from servicekit.runtime import ServiceRuntime
from toit_observatoire.adapters.archive import FILE_ARCHIVE, ArchiveFlux
from toit_observatoire.bootstrap import construire, dependances
from toit_observatoire.service_layer import modeles

log = structlog.get_logger(__name__)


async def demarrer(runtime: ServiceRuntime) -> None:
    deps = construire(runtime)
    if isinstance(deps.archive, ArchiveFlux):
        await deps.archive.declarer()
    elif deps.archive_table is not None:
        spec = QueueSpec(name=FILE_ARCHIVE, bindings=("#",), prefetch=1000)
        await runtime.transport.consume(spec, deps.archive_table.archiver, 500, 1)
    await modeles.preparer(deps.db)
    deps.suivi = asyncio.create_task(
        modeles.suivre(
            deps.db,
            deps.archive,
            deps.territoire,
            limite=deps.settings.observatoire_projection_batch,
            attente=deps.settings.observatoire_projection_wait,
            arret=deps.arret,
        )
    )


async def arreter(runtime: ServiceRuntime) -> None:
    deps = dependances(runtime)
    deps.arret.set()
    if deps.suivi is not None:
        deps.suivi.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await deps.suivi
    await deps.archive.fermer()
