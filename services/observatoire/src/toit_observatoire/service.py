"""Declaration of the observatoire service for servicekit."""

from pathlib import Path

from servicekit import ServiceDefinition
from toit_observatoire.adapters.archive import FILE_ARCHIVE
from toit_observatoire.adapters.tables import metadata
from toit_observatoire.entrypoints import events, jobs
from toit_observatoire.entrypoints.http import router

service = ServiceDefinition(
    name="observatoire",
    description="Statistiques, listes paramétrables, rapports territoriaux",
    migrations=Path(__file__).parent / "migrations",
    metadata=metadata,
    routers=[router],
    daily_jobs=[jobs.listes_planifiees, jobs.publier_chiffres_cles, jobs.fiches_planifiees],
    on_startup=[events.demarrer],
    on_shutdown=[events.arreter],
    streams=[FILE_ARCHIVE],
)
