"""Declaration of the matching service for servicekit."""

from pathlib import Path

from servicekit import ServiceDefinition
from servicekit.audit import consultation_router
from toit_matching.adapters.tables import metadata
from toit_matching.bootstrap import preparer
from toit_matching.entrypoints.events import cotations_consumer, demandes_consumer
from toit_matching.entrypoints.http import router
from toit_matching.entrypoints.http_caleol import router as router_caleol
from toit_matching.entrypoints.jobs import echeances_des_offres
from toit_matching.entrypoints.seed import charger_demo
from toit_matching.settings import MatchingSettings

service = ServiceDefinition(
    name="matching",
    description=(
        "Patrimoine des bailleurs, vacances et gestion en flux, recherche de candidats, "
        "comparateur et désignation"
    ),
    migrations=Path(__file__).parent / "migrations",
    metadata=metadata,
    routers=[router, router_caleol, consultation_router("/api/matching")],
    consumers=[demandes_consumer, cotations_consumer],
    seed=charger_demo,
    daily_jobs=[echeances_des_offres],
    on_startup=[preparer],
    body_limits={"/api/matching/patrimoine/imports": MatchingSettings().matching_import_octets_max},
)
