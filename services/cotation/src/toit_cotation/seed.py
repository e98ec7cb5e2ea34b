"""Demo data: the example grids of Nantes, Rennes and Brest métropoles, published.

They are labelled as examples (`exemple: true`, "non officielle" in the title): they
are built from the usual criteria families, not copied from the EPCIs' PPGDID.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import structlog

from servicekit.runtime import ServiceRuntime
from toit_cotation import service_layer as services
from toit_cotation.adapters import repository as repo
from toit_cotation.domain.echange import importer
from toit_cotation.domain.grille import GrilleDefinition

log = structlog.get_logger(__name__)

DOSSIER = Path(__file__).parent / "grilles_exemple"


def grilles_exemple() -> list[GrilleDefinition]:
    return [importer(f.read_text(encoding="utf-8"), "yaml") for f in sorted(DOSSIER.glob("*.yaml"))]


async def seed(runtime: ServiceRuntime) -> None:
    """Idempotent: an EPCI that already has a grid is left alone."""
    for definition in grilles_exemple():
        async with runtime.unit_of_work() as uow:
            if await repo.lister_grilles(uow.session, epci=definition.epci):
                continue
        maintenant = datetime.now(UTC)
        async with runtime.unit_of_work() as uow:
            grille = await services.grilles.creer_grille(uow, definition, maintenant)
        async with runtime.unit_of_work() as uow:
            await services.grilles.publier_grille(uow, grille.id, None, maintenant)
        log.info("cotation.grille_exemple_publiee", epci=definition.epci)
