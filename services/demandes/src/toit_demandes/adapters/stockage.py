"""Where the files of the pièces live: outside the database, behind a small interface."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Protocol


class Stockage(Protocol):
    async def ecrire(self, cle: str, contenu: bytes) -> None: ...

    async def lire(self, cle: str) -> bytes: ...

    async def supprimer(self, cle: str) -> None: ...


class StockageLocal:
    """A folder (by default <data_dir>/demandes-pieces); keys are generated, never user input."""

    def __init__(self, racine: Path) -> None:
        self.racine = racine

    def _chemin(self, cle: str) -> Path:
        chemin = (self.racine / cle).resolve()
        if self.racine.resolve() not in chemin.parents:
            raise ValueError("clé de stockage invalide")
        return chemin

    async def ecrire(self, cle: str, contenu: bytes) -> None:
        chemin = self._chemin(cle)

        def ecrire() -> None:
            chemin.parent.mkdir(parents=True, exist_ok=True)
            temporaire = chemin.with_suffix(".part")
            temporaire.write_bytes(contenu)
            temporaire.replace(chemin)

        await asyncio.to_thread(ecrire)

    async def lire(self, cle: str) -> bytes:
        return await asyncio.to_thread(self._chemin(cle).read_bytes)

    async def supprimer(self, cle: str) -> None:
        await asyncio.to_thread(self._chemin(cle).unlink, True)
