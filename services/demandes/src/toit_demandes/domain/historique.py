"""Field-level before/after of a change, for the historique (primer §5.4)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

Json = Any


@dataclass(frozen=True)
class Changement:
    champ: str  # path as in error messages: "demandeur.adresse.ligne1", "occupants[0].nom"
    avant: Json
    apres: Json


def _chemin(parent: str, cle: str | int) -> str:
    if isinstance(cle, int):
        return f"{parent}[{cle}]"
    return f"{parent}.{cle}" if parent else cle


def differences(avant: Json, apres: Json, chemin: str = "") -> list[Changement]:
    """Leaf-level differences between two JSON documents (lists compared item by item)."""
    if isinstance(avant, dict) and isinstance(apres, dict):
        changements: list[Changement] = []
        for cle in list(avant) + [k for k in apres if k not in avant]:
            changements += differences(avant.get(cle), apres.get(cle), _chemin(chemin, cle))
        return changements
    if isinstance(avant, list) and isinstance(apres, list):
        changements = []
        for index in range(max(len(avant), len(apres))):
            changements += differences(
                avant[index] if index < len(avant) else None,
                apres[index] if index < len(apres) else None,
                _chemin(chemin, index),
            )
        return changements
    return [] if avant == apres else [Changement(chemin or "demande", avant, apres)]
