"""Daily jobs of the demandes service (`toit-service jobs run-daily demandes --date ...`)."""

from __future__ import annotations

from datetime import date

import structlog

from servicekit.runtime import ServiceRuntime
from toit_demandes import service_layer
from toit_demandes.entrypoints.http import stockage

log = structlog.get_logger(__name__)


async def echeances_des_demandes(runtime: ServiceRuntime, jour: date) -> None:
    """Renewal notices, expiries, radiations (non-renewal, end of notice), purges, DAL."""
    bilan = await service_layer.taches.taches_quotidiennes(
        runtime.unit_of_work, jour, stockage(runtime)
    )
    log.info("demandes.taches_quotidiennes", jour=jour.isoformat(), **bilan.comptes)
