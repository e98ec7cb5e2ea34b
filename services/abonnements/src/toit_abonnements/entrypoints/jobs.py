"""Daily job: retention of the logs and of the delivery register."""

from __future__ import annotations

from datetime import date

import structlog

from servicekit.runtime import ServiceRuntime
from toit_abonnements.bootstrap import dependances
from toit_abonnements.service_layer import retention

log = structlog.get_logger(__name__)


async def appliquer_retention(runtime: ServiceRuntime, jour: date) -> None:
    settings = dependances(runtime).settings
    async with runtime.unit_of_work() as uow:
        purges = await retention.appliquer(
            uow,
            jour,
            settings.abonnements_retention_jours,
            settings.abonnements_conservation_livraisons_jours,
        )
    log.info("abonnements.retention", abonnements=len(purges))
