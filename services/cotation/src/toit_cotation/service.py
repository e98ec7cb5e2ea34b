"""Declaration of the cotation service for servicekit."""

from pathlib import Path

from servicekit import ServiceDefinition

service = ServiceDefinition(
    name="cotation",
    description="Grilles de cotation des EPCI, scores explicables, position",
    migrations=Path(__file__).parent / "migrations",
)
