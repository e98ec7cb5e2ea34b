"""Daily jobs: scheduled lists (daily, weekly on Mondays, monthly on the 1st) sent to
their addresses once per period, the expiry of stored results, the key figures, the
fiches territoriales of the last complete month."""

from __future__ import annotations

from datetime import date

import structlog
from toit_referentiel import departements

from servicekit.runtime import ServiceRuntime
from toit_observatoire.bootstrap import dependances
from toit_observatoire.service_layer import chiffres_cles, diffusions, publications

log = structlog.get_logger(__name__)


async def listes_planifiees(runtime: ServiceRuntime, jour: date) -> None:
    deps = dependances(runtime)
    async with runtime.unit_of_work() as uow:
        done = await diffusions.executer_planifiees(
            uow,
            jour,
            seuil=deps.settings.observatoire_seuil_secret,
            limite=deps.settings.observatoire_lignes_max,
            url_publique=deps.settings.observatoire_public_url,
        )
        await uow.commit()
    log.info(
        "observatoire.listes_planifiees",
        jour=jour.isoformat(),
        executees=len(done),
        diffusees=sum(1 for d in done if d.diffusion is not None),
    )


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


async def fiches_planifiees(runtime: ServiceRuntime, jour: date) -> None:
    """The fiche of every configured territory for the last complete month, each in its
    own transaction: one failing does not undo the others, and the next run makes only
    what is missing."""
    deps = dependances(runtime)
    faites = 0
    for niveau, code in publications.territoires(deps.settings.observatoire_fiches_niveaux):
        async with runtime.unit_of_work() as uow:
            conn = await uow.session.connection()
            if await publications.publier(
                conn, niveau, code, jour, seuil_secret=deps.settings.observatoire_seuil_secret
            ):
                faites += 1
            await uow.commit()
    log.info(
        "observatoire.fiches_planifiees",
        periode=publications.couverture(jour).periode,
        faites=faites,
    )
