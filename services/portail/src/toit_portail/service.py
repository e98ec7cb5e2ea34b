"""Declaration of the portail service for servicekit: its read model, its consumer and
its site (served at the gateway's root)."""

from pathlib import Path

from servicekit import ServiceDefinition
from servicekit.settings import Settings
from servicekit.transit import verifier_cle
from toit_portail.adapters.tables import metadata
from toit_portail.adapters.tables_candidatures import candidatures as _candidatures  # noqa: F401
from toit_portail.entrypoints import events_commandes
from toit_portail.entrypoints.events import consumer
from toit_portail.web import create_web

service = ServiceDefinition(
    name="portail",
    description="Le site public des demandeurs",
    migrations=Path(__file__).parent / "migrations",
    metadata=metadata,
    consumers=[consumer, events_commandes.consumer],
    production_checks=[lambda: verifier_cle(Settings())],
    web=create_web,
)
