"""Declaration of the observatoire service for servicekit."""

from pathlib import Path

from servicekit import ServiceDefinition

service = ServiceDefinition(
    name="observatoire",
    description="Statistiques, listes paramétrables, rapports territoriaux",
    migrations=Path(__file__).parent / "migrations",
)
