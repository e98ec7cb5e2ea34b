"""Wait until the observatoire's read models have applied n events."""

from __future__ import annotations

import asyncio

from toit_observatoire.bootstrap import dependances
from toit_observatoire.service_layer import modeles

from servicekit.runtime import ServiceRuntime


async def attendre(runtime: ServiceRuntime, evenements: int, timeout: float = 60) -> None:
    deps = dependances(runtime)
    async with asyncio.timeout(timeout):
        while True:
            etat = await modeles.etat(deps.db)
            if etat is not None and etat.evenements >= evenements and etat.statut == "a_jour":
                return
            await asyncio.sleep(0.1)
