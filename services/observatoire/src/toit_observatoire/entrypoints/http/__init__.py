"""HTTP API of the observatoire (/api/observatoire), one module per sub-domain.

Statistics routes need `statistiques.lire`; a list showing a nominative field also
needs `demande.lire` (checked by the query's validation), within the caller's
territory; each nominative run is traced as a consultation.

- `commun`: the router factory (answers to domain exceptions), the caller, the connection;
- `listes`: domains, preview, saved lists, executions, results, exports;
- `indicateurs`: indicators, charts, fiche territoriale, bilan d'activité;
- `cartes`: choropleth by département (SVG) and its table;
- `publics`: public key figures, journal of exports.
"""

from fastapi import APIRouter

from toit_observatoire.entrypoints.http import cartes, indicateurs, listes, publics

router = APIRouter()
for _module in (listes, indicateurs, cartes, publics):
    router.include_router(_module.router)

__all__ = ["router"]
