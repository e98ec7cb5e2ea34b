"""Daily jobs: retention of the logs and of the delivery register; AMQP clean-up retries."""

from __future__ import annotations

from datetime import date

import structlog

from servicekit.runtime import ServiceRuntime
from toit_abonnements.bootstrap import dependances
from toit_abonnements.service_layer import abonnements as uc_abonnements
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


async def nettoyer_amqp(runtime: ServiceRuntime, jour: date) -> None:
    """Retry the broker clean-up of revoked AMQP subscriptions (the broker was away)."""
    async with runtime.unit_of_work() as uow:
        nettoyes = await uc_abonnements.nettoyer_amqp(uow, dependances(runtime).admin_amqp)
    log.info("abonnements.nettoyage_amqp", abonnements=nettoyes)
