"""Declaration of the demandes service for servicekit."""

from pathlib import Path

from toit_referentiel import verifier_production

from servicekit import ServiceDefinition
from servicekit.audit import consultation_router
from servicekit.runtime import ServiceRuntime
from servicekit.settings import Settings
from servicekit.transit import verifier_cle
from toit_demandes.adapters.tables import metadata
from toit_demandes.bootstrap import dependances
from toit_demandes.entrypoints import events
from toit_demandes.entrypoints.events_attributions import consumer as attributions_consumer
from toit_demandes.entrypoints.http import router
from toit_demandes.entrypoints.jobs import echeances_des_demandes
from toit_demandes.entrypoints.seed import charger_demo


async def preparer(runtime: ServiceRuntime) -> None:
    """Builds the dependencies at start-up: a wrong storage setting stops the service there.
    The consumer of the portail's commands deposits pièces in the same store."""
    events.configurer(dependances(runtime).stockage, runtime.settings)


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
    on_startup=[preparer],
)
