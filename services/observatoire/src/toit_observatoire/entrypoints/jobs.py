"""Daily job: scheduled lists (daily, weekly on Mondays, monthly on the 1st) and the
expiry of stored results."""

from __future__ import annotations

from datetime import date

import structlog
from toit_referentiel import departements

from servicekit.runtime import ServiceRuntime
from toit_observatoire.bootstrap import dependances
from toit_observatoire.service_layer import chiffres_cles, listes

log = structlog.get_logger(__name__)


async def listes_planifiees(runtime: ServiceRuntime, jour: date) -> None:
    deps = dependances(runtime)
    async with deps.db.engine.begin() as conn:
        done = await listes.executer_planifiees(
            conn,
            jour,
            seuil=deps.settings.observatoire_seuil_secret,
            limite=deps.settings.observatoire_lignes_max,
        )
    log.info("observatoire.listes_planifiees", jour=jour.isoformat(), executees=len(done))


async def publier_chiffres_cles(runtime: ServiceRuntime, jour: date) -> None:
    """Publish each département's key figures (stored, and sent as an event)."""
    deps = dependances(runtime)
    for departement in departements():
        async with runtime.unit_of_work() as uow:
            event = await chiffres_cles.publier(
                uow, departement.code, jour, deps.settings.observatoire_seuil_secret
            )
            await uow.commit()
        log.info(
            "observatoire.chiffres_cles_publies",
            departement=departement.code,
            chiffres=len(event.chiffres),
        )
