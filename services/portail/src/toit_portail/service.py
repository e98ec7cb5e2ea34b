"""Declaration of the portail service for servicekit: its read model, its consumer and
its site (served at the gateway's root)."""

from pathlib import Path

from servicekit import ServiceDefinition
from toit_portail.adapters.tables import metadata
from toit_portail.entrypoints.events import consumer
from toit_portail.web import create_web

service = ServiceDefinition(
    name="portail",
    description="Le site public des demandeurs",
    migrations=Path(__file__).parent / "migrations",
    metadata=metadata,
    consumers=[consumer],
    web=create_web,
)
