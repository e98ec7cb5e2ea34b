"""Declaration of the notifications service for servicekit."""

from pathlib import Path

from servicekit import ServiceDefinition

service = ServiceDefinition(
    name="notifications",
    description="Courriers et courriels, chacun envoyé une fois",
    migrations=Path(__file__).parent / "migrations",
)
