"""Storage of demandes, one module per concern:

- `lignes`: the aggregate <-> its row and its historique lines;
- `demandes`: `DemandeRepository` (read for update, save, historique, numéro unique);
- `recherche`: search criteria and pages, potential duplicates;
- `pieces`: `PieceRepository` (the pièces' rows; their files live in `adapters.stockage`);
- `selections`: the daily jobs' selections.
"""

from toit_demandes.adapters.repository.demandes import DemandeRepository, VersionPerimee
from toit_demandes.adapters.repository.pieces import PieceRepository
from toit_demandes.adapters.repository.recherche import (
    LIMITE_TOTAL,
    TRIS,
    Criteres,
    Resume,
    cle,
)
from toit_demandes.adapters.repository.selections import (
    Selection,
    a_expirer,
    a_prevenir_du_renouvellement,
    a_purger,
    a_radier_faute_de_renouvellement,
    delai_anormalement_long_a_signaler,
    preavis_de_radiation_echus,
)

__all__ = [
    "LIMITE_TOTAL",
    "TRIS",
    "Criteres",
    "DemandeRepository",
    "PieceRepository",
    "Resume",
    "Selection",
    "VersionPerimee",
    "a_expirer",
    "a_prevenir_du_renouvellement",
    "a_purger",
    "a_radier_faute_de_renouvellement",
    "cle",
    "delai_anormalement_long_a_signaler",
    "preavis_de_radiation_echus",
]
