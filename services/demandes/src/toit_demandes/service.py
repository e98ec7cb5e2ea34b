"""Declaration of the demandes service for servicekit."""

from pathlib import Path

from servicekit import ServiceDefinition

service = ServiceDefinition(
    name="demandes",
    description="La demande de logement social : données, cycle de vie légal, numéro unique, pièces, historique",
    migrations=Path(__file__).parent / "migrations",
)
