"""Shared by the observatoire's integration tests."""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

import sqlalchemy as sa
from toit_observatoire.adapters import tables
from toit_observatoire.bootstrap import dependances
from toit_observatoire.generateur import enveloppe, evenements
from toit_observatoire.service_layer import modeles

from servicekit.db import Database
from servicekit.messaging.transport import OutgoingMessage
from servicekit.runtime import ServiceRuntime


async def publier(runtime: ServiceRuntime, nombre: int, seed: int = 7) -> int:
    messages = []
    for event, at in evenements(nombre, seed=seed):
        envelope = enveloppe(event, at)
        messages.append(OutgoingMessage(envelope.id, envelope.type, envelope.to_json_bytes()))
    for start in range(0, len(messages), 500):
        await runtime.transport.publish(messages[start : start + 500])
    return len(messages)


async def attendre_modeles(runtime: ServiceRuntime, evenements: int, timeout: float = 60) -> None:
    deps = dependances(runtime)
    async with asyncio.timeout(timeout):
        while True:
            etat = await modeles.etat(deps.db)
            if etat is not None and etat.evenements >= evenements and etat.statut == "a_jour":
                return
            await asyncio.sleep(0.1)


async def arreter_suivi(runtime: ServiceRuntime) -> None:
    deps = dependances(runtime)
    deps.arret.set()
    if deps.suivi is not None:
        deps.suivi.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await deps.suivi
        deps.suivi = None


async def photo(runtime: ServiceRuntime) -> dict[str, list[tuple[Any, ...]]]:
    """Every read-model row, sorted: two photos are equal when the models are."""
    return await photo_db(runtime.db)


async def photo_db(db: Database) -> dict[str, list[tuple[Any, ...]]]:
    result: dict[str, list[tuple[Any, ...]]] = {}
    async with db.engine.connect() as conn:
        for table in tables.READ_MODELS:
            rows = (await conn.execute(sa.select(table))).all()
            result[table.name] = sorted((tuple(r) for r in rows), key=repr)
    return result
