"""The cotation service's dependencies, built once per runtime and typed.

    deps = dependances(runtime)      # deps.settings, deps.tache_recalcul

Tests change a setting before the runtime starts:
`dependances(runtime).settings.cotation_recalcul_attente_secondes = 0.05`.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from servicekit.bootstrap import Slot
from servicekit.runtime import ServiceRuntime
from toit_cotation.settings import CotationSettings


@dataclass
class Dependances:
    settings: CotationSettings
    # The bulk re-scoring loop of this process, while it runs.
    tache_recalcul: asyncio.Task[None] | None = None


def construire(_runtime: ServiceRuntime) -> Dependances:
    return Dependances(settings=CotationSettings())


DEPENDANCES = Slot("cotation.dependances", Dependances, construire)


def dependances(runtime: ServiceRuntime) -> Dependances:
    return DEPENDANCES.of(runtime)
