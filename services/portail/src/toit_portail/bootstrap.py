"""The portail's dependencies, built once per runtime and typed (servicekit.bootstrap.Slot).

    deps = dependances(runtime)      # deps.settings, deps.portails

The site (web.py) reads them when it is built: a wrong portals' file stops the service at
start-up, naming the file and the key.
"""

from __future__ import annotations

from dataclasses import dataclass

from servicekit.bootstrap import Slot
from servicekit.runtime import ServiceRuntime
from toit_portail.adapters import configuration
from toit_portail.domain.departements import Portails
from toit_portail.settings import PortailSettings


@dataclass
class Dependances:
    settings: PortailSettings
    # One portal per département; "/" is the one of the request's host.
    portails: Portails


def construire(_runtime: ServiceRuntime) -> Dependances:
    settings = PortailSettings()
    return Dependances(
        settings=settings,
        portails=configuration.portails(
            settings.portail_configuration, settings.portail_departement_code
        ),
    )


DEPENDANCES = Slot("portail.dependances", Dependances, construire)


def dependances(runtime: ServiceRuntime) -> Dependances:
    return DEPENDANCES.of(runtime)
