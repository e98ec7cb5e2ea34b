"""In-memory storage of cotation's grids and re-scoring jobs, for the unit tests of its use
cases (the methods of `adapters.repository.CotationRepository` those use cases call)."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from toit_cotation.adapters.repository import CotationRepository
from toit_cotation.domain.grille import Grille

from servicekit.testing_fakes import FakeUnitOfWork, InMemoryStore


class InMemoryCotation:
    def __init__(self, demandes_suivies: int = 0) -> None:
        self.grilles: InMemoryStore[UUID, Grille] = InMemoryStore()
        self.recalculs: InMemoryStore[str, dict[str, Any]] = InMemoryStore()
        self.demandes_suivies = demandes_suivies

    async def grille(self, grille_id: UUID) -> Grille | None:
        return self.grilles.get(grille_id)  # Grille is frozen: no copy needed

    async def ajouter_grille(self, grille: Grille) -> None:
        self.grilles.add(grille.id, grille)

    async def enregistrer_grille(self, grille: Grille, revision_lue: int) -> bool:
        stockee = self.grilles.get(grille.id)
        if stockee is None or stockee.revision != revision_lue:
            return False
        self.grilles.put(grille.id, grille)
        return True

    async def prochaine_version(self, epci: str, population: str) -> int:
        versions = [
            g.version for g in self.grilles if g.epci == epci and g.population.value == population
        ]
        return max(versions, default=0) + 1

    async def lister_grilles(
        self, *, epci: str | None = None, etat: str | None = None
    ) -> list[Grille]:
        return [
            g
            for g in self.grilles
            if (epci is None or g.epci == epci) and (etat is None or g.etat.value == etat)
        ]

    async def compter_a_recoter(self, epci: str | None) -> int:
        return self.demandes_suivies

    async def creer_recalcul(self, valeurs: dict[str, Any]) -> bool:
        if self.recalculs.get(valeurs["cle"]) is not None:
            return False
        self.recalculs.add(valeurs["cle"], dict(valeurs))
        return True


def fake_uow(demandes_suivies: int = 0) -> tuple[FakeUnitOfWork, InMemoryCotation]:
    depot = InMemoryCotation(demandes_suivies)
    return FakeUnitOfWork({CotationRepository: depot}), depot
