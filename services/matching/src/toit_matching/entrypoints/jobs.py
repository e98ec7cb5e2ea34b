"""Daily jobs of the matching service (`toit-service jobs run-daily matching --date ...`)."""

from __future__ import annotations

from datetime import UTC, date, datetime

import structlog

from servicekit.runtime import ServiceRuntime
from toit_matching.bootstrap import dependances
from toit_matching.service_layer import offres, votes

log = structlog.get_logger(__name__)


async def echeances_des_offres(runtime: ServiceRuntime, jour: date) -> None:
    """Silence past an offer's deadline = refusal, lapsed suspensive conditions, then the next
    rank; remote votes past their deadline closed with their result."""
    deps = dependances(runtime)
    async with runtime.unit_of_work() as uow:
        bilan = await offres.echeances(uow, deps, jour)
    async with runtime.unit_of_work() as uow:
        clos = await votes.clore_echus(uow, deps, datetime.now(UTC))
    log.info("matching.echeances", jour=jour.isoformat(), votes_clos=clos, **bilan)
