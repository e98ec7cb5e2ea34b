"""Declaration of the demandes service for servicekit."""

from pathlib import Path

from toit_referentiel import verifier_production

from servicekit import ServiceDefinition
from servicekit.audit import consultation_router
from servicekit.runtime import ServiceRuntime
from servicekit.settings import Settings
from servicekit.transit import verifier_cle
from toit_demandes.adapters.tables import metadata
from toit_demandes.entrypoints import events
from toit_demandes.entrypoints.events_attributions import consumer as attributions_consumer
from toit_demandes.entrypoints.http import router, stockage
from toit_demandes.entrypoints.jobs import echeances_des_demandes
from toit_demandes.entrypoints.seed import charger_demo


async def preparer_stockage(runtime: ServiceRuntime) -> None:
    """Reads the storage settings at start-up: a misconfiguration stops the service there.
    The consumer of the portail's commands deposits pièces in the same store."""
    events.configurer(stockage(runtime), runtime.settings)


service = ServiceDefinition(
    name="demandes",
    description=(
        "La demande de logement social : données, cycle de vie légal, numéro unique, pièces, "
        "historique"
    ),
    migrations=Path(__file__).parent / "migrations",
    metadata=metadata,
    # consultation_router first: /consultations is not a demande id.
    routers=[consultation_router("/api/demandes"), router],
    # The portail's requests; the attribution chain from matching (lease signed, CALEOL
    # decisions, offers: radiation, irrecevabilité notice, notices to the household).
    consumers=[events.consumer, attributions_consumer],
    seed=charger_demo,
    daily_jobs=[echeances_des_demandes],
    production_checks=[verifier_production, lambda: verifier_cle(Settings())],
    on_startup=[preparer_stockage],
)
