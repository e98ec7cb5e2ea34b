"""Declaration of the matching service for servicekit."""

from pathlib import Path

from servicekit import ServiceDefinition

service = ServiceDefinition(
    name="matching",
    description="Patrimoine, rapprochement offre-demande, CALEOL, propositions, attributions",
    migrations=Path(__file__).parent / "migrations",
)
