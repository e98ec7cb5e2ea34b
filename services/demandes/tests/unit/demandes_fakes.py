"""In-memory repositories of demandes, for the unit tests of its use cases (same methods as
`adapters.repository.DemandeRepository` and `PieceRepository` that the use cases call)."""

from __future__ import annotations

import copy
from collections.abc import Sequence
from typing import Any
from uuid import UUID

from toit_demandes.adapters.repository import (
    DemandeRepository,
    PieceRepository,
    VersionPerimee,
    cle,
)
from toit_demandes.domain.demande import Demande, Evenement, TypeEvenement, TypeIntervenant
from toit_demandes.domain.doublons import CleIdentite
from toit_demandes.domain.pieces import StatutPiece

from servicekit.testing_fakes import FakeUnitOfWork, InMemoryStore
from toit_contracts.enums import StatutDemande


class InMemoryDemandes:
    def __init__(self) -> None:
        self.demandes: InMemoryStore[UUID, Demande] = InMemoryStore()
        self.historiques: dict[UUID, list[Evenement]] = {}
        self.sequences: dict[tuple[str, int], int] = {}

    def _historiser(self, demande: Demande) -> None:
        self.historiques.setdefault(demande.id, []).extend(demande.nouveaux_evenements)
        demande.nouveaux_evenements = []

    async def ajouter(self, demande: Demande) -> None:
        self._historiser(demande)
        self.demandes.add(demande.id, copy.deepcopy(demande))

    async def ajouter_en_masse(self, lot: list[Demande]) -> None:
        for demande in lot:
            await self.ajouter(demande)

    async def get(self, demande_id: UUID, *, pour_modifier: bool = False) -> Demande | None:
        demande = self.demandes.get(demande_id)
        return None if demande is None else copy.deepcopy(demande)

    async def sauver(self, demande: Demande, version_lue: int) -> None:
        stockee = self.demandes.get(demande.id)
        if stockee is None or stockee.version != version_lue:
            raise VersionPerimee()
        self._historiser(demande)
        self.demandes.put(demande.id, copy.deepcopy(demande))

    async def supprimer(self, demande_id: UUID) -> None:
        self.demandes.remove(demande_id)
        self.historiques.pop(demande_id, None)

    async def historique(self, demande_id: UUID) -> list[Evenement]:
        return list(self.historiques.get(demande_id, []))

    async def deplacer_historique(self, depuis: UUID, vers: UUID) -> None:
        self.historiques.setdefault(vers, []).extend(self.historiques.pop(depuis, []))

    async def renouvelee_en_ligne(self, demande_id: UUID) -> bool:
        return any(
            e.type is TypeEvenement.RENOUVELLEMENT and e.intervenant.type is TypeIntervenant.PORTAIL
            for e in self.historiques.get(demande_id, [])
        )

    async def reserver_sequences(self, departement: str, annee: int, nombre: int) -> int:
        premiere = self.sequences.get((departement, annee), 0) + 1
        self.sequences[(departement, annee)] = premiere + nombre - 1
        return premiere

    async def prochaine_sequence(self, departement: str, annee: int) -> int:
        return await self.reserver_sequences(departement, annee, 1)

    async def doublons_potentiels(
        self, cle_: CleIdentite, sauf: UUID | None = None
    ) -> list[Demande]:
        trouvees = []
        for autre in self.demandes:
            c = cle(autre)
            if (
                autre.id == sauf
                or c.departement != cle_.departement
                or autre.statut in (StatutDemande.RADIEE, StatutDemande.PURGEE)
                or autre.fusionnee_dans is not None
            ):
                continue
            meme_identite = (
                c.date_naissance == cle_.date_naissance
                and c.prenom == cle_.prenom
                and bool(c.noms & cle_.noms)
            )
            if meme_identite or (cle_.nir is not None and c.nir == cle_.nir):
                trouvees.append(copy.deepcopy(autre))
        return sorted(trouvees, key=lambda d: d.date_depot_initial)


class InMemoryPieces:
    def __init__(self) -> None:
        self.lignes: InMemoryStore[UUID, dict[str, Any]] = InMemoryStore()

    async def ajouter(self, ligne: dict[str, Any]) -> None:
        self.lignes.add(ligne["id"], dict(ligne))

    async def de_la_demande(self, demande_id: UUID) -> list[dict[str, Any]]:
        lignes = [dict(p) for p in self.lignes if p["demande_id"] == demande_id]
        return sorted(lignes, key=lambda p: p["depose_le"])

    async def get(self, demande_id: UUID, piece_id: UUID) -> dict[str, Any] | None:
        ligne = self.lignes.get(piece_id)
        return None if ligne is None or ligne["demande_id"] != demande_id else dict(ligne)

    async def statuer(
        self,
        piece_id: UUID,
        statut: str,
        motif_refus: str | None,
        statue_le: Any,
        statue_par: str | None,
    ) -> None:
        ligne = self.lignes.get(piece_id)
        assert ligne is not None
        ligne.update(
            statut=statut, motif_refus=motif_refus, statue_le=statue_le, statue_par=statue_par
        )

    async def une_non_refusee(self, demande_id: UUID, types: Sequence[str], personne: str) -> bool:
        return any(
            p["demande_id"] == demande_id
            and p["type"] in types
            and p["personne"] == personne
            and p["statut"] != StatutPiece.REFUSEE.value
            for p in self.lignes
        )

    async def cles_stockage(self, demande_id: UUID) -> list[str]:
        return [p["cle_stockage"] for p in self.lignes if p["demande_id"] == demande_id]

    async def supprimer_de(self, demande_id: UUID) -> None:
        for p in self.lignes:
            if p["demande_id"] == demande_id:
                self.lignes.remove(p["id"])

    async def deplacer(self, depuis: UUID, vers: UUID) -> None:
        for p in self.lignes:
            if p["demande_id"] == depuis:
                p["demande_id"] = vers


def fake_uow() -> tuple[FakeUnitOfWork, InMemoryDemandes, InMemoryPieces]:
    demandes, pieces = InMemoryDemandes(), InMemoryPieces()
    uow = FakeUnitOfWork({DemandeRepository: demandes, PieceRepository: pieces})
    return uow, demandes, pieces
