"""The demandes service's dependencies, built once per runtime and typed.

    deps = dependances(runtime)      # deps.settings, deps.stockage

Entrypoints reach them through `dependances(runtime)`; use cases receive what they need
as arguments. Built at start-up (`DEPENDANCES.prepare`): a wrong storage setting stops
the service there.
"""

from __future__ import annotations

from dataclasses import dataclass

from servicekit.bootstrap import Slot
from servicekit.runtime import ServiceRuntime
from toit_demandes.adapters.stockage import Stockage, stockage_configure
from toit_demandes.settings import DemandesSettings


@dataclass
class Dependances:
    settings: DemandesSettings
    stockage: Stockage


def construire(runtime: ServiceRuntime) -> Dependances:
    settings = DemandesSettings()
    return Dependances(
        settings=settings,
        stockage=stockage_configure(settings.parametres_stockage(), runtime.settings.data_dir),
    )


DEPENDANCES = Slot("demandes.dependances", Dependances, construire)


def dependances(runtime: ServiceRuntime) -> Dependances:
    return DEPENDANCES.of(runtime)
