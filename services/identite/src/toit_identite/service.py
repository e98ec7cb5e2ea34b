"""Declaration of the identite service for servicekit."""

from pathlib import Path

from servicekit import ServiceDefinition

service = ServiceDefinition(
    name="identite",
    description="Comptes, organisations, rôles, périmètres et jetons",
    migrations=Path(__file__).parent / "migrations",
)
