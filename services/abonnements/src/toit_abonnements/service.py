"""Declaration of the abonnements service for servicekit."""

from pathlib import Path

from servicekit import ServiceDefinition
from toit_abonnements import bootstrap
from toit_abonnements.adapters.tables import metadata
from toit_abonnements.entrypoints.events import consumer
from toit_abonnements.entrypoints.http import router
from toit_abonnements.entrypoints.jobs import appliquer_retention, nettoyer_amqp
from toit_abonnements.seed import seed
from toit_abonnements.settings import AbonnementsSettings

service = ServiceDefinition(
    name="abonnements",
    description="Abonnements des partenaires aux événements des demandes : flux, webhooks, AMQP",
    migrations=Path(__file__).parent / "migrations",
    metadata=metadata,
    routers=[router],
    consumers=[consumer],
    seed=seed,
    daily_jobs=[appliquer_retention, nettoyer_amqp],
    on_startup=[bootstrap.demarrer],
    on_shutdown=[bootstrap.arreter],
    pool_size=lambda: AbonnementsSettings().taille_pool(),
)
