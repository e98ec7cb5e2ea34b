"""Queries of the cotation service, one module per concern: `grilles`, `demandes_suivies`
(the copies of the demandes it follows), `scores`, `recalculs` (re-scoring jobs); SQL helpers
in `commun`. `CotationRepository` binds them to one session."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession

from toit_cotation.adapters.repository.demandes_suivies import (
    DemandeSuivie,
    compter_a_recoter,
    demandes_a_recoter,
    demandes_suivies,
    snapshots_de_l_epci,
)
from toit_cotation.adapters.repository.grilles import (
    ajouter_grille,
    enregistrer_grille,
    grille,
    lister_grilles,
    prochaine_version,
)
from toit_cotation.adapters.repository.recalculs import (
    creer_recalcul,
    lister_recalculs,
    mettre_a_jour_recalcul,
    prochain_recalcul,
    recalcul,
)
from toit_cotation.adapters.repository.scores import (
    Ecritures,
    Position,
    ScoreConnu,
    ecrire,
    evenements_en_attente,
    grilles_et_scores,
    lignes_de_scores,
    position,
    scores_actifs_de_l_epci,
)
from toit_cotation.domain.grille import Grille


class CotationRepository:
    """The functions of this module bound to one session: what the use cases reach
    through `uow.repository(CotationRepository)` (unit tests give them an in-memory one)."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def ajouter_grille(self, grille: Grille) -> None:
        return await ajouter_grille(self.session, grille)

    async def enregistrer_grille(self, grille: Grille, revision_lue: int) -> bool:
        return await enregistrer_grille(self.session, grille, revision_lue)

    async def grille(self, grille_id: UUID) -> Grille | None:
        return await grille(self.session, grille_id)

    async def prochaine_version(self, epci: str, population: str) -> int:
        return await prochaine_version(self.session, epci, population)

    async def lister_grilles(
        self, *, epci: str | None = None, etat: str | None = None
    ) -> list[Grille]:
        return await lister_grilles(self.session, epci=epci, etat=etat)

    async def demandes_suivies(
        self, ids: Sequence[UUID], *, verrouiller: bool = False
    ) -> dict[UUID, DemandeSuivie]:
        return await demandes_suivies(self.session, ids, verrouiller=verrouiller)

    async def demandes_a_recoter(
        self, *, epci: str | None, apres: UUID | None, limite: int
    ) -> list[DemandeSuivie]:
        return await demandes_a_recoter(self.session, epci=epci, apres=apres, limite=limite)

    async def compter_a_recoter(self, epci: str | None) -> int:
        return await compter_a_recoter(self.session, epci)

    async def snapshots_de_l_epci(self, epci: str) -> list[Any]:
        return await snapshots_de_l_epci(self.session, epci)

    async def grilles_et_scores(
        self, epcis: Iterable[str], ids: Sequence[UUID], *, epci: str | None = None
    ) -> tuple[list[tuple[UUID, int]], dict[tuple[UUID, str], ScoreConnu]]:
        return await grilles_et_scores(self.session, epcis, ids, epci=epci)

    async def lignes_de_scores(self, demande_id: UUID) -> dict[str, Any]:
        return await lignes_de_scores(self.session, demande_id)

    async def ecrire(self, ecritures: Ecritures, maintenant: datetime) -> None:
        return await ecrire(self.session, ecritures, maintenant)

    async def scores_actifs_de_l_epci(self, epci: str) -> dict[UUID, Any]:
        return await scores_actifs_de_l_epci(self.session, epci)

    async def position(self, epci: str, typologie: str | None, points: Decimal) -> Position:
        return await position(self.session, epci, typologie, points)

    async def evenements_en_attente(self, plafond: int) -> int:
        return await evenements_en_attente(self.session, plafond)

    async def creer_recalcul(self, valeurs: dict[str, Any]) -> bool:
        return await creer_recalcul(self.session, valeurs)

    async def prochain_recalcul(self) -> Any | None:
        return await prochain_recalcul(self.session)

    async def mettre_a_jour_recalcul(self, job_id: UUID, **valeurs: Any) -> None:
        return await mettre_a_jour_recalcul(self.session, job_id, **valeurs)

    async def recalcul(self, job_id: UUID) -> Any | None:
        return await recalcul(self.session, job_id)

    async def lister_recalculs(self, limite: int = 50) -> list[Any]:
        return await lister_recalculs(self.session, limite)


__all__ = [
    "CotationRepository",
    "DemandeSuivie",
    "Ecritures",
    "Position",
    "ScoreConnu",
    "ajouter_grille",
    "compter_a_recoter",
    "creer_recalcul",
    "demandes_a_recoter",
    "demandes_suivies",
    "ecrire",
    "enregistrer_grille",
    "evenements_en_attente",
    "grille",
    "grilles_et_scores",
    "lignes_de_scores",
    "lister_grilles",
    "lister_recalculs",
    "mettre_a_jour_recalcul",
    "position",
    "prochain_recalcul",
    "prochaine_version",
    "recalcul",
    "scores_actifs_de_l_epci",
    "snapshots_de_l_epci",
]
