"""Declaration of the notifications service for servicekit."""

from pathlib import Path

from toit_referentiel import verifier_production

from servicekit import ServiceDefinition
from toit_notifications.adapters.tables import metadata
from toit_notifications.entrypoints import expediteur
from toit_notifications.entrypoints.events import consumer
from toit_notifications.entrypoints.http import router
from toit_notifications.entrypoints.jobs import surveiller_attestations

service = ServiceDefinition(
    name="notifications",
    description="Courriers et courriels, chacun envoyé une fois",
    migrations=Path(__file__).parent / "migrations",
    metadata=metadata,
    routers=[router],
    consumers=[consumer],
    daily_jobs=[surveiller_attestations],
    production_checks=[verifier_production],
    on_startup=[expediteur.demarrer],
    on_shutdown=[expediteur.arreter],
)
