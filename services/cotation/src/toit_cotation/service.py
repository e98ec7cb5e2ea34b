"""Declaration of the cotation service for servicekit."""

from pathlib import Path

from toit_referentiel import verifier_production

from servicekit import ServiceDefinition
from servicekit.audit import consultation_router
from toit_cotation.adapters.tables import metadata
from toit_cotation.entrypoints.events import attributions_consumer, demandes_consumer
from toit_cotation.entrypoints.http import router
from toit_cotation.entrypoints.jobs import arreter_recalculs, demarrer_recalculs, recalcul_mensuel
from toit_cotation.seed import seed

service = ServiceDefinition(
    name="cotation",
    description="Grilles de cotation des EPCI, scores explicables, position",
    migrations=Path(__file__).parent / "migrations",
    metadata=metadata,
    routers=[router, consultation_router("/api/cotation")],
    consumers=[demandes_consumer, attributions_consumer],
    seed=seed,
    daily_jobs=[recalcul_mensuel],
    production_checks=[verifier_production],
    on_startup=[demarrer_recalculs],
    on_shutdown=[arreter_recalculs],
)
