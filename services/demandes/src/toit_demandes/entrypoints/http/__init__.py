"""HTTP API of the demandes service (/api/demandes), one module per sub-domain:

- `commun`: what the routes share (storage failures' answers, caller's context, access checks);
- `recherche`: searches (traced lists);
- `doublons`: potential duplicates, merge, distinct;
- `pieces`: pièces justificatives and their catalogue;
- `saisie`: one demande (create, read, edit, date de dépôt, historique);
- `cycle_de_vie`: registration, submission, rejection, renewal, radiation, reactivation.
"""

from fastapi import APIRouter

from toit_demandes.entrypoints.http import cycle_de_vie, doublons, pieces, recherche, saisie
from toit_demandes.entrypoints.http.commun import TAILLE_MAX_PIECE, stockage

router = APIRouter()
# Fixed paths (/doublons, /catalogue-pieces, /a-valider/...) before /{demande_id}.
for _module in (recherche, doublons, pieces, saisie, cycle_de_vie):
    router.include_router(_module.router)

__all__ = ["TAILLE_MAX_PIECE", "router", "stockage"]
