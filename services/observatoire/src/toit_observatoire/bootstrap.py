"""The observatoire's dependencies, built once per runtime and typed.

`dependances(runtime)` is the one way handlers and entrypoints reach them."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

from toit_referentiel import epci, epci_of_commune

from servicekit.bootstrap import Slot
from servicekit.db import Database
from servicekit.runtime import ServiceRuntime
from toit_observatoire.adapters.archive import ArchiveFlux, ArchiveTable
from toit_observatoire.domain.modeles import Territoire
from toit_observatoire.domain.ports import Archive
from toit_observatoire.settings import ObservatoireSettings


def _epci_de(commune: str) -> str | None:
    found = epci_of_commune(commune)
    return found.siren if found is not None else None


def _departement_de_epci(siren: str) -> str | None:
    found = epci(siren)
    return found.departements[0] if found is not None and found.departements else None


TERRITOIRE = Territoire(_epci_de, _departement_de_epci)


@dataclass
class Dependances:
    settings: ObservatoireSettings
    db: Database
    archive: Archive
    # Set in the embedded mode only: the table the in-process consumer fills.
    archive_table: ArchiveTable | None
    territoire: Territoire
    arret: asyncio.Event = field(default_factory=asyncio.Event)
    suivi: asyncio.Task[None] | None = None


def construire(runtime: ServiceRuntime) -> Dependances:
    settings = ObservatoireSettings(**runtime.settings.model_dump())
    table: ArchiveTable | None = None
    archive: Archive
    if settings.bus == "amqp":
        archive = ArchiveFlux(
            settings.amqp_url,
            max_age=settings.observatoire_archive_max_age,
            max_bytes=settings.observatoire_archive_max_bytes,
            segment_bytes=settings.observatoire_archive_segment_bytes,
        )
    else:
        table = ArchiveTable(runtime.db)
        archive = table
    deps = Dependances(settings, runtime.db, archive, table, TERRITOIRE)
    DEPENDANCES.put(runtime, deps)
    return deps


def _pas_demarre(_runtime: ServiceRuntime) -> Dependances:
    raise RuntimeError("observatoire not started")


# Built by `construire` when the service starts (entrypoints/events.demarrer).
DEPENDANCES = Slot("observatoire.dependances", Dependances, _pas_demarre)


def dependances(runtime: ServiceRuntime) -> Dependances:
    return DEPENDANCES.of(runtime)
