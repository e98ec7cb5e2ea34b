"""Declaration of the portail service for servicekit."""

from pathlib import Path

from servicekit import ServiceDefinition

service = ServiceDefinition(
    name="portail",
    description="Le site public des demandeurs",
    migrations=Path(__file__).parent / "migrations",
)
